"""GraphiQL, the default explorer, from its UMD builds (plain npm files, no bundler)."""

from __future__ import annotations

from typing import Any

from .assets import Asset, asset_markup, assets_base_url, status_line
from .base import DEFAULT_QUERY, Explorer, endpoint_values, escape_html, js_value, load_template

#: GraphiQL and the React it runs on, with the sha384 of each npm file.
GRAPHIQL_ASSETS = (
    Asset(
        "graphiql@3.8.3/graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Asset(
        "react@18.3.1/umd/react.production.min.js",
        "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    ),
    Asset(
        "react-dom@18.3.1/umd/react-dom.production.min.js",
        "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    ),
    Asset(
        "graphiql@3.8.3/graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
)
#: GraphiQL's query-builder plugin (``explorer_plugin=True``).
PLUGIN_ASSETS = (
    Asset(
        "@graphiql/plugin-explorer@3.2.5/dist/style.css",
        "sha384-YN9MumWidbWKuNj8VfH5ggrFvm9YqAoIOMnKYpeGL3dr7Eg1qnQ+SAqSthdNZCjz",
    ),
    Asset(
        "@graphiql/plugin-explorer@3.2.5/dist/index.umd.js",
        "sha384-5p6hGdlOTvUy6Wf0GauxCz+xM9YB/YYvcGG+bf9msr2eyd+KVIxgRkepHgUijedJ",
    ),
)


class ExplorerGraphiQL(Explorer):
    """Serve GraphiQL, with subscriptions over the same endpoint's WebSocket URL.

    The subscription URL is derived from each request unless given: ``wss://`` when the
    page was served over https (``ws://`` otherwise), the ``Host`` the browser used, and
    the endpoint path including the ASGI ``root_path``.
    """

    def __init__(
        self,
        title: str = "graphqlwire GraphiQL",
        explorer_plugin: bool = False,
        default_query: str = DEFAULT_QUERY,
        subscription_url: str = "",
        *,
        assets_url: str | None = None,
    ) -> None:
        """Configure the page.

        # Optional arguments

        `title`: the page title.

        `explorer_plugin`: also load GraphiQL's query-builder explorer plugin.

        `default_query`: the text shown in a new editor tab.

        `subscription_url`: the WebSocket URL for subscriptions; empty (the default)
        derives it from each request.

        `assets_url`: the base URL GraphiQL's files are loaded from, in the npm layout
        (``<package>@<version>/<file>``); jsDelivr's CDN by default. See the README's
        "Self-hosting the explorer assets".
        """
        assets = GRAPHIQL_ASSETS + (PLUGIN_ASSETS if explorer_plugin else ())
        globals_needed = ["React", "ReactDOM", "GraphiQL"]
        if explorer_plugin:
            globals_needed.append("GraphiQLPluginExplorer")
        self._template = load_template("graphiql.html")
        self._subscription_url = js_value(subscription_url) if subscription_url else None
        self._static = {
            "title": escape_html(title),
            "status": status_line("Loading the GraphiQL explorer…"),
            "assets": asset_markup(
                "GraphiQL",
                "ExplorerGraphiQL",
                assets,
                globals_needed,
                assets_base_url(assets_url),
            ),
            "default_query": js_value(default_query),
            "explorer_plugin": js_value(explorer_plugin),
        }

    def html(self, request: Any) -> str:
        """Render the page for ``request`` (endpoint and subscription URL are per request).

        # Required arguments

        `request`: the HTTP request; only ``request.scope`` is read.
        """
        values = {**self._static, **endpoint_values(request)}
        if self._subscription_url is not None:
            values["subscription_url"] = self._subscription_url
        return self._template.render(values)
