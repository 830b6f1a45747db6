"""The servers under test: how to start each one, wait for it, measure it, and always stop it.

Every server runs the same schema (see `schema_data.py`) as its own process, started in a new
process group pinned to the server CPU, on a free loopback port, with `benchlib/` and this
checkout (graphqlwire is not installed in the benchmark virtualenv) on `PYTHONPATH`.
`Running.stop()` kills the whole group, and each server is told by the kernel to die with the
harness (PR_SET_PDEATHSIG), so nothing outlives it, even a `kill -9`. GraphQL Yoga runs on
Node from `tools/yoga/` (installed there by `tools/bench` with `npm ci`), given the same SDL.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from schema_data import HELLO_QUERY, HELLO_RESULT, SDL, compact, post_body

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent
if str(CHECKOUT) not in sys.path:  # (for the harness's own imports of graphqlwire)
    sys.path.append(str(CHECKOUT))
#: The environment of every server process and import probe.
SERVER_ENV = {**os.environ, "PYTHONPATH": os.pathsep.join((str(HERE), str(CHECKOUT)))}
PR_SET_PDEATHSIG = 1  # linux/prctl.h
LIBC = ctypes.CDLL(ctypes.util.find_library("c")) if sys.platform == "linux" else None
LOGS = HERE.parent / ".bench" / "logs"
#: Where multi-worker servers keep their request counters (see `app_counted`).
COUNTS = HERE.parent / ".bench" / "counts"
#: Every CPU this process may use, read before the harness pins itself to one.
ALL_CPUS = os.sched_getaffinity(0)
START_TIMEOUT = 30.0
PY = sys.executable
UVICORN = [PY, "-m", "uvicorn", "--host", "127.0.0.1", "--log-level", "warning", "--no-access-log"]
UVICORN_FAST = [*UVICORN, "--http", "httptools", "--loop", "uvloop", "--ws", "websockets"]
UVICORN_PURE = [*UVICORN, "--http", "h11", "--loop", "asyncio", "--ws", "wsproto"]
GRAPHQLWIRE = [PY, "-m", "graphqlwire", "--host", "127.0.0.1", "--port", "{port}"]
GRAPHQLWIRE_NEEDS = ("graphqlwire.server", "graphqlwire.__main__")
#: GraphQL Yoga's package (`npm ci` fills its node_modules/) and the Node that runs it.
YOGA_DIR = HERE.parent / "yoga"
NODE = shutil.which("node") or "node"
REFERENCE = "ariadne-uvicorn"
#: The Node peer of issue 18: graphqlwire's contenders are compared with it too.
YOGA = "yoga"
CEILING = "bare-h11"
# Each graphqlwire contender and the bare h11 server on the same event loop: its ceiling.
CEILINGS = {
    "graphqlwire": CEILING,
    "graphqlwire-uvloop": "bare-h11-uvloop",
    "graphqlwire-asgi": "bare-h11-uvloop",
    "graphqlwire-metrics": CEILING,
    "graphqlwire-tracing": CEILING,
}


@dataclass(frozen=True)
class ServerSpec:
    """One contender: a name, what it is, its command (`{port}` filled in), what it can do."""

    name: str
    label: str
    command: list[str]
    websocket: bool = True
    needs: tuple[str, ...] = ()  # modules that must import for the server to be "available"
    http: bool = True  # False: readiness is a TCP connect, not a right `{ hello }` answer
    apq: bool = False  # speaks Apollo's automatic persisted queries
    sse: bool = False  # streams subscriptions over SSE (graphql-sse, distinct connections)
    defer: bool = False  # serves `app_defer`'s schema: `@defer` over multipart/mixed
    #: Worker processes: more than one run on every CPU and count their requests
    #: (`app_counted`), so that each one's share can be reported.
    workers: int = 1
    #: Serves `app_pubsub` and runs the pub/sub scenarios only.
    pubsub: bool = False
    #: Paths that must exist for the server to be "available" (an installed node_modules/).
    files: tuple[Path, ...] = ()


def node_version() -> str:
    """The version of the Node that runs Yoga (`v20.1.0`), or "missing"."""
    try:
        done = subprocess.run(
            [NODE, "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return "missing"
    return done.stdout.strip() or "missing"


SERVERS = [
    ServerSpec(
        "ariadne-uvicorn",
        "Ariadne GraphQL, uvicorn httptools+uvloop (reference)",
        [*UVICORN_FAST, "--port", "{port}", "app_ariadne:app"],
    ),
    ServerSpec(
        "ariadne-uvicorn-h11",
        "Ariadne GraphQL, uvicorn h11+asyncio+wsproto",
        [*UVICORN_PURE, "--port", "{port}", "app_ariadne:app"],
    ),
    ServerSpec(
        "strawberry-uvicorn",
        "Strawberry GraphQL, uvicorn httptools+uvloop",
        [*UVICORN_FAST, "--port", "{port}", "app_strawberry:app"],
    ),
    ServerSpec(
        "ariadne-hypercorn",
        "Ariadne GraphQL, hypercorn (asyncio, 1 process)",
        [
            PY,
            "-m",
            "hypercorn",
            "--workers",
            "0",
            "--log-level",
            "warning",
            "--bind",
            "127.0.0.1:{port}",
            "app_ariadne:app",
        ],
    ),
    ServerSpec(
        YOGA,
        f"GraphQL Yoga 5 on Node {node_version()}, one process",
        [NODE, str(YOGA_DIR / "server.js"), "--port", "{port}", "--sdl", SDL],
        files=(YOGA_DIR / "node_modules",),
    ),
    ServerSpec(
        "graphqlwire",
        "graphqlwire's own server (CLI defaults: asyncio's loop)",
        [*GRAPHQLWIRE, "app_core:schema"],
        needs=GRAPHQLWIRE_NEEDS,
        apq=True,
        sse=True,
    ),
    ServerSpec(
        "graphqlwire-workers2",
        "graphqlwire's own server, 2 worker processes (--workers 2) on both CPUs",
        [*GRAPHQLWIRE, "--workers", "2", "app_counted:app"],
        needs=(*GRAPHQLWIRE_NEEDS, "graphqlwire.server.supervisor"),
        apq=True,
        workers=2,
    ),
    ServerSpec(
        "graphqlwire-uvloop",
        "graphqlwire's own server on uvloop",
        [*GRAPHQLWIRE, "--loop", "uvloop", "app_core:schema"],
        needs=(*GRAPHQLWIRE_NEEDS, "uvloop"),
        apq=True,
        sse=True,
    ),
    ServerSpec(
        "graphqlwire-metrics",
        "graphqlwire's own server with --metrics (Prometheus counters on)",
        [*GRAPHQLWIRE, "--metrics", "app_core:schema"],
        needs=GRAPHQLWIRE_NEEDS,
    ),
    ServerSpec(
        "graphqlwire-tracing",
        "graphqlwire's own server, OpenTelemetryExtension on (SDK, no exporter)",
        [*GRAPHQLWIRE, "app_traced:app"],
        needs=(*GRAPHQLWIRE_NEEDS, "opentelemetry.sdk.trace"),
    ),
    ServerSpec(
        "graphqlwire-defer",
        "graphqlwire's own server, the schema declaring @defer/@stream (app_defer)",
        [*GRAPHQLWIRE, "app_defer:schema"],
        websocket=False,
        needs=GRAPHQLWIRE_NEEDS,
        defer=True,
    ),
    ServerSpec(
        "graphqlwire-asgi",
        "graphqlwire.asgi.GraphQL, uvicorn httptools+uvloop",
        [*UVICORN_FAST, "--port", "{port}", "app_graphqlwire:app"],
        needs=("graphqlwire.asgi",),
        apq=True,
        sse=True,
    ),
    ServerSpec(
        CEILING,
        "bare h11 server on asyncio's loop, fixed body: the ceiling",
        [PY, str(HERE / "bare_h11.py"), "--port", "{port}"],
        websocket=False,
    ),
    ServerSpec(
        "bare-h11-schema",
        "the bare h11 server after building the schema: spawn floor",
        [PY, str(HERE / "bare_h11.py"), "--import-schema", "--port", "{port}"],
        websocket=False,
    ),
    ServerSpec(
        "bare-h11-uvloop",
        "the same bare h11 server on uvloop",
        [PY, str(HERE / "bare_h11.py"), "--loop", "uvloop", "--port", "{port}"],
        websocket=False,
        needs=("uvloop",),
    ),
    ServerSpec(
        "graphqlwire-pubsub",
        "graphqlwire's own server, in-process pub/sub (memory://, 1 process)",
        [*GRAPHQLWIRE, "app_pubsub:schema"],
        needs=(*GRAPHQLWIRE_NEEDS, "graphqlwire.pubsub"),
        pubsub=True,
    ),
    ServerSpec(
        "graphqlwire-pubsub-redis",
        "graphqlwire's own server, 2 workers (--workers 2) sharing a local redis-server",
        [PY, str(HERE / "with_redis.py"), *GRAPHQLWIRE, "--workers", "2", "app_pubsub:schema"],
        needs=(*GRAPHQLWIRE_NEEDS, "graphqlwire.server.supervisor", "redis.asyncio"),
        workers=2,
        pubsub=True,
    ),
]
BY_NAME = {spec.name: spec for spec in SERVERS}


def unavailable_reason(spec: ServerSpec) -> str | None:
    """Why `spec` cannot run in this checkout (a module it needs does not import, a file it
    needs is missing, its program is not installed), or None."""
    if not shutil.which(spec.command[0]):
        return f"not available ({spec.command[0]} not found)"
    for path in spec.files:
        if not path.exists():
            return f"not available ({path.relative_to(CHECKOUT)} missing)"
    for module in spec.needs:
        probe = subprocess.run(
            [PY, "-c", f"import {module}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=HERE,
            env=SERVER_ENV,
        )
        if probe.returncode != 0:
            last = (probe.stderr.strip().splitlines() or ["import failed"])[-1]
            return f"not available ({module}: {last})"
    return None


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post(port: int, body: bytes, timeout: float = 5.0) -> tuple[int, bytes]:
    """POST `body` as JSON to 127.0.0.1:`port`/ on a fresh connection: (status, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(
            "POST", "/", body, {"Content-Type": "application/json", "Accept": "application/json"}
        )
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def rss_kib(pid: int) -> int:
    """Resident set size of `pid` and all its descendants, in KiB (from /proc)."""
    total = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending += [int(child) for child in children]
    return total


def worker_counts(running: Running) -> dict[str, int]:
    """Requests served so far by each worker of `running` (by pid; empty for one process)."""
    if running.counts is None:
        return {}
    return {
        path.name: int.from_bytes(path.read_bytes()[:8], sys.byteorder)
        for path in running.counts.iterdir()
    }


def worker_shares(before: dict[str, int], after: dict[str, int]) -> dict[str, float]:
    """The smallest and largest worker's share (%) of the requests counted in between."""
    served = [count - before.get(pid, 0) for pid, count in after.items()]
    total = sum(served)
    if not total:
        return {}
    return {
        "workers_serving": float(sum(1 for count in served if count)),
        "share_min_pct": 100.0 * min(served) / total,
        "share_max_pct": 100.0 * max(served) / total,
    }


@dataclass
class Running:
    """A started server: its process, port, spawn-to-first-answer time and idle RSS."""

    spec: ServerSpec
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path
    spawn_ms: float = 0.0
    idle_rss_kib: int = 0
    counts: Path | None = None  # the workers' request counters (multi-worker servers)

    def alive(self) -> bool:
        """True while the server process runs."""
        return self.process.poll() is None

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after 3 s."""
        for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def stderr_tail(self) -> str:
        """The last lines the server wrote to stderr (for error reports)."""
        try:
            return self.log_path.read_text(errors="replace")[-600:]
        except OSError:
            return ""


def start(spec: ServerSpec, cpu: int | None) -> Running:
    """Start `spec`, poll `{ hello }` until the first right answer (bounded), measure its RSS.

    Raises RuntimeError (after killing the process) when the server does not answer correctly
    within START_TIMEOUT seconds.
    """
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in spec.command]

    def prepare_child() -> None:
        """In the child before exec: pin the CPU; die with the harness even if it is killed."""
        if cpu is not None:
            os.sched_setaffinity(0, {cpu} if spec.workers == 1 else ALL_CPUS)
        if LIBC is not None:
            LIBC.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

    LOGS.mkdir(parents=True, exist_ok=True)
    log_path = LOGS / f"{spec.name}.log"
    env, counts = SERVER_ENV, None
    if spec.workers > 1:
        counts = COUNTS / f"{spec.name}-{port}"
        counts.mkdir(parents=True, exist_ok=True)
        env = {**SERVER_ENV, "BENCH_COUNTS": str(counts)}
    with log_path.open("wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command,
            env=env,
            cwd=HERE,
            stdout=log,
            stderr=log,
            start_new_session=True,
            preexec_fn=prepare_child,
        )
    running = Running(spec, process, port, log_path, counts=counts)
    expected = compact(HELLO_RESULT)
    body = post_body(HELLO_QUERY)
    try:
        while time.perf_counter() - started < START_TIMEOUT:
            if not running.alive():
                raise RuntimeError(f"exited with {process.returncode}: {running.stderr_tail()}")
            try:
                if not spec.http:
                    socket.create_connection(("127.0.0.1", port), timeout=2.0).close()
                    running.spawn_ms = (time.perf_counter() - started) * 1e3
                    break
                status, answer = post(port, body, timeout=2.0)
            except OSError:
                time.sleep(0.002)
                continue
            if status != 200 or b"".join(answer.split()) != expected:
                raise RuntimeError(f"wrong first answer {status} {answer[:200]!r}")
            running.spawn_ms = (time.perf_counter() - started) * 1e3
            break
        else:
            raise RuntimeError(f"no answer within {START_TIMEOUT:.0f} s: {running.stderr_tail()}")
        time.sleep(0.3)  # let start-up garbage settle before reading the idle footprint
        running.idle_rss_kib = rss_kib(process.pid)
    except BaseException:
        running.stop()
        raise
    return running
