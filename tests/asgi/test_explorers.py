"""Explorer pages: URLs derived from the request, and escaping of everything user-supplied."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from graphqlwire.explorers import (
    Explorer,
    ExplorerApolloSandbox,
    ExplorerGraphiQL,
    ExplorerHttp405,
    ExplorerPlayground,
)
from graphqlwire.explorers.apollo import APOLLO_ASSETS
from graphqlwire.explorers.assets import DEFAULT_ASSETS_URL, Asset, assets_base_url
from graphqlwire.explorers.base import Template, js_value, subscription_url
from graphqlwire.explorers.graphiql import GRAPHIQL_ASSETS, PLUGIN_ASSETS
from graphqlwire.explorers.playground import PLAYGROUND_ASSETS
from tests.node import JS_DIR

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
    for asset in PLUGIN_ASSETS:
        assert asset.tag(DEFAULT_ASSETS_URL) in page
    assert '"GraphiQLPluginExplorer"]' in page  # a global the page waits for
    assert "if (true)" in page
    assert "plugin-explorer" not in ExplorerGraphiQL().html(make_request())


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


def playground_options(page: str) -> dict[str, Any]:
    literal = re.search(
        r'GraphQLPlayground\.init\(document\.getElementById\("root"\), (\{.*?\})\);', page
    )
    assert literal is not None
    options: dict[str, Any] = json.loads(literal.group(1))
    return options


def test_playground() -> None:
    page = ExplorerPlayground(settings={"editor.theme": "light"}).html(make_request())
    assert playground_options(page) == {
        "endpoint": "/graphql",
        "subscriptionEndpoint": "ws://example.com:8000/graphql",
        "settings": {"editor.theme": "light"},
        "shareEnabled": False,
        # No "tabs": Playground fails to start on an empty list.
    }
    page = ExplorerPlayground(default_query="{ a }").html(make_request())
    assert playground_options(page)["tabs"] == [{"endpoint": "/graphql", "query": "{ a }"}]


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


def page_config(page: str) -> dict[str, Any]:
    """The configuration the page hands its asset guard (file URLs, globals, messages)."""
    literal = re.search(r"\}\)\((\{.*?\})\);\s*</script>", page, flags=re.S)
    assert literal is not None
    config: dict[str, Any] = json.loads(literal.group(1))
    return config


def tags_of(page: str) -> list[str]:
    return re.findall(r'<(?:script src|link rel="stylesheet" href)="[^"]*"[^>]*>', page)


@pytest.mark.parametrize(
    ("explorer", "assets"),
    [
        (ExplorerGraphiQL(explorer_plugin=True), GRAPHIQL_ASSETS + PLUGIN_ASSETS),
        (ExplorerPlayground(), PLAYGROUND_ASSETS),
    ],
    ids=["graphiql", "playground"],
)
def test_cdn_tags_are_pinned_with_integrity(explorer: Explorer, assets: tuple[Asset, ...]) -> None:
    page = explorer.html(make_request())
    assert isinstance(page, str)
    tags = tags_of(page)
    assert len(tags) == len(assets)
    for tag, asset in zip(tags, assets, strict=True):
        assert re.search(r"@\d+\.\d+\.\d+/", asset.path)  # an exact version
        assert f'"{DEFAULT_ASSETS_URL}{asset.path}"' in tag
        assert f'integrity="{asset.integrity}" crossorigin="anonymous"' in tag
        assert asset.integrity is not None and asset.integrity.startswith("sha384-")
    assert page_config(page)["assets"] == [DEFAULT_ASSETS_URL + a.path for a in assets]


def test_apollo_loader_cannot_carry_a_hash() -> None:
    # npm's @apollo/sandbox has no UMD build; Apollo's CDN updates v2/ in place.
    page = ExplorerApolloSandbox().html(make_request())
    (tag,) = tags_of(page)
    assert tag == (
        '<script src="https://embeddable-sandbox.cdn.apollographql.com/'
        'v2/embeddable-sandbox.umd.production.min.js">'
    )
    assert APOLLO_ASSETS[0].integrity is None
    config = page_config(page)
    assert "sandbox.embed.apollographql.com" in config["failed"]
    assert config["globals"] == ["EmbeddedSandbox"]


def sri(path: Any) -> str:
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


def test_integrity_hashes_are_those_of_the_npm_files() -> None:
    # GraphiQL and React are installed in tests/js; the other explorers' hashes were
    # computed the same way from `npm pack` of the pinned versions.
    for asset in GRAPHIQL_ASSETS:
        name, _, inside = asset.path.partition("/")
        package = JS_DIR / "node_modules" / name.rpartition("@")[0]
        assert sri(package / inside) == asset.integrity, asset.path


@pytest.mark.parametrize(
    "explorer_class", [ExplorerGraphiQL, ExplorerPlayground, ExplorerApolloSandbox]
)
@pytest.mark.parametrize(
    ("assets_url", "base"),
    [
        ("https://static.example.com/npm", "https://static.example.com/npm/"),
        ("/static/explorer/", "/static/explorer/"),
    ],
)
def test_assets_url(explorer_class: Any, assets_url: str, base: str) -> None:
    page = explorer_class(assets_url=assets_url).html(make_request())
    tags = tags_of(page)
    assert tags
    assert all(f'"{base}' in tag for tag in tags)
    assert "cdn" not in "".join(tags)
    config = page_config(page)
    assert all(url.startswith(base) for url in config["assets"])
    assert "--explorer-assets URL" in config["failed"]
    assert f"{explorer_class.__name__}(assets_url=URL)" in config["failed"]
    for message in ("failed", "waiting", "missing", "crashed"):
        assert "{what}" in config[message]
    assert config["wait"] == 5000


@pytest.mark.parametrize(
    "bad", ["", "  ", "javascript:alert(1)", "file:///srv/npm", "https://", "ftp://x/"]
)
def test_bad_assets_url_is_refused_at_once(bad: str) -> None:
    with pytest.raises(ValueError, match="assets_url"):
        ExplorerGraphiQL(assets_url=bad)
    with pytest.raises(ValueError, match="assets_url"):
        assets_base_url(bad)


def test_hostile_assets_url_stays_in_its_attribute() -> None:
    page = ExplorerGraphiQL(assets_url='/x"><script>alert(1)</script>').html(make_request())
    assert "<script>alert" not in page
    assert 'src="/x&quot;&gt;&lt;script&gt;' in page


def test_status_line_until_started() -> None:
    page = ExplorerGraphiQL().html(make_request())
    assert '<div id="graphqlwire-explorer-status" role="status">Loading' in page
    # The page renders only once every global is there, then drops the status line.
    assert "if (!graphqlwireExplorer.ready())" in page
    assert "graphqlwireExplorer.started();" in page
    assert page_config(page)["globals"] == ["React", "ReactDOM", "GraphiQL"]


def test_graphiql_subscription_url_option() -> None:
    page = ExplorerGraphiQL(subscription_url="wss://ws.example.com/graphql").html(make_request())
    assert 'subscriptionUrl: "wss://ws.example.com/graphql"' in page


def test_playground_ariadne_options() -> None:
    explorer = ExplorerPlayground(
        title="API",
        share_enabled=True,
        editor_cursor_shape="block",
        editor_font_family="monospace",
        editor_font_size=16,
        editor_reuse_headers=False,
        editor_theme="light",
        general_beta_updates=False,
        prettier_print_width=100,
        prettier_tab_width=4,
        prettier_use_tabs=True,
        request_credentials="include",
        request_global_headers={"x-team": "a"},
        schema_polling_enable=False,
        schema_polling_endpoint_filter="*example*",
        schema_polling_interval=5000,
        schema_disable_comments=False,
        tracing_hide_tracing_response=True,
        tracing_tracing_supported=False,
        query_plan_hide_query_plan_response=True,
        settings={"editor.theme": "dark", "editor.fontSize": 12},
    )
    assert explorer.settings == {
        "editor.cursorShape": "block",
        "editor.fontFamily": "monospace",
        "editor.fontSize": 12,  # settings= wins
        "editor.reuseHeaders": False,
        "editor.theme": "dark",
        "general.betaUpdates": False,
        "prettier.printWidth": 100,
        "prettier.tabWidth": 4,
        "prettier.useTabs": True,
        "request.credentials": "include",
        "request.globalHeaders": {"x-team": "a"},
        "schema.polling.enable": False,
        "schema.polling.endpointFilter": "*example*",
        "schema.polling.interval": 5000,
        "schema.disableComments": False,
        "tracing.hideTracingResponse": True,
        "tracing.tracingSupported": False,
        "queryPlan.hideQueryPlanResponse": True,
    }
    options = playground_options(explorer.html(make_request()))
    assert options["shareEnabled"] is True
    assert options["settings"] == explorer.settings
    assert ExplorerPlayground().settings == {}


def test_apollo_is_ariadnes_name_for_the_sandbox() -> None:
    from graphqlwire.explorers import ExplorerApollo

    assert ExplorerApollo is ExplorerApolloSandbox
    page = ExplorerApollo(title="API", default_query="{ a }", include_cookies=True).html(
        make_request()
    )
    assert "<title>API</title>" in page and "includeCookies: true" in page


SCHEMA_SDL = "type Query { hello: String }"


async def test_http405_explorer_is_an_empty_405_asgi() -> None:
    from graphql import build_schema

    from graphqlwire.asgi import GraphQL
    from graphqlwire.server import Config, Server

    app = GraphQL(build_schema(SCHEMA_SDL), explorer=ExplorerHttp405())
    async with (
        Server(app, Config(port=0, log_level=None)) as server,
        httpx.AsyncClient() as client,
    ):
        response = await client.get(server.url + "/", headers={"accept": "text/html"})
        options = await client.options(server.url + "/")
    assert_empty_405(response)
    assert options.status_code == 200
    assert options.headers["allow"] == response.headers["allow"]


def test_http405_explorer_is_an_empty_405_wsgi() -> None:
    from graphql import build_schema

    from graphqlwire.wsgi import GraphQL
    from tests.wsgi.helpers import wsgiref_server

    app = GraphQL(build_schema(SCHEMA_SDL), explorer=ExplorerHttp405())
    with wsgiref_server(app) as url:
        response = httpx.get(url + "/", headers={"accept": "text/html"})
    assert_empty_405(response)


def assert_empty_405(response: httpx.Response) -> None:
    # As Ariadne answers (its seed: "All responses have empty body"), not a JSON error
    # that would contradict the Allow header.
    assert response.status_code == 405
    assert response.content == b""
    assert response.headers["allow"] == "OPTIONS, POST, GET"
    assert response.headers["content-type"].startswith("text/plain")
