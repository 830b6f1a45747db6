"""A lean graphql-transport-ws client on raw asyncio sockets, fast enough not to be the bottleneck.

The handshake and the frame codec are written by hand (RFC 6455 sections 4.1 and 5.2): the client
sends few, small, masked frames and must read tens of thousands of unmasked server frames per
second, which a general-purpose library does several times slower. Every `next` message is
decoded and compared with the value it must carry, so a server that skips, repeats or reorders
events is caught. `tools/bench --selftest` measures this client against a trivial WebSocket
server (`canned.py ws`) to show its headroom.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import os
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from schema_data import COUNTER_QUERY

SUBPROTOCOL = "graphql-transport-ws"
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
DECODE = json.JSONDecoder().decode  # str in: no encoding sniffing, twice as fast as loads
OP_CONT, OP_TEXT, OP_BIN, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def accept_key(key: bytes) -> str:
    """The Sec-WebSocket-Accept value for a Sec-WebSocket-Key (RFC 6455 4.2.2)."""
    return base64.b64encode(hashlib.sha1(key + WS_GUID).digest()).decode()


class ProtocolFailure(Exception):
    """The server broke the WebSocket or graphql-transport-ws protocol, or closed early."""


def apply_mask(data: bytes, key: bytes) -> bytes:
    """XOR `data` with the 4-byte `key` repeated (RFC 6455 5.3); masking and unmasking alike."""
    size = len(data)
    repeated = (key * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(size, "big")


def parse_head(block: bytes) -> tuple[str, dict[str, str]]:
    """The start line and the headers (names lower-cased) of an HTTP/1.1 head."""
    first, *lines = block.decode("latin-1").split("\r\n")
    return first, {
        name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
    }


def encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, masked client frame (RFC 6455 5.3: clients must mask)."""
    length = len(payload)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    key = os.urandom(4)
    return header + key + apply_mask(payload, key)


class Subscription:
    """Expects `next` messages carrying 1..up_to for one operation id, then `complete`."""

    def __init__(self, op_id: str, up_to: int) -> None:
        self.op_id = op_id
        self.up_to = up_to
        self.received = 0
        self.wrong = 0
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def feed(self, message: dict[str, Any]) -> None:
        """Check one message addressed to this operation."""
        kind = message.get("type")
        if kind == "next":
            self.received += 1
            if message.get("payload") != {"data": {"counter": self.received}}:
                self.wrong += 1
        elif kind == "complete":
            if self.received != self.up_to:
                self.wrong += 1
            if not self.done.done():
                self.done.set_result(None)
        else:
            self.fail(ProtocolFailure(f"unexpected message {str(message)[:200]}"))

    def fail(self, error: Exception) -> None:
        """End the wait with an error (connection lost, protocol error)."""
        if not self.done.done():
            self.done.set_exception(error)
            self.done.exception()  # mark retrieved: a gather may have stopped waiting already


class GraphQLTransportWSClient(asyncio.Protocol):
    """One client connection; messages for a known operation id go to its `Subscription`."""

    def __init__(self, host: str, port: int, path: str) -> None:
        loop = asyncio.get_running_loop()
        self.request_target = (host, port, path)
        self.key = base64.b64encode(os.urandom(16))
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.upgraded = False
        self.fragments = bytearray()
        self.handshake: asyncio.Future[None] = loop.create_future()
        self.acked: asyncio.Future[None] = loop.create_future()
        self.operations: dict[str, Subscription] = {}
        self.close_code: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        host, port, path = self.request_target
        self.transport.write(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {self.key.decode()}\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {SUBPROTOCOL}\r\n\r\n".encode()
        )

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            if not self.upgraded and not self._read_handshake():
                return
            self._read_frames()
        except ProtocolFailure as error:
            self._fail(error)
            if self.transport is not None:
                self.transport.close()

    def _read_handshake(self) -> bool:
        """Check the 101 answer (accept key, subprotocol); False while it is incomplete."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        status_line, headers = parse_head(bytes(self.buffer[:end]))
        del self.buffer[: end + 4]
        if status_line.split(" ")[1:2] != ["101"]:
            raise ProtocolFailure(f"handshake refused: {status_line}")
        if headers.get("sec-websocket-accept") != accept_key(self.key):
            raise ProtocolFailure("bad Sec-WebSocket-Accept")
        if headers.get("sec-websocket-protocol") != SUBPROTOCOL:
            raise ProtocolFailure(f"subprotocol not negotiated: {headers}")
        self.upgraded = True
        self.handshake.set_result(None)
        return True

    def _read_frames(self) -> None:
        """Consume every complete frame in the buffer (RFC 6455 5.2 base framing)."""
        buffer, position, size = self.buffer, 0, len(self.buffer)
        decode, operations = DECODE, self.operations
        while size - position >= 2:
            first, second = buffer[position], buffer[position + 1]
            if second & 0x80:
                raise ProtocolFailure("server frames must not be masked")
            length, start = second & 0x7F, position + 2
            if length == 126:
                if size - start < 2:
                    break
                length, start = int.from_bytes(buffer[start : start + 2], "big"), start + 2
            elif length == 127:
                if size - start < 8:
                    break
                length, start = int.from_bytes(buffer[start : start + 8], "big"), start + 8
            if size - start < length:
                break
            position = start + length
            if first == 0x81 and not self.fragments:  # the hot path: one whole text message
                message = decode(buffer[start:position].decode())
                operation = operations.get(message.get("id"))
                if operation is not None:
                    operation.feed(message)
                else:
                    self._message(message)
            else:
                self._frame(first, bytes(buffer[start:position]))
        del buffer[:position]

    def _frame(self, first: int, payload: bytes) -> None:
        """Handle one frame off the hot path: fragments, binary, ping, close."""
        opcode, final = first & 0x0F, first & 0x80
        if opcode in (OP_TEXT, OP_BIN, OP_CONT):
            if not final or self.fragments:
                self.fragments += payload
                if not final:
                    return
                payload = bytes(self.fragments)
                self.fragments.clear()
            self._message(json.loads(payload))
        elif opcode == OP_PING:
            self._write(OP_PONG, payload)
        elif opcode == OP_CLOSE:
            self.close_code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
            self._write(OP_CLOSE, payload[:2])
            self._fail(ProtocolFailure(f"server closed with {self.close_code}: {payload[2:]!r}"))
            assert self.transport is not None
            self.transport.close()

    def _message(self, message: dict[str, Any]) -> None:
        """Route one decoded message: to its operation, or as a connection-level message."""
        operation = self.operations.get(message.get("id", ""))
        if operation is not None:
            operation.feed(message)
        elif message.get("type") == "connection_ack":
            self.acked.set_result(None)
        elif message.get("type") == "ping":
            self.send({"type": "pong"})
        elif message.get("type") != "pong":
            raise ProtocolFailure(f"unexpected message {str(message)[:200]}")

    def _write(self, opcode: int, payload: bytes) -> None:
        """Send one frame unless the connection is closing."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(encode_frame(opcode, payload))

    def send(self, message: dict[str, Any]) -> None:
        """Send one graphql-transport-ws message."""
        self._write(OP_TEXT, json.dumps(message).encode())

    def subscribe(self, op_id: str, up_to: int) -> Subscription:
        """Start `counter(upTo: up_to)` under `op_id`; await `.done` on the result."""
        operation = Subscription(op_id, up_to)
        self.operations[op_id] = operation
        payload = {"query": COUNTER_QUERY, "variables": {"upTo": up_to}}
        self.send({"id": op_id, "type": "subscribe", "payload": payload})
        return operation

    def _fail(self, error: Exception) -> None:
        """Fail everything still waiting on this connection."""
        for future in (self.handshake, self.acked):
            if not future.done():
                future.set_exception(error)
                future.exception()  # mark retrieved: nobody may be waiting on it any more
        for operation in self.operations.values():
            operation.fail(error)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(ProtocolFailure(f"connection lost ({exc or 'closed by the server'})"))
        self.transport = None

    def close(self) -> None:
        """Send a normal close frame and drop the connection."""
        self._write(OP_CLOSE, (1000).to_bytes(2, "big"))
        if self.transport is not None:
            self.transport.close()


async def connect(host: str, port: int, path: str = "/") -> GraphQLTransportWSClient:
    """Open a socket, upgrade it, and complete `connection_init` / `connection_ack`."""
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(
        lambda: GraphQLTransportWSClient(host, port, path), host, port
    )
    await client.handshake
    client.send({"type": "connection_init", "payload": {}})
    await client.acked
    return client


async def stream(host: str, port: int, sockets: int, events: int, timeout: float) -> dict[str, Any]:
    """`sockets` connections each subscribe to `events` counter values at once; msgs/s overall.

    The clock runs from the first `subscribe` sent to the last `complete` received; connection
    set-up is not timed. Returns the counts and `error` (None when every message was right).
    """
    clients: list[GraphQLTransportWSClient] = []
    result: dict[str, Any] = {"msgs": 0, "seconds": 0.0, "wrong": 0, "error": None}

    async def run() -> None:
        for _ in range(sockets):
            clients.append(await connect(host, port))
        started = time.perf_counter()
        operations = [client.subscribe("1", events) for client in clients]
        await asyncio.gather(*(operation.done for operation in operations))
        result["seconds"] = time.perf_counter() - started

    await run_bounded(run, timeout, clients, result, ProtocolFailure)
    operations_seen = [op for client in clients for op in client.operations.values()]
    return summarize(result, operations_seen)


async def run_bounded(
    run: Callable[[], Awaitable[None]],
    timeout: float,
    clients: list[Any],
    result: dict[str, Any],
    failure: type[Exception],
) -> None:
    """Await `run()` within `timeout`, a failure noted in `result`; `clients` closed after."""
    try:
        await asyncio.wait_for(run(), timeout)
    except (OSError, failure, asyncio.TimeoutError) as error:
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        for client in clients:
            client.close()


def summarize(result: dict[str, Any], streams: list[Any]) -> dict[str, Any]:
    """Fill `result` from the `received` and `wrong` counts of `streams`; msgs/s overall."""
    result["msgs"] = sum(stream.received for stream in streams)
    result["wrong"] = sum(stream.wrong for stream in streams)
    if result["wrong"] and result["error"] is None:
        result["error"] = f"{result['wrong']} wrong or missing messages"
    if result["seconds"]:
        result["msgs_per_s"] = result["msgs"] / result["seconds"]
    return result


async def open_idle(
    host: str, port: int, count: int, clients: list[GraphQLTransportWSClient]
) -> None:
    """Open `count` acknowledged, idle connections (ten at a time) into `clients`.

    The caller owns `clients` and closes them, also those opened before a failure.
    """
    for start in range(0, count, 10):
        batch = min(10, count - start)
        results = await asyncio.gather(
            *(connect(host, port) for _ in range(batch)), return_exceptions=True
        )
        clients += [result for result in results if isinstance(result, GraphQLTransportWSClient)]
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            raise errors[0]
