"""Pure tests of scope building and proxy headers (no event loop, no sockets)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import h11
import pytest

from graphqlwire.server.config import Config
from graphqlwire.server.head import RequestHead
from graphqlwire.server.proxy import apply_proxy_headers
from graphqlwire.server.scope import http_scope


def request_head(
    method: str, target: bytes, headers: list[tuple[str, str]] | None = None, version: str = "1.1"
) -> RequestHead:
    """The `RequestHead` of a request as h11 would parse it."""
    event = h11.Request(
        method=method,
        target=target,
        http_version=version,
        headers=headers if headers is not None else [("Host", "h")],
    )
    return RequestHead(event)


def connection(**config: Any) -> Any:
    return SimpleNamespace(
        config=Config(**config),
        scheme="http",
        client=("10.0.0.9", 4000),
        server=("127.0.0.1", 8000),
        state=SimpleNamespace(lifespan_state={"db": "x"}, lifecycle=None, access_log=None),
    )


@pytest.mark.parametrize(
    ("target", "path", "raw_path", "query"),
    [
        (b"/a%20b?x=1", "/a b", b"/a%20b", b"x=1"),
        (b"/caf%C3%A9", "/café", b"/caf%C3%A9", b""),
        (b"http://example.org/abs?q", "/abs", b"/abs", b"q"),
        (b"*", "*", b"*", b""),
    ],
)
def test_paths(target: bytes, path: str, raw_path: bytes, query: bytes) -> None:
    scope = http_scope(connection(), request_head("GET", target))
    assert (scope["path"], scope["raw_path"], scope["query_string"]) == (path, raw_path, query)


def test_root_path_and_state_copy() -> None:
    conn = connection(root_path="/api")
    scope = http_scope(conn, request_head("POST", b"/x", version="1.0"))
    assert (scope["path"], scope["raw_path"], scope["root_path"]) == ("/api/x", b"/api/x", "/api")
    assert (scope["method"], scope["http_version"]) == ("POST", "1.0")
    assert scope["state"] == {"db": "x"}
    assert scope["state"] is not conn.state.lifespan_state


def test_bad_target() -> None:
    head = request_head("GET", b"nope")
    assert head.path is None
    assert not head.plain


@pytest.mark.parametrize(
    ("headers", "plain", "keep_alive"),
    [
        ([("Host", "h"), ("Content-Length", "3")], True, True),
        ([("Host", "h"), ("Connection", "close")], True, False),
        ([("Host", "h"), ("Connection", "Keep-Alive, Close")], True, False),
        ([("Host", "h"), ("Connection", "closed")], True, True),  # a token, not a substring
        ([("Host", "h"), ("Transfer-Encoding", "chunked")], False, True),
        ([("Host", "h"), ("Expect", "100-continue"), ("Content-Length", "3")], False, True),
        ([("Host", "h"), ("Connection", "Upgrade"), ("Upgrade", "websocket")], False, True),
    ],
)
def test_request_head_flags(headers: list[tuple[str, str]], plain: bool, keep_alive: bool) -> None:
    head = request_head("POST", b"/", headers)
    assert (head.plain, head.keep_alive) == (plain, keep_alive)
    assert head.headers == tuple((name.lower().encode(), value.encode()) for name, value in headers)


def test_each_scope_has_its_own_headers_list() -> None:
    """Middleware may edit scope["headers"] in place: a shared head must not see it."""
    head = request_head("GET", b"/")
    first = http_scope(connection(), head)
    first["headers"].append((b"x-added", b"1"))
    assert http_scope(connection(), head)["headers"] == [(b"host", b"h")]


@pytest.mark.parametrize(
    ("version", "scope_version", "keep_alive"),
    [
        ("1.1", "1.1", True),
        ("1.0", "1.0", False),
        ("1.2", "1.1", True),  # a later 1.x is answered as 1.1 (RFC 9112 §2.3)
    ],
)
def test_http_versions(version: str, scope_version: str, keep_alive: bool) -> None:
    head = request_head("GET", b"/", version=version)
    assert (head.version, head.keep_alive) == (scope_version, keep_alive)
    assert http_scope(connection(), head)["http_version"] == scope_version


def test_an_http_10_client_expects_no_100_continue() -> None:
    # RFC 9110 §10.1.1: the expectation is ignored in an HTTP/1.0 request, as h11 does.
    headers = [("Expect", "100-continue"), ("Content-Length", "3")]
    assert not request_head("POST", b"/", headers, version="1.0").expect
    assert request_head("POST", b"/", [("Host", "h"), *headers]).expect


@pytest.mark.parametrize(
    ("allowed", "forwarded_for", "client"),
    [
        ("10.0.0.9", b"1.1.1.1", "1.1.1.1"),
        ("10.0.0.9", b"6.6.6.6, 1.1.1.1", "1.1.1.1"),  # only the rightmost hop is trusted
        ("10.0.0.9, 1.1.1.1", b"6.6.6.6, 1.1.1.1", "6.6.6.6"),
        ("192.168.0.1", b"1.1.1.1", "10.0.0.9"),  # an untrusted peer's claim is ignored
    ],
)
def test_forwarded_for(allowed: str, forwarded_for: bytes, client: str) -> None:
    config = Config(proxy_headers=True, forwarded_allow_ips=allowed)
    headers = [(b"x-forwarded-for", forwarded_for), (b"x-forwarded-proto", b"https")]
    scheme, peer = apply_proxy_headers(config, headers, ("10.0.0.9", 4000), False)
    assert peer is not None
    assert peer[0] == client
    assert scheme == ("https" if client != "10.0.0.9" else None)
    ws_scheme, _ = apply_proxy_headers(config, headers, ("10.0.0.9", 4000), True)
    assert ws_scheme == ("wss" if client != "10.0.0.9" else None)
