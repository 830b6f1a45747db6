"""Times a `@defer` query over HTTP `multipart/mixed`: to its first payload and its last.

For the `defer-first` scenario. Each request is an HTTP/1.0 POST on a fresh connection, so
the response body is the bytes up to the server's close (no chunked framing to undo). The
first payload has arrived once the part that carries it is closed by its delimiter; the last
once the closing delimiter is there. The same query without `@defer` is timed alike: its one
JSON result waits for the slow field.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any

DEFER_QUERY = "{ hello ... @defer { slow } }"
PLAIN_QUERY = "{ hello slow }"
FIRST_PART_END = b'"hasNext":true}\r\n---'
LAST_PART_END = b"\r\n-----\r\n"


async def _timed(host: str, port: int, query: str, accept: str, ends: list[bytes]) -> list[float]:
    """POST `query`; the milliseconds until each of `ends` has arrived, in order."""
    body = json.dumps({"query": query}).encode()
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            f"POST / HTTP/1.0\r\nHost: {host}:{port}\r\nAccept: {accept}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        received = bytearray()
        times: list[float] = []
        while len(times) < len(ends):
            chunk = await reader.read(65536)
            if not chunk:
                raise ConnectionError(f"closed after {bytes(received[-200:])!r}")
            received += chunk
            while len(times) < len(ends) and ends[len(times)] in received:
                times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        writer.close()


async def measure(host: str, port: int, requests: int, timeout: float) -> dict[str, Any]:
    """Medians over `requests` of each: first and last payload of the `@defer` query, and
    the one response of the same query without it; or {"error": ...}."""
    first: list[float] = []
    last: list[float] = []
    plain: list[float] = []
    try:
        async with asyncio.timeout(timeout):
            for _ in range(requests):
                until_first, until_last = await _timed(
                    host, port, DEFER_QUERY, "multipart/mixed", [FIRST_PART_END, LAST_PART_END]
                )
                first.append(until_first)
                last.append(until_last)
                [whole] = await _timed(host, port, PLAIN_QUERY, "application/json", [b'"slow"}}'])
                plain.append(whole)
    except (OSError, TimeoutError) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    return {
        "first_ms": statistics.median(first),
        "last_ms": statistics.median(last),
        "plain_ms": statistics.median(plain),
        "requests": requests,
    }
