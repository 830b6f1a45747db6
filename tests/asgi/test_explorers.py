"""Explorer pages: URLs derived from the request, and escaping of everything user-supplied."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from graphqlwire.explorers import (
    Explorer,
    ExplorerApolloSandbox,
    ExplorerGraphiQL,
    ExplorerHttp405,
    ExplorerPlayground,
)
from graphqlwire.explorers.base import Template, js_value, subscription_url

HOSTILE = "</script><script>alert('x')</script><!-- \" & \u2028"


@dataclass
class FakeRequest:
    scope: dict[str, Any] = field(default_factory=dict)


def make_request(
    scheme: str = "http",
    host: str | None = "example.com:8000",
    path: str = "/graphql",
    root_path: str = "",
) -> FakeRequest:
    headers = [(b"host", host.encode())] if host is not None else []
    return FakeRequest(
        {
            "type": "http",
            "scheme": scheme,
            "path": path,
            "root_path": root_path,
            "headers": headers,
            "server": ("127.0.0.1", 9000),
        }
    )


def script_bodies(page: str) -> list[str]:
    return re.findall(r"<script>(.*?)</script>", page, flags=re.S)


@pytest.mark.parametrize(
    ("kwargs", "url"),
    [
        ({}, "ws://example.com:8000/graphql"),
        ({"scheme": "https"}, "wss://example.com:8000/graphql"),
        ({"host": None}, "ws://127.0.0.1:9000/graphql"),
        # ASGI: path already includes root_path ...
        ({"path": "/api/graphql", "root_path": "/api"}, "ws://example.com:8000/api/graphql"),
        # ... but servers that strip it still give the public URL.
        ({"path": "/graphql", "root_path": "/api"}, "ws://example.com:8000/api/graphql"),
    ],
)
def test_subscription_url(kwargs: dict[str, Any], url: str) -> None:
    assert subscription_url(make_request(**kwargs)) == url


@pytest.mark.parametrize(
    ("headers", "server", "url"),
    [
        # IPv6 server addresses are bracketed (were "ws://::1:8000/graphql").
        ([], ("::1", 8000), "ws://[::1]:8000/graphql"),
        ([(b"host", b"[::1]:8000")], None, "ws://[::1]:8000/graphql"),
        # A default port is left out; a Unix socket (no port) falls back to localhost
        # (was "ws:///tmp/app.sock:None/graphql").
        ([], ("example.com", 80), "ws://example.com/graphql"),
        ([], ("/tmp/app.sock", None), "ws://localhost/graphql"),
        ([], None, "ws://localhost/graphql"),
        # A Host header that cannot be an authority is not trusted.
        ([(b"host", b"evil/x")], ("10.0.0.1", 8080), "ws://10.0.0.1:8080/graphql"),
    ],
)
def test_subscription_url_hosts(
    headers: list[tuple[bytes, bytes]], server: tuple[str, int | None] | None, url: str
) -> None:
    scope = {"type": "http", "scheme": "http", "path": "/graphql", "headers": headers}
    scope["server"] = server
    scope["query_string"] = b"a=1"  # never part of the WebSocket URL
    assert subscription_url(FakeRequest(scope)) == url


def test_subscription_url_is_percent_encoded() -> None:
    request = make_request(scheme="https", path="/graph ql")
    assert subscription_url(request) == "wss://example.com:8000/graph%20ql"


def test_graphiql_defaults() -> None:
    page = ExplorerGraphiQL().html(make_request(scheme="https", root_path="/api", path="/api/gql"))
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>graphqlwire GraphiQL</title>" in page
    assert 'url: "/api/gql"' in page
    assert 'subscriptionUrl: "wss://example.com:8000/api/gql"' in page
    assert "plugin-explorer" not in page
    assert "if (false)" in page
    assert "{{" not in page


def test_graphiql_explorer_plugin() -> None:
    page = ExplorerGraphiQL(explorer_plugin=True).html(make_request())
    assert page.count("plugin-explorer") == 2
    assert "if (true)" in page


def test_graphiql_default_query_roundtrips() -> None:
    query = 'query { hello(name: "wörld") }\n# done'
    page = ExplorerGraphiQL(default_query=query).html(make_request())
    literal = re.search(r"defaultQuery: (\".*?\"),\n", page)
    assert literal is not None
    assert json.loads(literal.group(1)) == query


@pytest.mark.parametrize(
    "page",
    [
        ExplorerGraphiQL(title=HOSTILE, default_query=HOSTILE).html(make_request(host=HOSTILE)),
        ExplorerApolloSandbox(title=HOSTILE, default_query=HOSTILE).html(
            make_request(path="/" + HOSTILE)
        ),
        ExplorerPlayground(
            title=HOSTILE, default_query=HOSTILE, settings={"editor.theme": HOSTILE}
        ).html(make_request(root_path=HOSTILE)),
    ],
    ids=["graphiql", "apollo", "playground"],
)
def test_hostile_values_are_escaped(page: str) -> None:
    # The title lands in HTML text: entities only.
    assert "&lt;/script&gt;&lt;script&gt;alert(&#x27;x&#x27;)" in page
    # Nothing user-supplied can close or open an element inside the scripts.
    assert "<script>alert" not in page
    for body in script_bodies(page):
        assert "<" not in body
        assert "\u2028" not in body
    assert page.count("<script") == page.count("</script>")


def test_js_value() -> None:
    assert js_value("</script>&") == '"\\u003c/script\\u003e\\u0026"'
    assert js_value(None) == "null"
    assert json.loads(js_value({"a": "<b>"})) == {"a": "<b>"}


def test_apollo_sandbox() -> None:
    page = ExplorerApolloSandbox(include_cookies=True).html(make_request(scheme="https"))
    assert "includeCookies: true" in page
    assert 'initialSubscriptionEndpoint: "wss://example.com:8000/graphql"' in page
    assert "EmbeddedSandbox" in page


def test_playground() -> None:
    page = ExplorerPlayground(settings={"editor.theme": "light"}).html(make_request())
    assert 'settings: {"editor.theme": "light"}' in page
    assert "tabs: []" in page
    assert 'subscriptionEndpoint: "ws://example.com:8000/graphql"' in page
    page = ExplorerPlayground(default_query="{ a }").html(make_request())
    assert 'tabs: [{"endpoint": "/graphql", "query": "{ a }"}]' in page


def test_http405_and_base() -> None:
    assert ExplorerHttp405().html(make_request()) is None
    with pytest.raises(NotImplementedError):
        Explorer().html(make_request())


def test_template_placeholders() -> None:
    template = Template("<a>{{ x }}</a>{{y}}")
    assert template.names == ("x", "y")
    assert template.render({"x": "1", "y": "2"}) == "<a>1</a>2"
    with pytest.raises(KeyError):
        template.render({"x": "1"})
