"""Trivially fast servers that prove the load generators are not the bottleneck.

`python canned.py http --port P` answers every HTTP/1.1 request with canned bytes, with no
parser beyond finding the end of the headers and the Content-Length. `python canned.py ws
--port P` speaks just enough graphql-transport-ws to acknowledge `connection_init` and to answer
a `subscribe` with pre-encoded `next` frames and a `complete`. `tools/bench --selftest` drives
them with the same load generators and clients as the real servers: the rates it prints are the
most the measuring side can observe.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import cast

from http_load import content_length
from loops import fast_event_loop
from schema_data import HELLO_RESULT, compact
from wsclient import accept_key, apply_mask, parse_head

HELLO_BODY = compact(HELLO_RESULT)
CANNED_RESPONSE = (
    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
    b"content-length: " + str(len(HELLO_BODY)).encode() + b"\r\n\r\n" + HELLO_BODY
)


class CannedHTTP(asyncio.Protocol):
    """Answer each complete request (headers + Content-Length body) with the same bytes."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        answers = 0
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            length = content_length(bytes(self.buffer[:end])) or 0
            if len(self.buffer) < end + 4 + length:
                break
            del self.buffer[: end + 4 + length]
            answers += 1
        if answers:
            self.transport.write(CANNED_RESPONSE * answers)


def server_frame(payload: bytes) -> bytes:
    """One final, unmasked text frame."""
    length = len(payload)
    if length < 126:
        return bytes((0x81, length)) + payload
    return bytes((0x81, 126)) + length.to_bytes(2, "big") + payload


class CannedWS(asyncio.Protocol):
    """Accept the upgrade, ack `connection_init`, answer `subscribe` with pre-encoded frames."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.upgraded = False
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        assert self.transport is not None
        self.buffer += data
        if not self.upgraded:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            _, headers = parse_head(bytes(self.buffer[:end]))
            del self.buffer[: end + 4]
            accept = accept_key(headers["sec-websocket-key"].encode())
            self.transport.write(
                b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept.encode() + b"\r\n"
                b"Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
            )
            self.upgraded = True
        while len(self.buffer) >= 6:
            length, start = self.buffer[1] & 0x7F, 2
            if length == 126:
                length, start = int.from_bytes(self.buffer[2:4], "big"), 4
            if len(self.buffer) < start + 4 + length:
                return
            opcode = self.buffer[0] & 0x0F
            key = bytes(self.buffer[start : start + 4])
            payload = apply_mask(bytes(self.buffer[start + 4 : start + 4 + length]), key)
            del self.buffer[: start + 4 + length]
            if opcode == 0x8:
                self.transport.close()
                return
            self.message(json.loads(payload))

    def message(self, message: dict[str, object]) -> None:
        """React to one client message."""
        assert self.transport is not None
        if message["type"] == "connection_init":
            self.transport.write(server_frame(b'{"type":"connection_ack"}'))
        elif message["type"] == "subscribe":
            op_id = json.dumps(message["id"])
            up_to = message["payload"]["variables"]["upTo"]  # type: ignore[index]
            head = b'{"id":' + op_id.encode() + b',"type":"next","payload":{"data":{"counter":'
            frames = [
                server_frame(head + str(value).encode() + b"}}}") for value in range(1, up_to + 1)
            ]
            frames.append(server_frame(b'{"id":' + op_id.encode() + b',"type":"complete"}'))
            self.transport.write(b"".join(frames))


async def serve(kind: str, port: int) -> None:
    """Serve `kind` ("http" or "ws") on 127.0.0.1:`port` until cancelled."""
    factory = CannedHTTP if kind == "http" else CannedWS
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()


def main() -> None:
    """Command line: `http|ws --port P`."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("kind", choices=["http", "ws"])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    fast_event_loop().run_until_complete(serve(args.kind, args.port))


if __name__ == "__main__":
    main()
