"""GraphiQL, the default explorer (loaded from the unpkg CDN)."""

from __future__ import annotations

from typing import Any

from .base import DEFAULT_QUERY, Explorer, endpoint_values, escape_html, js_value, load_template

_PLUGIN_STYLES = (
    '<link rel="stylesheet" '
    'href="https://unpkg.com/@graphiql/plugin-explorer@3.2.5/dist/style.css">'
)
_PLUGIN_SCRIPTS = (
    "<script crossorigin "
    'src="https://unpkg.com/@graphiql/plugin-explorer@3.2.5/dist/index.umd.js"></script>'
)


class ExplorerGraphiQL(Explorer):
    """Serve GraphiQL, with subscriptions over the same endpoint's WebSocket URL.

    The subscription URL is derived from each request: ``wss://`` when the page was
    served over https (``ws://`` otherwise), the ``Host`` the browser used, and the
    endpoint path including the ASGI ``root_path``.
    """

    def __init__(
        self,
        title: str = "graphqlwire GraphiQL",
        explorer_plugin: bool = False,
        default_query: str = DEFAULT_QUERY,
    ) -> None:
        """Configure the page.

        # Optional arguments

        `title`: the page title.

        `explorer_plugin`: also load GraphiQL's query-builder explorer plugin.

        `default_query`: the text shown in a new editor tab.
        """
        self._template = load_template("graphiql.html")
        self._static = {
            "title": escape_html(title),
            "default_query": js_value(default_query),
            "explorer_plugin": js_value(explorer_plugin),
            "plugin_styles": _PLUGIN_STYLES if explorer_plugin else "",
            "plugin_scripts": _PLUGIN_SCRIPTS if explorer_plugin else "",
        }

    def html(self, request: Any) -> str:
        """Render the page for ``request`` (endpoint and subscription URL are per request).

        # Required arguments

        `request`: the HTTP request; only ``request.scope`` is read.
        """
        return self._template.render({**self._static, **endpoint_values(request)})
