"""Listening sockets bound before any event loop runs: by the server for a numeric address,
and by the ``--workers`` supervisor for every address, so that its workers inherit them."""

from __future__ import annotations

import contextlib
import os
import socket
import stat

from .config import Config

__all__ = ["bind_listeners", "bind_numeric"]


def bind_numeric(host: str, port: int) -> socket.socket | None:
    """A socket bound to `host` when it is a numeric address, else None.

    The event loop would resolve even ``127.0.0.1`` with ``getaddrinfo`` in a thread pool
    (asyncio's executor, or libuv's four threads under uvloop): threads and about half a MiB
    of memory kept for the life of the server, for an address that needs no resolving.
    """
    if not host:
        return None  # every interface, of every address family: the loop binds them all
    try:  # (bytes: a str host would import the IDNA codec, unicodedata and all, for nothing)
        infos = socket.getaddrinfo(
            host.encode("ascii"),
            port,
            type=socket.SOCK_STREAM,
            flags=socket.AI_PASSIVE | socket.AI_NUMERICHOST,
        )
    except (socket.gaierror, UnicodeError):
        return None  # a host name (or none): the loop resolves it
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:  # (as asyncio does: IPv6 only, "::" is not also IPv4)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind(address)
    except OSError as error:
        sock.close()
        raise OSError(
            error.errno, f"error while attempting to bind on address {address!r}: {error.strerror}"
        ) from None
    return sock


def bind_listeners(config: Config) -> list[socket.socket]:
    """Bind and listen on the configured address, as the server would, without a loop."""
    if config.uds:
        sockets = [_bind_unix(config.uds)]
    else:
        numeric = bind_numeric(config.host, config.port)
        sockets = [numeric] if numeric is not None else _bind_resolved(config.host, config.port)
    for sock in sockets:
        sock.listen(config.backlog)
    return sockets


def _bind_unix(path: str) -> socket.socket:
    """A socket bound to `path`, replacing a stale socket file (as asyncio does)."""
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISSOCK(os.stat(path).st_mode):
            os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(path)
    except OSError:
        sock.close()
        raise
    return sock


def _bind_resolved(host: str, port: int) -> list[socket.socket]:
    """One socket per address `host` resolves to (every interface when it is empty)."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind(address)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets
