"""Optional ASGI middleware for GraphQL endpoints: CORS, a CSRF guard, and a path router.

The first two wrap any ASGI app (the ``GraphQL`` app, or a whole Starlette app) and only
look at ``http`` scopes; WebSocket and lifespan connections pass through untouched.
``GraphQLMiddleware`` serves a GraphQL app on one path of another app, as Ariadne's WSGI
``GraphQLMiddleware(app, graphql_app, path)`` does.

    app = CORSMiddleware(
        RequirePreflightMiddleware(GraphQL(schema)),
        allow_origins=["https://example.com"],
        allow_headers=["content-type", "graphql-require-preflight"],
    )

``CORSMiddleware`` answers preflight requests (``OPTIONS`` with
``Access-Control-Request-Method``) itself and adds ``Access-Control-Allow-Origin`` (and
friends) to the responses of allowed origins. ``RequirePreflightMiddleware`` refuses, with
a 400, the requests a browser would send cross-site without a preflight (see
``graphql_http.is_csrf_prone``) unless they carry a header such as
``GraphQL-Require-Preflight``: multipart uploads, forms, ``text/plain`` and GET queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLSchema

from ..http import Headers, HttpBadRequestError, PlainTextResponse, QueryParams, Response
from ..http._rules import PREFLIGHT_HEADERS, has_get_query, is_csrf_prone
from ..http._status import error_response
from ..types import ASGIApp, Message, Receive, Scope, Send

_SAFELISTED_HEADERS = frozenset({"accept", "accept-language", "content-language", "content-type"})


class CORSMiddleware:
    """Cross-Origin Resource Sharing for an ASGI app.

    # Required arguments

    `app`: the ASGI app to wrap.

    # Optional arguments

    `allow_origins`: origins allowed to call the app, like ``"https://example.com"``;
    ``"*"`` allows any origin (not with ``allow_credentials``). The opaque origin
    ``"null"`` (sandboxed iframes, ``file:`` pages) is only echoed when listed.

    `allow_methods`: methods allowed in cross-origin requests (``"*"`` for any).

    `allow_headers`: request headers allowed in cross-origin requests (``"*"`` for any);
    the CORS-safelisted ones (``Accept``, ``Content-Type``, ...) always are.

    `allow_credentials`: let browsers send cookies and read responses to credentialed
    requests (the origin is then echoed instead of ``*``). Needs explicit origins:
    with ``"*"`` any site could read the visitors' data, so that raises ``ValueError``.

    `max_age`: seconds browsers may cache a preflight answer.

    `expose_headers`: response headers that scripts may read.
    """

    def __init__(
        self,
        app: ASGIApp,
        allow_origins: Iterable[str] = (),
        allow_methods: Iterable[str] = ("GET", "POST", "OPTIONS"),
        allow_headers: Iterable[str] = (),
        allow_credentials: bool = False,
        max_age: int = 600,
        expose_headers: Iterable[str] = (),
    ) -> None:
        self.app = app
        origins = set(allow_origins)
        self.any_origin = "*" in origins
        if self.any_origin and allow_credentials:
            raise ValueError(
                "CORSMiddleware: allow_origins=['*'] cannot be combined with "
                "allow_credentials=True (any site could read responses with the visitor's "
                "cookies): list the allowed origins instead, e.g. "
                "allow_origins=['https://app.example']."
            )
        self.origins = frozenset(origins - {"*"})
        methods = {method.upper() for method in allow_methods}
        self.any_method = "*" in methods
        self.methods = ", ".join(sorted(methods - {"*"}))
        headers = {header.lower() for header in allow_headers}
        self.any_header = "*" in headers
        self.headers = frozenset((headers - {"*"}) | _SAFELISTED_HEADERS)
        self.credentials = allow_credentials
        self.max_age = max_age
        self.expose = ", ".join(expose_headers)
        self._methods_set = frozenset(methods)

    def is_allowed_origin(self, origin: str) -> bool:
        """Whether ``origin`` may call the app."""
        return self.any_origin or origin in self.origins

    def _origin_headers(self, origin: str) -> dict[str, str]:
        # "*" (never with credentials, see __init__) answers "*": no origin is echoed.
        # Otherwise ``origin`` is one of the listed ones ("null" only when listed): echo it
        # and say the answer varies with it so caches keep one per origin.
        if self.any_origin:
            return {"access-control-allow-origin": "*"}
        headers = {"access-control-allow-origin": origin, "vary": "Origin"}
        if self.credentials:
            headers["access-control-allow-credentials"] = "true"
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(origin, headers)(scope, receive, send)
            return
        if not self.is_allowed_origin(origin):
            await self.app(scope, receive, send)
            return
        extra = self._origin_headers(origin)
        if self.expose:
            extra["access-control-expose-headers"] = self.expose
        encoded = [
            (name.encode("latin-1"), value.encode("latin-1")) for name, value in extra.items()
        ]

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = _merge_vary(list(message.get("headers") or []), encoded)
            await send(message)

        await self.app(scope, receive, send_with_cors)

    def preflight(self, origin: str, headers: Headers) -> Response:
        """The answer to a CORS preflight request from ``origin``.

        400 with a plain-text reason when the origin, method or a requested header is
        not allowed; otherwise 200 with the ``Access-Control-Allow-*`` headers.
        """
        method = headers.get("access-control-request-method", "").upper()
        requested = [
            name.strip().lower()
            for name in headers.get("access-control-request-headers", "").split(",")
            if name.strip()
        ]
        problems = []
        if not self.is_allowed_origin(origin):
            problems.append(f"origin {origin!r}")
        if not self.any_method and method not in self._methods_set:
            problems.append(f"method {method!r}")
        refused = [name for name in requested if name not in self.headers]
        if refused and not self.any_header:
            problems.append(f"headers {', '.join(refused)}")
        if problems:
            return PlainTextResponse(f"Disallowed CORS {'; '.join(problems)}.", status_code=400)
        answer = self._origin_headers(origin)
        answer["vary"] = "Origin"
        answer["access-control-allow-methods"] = method if self.any_method else self.methods
        if requested:
            answer["access-control-allow-headers"] = ", ".join(requested)
        answer["access-control-max-age"] = str(self.max_age)
        return PlainTextResponse("OK", status_code=200, headers=answer)


def _merge_vary(
    headers: list[tuple[bytes, bytes]], extra: list[tuple[bytes, bytes]]
) -> list[tuple[bytes, bytes]]:
    """Add ``extra`` to response headers, joining ``Vary`` values rather than repeating."""
    for name, value in extra:
        if name == b"vary":
            for index, (existing, current) in enumerate(headers):
                if existing.lower() == b"vary":
                    headers[index] = (existing, current + b", " + value)
                    break
            else:
                headers.append((name, value))
        else:
            headers.append((name, value))
    return headers


class RequirePreflightMiddleware:
    """CSRF guard: refuse requests a browser could send cross-site without a preflight.

    Multipart and urlencoded bodies, ``text/plain`` and GET queries are CORS "simple"
    requests: a hostile page can make a visitor's browser send them, cookies included.
    They get a 400 unless they carry one of ``header_names`` (any value), which a
    browser only sends cross-site after a CORS preflight the server approved. JSON POSTs,
    the explorer page (GET without ``query``) and ``OPTIONS`` pass.

    # Required arguments

    `app`: the ASGI app to wrap.

    # Optional arguments

    `header_names`: the headers that prove a preflight; defaults to
    ``GraphQL-Require-Preflight``, ``Apollo-Require-Preflight`` and
    ``X-Apollo-Operation-Name``.
    """

    def __init__(self, app: ASGIApp, header_names: Iterable[str] = PREFLIGHT_HEADERS) -> None:
        self.app = app
        self.header_names = tuple(name.lower() for name in header_names)
        names = ", ".join(f"'{name}'" for name in self.header_names)
        self._message = (
            "This request could have been sent cross-site (a CSRF risk) and is refused: "
            f"add a non-empty {names} header (any of them), or send JSON with POST."
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.is_refused(scope):
            # A fresh response each time: middleware further out may edit header lists.
            await error_response(HttpBadRequestError(self._message))(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def is_refused(self, scope: Scope) -> bool:
        """Whether the request in ``scope`` is CSRF-prone and carries no preflight header."""
        headers = Headers(scope=scope)
        method: str = scope["method"]
        # The handlers' rule: an empty ``query=`` is no query (the explorer page or a 400).
        has_query = method == "GET" and has_get_query(QueryParams(scope.get("query_string") or b""))
        if not is_csrf_prone(method, headers.get("content-type"), has_query):
            return False
        return not any(headers.get(name) for name in self.header_names)


class GraphQLMiddleware:
    """Serve a GraphQL ASGI app on one path of another ASGI app (Ariadne's WSGI signature).

    HTTP and WebSocket connections to `path` (with or without its trailing slash, below
    the scope's ``root_path``) go to the GraphQL app; every other connection, and the
    lifespan, to `app` (Starlette, Django's ASGI handler, ...).

    # Required arguments

    `app`: the ASGI app to wrap.

    `graphql_app`: the GraphQL ASGI app (`graphqlwire.asgi.GraphQL` or any ASGI app), or
    a `GraphQLSchema`, served by `GraphQL(schema, **options)`.

    # Optional arguments

    `path`: where GraphQL is served, `"/graphql/"` by default. It must start with `/`
    and not be `/` itself (which would leave nothing for `app`).

    `**options`: with a schema, the keyword options of `graphqlwire.asgi.GraphQL`.

    Raises `TypeError` for an argument of the wrong type and `ValueError` for a bad path
    when constructed, not at the first request.
    """

    def __init__(
        self,
        app: ASGIApp,
        graphql_app: ASGIApp | GraphQLSchema,
        path: str = "/graphql/",
        **options: Any,
    ) -> None:
        if not callable(app):
            raise TypeError(f"app must be a callable ASGI application, not {type(app).__name__}.")
        self.app = app
        self.graphql_app = _asgi_graphql_app(graphql_app, options)
        self.path = _checked_path(path)
        self._paths = frozenset({path, path.rstrip("/")})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.is_graphql(scope):
            await self.graphql_app(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    def is_graphql(self, scope: Scope) -> bool:
        """Whether the connection in ``scope`` is for the GraphQL app."""
        path: str = scope["path"]
        root_path: str = scope.get("root_path") or ""
        if root_path and path.startswith(root_path):
            path = path[len(root_path) :]
        return path in self._paths


def _checked_path(path: Any) -> str:
    """`path`, or the error saying why GraphQL cannot be served there."""
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, not {type(path).__name__}.")
    if not path.startswith("/"):
        raise ValueError(f"path must start with '/' (such as '/graphql/'), not {path!r}.")
    if path == "/":
        raise ValueError("path can't be '/': the wrapped app would get no request at all.")
    return path


def _asgi_graphql_app(graphql_app: Any, options: dict[str, Any]) -> ASGIApp:
    """The GraphQL ASGI app: `graphql_app` itself, or the `GraphQL` app serving a schema."""
    if isinstance(graphql_app, GraphQLSchema):
        from . import GraphQL

        return GraphQL(graphql_app, **options)
    if not callable(graphql_app):
        raise TypeError(
            "graphql_app must be an ASGI application such as graphqlwire.asgi.GraphQL(schema), "
            f"or a GraphQLSchema, not {type(graphql_app).__name__}."
        )
    if options:
        raise TypeError(
            f"options ({', '.join(sorted(options))}) only apply with a schema: give them to "
            "GraphQL(schema, ...) instead."
        )
    return graphql_app  # type: ignore[no-any-return]


__all__ = ["CORSMiddleware", "GraphQLMiddleware", "RequirePreflightMiddleware"]
