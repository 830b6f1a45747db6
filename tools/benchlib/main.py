"""The benchmark harness behind `tools/bench` (runs inside `tools/.bench/venv`).

Method: the servers are pinned to CPU 0, this process and `wrk` to CPU 1. Each repetition
starts every selected server, one at a time, timing spawn-to-first-answer and reading its idle
RSS; then, scenario by scenario, measures each server in turn (A B C A B C ...) after a warm-up;
then stops them all. Medians of the repetitions are compared with Ariadne on uvicorn+httptools
measured in the same run, graphqlwire with the bare h11 server on its event loop, and with
GraphQL Yoga on Node when it runs. Every HTTP status is checked and a sample of bodies compared;
every subscription message is decoded and checked. A table is printed and everything is saved
to `tools/.bench/results-<UTC time>.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar, cast

import deferclient
import fanout
import http_load
import loops
import report
import servers
import sseclient
import wsclient
from schema_data import (
    DISTINCT_QUERY,
    DISTINCT_RESULT,
    HELLO_QUERY,
    HELLO_RESULT,
    ITEMS_QUERY,
    ITEMS_RESULT,
    NESTED_QUERY,
    NESTED_RESULT,
    apq_body,
    compact,
    post_body,
)

RESULTS = Path(__file__).resolve().parent.parent / ".bench"
#: What the servers import from this checkout: compiled at start, watched for edits meanwhile.
SOURCES = (servers.CHECKOUT / "graphqlwire", servers.HERE)
SERVER_CPU, LOADGEN_CPU = 0, 1
#: name -> (body, expected result, connections, what varies per request: see `http_load`)
HTTP_SCENARIOS = {
    "hello-c32": (post_body(HELLO_QUERY), HELLO_RESULT, 32, "same"),
    "hello-c1": (post_body(HELLO_QUERY), HELLO_RESULT, 1, "same"),
    "items-c32": (post_body(ITEMS_QUERY), ITEMS_RESULT, 32, "same"),
    # 50 branches of 10 items: nested lists, 1,600 leaf values per answer.
    "nested-c32": (post_body(NESTED_QUERY), NESTED_RESULT, 32, "same"),
    # Every request head different: what a server costs when it cannot reuse a parse.
    "hello-c32-distinct": (post_body(HELLO_QUERY), HELLO_RESULT, 32, "heads"),
    # Every document new (`{ h<N>: hello }`): parse and validation, no cache can help.
    "distinct-c32": (post_body(DISTINCT_QUERY), DISTINCT_RESULT, 32, "aliases"),
    # The SHA-256 of `{ hello }` only (APQ), registered once before: should cost hello-c32.
    "apq-hello-c32": (apq_body(HELLO_QUERY), HELLO_RESULT, 32, "same"),
}
#: A body POSTed once before a scenario's warm-up.
PRIMING = {"apq-hello-c32": apq_body(HELLO_QUERY, register=True)}
WS_SCENARIOS = {"sub-one": (1, 20_000), "sub-fanout": (200, 200)}  # name -> (sockets, events)
#: The same counter subscription over GraphQL over SSE (distinct connections mode).
SSE_SCENARIOS = {"sse-one": (1, 20_000)}
#: `{ hello ... @defer { slow } }` over multipart/mixed, one request at a time: name -> requests.
DEFER_SCENARIOS = {"defer-first": 100}
#: Subscribers of one pub/sub topic, one broadcast (`fanout.py`): name -> (sockets, events).
PUBSUB_SCENARIOS = {"pubsub-fanout": (200, 200)}
IDLE_WS_CONNECTIONS = 500
IDLE_WS_WARM_UP = 10
#: Starts per server and repetition; its spawn time is their median (one start is noisy).
SPAWN_SAMPLES = 3
FAILURE_KEYS = ("non_200", "bad_body", "socket_errors", "timeouts")
# ws-idle runs first, on a fresh heap: memory freed by earlier load would hide the growth.
SCENARIOS = [
    "ws-idle", *HTTP_SCENARIOS, *WS_SCENARIOS, *SSE_SCENARIOS, *DEFER_SCENARIOS,
    *PUBSUB_SCENARIOS,
]  # fmt: skip
WS_ONLY = {"ws-idle", *WS_SCENARIOS}
#: Scenarios only some servers run: the `ServerSpec` flag each needs.
NEEDS = {
    **dict.fromkeys(WS_ONLY, "websocket"),
    **dict.fromkeys(SSE_SCENARIOS, "sse"),
    **dict.fromkeys(DEFER_SCENARIOS, "defer"),
    **dict.fromkeys(PUBSUB_SCENARIOS, "pubsub"),
    "apq-hello-c32": "apq",
}
PACKAGES = [
    "ariadne",
    "strawberry-graphql",
    "uvicorn",
    "hypercorn",
    "httptools",
    "uvloop",
    "websockets",
    "graphql-core",
    "h11",
    "wsproto",
    "graphqlwire",
]
#: Yoga's packages, read from tools/yoga/node_modules (see `versions`).
NPM_PACKAGES = ["graphql-yoga", "graphql-ws", "ws", "graphql"]
EXAMPLES = """examples:
  tools/bench                      full run (5 s cells, 3 interleaved repetitions, ~45 min)
  tools/bench --quick              smoke test (2 s cells, 1 repetition, ~5 min)
  tools/bench --only graphqlwire,bare-h11 --scenarios hello-c32,hello-c1
  tools/bench --selftest           ceilings of wrk, the asyncio generator and the WS client
  tools/bench --compare tools/.bench/results-A.json tools/.bench/results-B.json
"""
T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a client coroutine on uvloop when available (the client must be the fast side)."""
    loop = loops.fast_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


class Harness:
    """Runs the cells of one benchmark invocation and collects their samples."""

    def __init__(self, args: argparse.Namespace, cpus: tuple[int | None, int | None]) -> None:
        self.args = args
        self.server_cpu, self.loadgen_cpu = cpus
        self.use_wrk = http_load.have_wrk() and args.loadgen == "wrk"
        self.samples: report.Samples = {}

    def http(self, running: servers.Running, scenario: str) -> dict[str, Any] | str:
        """Warm up, then load `running` with one HTTP scenario; a dict of metrics or an error.

        With several workers, the metrics include the smallest and largest worker's share of
        the requests of the measured load (see `servers.worker_shares`).
        """
        port = running.port
        body, result, connections, vary = HTTP_SCENARIOS[scenario]
        expected = compact(result)
        load: Callable[[float], dict[str, Any]]
        if self.use_wrk:

            def load(seconds: float) -> dict[str, Any]:
                return http_load.run_wrk(
                    port, body, expected, connections, seconds, self.loadgen_cpu, vary=vary
                )
        else:

            def load(seconds: float) -> dict[str, Any]:
                return run_async(
                    http_load.run_asyncio(port, body, expected, connections, seconds, vary=vary)
                )

        try:
            if scenario in PRIMING:
                http_load.post_once(port, PRIMING[scenario])
            load(self.args.warmup)
            before = servers.worker_counts(running)
            metrics = load(self.args.duration)
            metrics.update(servers.worker_shares(before, servers.worker_counts(running)))
        except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
            return f"{scenario}: load generator failed: {error}"
        failures = {key: metrics[key] for key in FAILURE_KEYS if metrics[key]}
        if failures or not metrics["requests"] or not metrics["checked"]:
            return f"{scenario}: {failures or 'no answer'} in {metrics['requests']} requests"
        return metrics

    def ws(self, port: int, scenario: str) -> dict[str, Any] | str:
        """One graphql-transport-ws subscription scenario (see `subscription`)."""
        sockets, events = WS_SCENARIOS[scenario]
        return self.subscription(wsclient.stream, port, scenario, sockets, events)

    def sse(self, port: int, scenario: str) -> dict[str, Any] | str:
        """One GraphQL-over-SSE subscription scenario (see `subscription`)."""
        sockets, events = SSE_SCENARIOS[scenario]
        return self.subscription(sseclient.stream, port, scenario, sockets, events)

    def defer(self, port: int, scenario: str) -> dict[str, Any] | str:
        """Time to the first and last payload of a `@defer` query (`deferclient`)."""
        requests = DEFER_SCENARIOS[scenario] // (4 if self.args.quick else 1)
        run_async(deferclient.measure("127.0.0.1", port, 5, 30.0))  # warm-up
        metrics = run_async(deferclient.measure("127.0.0.1", port, requests, 60.0))
        return f"{scenario}: {metrics['error']}" if "error" in metrics else metrics

    def subscription(
        self, stream: Callable[..., Any], port: int, scenario: str, sockets: int, events: int
    ) -> dict[str, Any] | str:
        """Warm up, then run one subscription scenario with `stream`; metrics or an error."""
        timeout = 30.0 if self.args.quick else 120.0
        warm = run_async(stream("127.0.0.1", port, 1, 200, timeout))
        if warm["error"]:
            return f"{scenario} warm-up: {warm['error']}"
        metrics = run_async(stream("127.0.0.1", port, sockets, events, timeout))
        if metrics["error"]:
            return f"{scenario}: {metrics['error']} after {metrics['msgs']} messages"
        return cast("dict[str, Any]", metrics)

    def ws_idle(self, running: servers.Running) -> dict[str, Any] | str:
        """RSS growth per idle, acknowledged graphql-transport-ws connection.

        The first WebSockets load each server's WebSocket modules, a one-time cost reported
        apart (`first_ws_kib`): the per-connection figure is the growth from
        IDLE_WS_WARM_UP open connections to IDLE_WS_WARM_UP + IDLE_WS_CONNECTIONS (none is
        closed in between, so no freed memory is reused).
        """

        async def measure() -> dict[str, Any]:
            fresh = servers.rss_kib(running.process.pid)
            clients: list[wsclient.GraphQLTransportWSClient] = []
            try:
                await asyncio.wait_for(
                    wsclient.open_idle("127.0.0.1", running.port, IDLE_WS_WARM_UP, clients), 60
                )
                await asyncio.sleep(0.3)
                before = servers.rss_kib(running.process.pid)
                await asyncio.wait_for(
                    wsclient.open_idle("127.0.0.1", running.port, IDLE_WS_CONNECTIONS, clients), 60
                )
                await asyncio.sleep(0.5)
                after = servers.rss_kib(running.process.pid)
            finally:
                for client in clients:
                    client.close()
            await asyncio.sleep(0.2)
            return {
                "kib_per_conn": (after - before) / IDLE_WS_CONNECTIONS,
                "first_ws_kib": before - fresh,
                "rss_before_kib": before,
                "rss_after_kib": after,
            }

        try:
            return run_async(measure())
        except (OSError, wsclient.ProtocolFailure, asyncio.TimeoutError) as error:
            return f"ws-idle: {type(error).__name__}: {error}"

    def record(self, server: str, scenario: str, sample: dict[str, Any] | str) -> None:
        """Keep one repetition's sample and show it as it comes."""
        self.samples.setdefault(server, {}).setdefault(scenario, []).append(sample)
        shown = (
            sample
            if isinstance(sample, str)
            else {k: round(v, 2) for k, v in sample.items() if isinstance(v, float | int)}
        )
        print(f"    {server:<20} {shown}", flush=True)

    def cell(self, running: servers.Running, scenario: str) -> dict[str, Any] | str:
        """Measure one scenario on one running server."""
        if not running.alive():
            return f"server died: {running.stderr_tail()}"
        if scenario in HTTP_SCENARIOS:
            return self.http(running, scenario)
        if scenario in WS_SCENARIOS:
            return self.ws(running.port, scenario)
        if scenario in SSE_SCENARIOS:
            return self.sse(running.port, scenario)
        if scenario in DEFER_SCENARIOS:
            return self.defer(running.port, scenario)
        if scenario in PUBSUB_SCENARIOS:
            sockets, events = PUBSUB_SCENARIOS[scenario]
            return self.subscription(fanout.stream, running.port, scenario, sockets, events)
        return self.ws_idle(running)

    def repetition(self, specs: list[servers.ServerSpec], scenarios: list[str]) -> None:
        """One repetition: start every server (one at a time), then per scenario A B C ...

        Servers wait idle on the server CPU while the others are measured, so the cells of one
        scenario are measured back to back and share the machine's conditions. Every server
        is stopped at the end, whatever happens.
        """
        running: dict[str, servers.Running] = {}
        try:
            print("  start-up", flush=True)
            for spec in specs:
                try:
                    spawns = []
                    for _ in range(SPAWN_SAMPLES - 1):  # started and stopped: timed only
                        probe = servers.start(spec, self.server_cpu)
                        probe.stop()
                        spawns.append(probe.spawn_ms)
                    running[spec.name] = server = servers.start(spec, self.server_cpu)
                    spawns.append(server.spawn_ms)
                except RuntimeError as error:
                    for scenario in ["startup", *scenarios]:
                        if runs(spec, scenario):
                            self.record(spec.name, scenario, f"start failed: {error}")
                    continue
                self.record(
                    spec.name,
                    "startup",
                    {
                        "spawn_ms": statistics.median(spawns),
                        "idle_rss_mib": server.idle_rss_kib / 1024,
                    },
                )
            for scenario in scenarios:
                print(f"  {scenario}", flush=True)
                for name, server in running.items():
                    if runs(server.spec, scenario):
                        self.record(name, scenario, self.cell(server, scenario))
        finally:
            for server in running.values():
                server.stop()


def runs(spec: servers.ServerSpec, scenario: str) -> bool:
    """Whether `spec` takes part in `scenario` (see `NEEDS`)."""
    need = NEEDS.get(scenario)
    if spec.pubsub != (need == "pubsub"):  # (pub/sub servers run the pub/sub scenarios only)
        return False
    return need is None or bool(getattr(spec, need))


def pin_cpus() -> tuple[int | None, int | None]:
    """Server CPU and load-generator CPU; this process moves to the latter. None: no pinning."""
    available = sorted(os.sched_getaffinity(0))
    if len(available) < 2:
        print("bench: fewer than 2 CPUs, server and load generator share them", file=sys.stderr)
        return None, None
    server_cpu, loadgen_cpu = available[SERVER_CPU], available[LOADGEN_CPU]
    os.sched_setaffinity(0, {loadgen_cpu})
    return server_cpu, loadgen_cpu


def source_stamps() -> dict[str, int]:
    """Modification time of every Python file the servers import from this checkout."""
    return {
        str(path.relative_to(SOURCES[0].parent)): path.stat().st_mtime_ns
        for source in SOURCES
        for path in source.rglob("*.py")
    }


def versions() -> dict[str, str]:
    """Installed versions of the servers, libraries and tools measured."""
    found: dict[str, str] = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            found[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            found[package] = "missing"
    import graphqlwire  # (from the checkout, see servers.CHECKOUT)

    found["graphqlwire"] = f"{graphqlwire.__version__} (checkout)"
    found["node"] = servers.node_version()
    for package in NPM_PACKAGES:
        manifest = servers.YOGA_DIR / "node_modules" / package / "package.json"
        try:
            found[f"npm {package}"] = str(json.loads(manifest.read_text())["version"])
        except (OSError, ValueError, KeyError):
            found[f"npm {package}"] = "missing"
    if http_load.have_wrk():
        wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False)
        found["wrk"] = (wrk.stdout or wrk.stderr).split("\n", 1)[0].strip()
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
        cwd=RESULTS.parent,
    )
    found["graphqlwire commit"] = commit.stdout.strip()
    return found


def parse_args(argv: list[str]) -> argparse.Namespace:
    """The command line (see `tools/bench --help`)."""
    parser = argparse.ArgumentParser(
        prog="tools/bench",
        description=__doc__,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    names = [spec.name for spec in servers.SERVERS]
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 2 s per cell, 1 s warm-up, 1 repetition"
    )
    parser.add_argument(
        "--only",
        help=f"comma-separated servers (of {','.join(names)}); the "
        f"reference {servers.REFERENCE} is always added",
    )
    parser.add_argument(
        "--scenarios",
        help=f"comma-separated, of {','.join(SCENARIOS)} (startup footprint is always measured)",
    )
    parser.add_argument("--duration", type=float, help="seconds per HTTP cell (default 5)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up per HTTP cell (default 1)")
    parser.add_argument("--repeat", type=int, help="interleaved repetitions (default 3)")
    parser.add_argument(
        "--loadgen",
        choices=["wrk", "asyncio"],
        default="wrk",
        help="HTTP load generator (asyncio is the fallback when wrk is missing)",
    )
    parser.add_argument(
        "--selftest",
        action="store_true",
        help="measure the load generator and WS client against canned servers",
    )
    parser.add_argument("--list", action="store_true", help="list servers and scenarios")
    parser.add_argument(
        "--compare",
        nargs=2,
        type=Path,
        metavar=("BEFORE", "AFTER"),
        help="compare two saved results files (after/before per cell) and exit",
    )
    args = parser.parse_args(argv)
    args.duration = args.duration or (2.0 if args.quick else 5.0)
    args.warmup = args.warmup or 1.0
    args.repeat = args.repeat or (1 if args.quick else 3)
    args.servers = _choose(args.only, names, "server")
    if servers.REFERENCE not in args.servers:
        args.servers.insert(0, servers.REFERENCE)
    args.scenario_list = _choose(args.scenarios, SCENARIOS, "scenario")
    return args


def _choose(text: str | None, allowed: list[str], what: str) -> list[str]:
    """The comma-separated names in `text` (all when None), checked, in canonical order."""
    chosen = [name.strip() for name in text.split(",") if name.strip()] if text else list(allowed)
    unknown = [name for name in chosen if name not in allowed]
    if unknown:
        sys.exit(f"bench: unknown {what} {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return [name for name in allowed if name in chosen]  # always in the canonical order


def main(argv: list[str]) -> None:
    """Run the benchmark (or the self-test) and print/save the results."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the `finally`s: stop servers
    if args.compare:
        print(report.compare(*args.compare))
        return
    if args.list:
        for spec in servers.SERVERS:
            print(f"{spec.name:<22} {spec.label}")
        print("scenarios:", ", ".join(SCENARIOS))
        return
    cpus = pin_cpus()
    if args.selftest:
        import selftest

        selftest.run(cpus, args)
        return
    harness = Harness(args, cpus)
    if not harness.use_wrk:
        print("bench: HTTP load from the asyncio generator (wrk not installed or not chosen)")
    skipped = {}
    for name in args.servers:
        reason = servers.unavailable_reason(servers.BY_NAME[name])
        if reason:
            skipped[name] = reason
            print(f"bench: {name}: {reason}")
    # Byte-compile graphqlwire and the peer apps now, so no spawn time includes compiling them.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(SOURCES[0]), str(SOURCES[1])],
        check=False,
        timeout=300,
    )
    compiled = source_stamps()
    started = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    load_before = os.getloadavg()
    if load_before[0] > 0.5:
        print(f"bench: the machine is busy (load average {load_before[0]:.2f}): expect noise")
    specs = [servers.BY_NAME[name] for name in args.servers if name not in skipped]
    for rep in range(args.repeat):
        print(f"[repetition {rep + 1}/{args.repeat}]", flush=True)
        harness.repetition(specs, args.scenario_list)
    now = source_stamps()
    changed = sorted(
        path for path in compiled.keys() | now.keys() if compiled.get(path) != now.get(path)
    )
    if changed:
        print(
            f"bench: WARNING: {', '.join(changed)} changed during the run; the servers "
            "started after the change compiled it at start-up: spawn and RSS are skewed"
        )
    summary = report.summarize(harness.samples, skipped)
    load_after = os.getloadavg()
    print()
    print(report.render(summary, args.servers, (load_before, load_after)))
    meta = {
        "started": started,
        "args": dict(vars(args)),
        "cpus": {"server": cpus[0], "loadgen": cpus[1]},
        "loadgen": "wrk" if harness.use_wrk else "asyncio",
        "versions": versions(),
        "load_average": {"before": load_before, "after": load_after},
        "sources_changed_during_run": changed,
        "servers": {s.name: s.label for s in servers.SERVERS if s.name in args.servers},
    }
    path = RESULTS / f"results-{started}.json"
    report.save(path, meta, harness.samples, summary)
    print(f"\nsaved {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
