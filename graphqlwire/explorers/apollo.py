"""Apollo Sandbox, embedded from Apollo's CDN."""

from __future__ import annotations

from typing import Any

from .base import DEFAULT_QUERY, Explorer, endpoint_values, escape_html, js_value, load_template


class ExplorerApolloSandbox(Explorer):
    """Serve the embedded Apollo Sandbox pointed at this endpoint."""

    def __init__(
        self,
        title: str = "graphqlwire Apollo Sandbox",
        default_query: str = DEFAULT_QUERY,
        include_cookies: bool = False,
    ) -> None:
        """Configure the page.

        # Optional arguments

        `title`: the page title.

        `default_query`: the operation shown when the sandbox opens.

        `include_cookies`: send the browser's cookies with the sandbox's requests.
        """
        self._template = load_template("apollo.html")
        self._static = {
            "title": escape_html(title),
            "default_query": js_value(default_query),
            "include_cookies": js_value(include_cookies),
        }

    def html(self, request: Any) -> str:
        """Render the page for ``request``.

        # Required arguments

        `request`: the HTTP request; only ``request.scope`` is read.
        """
        return self._template.render({**self._static, **endpoint_values(request)})
