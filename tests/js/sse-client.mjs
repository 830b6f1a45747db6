// Drive a graphqlwire endpoint with the real graphql-sse client and print what it got.
//
// usage: node sse-client.mjs <url> <distinct|single>
// Prints {"query": [...], "mutation": [...], "subscription": [...], "invalid": [...],
// "stopped": [...], "concurrent": [[...], [...]]}: the results each operation yielded
// ({status} for an operation the server answered with an HTTP error).
import { createClient } from 'graphql-sse';

const [url, mode] = process.argv.slice(2);
const client = createClient({
  url,
  fetchFn: fetch,
  singleConnection: mode === 'single',
  retryAttempts: 0,
  lazyCloseTimeout: 0,
});

async function collect(payload, limit = Infinity) {
  const results = [];
  try {
    for await (const result of client.iterate(payload)) {
      results.push(result);
      if (results.length >= limit) break; // return(): the client stops the operation
    }
  } catch (error) {
    // single connection mode: a request refused before execution is an HTTP error
    results.push({ status: error.response?.status ?? String(error) });
  }
  return results;
}

try {
  const output = {
    query: await collect({ query: '{ hello }' }),
    mutation: await collect({
      query: 'mutation($t: String!) { echo(text: $t) }',
      variables: { t: 'sse' },
    }),
    subscription: await collect({ query: 'subscription { count(to: 3) }' }),
    invalid: await collect({ query: 'subscription { nope }' }),
    stopped: await collect({ query: 'subscription { waitForever(tag: "js") }' }, 1),
    concurrent: await Promise.all([
      collect({ query: 'subscription { count(to: 2) }' }),
      collect({ query: 'subscription { count(to: 4) }' }),
    ]),
  };
  process.stdout.write(JSON.stringify(output));
} finally {
  client.dispose();
}
