#!/usr/bin/env python3
"""Run a command beside a private redis-server: ``with_redis.py COMMAND...``.

The redis-server listens on a free loopback port without persistence, and the command gets
``GRAPHQLWIRE_PUBSUB=redis://127.0.0.1:PORT/0``. Both stay in the caller's process group,
so the harness stops them together (`servers.Running.stop`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

START_TIMEOUT = 10.0


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_answering(port: int, redis: subprocess.Popen[bytes]) -> None:
    """Poll PING until redis-server answers (bounded)."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and redis.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                if conn.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            time.sleep(0.01)
    sys.exit("with_redis: redis-server did not start")


def main(command: list[str]) -> int:
    """Start redis-server, run `command` with GRAPHQLWIRE_PUBSUB set; its exit status."""
    port, folder = free_port(), tempfile.mkdtemp(prefix="bench-redis-")
    redis = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind",
         "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_answering(port, redis)
        env = {**os.environ, "GRAPHQLWIRE_PUBSUB": f"redis://127.0.0.1:{port}/0"}
        return subprocess.call(command, env=env)
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
