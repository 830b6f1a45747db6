"""``--workers N``: real worker processes started through the command line, over real sockets.

Each test starts ``python -m graphqlwire --workers N`` on port 0 (or a Unix socket), learns
the address from the line it logs, and checks what clients see: which process answered
(the test app reports its pid), close codes, refused connections, exit statuses, the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect, unix_connect
from websockets.typing import Subprotocol

from graphqlwire.server import Config, Server
from graphqlwire.server.acceptor import LoadBoard

from .server_apps import make_app

APP_MODULE = """
import asyncio
import os

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["type"] == "websocket":
        await receive()
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": str(os.getpid())})
        while (await receive())["type"] != "websocket.disconnect":
            pass
        return
    if scope["path"] == "/slow":
        await asyncio.sleep(1.0)
    if scope["path"] == "/hang":
        await asyncio.sleep(60)
    body = f"{os.getpid()} {os.getppid()}".encode()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})
"""

SCHEMA_MODULE = """
import asyncio
import os

from graphql import GraphQLField, GraphQLInt, GraphQLObjectType, GraphQLSchema, GraphQLString

async def ticks(*_):
    yield os.getpid()
    await asyncio.Event().wait()

schema = GraphQLSchema(
    query=GraphQLObjectType("Query", {"hello": GraphQLField(GraphQLString)}),
    subscription=GraphQLObjectType(
        "Subscription",
        {"pid": GraphQLField(GraphQLInt, subscribe=ticks, resolve=lambda pid, _: pid)},
    ),
)
"""

BROKEN_MODULE = "raise RuntimeError('no database')\n"
REDIS = "redis://127.0.0.1:9/0"  # (never connected to)
ADDRESS = re.compile(r"listening on (http(?:\+unix)?://\S+)")


class Cluster:
    """A ``graphqlwire --workers N`` process: its address, its log, requests to it."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            start_new_session=True,  # (its own process group, as in a terminal)
        )
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.reader = threading.Thread(target=self._read_log, daemon=True)
        self.reader.start()
        self.url = self.wait_for(ADDRESS).group(1)
        self.uds = self.url.split("://", 1)[1] if self.url.startswith("http+unix") else None

    def _read_log(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        for line in iter(stderr.readline, ""):
            with self.changed:
                self.lines.append(line)
                self.changed.notify_all()
        with self.changed:
            self.lines.append("")  # end of file
            self.changed.notify_all()

    @property
    def log(self) -> str:
        with self.changed:
            return "".join(self.lines)

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float = 10.0) -> re.Match[str]:
        """The first match of `pattern` in the log, waiting for it (bounded)."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while True:
                match = re.search(pattern, "".join(self.lines))
                if match:
                    return match
                remaining = deadline - time.monotonic()
                if remaining <= 0 or (self.lines and self.lines[-1] == ""):
                    raise AssertionError(f"{pattern!r} not in the log:\n{''.join(self.lines)}")
                self.changed.wait(remaining)

    def connection(self, timeout: float = 5.0) -> http.client.HTTPConnection:
        if self.uds is None:
            host, port = self.url.split("://", 1)[1].rsplit(":", 1)
            return http.client.HTTPConnection(host, int(port), timeout=timeout)
        return _UnixHTTPConnection(self.uds, timeout)

    def get(self, path: str = "/pid") -> tuple[int, int]:
        """GET on a new connection: (pid, parent pid) of the worker that answered."""
        connection = self.connection()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            assert response.status == 200
            pid, parent = response.read().split()
            return int(pid), int(parent)
        finally:
            connection.close()

    @property
    def workers(self) -> int:
        return int(self.wait_for(r"with (\d+) workers").group(1))

    def worker_pids(self) -> set[int]:
        """Ask on new connections until every worker answered: their pids."""
        pids: set[int] = set()
        deadline = time.monotonic() + 10
        while len(pids) < self.workers:
            assert time.monotonic() < deadline, f"only {pids} answered:\n{self.log}"
            pid, parent = self.get()
            assert parent == self.process.pid
            pids.add(pid)
        return pids

    def ws_url(self) -> str:
        return "ws://" + self.url.split("://", 1)[1] + "/"

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float = 15.0) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        """Kill the process if it still runs; release its pipe."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.reader.join(10)
        assert self.process.stderr is not None
        self.process.stderr.close()


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "pid_app.py").write_text(APP_MODULE)
    (tmp_path / "pid_schema.py").write_text(SCHEMA_MODULE)
    (tmp_path / "broken_app.py").write_text(BROKEN_MODULE)
    return tmp_path


@pytest.fixture
def start(app_dir: Path) -> Iterator[Callable[..., Cluster]]:
    clusters: list[Cluster] = []

    def start(app: str, *options: str) -> Cluster:
        command = [sys.executable, "-m", "graphqlwire", app, *options]
        clusters.append(
            Cluster(command if "--uds" in options else [*command, "--port", "0"], app_dir)
        )
        return clusters[-1]

    yield start
    for cluster in clusters:
        cluster.close()


@pytest.fixture
def opened() -> Iterator[contextlib.ExitStack]:
    """Where the tests' WebSockets are kept, to be closed at the end."""
    with contextlib.ExitStack() as stack:
        yield stack


def alive(pid: int) -> bool:
    """Whether `pid` still runs (a zombie waiting for its reaper counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def wait_gone(pids: set[int], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"still running: {[p for p in pids if alive(p)]}"
        time.sleep(0.02)


def subscribe(url: str, sockets: contextlib.ExitStack) -> tuple[ClientConnection, int]:
    """An open graphql-transport-ws subscription: (the socket, pid of its worker).

    The socket is closed when `sockets` is.
    """
    protocols = [Subprotocol("graphql-transport-ws")]
    ws = sockets.enter_context(connect(url, subprotocols=protocols, open_timeout=5))
    ws.send(json.dumps({"type": "connection_init"}))
    assert json.loads(ws.recv(5))["type"] == "connection_ack"
    query = {"query": "subscription { pid }"}
    ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": query}))
    message = json.loads(ws.recv(5))
    assert message["type"] == "next"
    return ws, message["payload"]["data"]["pid"]


def subscriptions(cluster: Cluster, opened: contextlib.ExitStack) -> dict[int, ClientConnection]:
    """Subscribe on new connections until every worker has one: {worker pid: its socket}."""
    found: dict[int, ClientConnection] = {}
    deadline = time.monotonic() + 10
    while len(found) < cluster.workers:
        assert time.monotonic() < deadline, f"only {set(found)} answered:\n{cluster.log}"
        ws, pid = subscribe(cluster.ws_url(), opened)
        found.setdefault(pid, ws)
    return found


def close_code(ws: ClientConnection, timeout: float = 5.0) -> int | None:
    """Read until the server closes `ws`; the close code it sent."""
    with pytest.raises(ConnectionClosed) as closed:  # noqa: PT012
        while True:
            ws.recv(timeout)
    return closed.value.rcvd.code if closed.value.rcvd else None


# --- serving ----------------------------------------------------------------------------------
def test_two_workers_share_the_socket(start: Callable[..., Cluster]) -> None:
    cluster = start("pid_app:app", "--workers", "2")
    pids = cluster.worker_pids()
    assert cluster.process.pid not in pids
    assert cluster.log.count("in-memory pub/sub backend") == 1  # (the supervisor's warning)
    cluster.signal(signal.SIGTERM)
    assert cluster.wait() == 0
    wait_gone(pids)
    assert re.search(r"worker \d+ stopped \(exit status 0\)", cluster.log)


def test_connections_opened_at_once_spread_evenly(start: Callable[..., Cluster]) -> None:
    # 24 keep-alive connections opened together (as a load generator does), all kept open:
    # each worker must get its share, not whichever woke first (asyncio's own server
    # would take the whole burst).
    cluster = start("pid_app:app", "--workers", "2")
    cluster.worker_pids()
    connections = [cluster.connection() for _ in range(24)]
    try:
        for connection in connections:
            connection.connect()
        owners = []
        for connection in connections:
            connection.request("GET", "/pid")
            owners.append(connection.getresponse().read().split()[0])
    finally:
        for connection in connections:
            connection.close()
    counts = sorted(owners.count(pid) for pid in set(owners))
    assert len(counts) == 2 and counts[0] >= 8, counts  # (even: 12 and 12)


def test_unix_socket(start: Callable[..., Cluster], tmp_path: Path) -> None:
    path = tmp_path / "gw.sock"
    # (A shared pub/sub backend: no warning. The app never uses it, so nothing connects.)
    cluster = start("pid_app:app", "--workers", "2", "--uds", str(path), "--pubsub", REDIS)
    assert cluster.url == f"http+unix://{path}"
    cluster.worker_pids()
    assert "in-memory pub/sub backend" not in cluster.log
    with unix_connect(str(path), "ws://localhost/") as ws:
        assert int(ws.recv(5)) > 0
        # Ctrl+C in a terminal: SIGINT to the whole process group. The workers leave it to
        # the supervisor, which drains them once (no "second signal" forcing them out).
        os.killpg(cluster.process.pid, signal.SIGINT)
        assert close_code(ws) == 1001
    assert cluster.wait() == 0
    assert "forcing exit" not in cluster.log
    assert not path.exists()


def test_a_killed_worker_is_replaced_while_the_other_serves(start: Callable[..., Cluster]) -> None:
    cluster = start("pid_app:app", "--workers", "2")
    victim, survivor = sorted(cluster.worker_pids())
    os.kill(victim, signal.SIGKILL)
    cluster.wait_for(
        rf"worker {victim} died \(killed by SIGKILL\) after [\d.]+ s; starting a new one"
    )
    # Every request meanwhile is answered: by the survivor, or by the replacement once ready.
    answered = {cluster.get()[0] for _ in range(20)}
    assert victim not in answered
    pids = cluster.worker_pids()
    assert victim not in pids and survivor in pids
    cluster.signal(signal.SIGTERM)
    assert cluster.wait() == 0
    wait_gone(pids)


def test_workers_exit_when_the_supervisor_is_killed(start: Callable[..., Cluster]) -> None:
    cluster = start("pid_app:app", "--workers", "2")
    pids = cluster.worker_pids()
    cluster.process.kill()
    cluster.wait()
    wait_gone(pids)


# --- stopping ---------------------------------------------------------------------------------
def test_sigterm_closes_subscriptions_with_1001_and_exits_0(
    start: Callable[..., Cluster], opened: contextlib.ExitStack
) -> None:
    cluster = start("pid_schema:schema", "--workers", "2")
    sockets = subscriptions(cluster, opened)
    cluster.signal(signal.SIGTERM)
    assert {close_code(ws) for ws in sockets.values()} == {1001}
    assert cluster.wait() == 0
    wait_gone(set(sockets))


def test_after_sigterm_in_flight_requests_finish_and_no_connection_is_accepted(
    start: Callable[..., Cluster],
) -> None:
    cluster = start("pid_app:app", "--workers", "2")
    cluster.worker_pids()
    slow = cluster.connection()
    try:
        slow.request("GET", "/slow")
        time.sleep(0.2)  # (the request has reached a worker)
        cluster.signal(signal.SIGTERM)
        cluster.wait_for("draining 2 worker")
        deadline = time.monotonic() + 3
        # Refused once the listening socket is closed; a connection that reached its
        # backlog just before is reset: neither is served.
        with pytest.raises((ConnectionRefusedError, ConnectionResetError, BrokenPipeError)):  # noqa: PT012
            while time.monotonic() < deadline:
                cluster.get()
                time.sleep(0.01)
        assert cluster.process.poll() is None  # still draining the slow request
        response = slow.getresponse()
        assert response.status == 200 and response.read()
    finally:
        slow.close()
    assert cluster.wait() == 0


def test_a_second_sigterm_cuts_the_drain_short(start: Callable[..., Cluster]) -> None:
    cluster = start("pid_app:app", "--workers", "2", "--shutdown-timeout", "30")
    cluster.worker_pids()
    hanging = cluster.connection()
    hanging.request("GET", "/hang")
    time.sleep(0.2)
    cluster.signal(signal.SIGTERM)
    cluster.wait_for("draining 2 worker")
    time.sleep(0.3)
    assert cluster.process.poll() is None  # waiting for the hanging request
    started = time.monotonic()
    cluster.signal(signal.SIGTERM)
    assert cluster.wait() == 0
    assert time.monotonic() - started < 3  # (not the 30 s grace period)
    assert "second signal: forcing exit" in cluster.log
    hanging.close()


# --- rolling restart --------------------------------------------------------------------------
def test_sighup_replaces_workers_one_at_a_time(
    start: Callable[..., Cluster], opened: contextlib.ExitStack
) -> None:
    cluster = start("pid_schema:schema", "--workers", "2")
    sockets = subscriptions(cluster, opened)
    old = set(sockets)
    failures: list[Exception] = []
    answered = 0
    stop = threading.Event()

    def keep_asking() -> None:  # new connections all along the restart: none refused
        nonlocal answered
        while not stop.is_set():
            try:
                connection = cluster.connection()
                connection.request(
                    "POST", "/", '{"query": "{ hello }"}', {"content-type": "application/json"}
                )
                assert connection.getresponse().status == 200
                connection.close()
                answered += 1
            except Exception as error:
                failures.append(error)

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        cluster.signal(signal.SIGHUP)
        assert {close_code(ws, 10) for ws in sockets.values()} == {1012}
        cluster.wait_for("rolling restart done")
    finally:
        stop.set()
        asker.join(10)
    assert not failures, failures[:3]
    assert answered > 10
    assert len(re.findall(r"worker \d+ replaces worker \d+", cluster.log)) == 2
    wait_gone(old)
    assert not set(subscriptions(cluster, opened)) & old
    cluster.signal(signal.SIGTERM)
    assert cluster.wait() == 0


def test_a_restart_into_broken_code_keeps_the_old_workers(
    start: Callable[..., Cluster], app_dir: Path
) -> None:
    cluster = start("pid_app:app", "--workers", "1")
    (pid,) = cluster.worker_pids()
    (app_dir / "pid_app.py").write_text(BROKEN_MODULE)
    cluster.signal(signal.SIGHUP)
    cluster.wait_for("rolling restart abandoned", timeout=20)
    assert "RuntimeError: no database" in cluster.log
    assert cluster.get()[0] == pid
    cluster.signal(signal.SIGTERM)
    assert cluster.wait() == 0


# --- failing start-ups ------------------------------------------------------------------------
def test_a_worker_failing_at_import_is_retried_with_backoff_then_given_up(
    start: Callable[..., Cluster],
) -> None:
    started = time.monotonic()
    cluster = start("broken_app:app", "--workers", "1")
    assert cluster.wait(20) == 1
    log = cluster.log
    delays = re.findall(
        r"exited before it was ready \(exit status 1\); starting another in ([\d.]+) s", log
    )
    assert delays == ["0.1", "0.2", "0.4", "0.8"]
    assert (
        "no worker could start (5 failed start-ups in a row, the last: exit status 1); giving up"
        in log
    )
    assert log.count("RuntimeError: no database") == 5
    assert time.monotonic() - started >= 1.5


def test_a_usage_error_gives_up_at_once(start: Callable[..., Cluster]) -> None:
    cluster = start("no_such_module:app", "--workers", "2")
    assert cluster.wait() == 2
    assert "cannot import module 'no_such_module'" in cluster.log
    assert "giving up" in cluster.log


def test_workers_must_be_positive(app_dir: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "graphqlwire", "pid_app:app", "--workers", "0"],
        cwd=app_dir,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "workers must be at least 1" in result.stderr


def test_programmatic_run_with_workers(app_dir: Path) -> None:
    script = (
        "import sys, graphqlwire\n"
        "graphqlwire.run('pid_app:app', port=0, workers=2,"
        " on_started=lambda s: print('listening on', s.url, file=sys.stderr, flush=True))\n"
    )
    cluster = Cluster([sys.executable, "-c", script], app_dir)
    try:
        cluster.worker_pids()
        cluster.signal(signal.SIGTERM)
        assert cluster.wait() == 0
    finally:
        cluster.close()


# --- the drain every worker does, in one process ----------------------------------------------
async def test_a_connection_accepted_before_a_shutdown_gets_its_answer() -> None:
    # (A worker being replaced may have accepted it a moment before it stopped accepting.)
    server = Server(make_app(), Config(port=0, lifespan="off", log_level=None))
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    idle_reader, idle_writer = await asyncio.open_connection("127.0.0.1", server.port)
    await asyncio.sleep(0.05)  # (both accepted)
    started = time.monotonic()
    stopping = asyncio.create_task(server.shutdown())
    await asyncio.sleep(0.05)
    writer.write(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
    response = await asyncio.wait_for(reader.read(), 3)
    assert response.startswith(b"HTTP/1.1 200") and response.endswith(b"hello /x")
    assert b"connection: close" in response.lower()
    assert await asyncio.wait_for(idle_reader.read(), 3) == b""  # sent nothing: closed
    await asyncio.wait_for(stopping, 3)
    assert time.monotonic() - started < 2  # (the idle one had a second, not the head timeout)
    writer.close()
    idle_writer.close()


async def test_no_websocket_starts_during_a_shutdown(app: Any) -> None:
    server = Server(app, Config(port=0, lifespan="off", log_level=None, shutdown_timeout=2))
    await server.start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    await asyncio.sleep(0.05)
    stopping = asyncio.create_task(server.shutdown())
    await asyncio.sleep(0.05)
    writer.write(
        b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    response = await asyncio.wait_for(reader.read(), 3)
    assert response.startswith(b"HTTP/1.1 503") and b"shutting down" in response
    await asyncio.wait_for(stopping, 3)
    writer.close()


def test_the_load_board_points_to_the_least_loaded_worker() -> None:
    board = LoadBoard(3)
    assert not board.ahead(0, 5) and not board.ahead(0, 6)  # alone: never ahead
    assert not board.ahead(1, 2)
    assert board.ahead(0, 6)  # 6 open here, 2 in the other worker: leave it the next one
    board.vacate(1)  # that worker stopped accepting: it no longer counts
    assert not board.ahead(0, 6)
