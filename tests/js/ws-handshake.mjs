// Open WebSockets with the `ws` library and report how each handshake ended, as JSON.
//
//   node ws-handshake.mjs '[[url, [subprotocol...]], ...]'
//
// Prints one result per attempt, in order: {"outcome": "open", "protocol": ...} when the
// server accepted (the socket is then closed), {"outcome": "refused", "status": ...,
// "headers": {...}, "body": "..."} when it answered the handshake with an HTTP response,
// or {"outcome": "error", "message": ...} when `ws` failed the connection itself (such as
// "Server sent no subprotocol").
import WebSocket from "ws";

function attempt(url, protocols) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, protocols);
    const timer = setTimeout(() => resolve({ outcome: "timeout" }), 5000);
    const done = (result) => {
      clearTimeout(timer);
      resolve(result);
    };
    socket.on("open", () => {
      const protocol = socket.protocol;
      socket.close(1000);
      done({ outcome: "open", protocol });
    });
    socket.on("unexpected-response", (request, response) => {
      const chunks = [];
      response.on("data", (chunk) => chunks.push(chunk));
      response.on("end", () =>
        done({
          outcome: "refused",
          status: response.statusCode,
          headers: response.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
    });
    socket.on("error", (error) => done({ outcome: "error", message: error.message }));
  });
}

const results = [];
for (const [url, protocols] of JSON.parse(process.argv[2])) {
  results.push(await attempt(url, protocols));
}
process.stdout.write(JSON.stringify(results) + "\n");
process.exit(0);
