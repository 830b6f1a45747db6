"""Apollo Sandbox, embedded from Apollo's CDN.

The page loads Apollo's small embedding script, which opens the Sandbox itself in an
iframe from ``sandbox.embed.apollographql.com``: the Sandbox always needs internet access,
whatever ``assets_url`` says. npm's ``@apollo/sandbox`` has no UMD build (only modules
importing other packages by name, which a browser cannot load without a bundler), so the
script comes from Apollo's CDN at its major-version path (``v2/``), which Apollo updates in
place: no integrity hash can pin it.
"""

from __future__ import annotations

from typing import Any

from .assets import Asset, asset_markup, assets_base_url, status_line
from .base import DEFAULT_QUERY, Explorer, endpoint_values, escape_html, js_value, load_template

#: Apollo's CDN, the default base URL of the embedding script.
APOLLO_CDN = "https://embeddable-sandbox.cdn.apollographql.com/"
APOLLO_ASSETS = (Asset("v2/embeddable-sandbox.umd.production.min.js", None),)
_NOTE = (
    " Apollo Sandbox itself always runs from Apollo's servers (sandbox.embed.apollographql.com)"
    " and needs internet access: use GraphiQL (--explorer graphiql) on a machine without it."
)


class ExplorerApolloSandbox(Explorer):
    """Serve the embedded Apollo Sandbox pointed at this endpoint (Ariadne's ``ExplorerApollo``)."""

    def __init__(
        self,
        title: str = "graphqlwire Apollo Sandbox",
        default_query: str = DEFAULT_QUERY,
        include_cookies: bool = False,
        *,
        assets_url: str | None = None,
    ) -> None:
        """Configure the page.

        # Optional arguments

        `title`: the page title.

        `default_query`: the operation shown when the sandbox opens.

        `include_cookies`: send the browser's cookies with the sandbox's requests.

        `assets_url`: the base URL of Apollo's embedding script (the file
        ``v2/embeddable-sandbox.umd.production.min.js`` under it); Apollo's CDN by default.
        """
        self._template = load_template("apollo.html")
        self._static = {
            "title": escape_html(title),
            "status": status_line("Loading Apollo Sandbox…"),
            "assets": asset_markup(
                "Apollo Sandbox",
                "ExplorerApolloSandbox",
                APOLLO_ASSETS,
                ["EmbeddedSandbox"],
                assets_base_url(assets_url, APOLLO_CDN),
                note=_NOTE,
            ),
            "default_query": js_value(default_query),
            "include_cookies": js_value(include_cookies),
        }

    def html(self, request: Any) -> str:
        """Render the page for ``request``.

        # Required arguments

        `request`: the HTTP request; only ``request.scope`` is read.
        """
        return self._template.render({**self._static, **endpoint_values(request)})


#: Ariadne's name for the Apollo Sandbox explorer.
ExplorerApollo = ExplorerApolloSandbox
