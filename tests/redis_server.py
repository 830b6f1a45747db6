"""A real ``redis-server`` for tests: a free loopback port, no persistence, always stopped.

    from tests.redis_server import redis_server, own_redis_server  # fixtures (conftest.py)

`redis_server` is one server for the whole session (tests keep apart with their own topic
prefix); `own_redis_server` is a fresh one for a test that stops and restarts it
(`RedisServer.stop`, `RedisServer.start`: the same port and Unix socket again).
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
START_TIMEOUT = 10.0


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class RedisServer:
    """One redis-server process on 127.0.0.1 and a Unix socket, without persistence."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="graphqlwire-redis-"))
        self.socket_path = self.folder / "redis.sock"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``redis://127.0.0.1:PORT/0``."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def unix_url(self) -> str:
        """``unix://`` URL of the server's socket."""
        return f"unix://{self.socket_path}?db=0"

    def start(self) -> None:
        """Start the server (again, on the same port) and wait until it answers PING."""
        if self.process is not None and self.process.poll() is None:
            return
        command = [
            REDIS_SERVER,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket_path),
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.folder),
            "--loglevel", "warning",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                error = self.process.stderr.read().decode() if self.process.stderr else ""
                raise RuntimeError(f"redis-server exited with {self.process.returncode}: {error}")
            if self.command("PING") == b"+PONG":
                return
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"redis-server did not answer within {START_TIMEOUT:g} s")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it: its clients see EOF."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stderr is not None:
            process.stderr.close()

    def command(self, *args: str) -> bytes | None:
        """Send one command on a new connection; the first reply line, or None if refused."""
        payload = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.sendall(payload.encode())
                return conn.makefile("rb").readline().rstrip(b"\r\n")
        except OSError:
            return None

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextlib.contextmanager
def running_redis() -> Iterator[RedisServer]:
    """A started `RedisServer`, stopped and removed on exit."""
    server = RedisServer()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One redis-server for the session (see `unique_prefix` to keep tests apart)."""
    with running_redis() as server:
        yield server


@pytest.fixture
def own_redis_server() -> Iterator[RedisServer]:
    """A redis-server of the test's own, which it may stop and start again."""
    with running_redis() as server:
        yield server


@pytest.fixture
def unique_prefix() -> str:
    """A channel and key prefix no other test uses."""
    return f"test-{uuid.uuid4().hex[:12]}:"
