"""``GraphQL``: a WSGI application serving a schema with ``graphql_sync``.

It answers like the ASGI ``GraphQLHTTPHandler`` (same status codes, media types and error
messages, from the shared ``graphqlwire.graphql_http`` rules): GET renders the explorer or,
with ``execute_get_queries``, runs queries; POST runs ``application/json`` and
``multipart/form-data`` (GraphQL multipart request spec) bodies; OPTIONS answers with
``Allow``; other methods get 405. Subscriptions are refused: WSGI has no WebSocket.

Each step is a method taking the WSGI ``environ`` and returning a value or a shared
``Response``, so a subclass replaces exactly one step; only ``__call__`` and
``return_response`` speak WSGI. The body is read in bounded chunks, never past
``CONTENT_LENGTH`` (see ``graphqlwire.wsgi.environ``), and files are spooled to disk.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from ..explorers import Explorer
from ..http import (
    FormData,
    HTMLResponse,
    HttpError,
    Response,
)
from ..http._batching import batch_response, check_batch
from ..http._rules import (
    allowed_methods,
    negotiate_media_type,
    not_allowed_response,
    route_get,
    vary_on_accept,
)
from ..http._status import error_response, result_response
from .base import FORM_KEY, Environ, GraphQLBase, request_method
from .environ import BodyReader, request_for

StartResponse = Callable[..., Any]

#: Reason phrases the stdlib does not know (PEP 3333 wants "<code> <reason>").
_REASONS = {294: "Partial Success"}


def status_line(status: int) -> str:
    """The PEP 3333 status string for ``status``: ``"200 OK"``, ``"294 Partial Success"``."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = _REASONS.get(status, "Unknown")
    return f"{status} {reason}"


class GraphQL(GraphQLBase):
    """WSGI application serving a GraphQL schema over HTTP (queries and mutations)."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        """The WSGI entry point: answer one request.

        A step that raises `HttpError` gets its 4xx. Uploaded files are closed and a
        small unread body is skipped before the answer goes out. GET responses get
        `Vary: Accept` (the same URL gives the explorer page or JSON).

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        try:
            try:
                response = self.handle_request(environ)
            except HttpError as error:
                response = error_response(error)
        finally:
            form: FormData | None = environ.pop(FORM_KEY, None)
            if form is not None:
                form.close_sync()
            BodyReader.of(environ, self.max_body_size).drain()
        if request_method(environ) == "GET":
            vary_on_accept(response)
        return self.return_response(response, start_response)

    def handle_request(self, environ: Environ) -> Response:
        """Dispatch on the method: GET to `handle_get`, POST to `handle_post`, others to
        `handle_not_allowed_method`.

        # Required arguments

        `environ`: the WSGI environ.
        """
        method = request_method(environ)
        if method == "GET":
            return self.handle_get(environ)
        if method == "POST":
            return self.handle_post(environ)
        return self.handle_not_allowed_method(environ)

    def handle_get(self, environ: Environ) -> Response:
        """Answer a GET: run the query in the URL when `execute_get_queries` is on,
        otherwise render the explorer for clients that accept HTML.

        JSON clients without an executable query get a 400 saying the query is missing
        (405 with `Allow` when the URL has a query but GET execution is off); HTML
        clients get 405 when the explorer or introspection is disabled.

        # Required arguments

        `environ`: the WSGI environ.
        """
        request = request_for(environ)
        route = route_get(
            request.query_params,
            request.headers.get("accept"),
            execute_get_queries=self.execute_get_queries,
            explorer_shown=self.introspection and self.explorer is not None,
            allowed=self.allowed_methods(),
        )
        if route == "execute":
            return self.graphql_http_server(environ)
        if route == "explorer" and self.explorer is not None:
            return self.render_explorer(environ, self.explorer)
        return self.handle_not_allowed_method(environ)

    def handle_post(self, environ: Environ) -> Response:
        """Answer a POST: execute the query in its JSON or multipart body.

        # Required arguments

        `environ`: the WSGI environ.
        """
        return self.graphql_http_server(environ)

    def render_explorer(self, environ: Environ, explorer: Explorer) -> Response:
        """Return the explorer's HTML page (405 when it returns None).

        The explorer gets graphqlwire's `Request` view of the environ; an async explorer
        is run to completion in this worker thread.

        # Required arguments

        `environ`: the WSGI environ.

        `explorer`: the `Explorer` to render.
        """
        html = explorer.html(request_for(environ))
        if inspect.isawaitable(html):
            html = asyncio.run(_awaited(html))
        if html is None:
            return self.handle_not_allowed_method(environ)
        return HTMLResponse(html)

    def graphql_http_server(self, environ: Environ) -> Response:
        """Execute the GraphQL request of `environ` and return its JSON response.

        406 first when the client accepts no GraphQL media type; then the data from
        `extract_data_from_request`, `execute_query`, and `create_json_response`. A batch
        (a list of operations) runs each in order and answers a JSON array.

        # Required arguments

        `environ`: the WSGI environ.
        """
        media_type = negotiate_media_type(request_for(environ).headers.get("accept"))
        data = self.extract_data_from_request(environ)
        if isinstance(data, list):
            operations = check_batch(data, self.max_batch_size)
            results = [self.execute_query(environ, operation) for operation in operations]
            return batch_response(results, media_type)
        success, result = self.execute_query(environ, data)
        return self.create_json_response(environ, result, success)

    def create_json_response(
        self, environ: Environ, result: dict[str, Any], success: bool
    ) -> Response:
        """Return the JSON response for a result: media type from `Accept`, status from
        `status_mode` (see `graphqlwire.graphql_http`).

        # Required arguments

        `environ`: the WSGI environ.

        `result`: the JSON-ready result dict.

        `success`: whether `data` is not null.
        """
        media_type = negotiate_media_type(request_for(environ).headers.get("accept"))
        method = request_method(environ)
        return result_response(
            result, success, media_type, method=method, status_mode=self.status_mode
        )

    def handle_not_allowed_method(self, environ: Environ) -> Response:
        """OPTIONS: an empty 200 with `Allow`; other methods: 405 with `Allow` and a JSON
        error naming the allowed methods.

        # Required arguments

        `environ`: the WSGI environ.
        """
        return not_allowed_response(request_method(environ), self.allowed_methods())

    def allowed_methods(self) -> list[str]:
        """The methods served: GET only with GET queries or a visible explorer."""
        return allowed_methods(
            execute_get_queries=self.execute_get_queries,
            introspection=self.introspection,
            has_explorer=self.explorer is not None,
        )

    def return_response(self, response: Response, start_response: StartResponse) -> list[bytes]:
        """Send `response` the WSGI way: status line and `str` headers, body as bytes.

        # Required arguments

        `response`: the `Response` to send.

        `start_response`: the WSGI `start_response` callable.
        """
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.raw_headers
        ]
        start_response(status_line(response.status_code), headers)
        return [response.body]


async def _awaited(value: Any) -> Any:
    return await value
