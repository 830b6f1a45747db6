"""The pub/sub fan-out client: `sockets` subscribers of one topic, one broadcast of `events`.

Every connection subscribes to `fanout(upTo: events)` (see `app_pubsub.py`) and waits for
its 0, which says the subscription is live (on whichever worker the kernel gave the
connection). Then one ``broadcast(count: events)`` mutation, on a new connection to any
worker, publishes 1..events; the clock runs from that request to the last `complete`.
Every message is checked (`wsclient.Subscription`): each subscriber gets 1..events in order.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import wsclient

QUERY = "subscription ($upTo: Int!) { counter: fanout(upTo: $upTo) }"


class LiveSubscription(wsclient.Subscription):
    """A `wsclient.Subscription` whose first value, 0, only says that it is live."""

    def __init__(self, op_id: str, up_to: int) -> None:
        super().__init__(op_id, up_to)
        self.live: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def feed(self, message: dict[str, Any]) -> None:
        if not self.live.done() and message.get("payload") == {"data": {"counter": 0}}:
            self.live.set_result(None)
            return
        super().feed(message)

    def fail(self, error: Exception) -> None:
        if not self.live.done():
            self.live.set_exception(error)
            self.live.exception()
        super().fail(error)


async def broadcast(host: str, port: int, count: int) -> None:
    """POST ``broadcast(count:)`` on a new connection; raises unless it answered `count`."""
    body = json.dumps({"query": f"mutation {{ broadcast(count: {count}) }}"}).encode()
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        b"POST / HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        b"Connection: close\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )
    answer = await reader.read()
    writer.close()
    if not answer.startswith(b"HTTP/1.1 200") or b'"broadcast":%d' % count not in answer:
        raise wsclient.ProtocolFailure(f"broadcast failed: {answer[-300:]!r}")


async def stream(host: str, port: int, sockets: int, events: int, timeout: float) -> dict[str, Any]:
    """`sockets` subscribers, one broadcast of `events`; delivered msgs/s (as `wsclient`)."""
    clients: list[wsclient.GraphQLTransportWSClient] = []
    operations: list[LiveSubscription] = []
    result: dict[str, Any] = {"msgs": 0, "seconds": 0.0, "wrong": 0, "error": None}

    async def run() -> None:
        for _ in range(sockets):
            client = await wsclient.connect(host, port)
            clients.append(client)
            operation = LiveSubscription("1", events)
            client.operations["1"] = operation
            payload = {"query": QUERY, "variables": {"upTo": events}}
            client.send({"id": "1", "type": "subscribe", "payload": payload})
            operations.append(operation)
        await asyncio.gather(*(operation.live for operation in operations))
        started = time.perf_counter()
        await broadcast(host, port, events)
        await asyncio.gather(*(operation.done for operation in operations))
        result["seconds"] = time.perf_counter() - started

    await wsclient.run_bounded(run, timeout, clients, result, wsclient.ProtocolFailure)
    return wsclient.summarize(result, operations)
