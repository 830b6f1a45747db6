"""GraphQL-over-HTTP rules that do not depend on the transport (shared by ASGI and WSGI).

Everything here is pure: strings and bytes in; values, ``HttpError`` or a ready
``JSONResponse`` (status, headers and body bytes, which WSGI can send as they are) out.
The ASGI handler and the WSGI app both call these functions, so the two transports agree on

* how request data is read from a JSON body and from GET query parameters,
* which response media type an ``Accept`` header asks for (``q=`` values honoured),
* which status code a GraphQL result gets, and how refused requests are answered.

Error bodies produced for an ``HttpError`` (bad JSON, wrong Content-Type, ...) are
``{"errors": [{"message": ...}]}`` labelled ``application/json``: GoH says a body that is
not a GraphQL response MUST NOT be labelled ``application/graphql-response+json``.
Status codes live in ``_status``.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from typing import Any, Literal

from graphql import OperationType

from .. import _json as strict_json
from ..execution import OperationPolicy
from ._errors import (
    HttpBadRequestError,
    HttpMethodNotAllowedError,
    HttpNotAcceptableError,
    HttpUnsupportedMediaTypeError,
)
from ._mediatypes import is_utf8_charset, negotiate, parse_content_type
from ._responses import PlainTextResponse, Response

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
MULTIPART = "multipart/form-data"
HTML = "text/html"

BodyKind = Literal["json", "multipart"]
#: Default ``max_body_size`` of the ASGI handler and the WSGI app: JSON bodies are held in
#: memory, so they are bounded unless the application explicitly passes None.
DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024
#: The scope extension in which graphqlwire's server tells its ``max_body_size`` (the
#: server's ``scope.BODY_LIMIT_KEY``: the server does not import this layer).
SERVER_BODY_LIMIT = "graphqlwire.max_body_size"


class BodyLimit(enum.Enum):
    """The ASGI handler's default ``max_body_size``: what the server says, if it says."""

    FROM_SERVER = "the embedded server's max_body_size, else DEFAULT_MAX_BODY_SIZE"


def body_limit(configured: int | BodyLimit | None, scope: Mapping[str, Any]) -> int | None:
    """The body limit for a request: `configured`, unless that is ``FROM_SERVER``.

    On graphqlwire's server that is its ``max_body_size`` (so ``--max-body-size`` governs
    the app too); under other servers, ``DEFAULT_MAX_BODY_SIZE``.
    """
    if configured is not BodyLimit.FROM_SERVER:
        return configured
    extensions = scope.get("extensions") or {}
    limit = extensions.get(SERVER_BODY_LIMIT, DEFAULT_MAX_BODY_SIZE)
    return limit if isinstance(limit, int) else DEFAULT_MAX_BODY_SIZE


# --- media types ---------------------------------------------------------------------------

#: Offered GraphQL media types, in the server's preference order: wildcards, a missing
#: Accept and equal weights give Ariadne's ``application/json``.
_RESULT_TYPES = (JSON, GRAPHQL_RESPONSE_JSON)
_GET_TYPES = (HTML, JSON, GRAPHQL_RESPONSE_JSON)

#: JSON ``Content-Type`` values seen before (clients send the same few strings over and
#: over). Multipart values are not cached: their boundary differs in every request.
_JSON_CONTENT_TYPES: set[str | None] = set()
_CACHE_SIZE = 256


def negotiate_media_type(accept: str | None) -> str:
    """Pick the response media type for a GraphQL result from the ``Accept`` header.

    Returns ``application/graphql-response+json`` or ``application/json`` (no header,
    wildcards only, or equal weights give ``application/json``); ``q=`` values and the
    most specific matching range decide (``graphqlwire.mediatypes``). Raises
    ``HttpNotAcceptableError`` (406) when neither is acceptable, e.g. ``Accept: text/html``.

    # Required arguments

    `accept`: the request's ``Accept`` header value, or None when it was not sent.
    """
    media_type = negotiate(accept, _RESULT_TYPES)  # (cached by ``mediatypes``)
    if media_type is None:
        raise HttpNotAcceptableError(
            f"None of the media types in the Accept header can be served: send "
            f"'Accept: {GRAPHQL_RESPONSE_JSON}' or 'Accept: {JSON}'."
        )
    return media_type


def wants_html(accept: str | None) -> bool:
    """Whether a GET without ``query`` should get the explorer page rather than an error.

    True with no ``Accept`` header (Ariadne's behaviour) and when ``text/html`` is
    acceptable at least as much as either JSON media type (browsers, ``*/*``).
    """
    return negotiate(accept, _GET_TYPES) == HTML


def request_body_kind(content_type: str | None) -> BodyKind:
    """Classify a POST body by its ``Content-Type``: ``"json"`` or ``"multipart"``.

    Raises ``HttpUnsupportedMediaTypeError`` (415) when the header is missing (GoH: a
    POST without Content-Type SHOULD get a 4xx), names another media type, or names a
    charset other than utf-8 for JSON (GoH: JSON bodies are utf-8).

    # Required arguments

    `content_type`: the request's ``Content-Type`` header value, or None.
    """
    if content_type in _JSON_CONTENT_TYPES:
        return "json"
    essence, params = parse_content_type(content_type)
    if essence == JSON:
        if not is_utf8_charset(params):
            raise HttpUnsupportedMediaTypeError(
                f"Unsupported charset {params['charset']!r} for {JSON}: only utf-8 is accepted."
            )
        if len(_JSON_CONTENT_TYPES) < _CACHE_SIZE:
            _JSON_CONTENT_TYPES.add(content_type)
        return "json"
    if essence == MULTIPART:
        return "multipart"
    if not essence:
        raise HttpUnsupportedMediaTypeError(
            f"Missing Content-Type header: send '{JSON}' or '{MULTIPART}'."
        )
    raise HttpUnsupportedMediaTypeError(
        f"Unsupported Content-Type {essence!r}: send '{JSON}' or '{MULTIPART}'."
    )


# --- request data --------------------------------------------------------------------------


def _json_param(name: str, value: str) -> Any:
    try:
        return strict_json.loads(value)
    except json.JSONDecodeError as error:
        raise HttpBadRequestError(
            f"The {name!r} query parameter is not valid JSON: {error.msg} (column {error.colno})."
        ) from None
    except RecursionError:
        raise HttpBadRequestError(
            f"The {name!r} query parameter is not valid JSON: nested too deeply."
        ) from None
    except ValueError as error:  # NaN / Infinity
        raise HttpBadRequestError(
            f"The {name!r} query parameter is not valid JSON: {error}."
        ) from None


#: GET parameters taken as they are, and those whose value is JSON text.
_TEXT_PARAMS = ("query", "documentId", "operationName")
_JSON_PARAMS = ("variables", "extensions")


def data_from_query_params(params: Mapping[str, str]) -> dict[str, Any]:
    """The GraphQL request data in a GET request's query parameters, not yet checked.

    GoH: ``query`` (or a persisted document's ``documentId``), ``operationName``, and
    ``variables``/``extensions`` as JSON text (APQ's hash is in ``extensions``); an empty
    value means absent; ``operationName=null`` names an operation "null".
    Invalid JSON in ``variables``/``extensions`` gets a 400 naming the parameter.

    # Required arguments

    `params`: the decoded query parameters (any mapping of str to str).
    """
    data: dict[str, Any] = {}
    for name in _TEXT_PARAMS:
        value = params.get(name)
        if value:
            data[name] = value
    for name in _JSON_PARAMS:
        value = params.get(name)
        if value:
            data[name] = _json_param(name, value)
    return data


def has_get_query(params: Mapping[str, str]) -> bool:
    """Whether a GET request's query parameters carry a ``query`` to execute, or name one.

    A ``documentId`` names a persisted document, and ``extensions`` may carry an APQ hash
    (without a ``query``: that is what lets CDNs cache such GETs). An empty value counts
    as absent (GoH), in the handlers and in the CSRF guard.
    """
    return bool(params.get("query") or params.get("documentId") or params.get("extensions"))


# --- options and methods -------------------------------------------------------------------


def refuse_over_post(kind: OperationType, name: str | None = None) -> str | None:
    """The operation policy of POST (and of WebSocket queries): no subscriptions.

    A named subscription is refused in Ariadne's words, naming it.
    """
    if kind is not OperationType.SUBSCRIPTION:
        return None
    if name:
        return (
            f"Operation '{name}' is a subscription and can only be executed over a "
            "WebSocket connection."
        )
    return (
        "Subscriptions are not executed over HTTP: subscribe over a WebSocket "
        "(graphql-transport-ws or graphql-ws subprotocol)."
    )


def refuse_over_get(kind: OperationType, name: str | None = None) -> str | None:
    """The operation policy of GET: queries only (RFC 9110: GET is safe)."""
    if kind is OperationType.QUERY:
        return None
    return refuse_over_post(kind, name) or (
        f"Only query operations can be executed here (a GET request), and this "
        f"is a {kind.value}: send it with POST."
    )


def operation_policy(method: str | None) -> OperationPolicy:
    """The operation policy for a request with this method (None: not an HTTP request)."""
    return refuse_over_get if method == "GET" else refuse_over_post


def allowed_methods(
    *, execute_get_queries: bool, introspection: bool, has_explorer: bool
) -> list[str]:
    """The methods a GraphQL endpoint serves, for ``Allow`` headers.

    GET is served when queries may be sent with GET, or when the explorer page is shown
    (it needs introspection); POST and OPTIONS always are. The order is Ariadne's
    (``OPTIONS, POST, GET``), which clients and tests written for it compare as a string.
    """
    get = execute_get_queries or (introspection and has_explorer)
    return ["OPTIONS", "POST", "GET"] if get else ["OPTIONS", "POST"]


#: What a GET asks of the endpoint (see ``route_get``).
GetRoute = Literal["execute", "explorer", "not allowed"]


def route_get(
    params: Mapping[str, str],
    accept: str | None,
    *,
    execute_get_queries: bool,
    explorer_shown: bool,
    allowed: list[str],
) -> GetRoute:
    """Decide what a GET is answered with, the same for the ASGI and the WSGI app.

    A query in the URL runs when GET queries are on; a browser gets the explorer when it is
    shown (else the handler's method-not-allowed answer). A JSON client without a query to
    run gets an ``HttpError``: 405 (with `allowed`) when GET queries are off and the URL has
    one, else 400 saying the query is missing.
    """
    has_query = has_get_query(params)
    if has_query and execute_get_queries:
        return "execute"
    if wants_html(accept):
        return "explorer" if explorer_shown else "not allowed"
    if has_query:
        raise HttpMethodNotAllowedError(
            "Executing queries sent with GET is disabled on this server: use POST.",
            allow=allowed,
        )
    raise HttpBadRequestError(
        "Missing GraphQL query: send it in the body of a POST request"
        + (" or in the 'query' URL parameter." if execute_get_queries else ".")
    )


def not_allowed_response(method: str, allowed: list[str]) -> Response:
    """OPTIONS: ``options_response``; any other method a 405 naming the allowed ones."""
    if method == "OPTIONS":
        return options_response(allowed)
    raise HttpMethodNotAllowedError(
        f"Method {method} is not allowed here: use {', '.join(allowed)}.", allow=allowed
    )


def options_response(allowed: list[str]) -> Response:
    """The answer to a plain ``OPTIONS`` request: 200, an empty body and ``Allow``.

    The (empty) body is labelled ``text/plain``: PEP 3333 validators want a Content-Type
    on every 200, and the ASGI and WSGI apps answer alike.
    """
    return PlainTextResponse(headers={"allow": ", ".join(allowed)})


def vary_on_accept(response: Response) -> Response:
    """Add ``Vary: Accept`` to ``response`` (once) and return it.

    For GET responses: the same URL gets the explorer page or a JSON result depending on
    the ``Accept`` header, so caches must keep one answer per ``Accept`` value.
    """
    headers = response.headers
    vary = headers.get("vary")
    if vary is None:
        headers["vary"] = "Accept"
    elif "accept" not in {token.strip().lower() for token in vary.split(",")}:
        headers["vary"] = f"{vary}, Accept"
    return response


# --- CSRF ----------------------------------------------------------------------------------

#: Request headers that a browser can only send after a CORS preflight: their presence
#: proves the request is not a cross-site "simple" request (Apollo's names included).
PREFLIGHT_HEADERS = (
    "graphql-require-preflight",
    "apollo-require-preflight",
    "x-apollo-operation-name",
)
#: Content types a cross-site form or ``fetch`` can send without a preflight.
_SIMPLE_CONTENT_TYPES = frozenset(
    {"", "multipart/form-data", "application/x-www-form-urlencoded", "text/plain"}
)


def is_csrf_prone(method: str, content_type: str | None, get_has_query: bool) -> bool:
    """Whether a request could have been sent cross-site without a CORS preflight.

    Browsers send GET and POST with a CORS-"simple" Content-Type (multipart, urlencoded,
    text/plain, none) to any site without asking first, with the user's cookies: the
    GraphQL multipart spec's security note. Such requests must carry a header from
    ``PREFLIGHT_HEADERS`` to run. A GET without a ``query`` (the explorer page) and JSON
    POSTs (``application/json`` is not simple) are not prone.

    # Required arguments

    `method`: the request method.

    `content_type`: the ``Content-Type`` header value, or None.

    `get_has_query`: whether the URL carries a ``query`` parameter.
    """
    if method == "GET":
        return get_has_query
    if method != "POST":
        return False
    return parse_content_type(content_type)[0] in _SIMPLE_CONTENT_TYPES


__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "GRAPHQL_RESPONSE_JSON",
    "HTML",
    "JSON",
    "MULTIPART",
    "PREFLIGHT_HEADERS",
    "SERVER_BODY_LIMIT",
    "BodyKind",
    "BodyLimit",
    "GetRoute",
    "allowed_methods",
    "body_limit",
    "data_from_query_params",
    "has_get_query",
    "is_csrf_prone",
    "negotiate_media_type",
    "not_allowed_response",
    "options_response",
    "request_body_kind",
    "route_get",
    "vary_on_accept",
    "wants_html",
]
