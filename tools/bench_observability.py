#!/usr/bin/env python3
"""What observability costs: the server's CPU time per ``{ hello }``, plain (``/health`` on, the
default), without the health route, with ``--metrics``, and with ``OpenTelemetryExtension``.

    .venv/bin/python tools/bench_observability.py [--rounds 10] [--connections 8] [--requests 500]

Starts graphqlwire's command line four times on free ports (``app_core:schema``, the same
with ``--health-path ''`` and with ``--metrics``, and ``app_traced:app``: the SDK's tracer
provider, no exporter), then, in interleaved rounds, sends each one the
same keep-alive ``{ hello }`` POSTs and reads the server process's CPU time (user + system,
from ``/proc``) before and after. CPU time per request, not requests per second: on a shared
machine throughput mostly measures the neighbours, the server's own CPU does not. Linux only.
``tools/bench`` has the same three servers as ``graphqlwire``, ``graphqlwire-metrics`` and
``graphqlwire-tracing`` for throughput and latency.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHLIB = HERE / "benchlib"
BODY = b'{"query":"{ hello }"}'
REQUEST = (
    b"POST / HTTP/1.1\r\nhost: bench\r\ncontent-type: application/json\r\n"
    b"accept: application/json\r\ncontent-length: %d\r\n\r\n%s" % (len(BODY), BODY)
)
SERVERS = {
    "plain": ["app_core:schema"],
    "no-health": ["--health-path", "", "app_core:schema"],
    "metrics": ["--metrics", "app_core:schema"],
    "tracing": ["app_traced:app"],
}
TICKS = os.sysconf("SC_CLK_TCK")
START_TIMEOUT = 15.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start(arguments: list[str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE.parent), str(BENCHLIB)])}
    command = [sys.executable, "-m", "graphqlwire", "--port", str(port), "--lifespan", "off",
               "--log-level", "warning", *arguments]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=BENCHLIB, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process, port
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"cannot start: {' '.join(arguments)}") from None
            time.sleep(0.05)


async def one_connection(port: int, requests: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    for _ in range(requests):
        writer.write(REQUEST)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise SystemExit(f"unexpected answer: {head[:60]!r}")
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
    writer.close()


def load(port: int, connections: int, requests: int) -> None:
    async def run() -> None:
        await asyncio.gather(*(one_connection(port, requests) for _ in range(connections)))

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="keep-alive connections")
    parser.add_argument("--requests", type=int, default=500, help="requests per connection")
    args = parser.parse_args()
    started = {name: start(arguments) for name, arguments in SERVERS.items()}
    try:
        for _, port in started.values():
            load(port, 2, 200)  # warm-up: caches, plans
        per_request: dict[str, list[float]] = {name: [] for name in started}
        sent = args.connections * args.requests
        for _ in range(args.rounds):
            for name, (process, port) in started.items():
                before = cpu_seconds(process.pid)
                load(port, args.connections, args.requests)
                per_request[name].append((cpu_seconds(process.pid) - before) / sent * 1e6)
    finally:
        for process, _ in started.values():
            process.terminate()
            process.wait(10)
    # The best round as well as the median: interference from other processes only adds.
    print(f"server CPU per {{ hello }} request over {args.rounds} rounds of {sent} requests:")
    print("  server       median (vs plain)     best (vs plain)")
    plain = per_request["plain"]
    for name, values in per_request.items():
        cells = [
            f"{pick(values):7.1f} us ({100 * (pick(values) / pick(plain) - 1):+5.1f}%)"
            for pick in (statistics.median, min)
        ]
        print(f"  {name:10s} {cells[0]}   {cells[1]}")


if __name__ == "__main__":
    main()
