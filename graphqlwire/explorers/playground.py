"""GraphQL Playground (retired upstream, kept for users who still prefer it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .assets import Asset, asset_markup, assets_base_url, status_line
from .base import Explorer, endpoint_path, escape_html, js_value, load_template, subscription_url

#: Playground's self-contained build, with the sha384 of each npm file.
PLAYGROUND_ASSETS = (
    Asset(
        "graphql-playground-react@1.7.28/build/static/css/index.css",
        "sha384-xb+UHILNN4fV3NgQMTjXk0x9A80U0hmkraTFvucUYTILJymGT8E1Aq2278NSi5+3",
    ),
    Asset(
        "graphql-playground-react@1.7.28/build/static/js/middleware.js",
        "sha384-ardaO17esJ2ZxvY24V1OE6X4j+Z3WKgGMptrlDLmD+2w/JC3nbQ5ZfKGY2zfOPEE",
    ),
)


class ExplorerPlayground(Explorer):
    """Serve GraphQL Playground pointed at this endpoint, with its subscription URL.

    The keyword options are Ariadne's: each sets the Playground setting of the same
    dotted name (``editor_theme`` sets ``editor.theme``) and None leaves Playground's
    own default. ``settings`` sets any setting by its dotted name and wins over them.
    """

    def __init__(
        self,
        title: str = "graphqlwire Playground",
        share_enabled: bool = False,
        editor_cursor_shape: str | None = None,
        editor_font_family: str | None = None,
        editor_font_size: int | None = None,
        editor_reuse_headers: bool | None = None,
        editor_theme: str | None = None,
        general_beta_updates: bool | None = None,
        prettier_print_width: int | None = None,
        prettier_tab_width: int | None = None,
        prettier_use_tabs: bool | None = None,
        request_credentials: str | None = None,
        request_global_headers: Mapping[str, str] | None = None,
        schema_polling_enable: bool | None = None,
        schema_polling_endpoint_filter: str | None = None,
        schema_polling_interval: int | None = None,
        schema_disable_comments: bool | None = None,
        tracing_hide_tracing_response: bool | None = None,
        tracing_tracing_supported: bool | None = None,
        query_plan_hide_query_plan_response: bool | None = None,
        *,
        default_query: str | None = None,
        settings: Mapping[str, Any] | None = None,
        assets_url: str | None = None,
    ) -> None:
        """Configure the page.

        # Optional arguments

        `title`: the page title.

        `share_enabled`: show Playground's share button (it uploads to graphqlbin.com).

        `editor_cursor_shape` (``"line"``, ``"block"``, ``"underline"``),
        `editor_font_family`, `editor_font_size`, `editor_reuse_headers`, `editor_theme`
        (``"dark"``, ``"light"``), `general_beta_updates`, `prettier_print_width`,
        `prettier_tab_width`, `prettier_use_tabs`, `request_credentials` (``"omit"``,
        ``"include"``, ``"same-origin"``), `request_global_headers` (headers sent with
        every request), `schema_polling_enable`, `schema_polling_endpoint_filter`,
        `schema_polling_interval` (ms), `schema_disable_comments`,
        `tracing_hide_tracing_response`, `tracing_tracing_supported`,
        `query_plan_hide_query_plan_response`: Playground's settings of those names.

        `default_query`: the query of the first tab (Playground's own default if None).

        `settings`: more settings by their dotted names, e.g.
        ``{"editor.theme": "light"}``; values must be JSON-serializable.

        `assets_url`: the base URL Playground's files are loaded from, in the npm layout
        (``<package>@<version>/<file>``); jsDelivr's CDN by default.
        """
        chosen = {
            "editor.cursorShape": editor_cursor_shape,
            "editor.fontFamily": editor_font_family,
            "editor.fontSize": editor_font_size,
            "editor.reuseHeaders": editor_reuse_headers,
            "editor.theme": editor_theme,
            "general.betaUpdates": general_beta_updates,
            "prettier.printWidth": prettier_print_width,
            "prettier.tabWidth": prettier_tab_width,
            "prettier.useTabs": prettier_use_tabs,
            "request.credentials": request_credentials,
            "request.globalHeaders": (
                None if request_global_headers is None else dict(request_global_headers)
            ),
            "schema.polling.enable": schema_polling_enable,
            "schema.polling.endpointFilter": schema_polling_endpoint_filter,
            "schema.polling.interval": schema_polling_interval,
            "schema.disableComments": schema_disable_comments,
            "tracing.hideTracingResponse": tracing_hide_tracing_response,
            "tracing.tracingSupported": tracing_tracing_supported,
            "queryPlan.hideQueryPlanResponse": query_plan_hide_query_plan_response,
        }
        self.settings: dict[str, Any] = {
            **{name: value for name, value in chosen.items() if value is not None},
            **(settings or {}),
        }
        self._template = load_template("playground.html")
        self._static = {
            "title": escape_html(title),
            "status": status_line("Loading GraphQL Playground…"),
            "assets": asset_markup(
                "GraphQL Playground",
                "ExplorerPlayground",
                PLAYGROUND_ASSETS,
                ["GraphQLPlayground"],
                assets_base_url(assets_url),
            ),
        }
        self._share_enabled = share_enabled
        self._default_query = default_query

    def html(self, request: Any) -> str:
        """Render the page for ``request``.

        # Required arguments

        `request`: the HTTP request; only ``request.scope`` is read.
        """
        options: dict[str, Any] = {
            "endpoint": endpoint_path(request),
            "subscriptionEndpoint": subscription_url(request),
            "settings": self.settings,
            "shareEnabled": self._share_enabled,
        }
        if self._default_query is not None:
            # (Playground fails on an empty list of tabs: leave it out when there is none.)
            options["tabs"] = [{"endpoint": options["endpoint"], "query": self._default_query}]
        return self._template.render({**self._static, "options": js_value(options)})
