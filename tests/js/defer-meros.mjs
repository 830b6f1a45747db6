// A real multipart/mixed reader: argv[2] is JSON {url, requests: [{query, variables?,
// accept?, abortAfter?}]}. Each request is POSTed in turn with fetch and its response read
// with meros; prints one {status, contentType, parts: [{headers, json, body}], body?} per
// request. With abortAfter N the request is aborted once N parts have arrived (a client
// going away mid-stream).
import { meros } from 'meros/browser';

async function read(url, { query, variables, accept, abortAfter }) {
  const controller = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: accept ?? 'multipart/mixed, application/json',
    },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  const output = {
    status: response.status,
    contentType: response.headers.get('content-type'),
    parts: [],
  };
  const parts = await meros(response);
  if (parts === response) {
    output.body = await response.text();
    return output;
  }
  try {
    for await (const part of parts) {
      output.parts.push({ headers: part.headers, json: part.json, body: part.body });
      if (abortAfter && output.parts.length >= abortAfter) {
        controller.abort();
        break;
      }
    }
  } catch (error) {
    if (error.name !== 'AbortError') throw error;
  }
  return output;
}

const { url, requests } = JSON.parse(process.argv[2]);
const outputs = [];
for (const request of requests) outputs.push(await read(url, request));
console.log(JSON.stringify(outputs));
