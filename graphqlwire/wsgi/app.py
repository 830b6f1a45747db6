"""``GraphQL``: a WSGI application serving a schema with ``graphql_sync``.

It answers like the ASGI ``GraphQLHTTPHandler`` (same status codes, media types and error
messages, from the shared ``graphqlwire.graphql_http`` rules): GET renders the explorer or,
with ``execute_get_queries``, runs queries; POST runs ``application/json`` and
``multipart/form-data`` (GraphQL multipart request spec) bodies; OPTIONS answers with
``Allow``; other methods get 405. Subscriptions are refused (WSGI has no WebSocket), and
so are clients that accept only streamed responses (SSE, ``multipart/mixed``): 406.

The steps are Ariadne's WSGI methods, with its names and signatures: each takes the
``environ`` and ``start_response`` (or what an earlier step produced) and returns the body,
so an Ariadne subclass keeps working and replaces exactly one step. The steps that only
get ``start_response`` (``return_response_from_result``, the error handlers) still answer
per request (media type from ``Accept``, ``Vary`` on GET): ``__call__`` makes the environ
the current request of its thread (a context variable) while it runs. Nothing per request
is stored on the app, which every worker thread shares. The body is read in bounded
chunks, never past ``CONTENT_LENGTH`` (see ``graphqlwire.wsgi.environ``); files are
spooled to disk.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from graphql import GraphQLError

from ..execution import GraphQLResult
from ..http import (
    FormData,
    HTMLResponse,
    HttpError,
    HttpNotAcceptableError,
    JSONResponse,
    Response,
)
from ..http._batching import batch_response, check_batch
from ..http._errors import status_line
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

#: The environ of the request this thread is answering (set by ``GraphQL.__call__``).
_CURRENT_ENVIRON: ContextVar[Environ | None] = ContextVar("graphqlwire_wsgi_environ", default=None)

_STREAMED_TYPES = ("text/event-stream", "multipart/mixed")


def accept_header(environ: Environ) -> str | None:
    """The request's ``Accept`` header, None when it was not sent."""
    accept = environ.get("HTTP_ACCEPT")
    return accept if isinstance(accept, str) else None


def refuse_streaming(accept: str | None) -> None:
    """Refuse with 406 a client that accepts only streamed responses.

    GraphQL over SSE (``text/event-stream``) and incremental delivery (``multipart/mixed``)
    need a response that stays open, which the WSGI app never gives; the message says so
    and names the ASGI app. Clients that also accept JSON get JSON.
    """
    if not accept:
        return
    lowered = accept.lower()
    if "text/event-stream" not in lowered and "multipart/mixed" not in lowered:
        return
    try:
        negotiate_media_type(accept)
    except HttpNotAcceptableError:
        streamed = next(media_type for media_type in _STREAMED_TYPES if media_type in lowered)
        raise HttpNotAcceptableError(
            f"This client accepts only {streamed}, and the WSGI app streams nothing: "
            "GraphQL over SSE and incremental delivery (multipart/mixed) need the ASGI app "
            "(graphqlwire.asgi.GraphQL). Send 'Accept: application/json' for one JSON result."
        ) from None


def finish_request(environ: Environ, max_body_size: int | None) -> None:
    """Close the uploaded files of a request and skip a small unread rest of its body."""
    form: FormData | None = environ.pop(FORM_KEY, None)
    if form is not None:
        form.close_sync()
    BodyReader.of(environ, max_body_size).drain()


class GraphQL(GraphQLBase):
    """WSGI application serving a GraphQL schema over HTTP (queries and mutations)."""

    def __call__(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        """The WSGI entry point: answer one request with `handle_request`.

        A `GraphQLError` raised by a step goes to `handle_graphql_error`, an `HttpError`
        to `handle_http_error`. Uploaded files are closed and a small unread body is
        skipped before the answer goes out.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        token = _CURRENT_ENVIRON.set(environ)
        try:
            try:
                return self.handle_request(environ, start_response)
            except GraphQLError as error:
                return self.handle_graphql_error(error, start_response)
            except HttpError as error:
                return self.handle_http_error(error, start_response)
        finally:
            _CURRENT_ENVIRON.reset(token)
            finish_request(environ, self.max_body_size)

    def handle_request(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        """Dispatch on the method: GET to `handle_get`, POST to `handle_post`, others to
        `handle_not_allowed_method`. A GET or POST whose client accepts only streamed
        responses gets 406 first.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        method = request_method(environ)
        if method == "POST":
            refuse_streaming(accept_header(environ))
            return self.handle_post(environ, start_response)
        if method == "GET":
            refuse_streaming(accept_header(environ))
            return self.handle_get(environ, start_response)
        return self.handle_not_allowed_method(environ, start_response)

    def handle_get(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        """Answer a GET: `handle_get_query` for a query in the URL when
        `execute_get_queries` is on, else `handle_get_explorer` for clients that accept
        HTML.

        JSON clients without an executable query get a 400 saying the query is missing
        (405 with `Allow` when the URL has a query but GET execution is off); HTML
        clients get `handle_not_allowed_method` when the explorer or introspection is off.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        query_params = dict(request_for(environ).query_params)
        route = route_get(
            query_params,
            accept_header(environ),
            execute_get_queries=self.execute_get_queries,
            explorer_shown=self.introspection and self.explorer is not None,
            allowed=self.allowed_methods(),
        )
        if route == "execute":
            return self.handle_get_query(environ, start_response, query_params)
        if route == "explorer":
            return self.handle_get_explorer(environ, start_response)
        return self.handle_not_allowed_method(environ, start_response)

    def handle_get_query(
        self, environ: Environ, start_response: StartResponse, query_params: dict[str, str]
    ) -> list[bytes]:
        """Execute the query in the URL: `extract_data_from_get`, `execute_query`,
        `return_response_from_result`. Only queries run over GET.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.

        `query_params`: the decoded URL parameters.
        """
        negotiate_media_type(accept_header(environ))  # 406 before any work
        data = self.extract_data_from_get(query_params)
        result = self.execute_query(environ, data)
        return self.return_response_from_result(start_response, result)

    def handle_get_explorer(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        """Return the explorer's HTML page; an explorer that gives None (`ExplorerHttp405`)
        gets an empty-body 405 with `Allow`, as Ariadne answers (no explorer at all:
        `handle_not_allowed_method`).

        The explorer gets graphqlwire's `Request` view of the environ; an async explorer
        is run to completion in this worker thread.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        explorer = self.explorer
        if explorer is None:
            return self.handle_not_allowed_method(environ, start_response)
        html = explorer.html(request_for(environ))
        if inspect.isawaitable(html):
            html = asyncio.run(_awaited(html))
        if not html:
            allow = ", ".join(self.allowed_methods())
            refusal = Response(status_code=405, headers={"allow": allow}, media_type="text/plain")
            return self.return_response(refusal, start_response)
        return self.return_response(HTMLResponse(html), start_response)

    def handle_post(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        """Answer a POST: `get_request_data`, `execute_query`, `return_response_from_result`.

        406 first when the client accepts no GraphQL media type. A batch (a list of
        operations, when `max_batch_size` allows) runs each in order and answers a JSON
        array.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        media_type = negotiate_media_type(accept_header(environ))
        data = self.get_request_data(environ)
        if isinstance(data, list):
            operations = check_batch(data, self.max_batch_size, self.schema, self.execution_options)
            results = [self.execute_query(environ, operation) for operation in operations]
            return self.return_response(batch_response(results, media_type), start_response)
        result = self.execute_query(environ, data)
        return self.return_response_from_result(start_response, result)

    def return_response_from_result(
        self, start_response: StartResponse, result: GraphQLResult
    ) -> list[bytes]:
        """Send the JSON response of a `(success, result)` pair and return its body.

        Media type from the request's `Accept`, status from `status_mode` (see
        `graphqlwire.graphql_http`). Called outside `__call__` (no current request) it
        answers `application/json` with the status a POST gets.

        # Required arguments

        `start_response`: the WSGI `start_response` callable.

        `result`: the `GraphQLResult` from `execute_query`.
        """
        success, response = result
        environ = _CURRENT_ENVIRON.get()
        accept = None if environ is None else accept_header(environ)
        method = "POST" if environ is None else request_method(environ)
        media_type = negotiate_media_type(accept)
        return self.return_response(
            result_response(
                response, success, media_type, method=method, status_mode=self.status_mode
            ),
            start_response,
        )

    def handle_graphql_error(
        self, error: GraphQLError, start_response: StartResponse
    ) -> list[bytes]:
        """Answer a `GraphQLError` raised by a step (an override refusing a request):
        400 with the error, formatted by `error_formatter`, as the GraphQL `errors`.

        # Required arguments

        `error`: the `GraphQLError`.

        `start_response`: the WSGI `start_response` callable.
        """
        body = {"errors": [self.error_formatter(error, self.debug)]}
        return self.return_response(JSONResponse(body, status_code=400), start_response)

    def handle_http_error(self, error: HttpError, start_response: StartResponse) -> list[bytes]:
        """Answer an `HttpError` raised by a step: its status line and headers, and a JSON
        body `{"errors": [{"message": ...}]}`.

        # Required arguments

        `error`: the `HttpError`.

        `start_response`: the WSGI `start_response` callable.
        """
        return self.return_response(error_response(error), start_response, status=error.status)

    def handle_not_allowed_method(
        self, environ: Environ, start_response: StartResponse
    ) -> list[bytes]:
        """OPTIONS: an empty 200 with `Allow`; GET (no explorer page to show): an empty
        405 with `Allow`, as Ariadne answers; other methods: 405 with `Allow` and a JSON
        error naming the allowed methods.

        # Required arguments

        `environ`: the WSGI environ.

        `start_response`: the WSGI `start_response` callable.
        """
        method, allowed = request_method(environ), self.allowed_methods()
        if method == "GET":
            headers = {"allow": ", ".join(allowed)}
            response = Response(status_code=405, headers=headers, media_type="text/plain")
            return self.return_response(response, start_response)
        try:
            response = not_allowed_response(method, allowed)
        except HttpError as error:
            return self.handle_http_error(error, start_response)
        return self.return_response(response, start_response)

    def allowed_methods(self) -> list[str]:
        """The methods served, for `Allow`: GET only with GET queries or a visible explorer."""
        return allowed_methods(
            execute_get_queries=self.execute_get_queries,
            introspection=self.introspection,
            has_explorer=self.explorer is not None,
        )

    def return_response(
        self, response: Response, start_response: StartResponse, *, status: str | None = None
    ) -> list[bytes]:
        """Send `response` the WSGI way and return its body.

        The status line is `status` or the code's line in Ariadne's spelling
        (`"400 BAD REQUEST"`); headers become `str` pairs. A response to a GET gets
        `Vary: Accept` (the same URL gives the explorer page or JSON).

        # Required arguments

        `response`: the `Response` to send.

        `start_response`: the WSGI `start_response` callable.

        # Optional arguments

        `status`: the status line to send instead of the code's.
        """
        environ = _CURRENT_ENVIRON.get()
        if environ is not None and request_method(environ) == "GET":
            vary_on_accept(response)
        headers = [
            (name.decode("latin-1"), value.decode("latin-1"))
            for name, value in response.raw_headers
        ]
        start_response(status or status_line(response.status_code), headers)
        return [response.body]


async def _awaited(value: Any) -> Any:
    return await value
