"""``GraphQLHTTPHandler``'s routes off its plain path (one POSTed operation, one JSON answer).

A GET runs the query in its URL, shows the explorer or is refused, as
``graphqlwire.http._rules.route_get`` decides; other methods get an empty 200 (``OPTIONS``)
or a 405, each with ``Allow`` naming the methods the handler's settings serve. A batch runs
its operations in order and a client that accepts ``multipart/mixed`` may get ``@defer`` and
``@stream`` payloads. The handler's overridable methods stay the steps of every route.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any, Protocol

from ...execution import ExecutionOptions, GraphQLResult, incremental_delivery
from ...http import HTMLResponse, HttpError, Request, Response
from ...http._batching import batch_response, check_batch
from ...http._rules import JSON, allowed_methods, not_allowed_response, route_get
from ...http._status import error_response

if TYPE_CHECKING:
    from graphql import GraphQLSchema

    from ...explorers import Explorer


class RoutesHost(Protocol):
    """What the routes need of ``GraphQLHTTPHandler``."""

    execute_get_queries: bool
    explorer: Explorer | None
    max_batch_size: int
    execution_options: ExecutionOptions

    @property
    def introspection(self) -> bool: ...

    def configured_schema(self) -> GraphQLSchema: ...

    async def graphql_http_server(self, request: Request) -> Response: ...

    async def render_explorer(self, request: Request, explorer: Explorer) -> Response: ...

    def handle_not_allowed_method(self, request: Request) -> Response: ...

    async def execute_graphql_query(self, request: Any, data: Any) -> GraphQLResult: ...

    async def create_json_response(
        self, request: Request, result: dict[str, Any], success: bool
    ) -> Response: ...


async def handle_get(host: RoutesHost, request: Request) -> Response:
    """A GET: `graphql_http_server`, `render_explorer` or `handle_not_allowed_method`."""
    try:
        route = route_get(
            request.query_params,
            request.headers.get("accept"),
            execute_get_queries=host.execute_get_queries,
            explorer_shown=host.introspection and host.explorer is not None,
            allowed=served_methods(host),
        )
    except HttpError as error:
        return error_response(error)
    if route == "execute":
        return await host.graphql_http_server(request)
    if route == "explorer" and host.explorer is not None:
        return await host.render_explorer(request, host.explorer)
    return host.handle_not_allowed_method(request)


async def explorer_page(host: RoutesHost, request: Request, explorer: Explorer) -> Response:
    """``render_explorer``'s work: the page, or an empty-body 405 when it is None."""
    html = explorer.html(request)
    if inspect.isawaitable(html):
        html = await html
    if html is None:
        allow = ", ".join(served_methods(host))
        return Response(status_code=405, headers={"allow": allow}, media_type="text/plain")
    return HTMLResponse(html)


def not_allowed(host: RoutesHost, request: Request) -> Response:
    """``handle_not_allowed_method``'s work: ``OPTIONS``'s 200 or a JSON 405."""
    try:
        return not_allowed_response(request.method, served_methods(host))
    except HttpError as error:
        return error_response(error)


def served_methods(host: RoutesHost) -> list[str]:
    """The methods `host` serves, for ``Allow``."""
    return allowed_methods(
        execute_get_queries=host.execute_get_queries,
        introspection=host.introspection,
        has_explorer=host.explorer is not None,
    )


async def run_batch(
    host: RoutesHost, request: Request, data: list[Any], media_type: str | None
) -> Response:
    """A batch: each operation through `execute_graphql_query`, in order, one JSON array."""
    try:
        operations = check_batch(
            data, host.max_batch_size, host.configured_schema(), host.execution_options
        )
    except HttpError as error:
        return error_response(error)
    results = [await host.execute_graphql_query(request, op) for op in operations]
    return batch_response(results, media_type or JSON)


async def run_incremental(host: RoutesHost, request: Request, data: Any) -> Response:
    """One operation for a client that accepts ``multipart/mixed``: it may defer or stream."""
    with incremental_delivery():
        success, result = await host.execute_graphql_query(request, data)
    return await host.create_json_response(request, result, success)
