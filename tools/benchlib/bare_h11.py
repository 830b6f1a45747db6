"""The ceiling: a bare h11 server answering every request with a fixed JSON body.

Run as `python bare_h11.py --port PORT`. It does everything an h11-framed GraphQL server must
do per request (parse the request with h11, read the whole body, frame a keep-alive response)
and nothing else: the body is pre-encoded. It runs on asyncio's loop, like graphqlwire's server
by default, or on uvloop (`--loop uvloop`), so each contender is compared on its own loop.
A POST whose body mentions `items` gets the canned `items(n: 100)` answer, one that mentions
`tree` the canned `tree(n: 50, m: 10)` answer, one that aliases `hello` (the `distinct`
workload) `{ hello }`'s answer under that alias, anything else the `{ hello }` answer, so every
HTTP scenario has a ceiling to compare against.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import cast

import h11
from loops import fast_event_loop
from schema_data import HELLO_RESULT, ITEMS_RESULT, NESTED_RESULT, compact

HELLO_BODY = compact(HELLO_RESULT)
ITEMS_BODY = compact(ITEMS_RESULT)
TREE_BODY = compact(NESTED_RESULT)


def canned_body(request: bytes) -> bytes:
    """The answer to a request body (see the module's docstring): no GraphQL parsing."""
    if b"items" in request:
        return ITEMS_BODY
    if b"tree" in request:
        return TREE_BODY
    if b": hello" in request:  # `{ <alias>: hello }`
        alias = request.split(b"{ ", 1)[-1].split(b":", 1)[0]
        return b'{"data":{"%s":"world"}}' % alias
    return HELLO_BODY


def _headers(body: bytes) -> list[tuple[bytes, bytes]]:
    """Response headers for a canned body."""
    return [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]


class BareH11Protocol(asyncio.Protocol):
    """One connection: feed bytes to h11, answer each complete request with a canned body."""

    def __init__(self) -> None:
        self.connection = h11.Connection(h11.SERVER)
        self.transport: asyncio.Transport | None = None
        self.body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.connection.receive_data(data)
        while True:
            try:
                event = self.connection.next_event()
            except h11.RemoteProtocolError:
                self.transport.close()
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                break
            if isinstance(event, h11.Data):
                self.body += event.data
            elif isinstance(event, h11.EndOfMessage):
                self._respond()
            elif isinstance(event, h11.ConnectionClosed):
                self.transport.close()
                return
        if self.connection.our_state is h11.MUST_CLOSE:
            self.transport.close()

    def _respond(self) -> None:
        """Send the canned answer for the request just read, then ready the next cycle."""
        assert self.transport is not None
        body = canned_body(bytes(self.body))
        self.body.clear()
        send = self.connection.send
        response = h11.Response(status_code=200, headers=_headers(body))
        self.transport.write(
            b"".join((send(response), send(h11.Data(data=body)), send(h11.EndOfMessage())))
        )
        if self.connection.our_state is h11.DONE and self.connection.their_state is h11.DONE:
            self.connection.start_next_cycle()

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(host: str, port: int) -> None:
    """Serve until cancelled."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(BareH11Protocol, host, port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Command line: `--host`, `--port`, `--loop`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=["asyncio", "uvloop"], default="asyncio")
    parser.add_argument(
        "--import-schema",
        action="store_true",
        help="import graphql-core and build the benchmark schema first: the "
        "start-up floor of any graphql-core server",
    )
    args = parser.parse_args()
    if args.import_schema:
        import app_core  # noqa: F401
    loop = fast_event_loop() if args.loop == "uvloop" else asyncio.new_event_loop()
    loop.run_until_complete(serve(args.host, args.port))


if __name__ == "__main__":
    main()
