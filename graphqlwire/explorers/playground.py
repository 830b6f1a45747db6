"""GraphQL Playground (retired upstream, kept for users who still prefer it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Explorer, endpoint_path, endpoint_values, escape_html, js_value, load_template


class ExplorerPlayground(Explorer):
    """Serve GraphQL Playground pointed at this endpoint, with its subscription URL."""

    def __init__(
        self,
        title: str = "graphqlwire Playground",
        default_query: str | None = None,
        settings: Mapping[str, Any] | None = None,
    ) -> None:
        """Configure the page.

        # Optional arguments

        `title`: the page title.

        `default_query`: the query of the first tab (Playground's own default if None).

        `settings`: Playground settings by their dotted names, e.g.
        ``{"editor.theme": "light", "request.credentials": "include"}``.
        Values must be JSON-serializable.
        """
        self._template = load_template("playground.html")
        self._title = escape_html(title)
        self._settings = js_value(dict(settings or {}))
        self._default_query = default_query

    def html(self, request: Any) -> str:
        """Render the page for ``request``.

        # Required arguments

        `request`: the HTTP request; only ``request.scope`` is read.
        """
        endpoint = endpoint_path(request)
        tabs = (
            []
            if self._default_query is None
            else [{"endpoint": endpoint, "query": self._default_query}]
        )
        return self._template.render(
            {
                "title": self._title,
                "settings": self._settings,
                "tabs": js_value(tabs),
                **endpoint_values(request),
            }
        )
