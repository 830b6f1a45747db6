"""`tools/bench --selftest`: how fast can the measuring side go?

Drives trivially fast servers (`canned.py`: canned HTTP bytes, canned graphql-transport-ws
frames) pinned to the server CPU with the very load generators and client used for the real
servers. Each rate printed is a ceiling of the measurement itself; the real servers must stay
well below it for their figures to mean anything.
"""

from __future__ import annotations

import argparse
from typing import Any

import http_load
import main
import servers
import wsclient
from schema_data import HELLO_QUERY, HELLO_RESULT, compact, post_body

CANNED_HTTP = servers.ServerSpec(
    "canned-http",
    "canned HTTP bytes",
    [servers.PY, str(servers.HERE / "canned.py"), "http", "--port", "{port}"],
    websocket=False,
)
CANNED_WS = servers.ServerSpec(
    "canned-ws",
    "canned graphql-transport-ws frames",
    [servers.PY, str(servers.HERE / "canned.py"), "ws", "--port", "{port}"],
    http=False,
)


def run(cpus: tuple[int | None, int | None], args: argparse.Namespace) -> None:
    """Measure and print the load generators' and the WS client's ceilings."""
    server_cpu, loadgen_cpu = cpus
    body, expected = post_body(HELLO_QUERY), compact(HELLO_RESULT)
    rows: list[tuple[str, Any]] = []
    running = servers.start(CANNED_HTTP, server_cpu)
    try:
        if http_load.have_wrk():
            wrk = http_load.run_wrk(running.port, body, expected, 32, args.duration, loadgen_cpu)
            rows.append(("wrk c32 req/s vs canned HTTP", wrk))
        fallback = main.run_async(
            http_load.run_asyncio(running.port, body, expected, 32, args.duration)
        )
        rows.append(("asyncio generator c32 req/s vs canned HTTP", fallback))
    finally:
        running.stop()
    running = servers.start(CANNED_WS, server_cpu)
    try:
        for name, (sockets, events) in main.WS_SCENARIOS.items():
            result = main.run_async(wsclient.stream("127.0.0.1", running.port, sockets, events, 60))
            rows.append((f"WS client {name} ({sockets}x{events}) msgs/s vs canned WS", result))
    finally:
        running.stop()
    print("Measurement ceilings (the servers under test must stay well below these):")
    for label, result in rows:
        figure = result.get("rps", result.get("msgs_per_s", 0.0))
        problems = {k: v for k, v in result.items() if k in (*main.FAILURE_KEYS, "error") and v}
        print(f"  {label:<58} {figure:>10,.0f}  {problems or 'all answers right'}")
