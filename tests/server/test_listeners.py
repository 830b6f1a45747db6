"""The sockets the ``--workers`` supervisor binds before forking: names, Unix paths, failures."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from graphqlwire.server.config import Config
from graphqlwire.server.listeners import bind_listeners


def test_a_host_name_binds_every_address_it_resolves_to() -> None:
    sockets = bind_listeners(Config(host="localhost", port=0))
    try:
        assert sockets
        for listener in sockets:
            host, port = listener.getsockname()[:2]
            assert host in ("127.0.0.1", "::1")
            with socket.create_connection((host, port), timeout=2):
                pass
    finally:
        for listener in sockets:
            listener.close()


def test_a_port_in_use_is_an_error_and_leaves_no_socket_open() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        with pytest.raises(OSError):
            bind_listeners(Config(host="localhost", port=taken.getsockname()[1]))
    finally:
        taken.close()


def test_a_stale_unix_socket_file_is_replaced(tmp_path: Path) -> None:
    path = str(tmp_path / "gw.sock")
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(path)
    stale.close()  # (the file stays behind, as after a crash)
    [listener] = bind_listeners(Config(uds=path))
    try:
        client = socket.socket(socket.AF_UNIX)
        client.connect(path)
        client.close()
    finally:
        listener.close()


def test_a_file_that_is_not_a_socket_is_never_removed(tmp_path: Path) -> None:
    path = tmp_path / "not-a-socket"
    path.write_text("keep me")
    with pytest.raises(OSError):
        bind_listeners(Config(uds=str(path)))
    assert path.read_text() == "keep me"
