"""A lean GraphQL-over-SSE client (graphql-sse, distinct connections) on raw asyncio sockets.

The counterpart of `wsclient.py` for the `sse-one` scenario: it POSTs the counter subscription
with `Accept: text/event-stream`, de-chunks the response (RFC 9112 section 7.1) and splits it
into events (the SSE `event:`/`data:` fields, blank-line separated). Every `next` event is
decoded and compared with the value it must carry, so a server that skips, repeats or
reorders events is caught, and the stream must end with `complete`.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any, cast

from schema_data import COUNTER_QUERY
from wsclient import run_bounded, summarize

DECODE = json.JSONDecoder().decode
NEXT_PREFIX = b"event: next\ndata: "


class SSEProtocolFailure(Exception):
    """The server broke HTTP or the graphql-sse protocol, or closed early."""


class SSESubscription(asyncio.Protocol):
    """One connection streaming one counter subscription of `up_to` events."""

    def __init__(self, host: str, port: int, up_to: int) -> None:
        self.target = (host, port)
        self.up_to = up_to
        self.received = 0
        self.wrong = 0
        self.transport: asyncio.Transport | None = None
        self.head_done = False
        self.raw = bytearray()  # bytes not yet de-chunked
        self.body = bytearray()  # de-chunked bytes not yet split into events
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        host, port = self.target
        body = json.dumps({"query": COUNTER_QUERY, "variables": {"upTo": self.up_to}}).encode()
        self.transport.write(
            f"POST /graphql HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    def data_received(self, data: bytes) -> None:
        self.raw += data
        try:
            if not self.head_done and not self._read_head():
                return
            self._dechunk()
            self._events()
        except SSEProtocolFailure as error:
            self._fail(error)

    def _read_head(self) -> bool:
        end = self.raw.find(b"\r\n\r\n")
        if end < 0:
            return False
        head = bytes(self.raw[:end]).decode("latin-1").lower()
        del self.raw[: end + 4]
        if not head.startswith("http/1.1 200") or "text/event-stream" not in head:
            raise SSEProtocolFailure(f"not an event stream: {head[:200]}")
        if "transfer-encoding: chunked" not in head:
            raise SSEProtocolFailure("the benchmark client reads chunked streams only")
        self.head_done = True
        return True

    def _dechunk(self) -> None:
        raw = self.raw
        position = 0
        while True:
            line_end = raw.find(b"\r\n", position)
            if line_end < 0:
                break
            size = int(raw[position:line_end], 16)
            start = line_end + 2
            if len(raw) < start + size + 2:
                break
            self.body += raw[start : start + size]
            position = start + size + 2
            if size == 0:
                break
        del raw[:position]

    def _events(self) -> None:
        *blocks, rest = bytes(self.body).split(b"\n\n")
        self.body[:] = rest
        for block in blocks:
            self._event(block)

    def _event(self, block: bytes) -> None:
        if block.startswith(NEXT_PREFIX):
            self.received += 1
            payload = DECODE(block[len(NEXT_PREFIX) :].decode())
            if payload != {"data": {"counter": self.received}}:
                self.wrong += 1
        elif block.startswith(b"event: complete"):
            if self.received != self.up_to:
                self.wrong += 1
            if not self.done.done():
                self.done.set_result(None)
        elif not block.startswith(b":"):
            raise SSEProtocolFailure(f"unexpected event {block[:200]!r}")

    def _fail(self, error: Exception) -> None:
        if not self.done.done():
            self.done.set_exception(error)
            self.done.exception()  # mark retrieved
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(SSEProtocolFailure(f"connection lost: {exc}"))

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


async def stream(host: str, port: int, sockets: int, events: int, timeout: float) -> dict[str, Any]:
    """`sockets` event streams each subscribe to `events` counter values; msgs/s overall.

    The clock runs from the connections being made (the request is sent on connect) to the
    last `complete`. Returns the counts and `error` (None when every message was right).
    """
    loop = asyncio.get_running_loop()
    clients: list[SSESubscription] = []
    result: dict[str, Any] = {"msgs": 0, "seconds": 0.0, "wrong": 0, "error": None}

    async def run() -> None:
        started = time.perf_counter()
        for _ in range(sockets):
            _, client = await loop.create_connection(
                lambda: SSESubscription(host, port, events), host, port
            )
            clients.append(client)
        await asyncio.gather(*(client.done for client in clients))
        result["seconds"] = time.perf_counter() - started

    await run_bounded(run, timeout, clients, result, SSEProtocolFailure)
    return summarize(result, clients)
