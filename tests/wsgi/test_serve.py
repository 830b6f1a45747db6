"""``serve`` and ``make_server``: a threaded wsgiref server that is quiet unless asked."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from graphqlwire.wsgi import GraphQL, make_server
from graphqlwire.wsgi.serve import ThreadingWSGIServer
from tests.wsgi.helpers import ROOT, SCHEMA, free_port, wait_until_listening

SERVE = (
    "import sys\n"
    "from graphqlwire.wsgi import serve\n"
    "from tests.wsgi.gunicorn_app import application\n"
    "serve(application, '127.0.0.1', int(sys.argv[1]))\n"
)


def test_serve_runs_until_interrupted_without_logging_requests() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(port)], cwd=ROOT, stderr=subprocess.PIPE
    )
    try:
        wait_until_listening(port, process, time.monotonic() + 10)
        response = httpx.post(f"http://127.0.0.1:{port}/graphql/", json={"query": "{ hello }"})
        assert response.json() == {"data": {"hello": "Hello, world!"}}
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        assert process.stderr is not None
        stderr = process.stderr.read().decode()
        process.stderr.close()
    assert f"serving WSGI on http://127.0.0.1:{port}/" in stderr
    assert "POST /graphql/" not in stderr


def test_make_server_binds_port_0_and_logs_when_asked(capsys: pytest.CaptureFixture[str]) -> None:
    server = make_server(GraphQL(SCHEMA), "127.0.0.1", 0, log_requests=True)
    assert isinstance(server, ThreadingWSGIServer)
    assert server.daemon_threads
    port = server.server_address[1]
    assert port != 0
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        assert httpx.options(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    assert '"OPTIONS / HTTP/1.1" 200 0' in capsys.readouterr().err
