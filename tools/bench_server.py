#!/usr/bin/env python3
"""Load benchmark: graphqlwire's server against uvicorn (h11, httptools), hypercorn and a
bare h11 server, all serving the same fixed small response.

    .venv/bin/python tools/bench_server.py [--duration 5] [--runs 3] [--connections 50]

The load generator is ``wrk`` (``apt-get install wrk``) when installed, else an asyncio
client in a separate process (pipelined keep-alive requests over many connections). With
the asyncio client a "stub" row is added: a server that answers without parsing anything,
i.e. the client's own ceiling; the client is not the bottleneck while every real server
stays well below it. Server and generator are
pinned to different CPUs when the machine has two or more. Every server runs one process
on the plain asyncio event loop, so the comparison is of the HTTP layers, not of the loops.

This file is also the benchmarked app: ``bench_server:app`` (a plain ASGI app) and
``bench_server:bare_h11_main`` (the bare baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
BODY = b'{"data":{"hello":"world"}}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The benchmarked ASGI app: a fixed small JSON body (lifespan unsupported)."""
    if scope["type"] != "http":
        raise RuntimeError("http only")
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})


def bare_h11_main(port: int) -> None:
    """A minimal h11 server answering every request with the fixed body (the baseline)."""
    import h11

    class Bare(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.conn = h11.Connection(h11.SERVER)

        def data_received(self, data: bytes) -> None:
            conn = self.conn
            conn.receive_data(data)
            while True:
                event = conn.next_event()
                if event is h11.NEED_DATA or event is h11.PAUSED:
                    return
                if type(event) is h11.EndOfMessage:
                    out = conn.send(h11.Response(status_code=200, headers=HEADERS))
                    out += conn.send(h11.Data(data=BODY)) + conn.send(h11.EndOfMessage())
                    self.transport.write(out)
                    if conn.our_state is h11.MUST_CLOSE:
                        self.transport.close()
                        return
                    conn.start_next_cycle()
                elif type(event) is h11.ConnectionClosed:
                    return

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Bare, "127.0.0.1", port)
        await server.serve_forever()

    asyncio.run(serve())


GRAPHQL_PATH = "/?query=%7Bhello%7D"


def stub_main(port: int) -> None:
    """Answers each request terminator with a canned response: the load client's ceiling."""
    response = b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(BODY), BODY)

    class Stub(asyncio.Protocol):
        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.tail = b""

        def data_received(self, data: bytes) -> None:
            data = self.tail + data
            count = data.count(b"\r\n\r\n")
            self.tail = data[data.rfind(b"\r\n\r\n") + 4 :] if count else data
            if count:
                self.transport.write(response * count)

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(Stub, "127.0.0.1", port)
        await server.serve_forever()

    asyncio.run(serve())


def commands(port: int) -> dict[str, tuple[list[str], str]]:
    """Benchmarked servers: name -> (command line, request path)."""
    app_ref = "bench_server:app"
    ours = [
        PYTHON,
        "-m",
        "graphqlwire",
        "--app-dir",
        str(HERE),
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--lifespan",
        "off",
    ]
    uvicorn = [
        PYTHON,
        "-m",
        "uvicorn",
        app_ref,
        "--app-dir",
        str(HERE),
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--lifespan",
        "off",
    ]
    return {
        "graphqlwire": ([*ours, app_ref, "--loop", "asyncio"], "/"),
        "uvicorn-h11": ([*uvicorn, "--http", "h11", "--loop", "asyncio"], "/"),
        "uvicorn-httptools": ([*uvicorn, "--http", "httptools", "--loop", "asyncio"], "/"),
        "hypercorn": (
            [
                PYTHON,
                "-m",
                "hypercorn",
                app_ref,
                "--bind",
                f"127.0.0.1:{port}",
                "--worker-class",
                "asyncio",
                "--log-level",
                "warning",
            ],
            "/",
        ),
        "bare-h11": (
            [PYTHON, "-c", f"import bench_server; bench_server.bare_h11_main({port})"],
            "/",
        ),
        # The same servers on uvloop (when installed):
        "graphqlwire-uvloop": ([*ours, app_ref, "--loop", "uvloop"], "/"),
        "uvicorn-httptools-uvloop": ([*uvicorn, "--http", "httptools", "--loop", "uvloop"], "/"),
        "stub": ([PYTHON, "-c", f"import bench_server; bench_server.stub_main({port})"], "/"),
        # graphqlwire serving a real GraphQL query (the demo schema's `{ hello }` over GET):
        # the figure to hold against bare-h11's fixed response.
        "graphqlwire+graphql": (
            [*ours, "graphqlwire.demo:schema", "--execute-get-queries", "--loop", "asyncio"],
            GRAPHQL_PATH,
        ),
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start listening")


def cpus() -> tuple[list[int] | None, list[int] | None]:
    """(server CPUs, load generator CPUs), or (None, None) when pinning is not possible."""
    try:
        available = sorted(os.sched_getaffinity(0))
    except AttributeError:
        return None, None
    if len(available) < 2:
        return None, None
    return available[:1], available[1:]


def pinned(command: list[str], cpu_list: list[int] | None) -> list[str]:
    if cpu_list is None or shutil.which("taskset") is None:
        return command
    return ["taskset", "-c", ",".join(map(str, cpu_list)), *command]


def run_wrk(
    port: int, path: str, duration: float, connections: int, cpu_list: list[int] | None
) -> float:
    threads = max(1, len(cpu_list or [0]))
    out = subprocess.run(
        pinned(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                f"http://127.0.0.1:{port}{path}",
            ],
            cpu_list,
        ),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        print(out, file=sys.stderr)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if match is None:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return float(match.group(1))


CLIENT = r"""
import asyncio, sys, time
port, duration, connections = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
REQUEST = b"GET %s HTTP/1.1\r\nHost: bench\r\n\r\n" % sys.argv[4].encode()
DEPTH = 8  # requests in flight per connection (pipelined)
async def worker(stop, counts):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    done = 0
    while time.monotonic() < stop:
        writer.write(REQUEST * DEPTH)
        for _ in range(DEPTH):
            head = await reader.readuntil(b"\r\n\r\n")
            length = int(head.lower().split(b"content-length:")[1].split(b"\r\n")[0])
            await reader.readexactly(length)
            assert head.startswith(b"HTTP/1.1 200"), head
        done += DEPTH
    counts.append(done)
    writer.close()
async def main():
    counts = []
    start = time.monotonic()
    await asyncio.gather(*(worker(start + duration, counts) for _ in range(connections)))
    print(sum(counts) / (time.monotonic() - start))
asyncio.run(main())
"""


def run_asyncio_client(
    port: int, path: str, duration: float, connections: int, cpu_list: list[int] | None
) -> float:
    out = subprocess.run(
        pinned([PYTHON, "-c", CLIENT, str(port), str(duration), str(connections), path], cpu_list),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(out.strip())


def bench(command: list[str], path: str, args: argparse.Namespace) -> list[float]:
    server_cpus, client_cpus = cpus()
    port = free_port()
    command = [part.replace(str(0xDEAD), str(port)) for part in command]
    if "uvloop" in command and importlib.util.find_spec("uvloop") is None:
        raise RuntimeError("uvloop is not installed")
    env = {**os.environ, "PYTHONPATH": f"{HERE}{os.pathsep}{ROOT}"}
    process = subprocess.Popen(
        pinned(command, server_cpus),
        cwd=HERE,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_listening(port, process)
        load = run_wrk if args.generator == "wrk" else run_asyncio_client
        load(port, path, 1, args.connections, client_cpus)  # warm-up
        return [
            load(port, path, args.duration, args.connections, client_cpus) for _ in range(args.runs)
        ]
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument(
        "--generator",
        choices=["wrk", "asyncio"],
        default="wrk" if shutil.which("wrk") else "asyncio",
    )
    parser.add_argument("--only", nargs="*", help="benchmark only these servers")
    args = parser.parse_args()
    table = commands(0xDEAD)
    names = args.only or [name for name in table if name != "stub" or args.generator == "asyncio"]
    server_cpus, client_cpus = cpus()
    print(
        f"generator: {args.generator}, {args.connections} connections, "
        f"{args.runs} x {args.duration:g}s; server CPUs {server_cpus}, "
        f"load CPUs {client_cpus}"
    )
    results: dict[str, float] = {}
    for name in names:
        try:
            runs = bench(*table[name], args)
        except (RuntimeError, subprocess.CalledProcessError, FileNotFoundError) as error:
            print(f"{name}: skipped ({error})")
            continue
        results[name] = statistics.median(runs)
        print(f"{name}: " + ", ".join(f"{r:,.0f}" for r in runs) + " req/s")
    if not results:
        return
    reference = results.get("graphqlwire")
    bare = results.get("bare-h11")
    print()
    print(f"{'server':<26} {'median req/s':>12} {'graphqlwire/it':>15} {'it/bare-h11':>12}")
    for name, value in results.items():
        ratio = f"{reference / value:.2f}x" if reference else "-"
        versus_bare = f"{value / bare:.2f}x" if bare else "-"
        print(f"{name:<26} {value:>12,.0f} {ratio:>15} {versus_bare:>12}")


if __name__ == "__main__":
    main()
