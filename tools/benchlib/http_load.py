"""HTTP load: `wrk` with `wrk_post.lua` when installed, else an asyncio keep-alive generator.

Both POST a JSON body over `connections` keep-alive connections for `duration` seconds and
return the same summary: requests, req/s, p50/p99 latency (ms), non-200 responses, bodies checked
and wrong, socket errors and timeouts. `vary` says what changes between requests: nothing
("same"), the head ("heads": each request with its own `X-Request-Id` header, so that no two
heads are alike) or the document ("aliases": `ALIAS_MARK` in the body replaced by an alias no
request of the run sent before, `<run>_<thread>_<n>`, so that no document cache can help; the
answers are then checked against the expected body with such an alias in its place). Bodies
are compared after removing whitespace, so `{"data": {"hello": "world"}}` and
`{"data":{"hello":"world"}}` are both right.
"""

from __future__ import annotations

import asyncio
import http.client
import itertools
import json
import re
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from schema_data import ALIAS_MARK

HERE = Path(__file__).resolve().parent
CHECK_EVERY = 50
VARY = ("same", "heads", "aliases")
REQUEST_IDS = itertools.count()
#: One per load run, the first part of its aliases: a warm-up's are not the measured run's.
RUN_IDS = itertools.count()


def run_wrk(
    port: int,
    body: bytes,
    expected: bytes,
    connections: int,
    duration: float,
    cpu: int | None,
    *,
    vary: str = "same",
) -> dict[str, Any]:
    """Run wrk (one thread) against 127.0.0.1:`port`; bounded by `duration` plus a grace."""
    assert vary in VARY, vary
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "-s",
        str(HERE / "wrk_post.lua"),
        f"http://127.0.0.1:{port}/",
        "--",
        body.decode(),
        expected.decode(),
        str(CHECK_EVERY),
        vary,
        str(next(RUN_IDS)),
    ]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("BENCHJSON "):
            result: dict[str, Any] = json.loads(line[len("BENCHJSON ") :])
            result["rps"] = result["requests"] / result["seconds"] if result["seconds"] else 0.0
            return result
    raise RuntimeError(f"wrk gave no summary: {done.stdout[-500:]} {done.stderr[-500:]}")


def content_length(head: bytes) -> int | None:
    """The Content-Length of an HTTP/1.1 head (None when absent)."""
    marker = head.lower().find(b"\r\ncontent-length:")
    if marker < 0:
        return None
    return int(head[marker + 17 :].split(b"\r\n", 1)[0])


class _Client(asyncio.Protocol):
    """One keep-alive connection sending the next request as soon as a response is complete."""

    def __init__(
        self,
        next_request: Callable[[], bytes],
        check: Callable[[bytes], object],
        stats: dict[str, Any],
    ) -> None:
        self.next_request, self.check, self.stats = next_request, check, stats
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.stopping = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        self._send()

    def _send(self) -> None:
        """Send the next request and start its clock."""
        assert self.transport is not None
        self.sent_at = time.perf_counter()
        self.transport.write(self.next_request())

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end])
        length = content_length(head)
        if length is None:
            self.stats["socket_errors"] += 1  # chunked answers are not supported here
            self.stop()
            return
        if len(self.buffer) < end + 4 + length:
            return
        stats = self.stats
        stats["latencies"].append(time.perf_counter() - self.sent_at)
        stats["requests"] += 1
        if head[9:12] != b"200":
            stats["non_200"] += 1
        if stats["requests"] % CHECK_EVERY == 1:
            stats["checked"] += 1
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            if not self.check(b"".join(body.split())):
                stats["bad_body"] += 1
        del self.buffer[: end + 4 + length]
        if not self.stopping:
            self._send()

    def stop(self) -> None:
        """Finish the request in flight, then close."""
        self.stopping = True
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.stopping:
            self.stats["socket_errors"] += 1
        self.transport = None


def request_maker(port: int, body: bytes, vary: str) -> Callable[[], bytes]:
    """What the asyncio clients send next, per `vary`: the same bytes, a new head or a new alias."""
    head = (
        f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        "Accept: application/json\r\n"
    ).encode()
    if vary == "heads":
        return lambda: (
            b"%sX-Request-Id: %d\r\nContent-Length: %d\r\n\r\n%s"
            % (head, next(REQUEST_IDS), len(body), body)
        )
    if vary == "aliases":
        before, after = body.split(ALIAS_MARK.encode())
        prefix = b"%s%d_0_" % (before, next(RUN_IDS))  # (one "thread")
        counter = itertools.count()

        def aliased() -> bytes:
            document = b"%s%d%s" % (prefix, next(counter), after)
            return b"%sContent-Length: %d\r\n\r\n%s" % (head, len(document), document)

        return aliased
    fixed = b"%sContent-Length: %d\r\n\r\n%s" % (head, len(body), body)
    return lambda: fixed


def body_checker(expected: bytes, vary: str) -> Callable[[bytes], object]:
    """Whether an answer stripped of whitespace is right: equal to `expected`, or (aliases)
    equal to it with an alias of ours, `<run>_<thread>_<n>`, in place of `ALIAS_MARK`."""
    if vary != "aliases":
        return expected.__eq__
    pattern = re.escape(expected).replace(ALIAS_MARK.encode(), rb"\d+_\d+_\d+")
    return re.compile(pattern).fullmatch


async def run_asyncio(
    port: int,
    body: bytes,
    expected: bytes,
    connections: int,
    duration: float,
    *,
    vary: str = "same",
) -> dict[str, Any]:
    """The fallback generator: `connections` keep-alive clients for `duration` seconds."""
    next_request = request_maker(port, body, vary)
    check = body_checker(expected, vary)
    stats: dict[str, Any] = {
        "requests": 0,
        "non_200": 0,
        "checked": 0,
        "bad_body": 0,
        "socket_errors": 0,
        "timeouts": 0,
        "latencies": [],
    }
    loop = asyncio.get_running_loop()
    clients: list[_Client] = []
    try:
        for _ in range(connections):
            _, client = await loop.create_connection(
                lambda: _Client(next_request, check, stats), "127.0.0.1", port
            )
            clients.append(client)
        started = time.perf_counter()
        await asyncio.sleep(duration)
        seconds = time.perf_counter() - started
    finally:
        for client in clients:
            client.stop()
    latencies = sorted(stats.pop("latencies"))
    stats["seconds"] = seconds
    stats["rps"] = stats["requests"] / seconds
    stats["p50_ms"] = latencies[len(latencies) // 2] * 1e3 if latencies else 0.0
    stats["p99_ms"] = latencies[int(len(latencies) * 0.99)] * 1e3 if latencies else 0.0
    return stats


def post_once(port: int, body: bytes) -> bytes:
    """POST `body` once to 127.0.0.1:`port` (to prime a scenario) and return the answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/", body, {"content-type": "application/json"})
        return connection.getresponse().read()
    finally:
        connection.close()


def have_wrk() -> bool:
    """True when the `wrk` binary is on PATH."""
    return shutil.which("wrk") is not None
