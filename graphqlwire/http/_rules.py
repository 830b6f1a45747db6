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

# Status modes

``"ariadne"`` (the default) keeps Ariadne's behaviour for ``application/json`` responses:
200 when ``data`` is not null, 400 otherwise. ``"spec"`` applies the GraphQL-over-HTTP
status codes to ``application/json`` too. Clients that prefer
``application/graphql-response+json`` always get the GoH codes:

=============================================  ======
result                                         status
=============================================  ======
``data`` and no ``errors``                     200
``data`` (even null) and ``errors``            294
request not well-formed                        422
document does not parse                        400
validation failed                              422
mutation or subscription over GET (any mode)   405 (+ ``Allow: POST``)
subscription over POST                         422
variables / operation name could not be used   422
=============================================  ======
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from graphql import OperationType

from .. import _json as strict_json
from ..execution import OperationPolicy, failure_of
from ._errors import (
    HttpBadRequestError,
    HttpError,
    HttpNotAcceptableError,
    HttpUnsupportedMediaTypeError,
)
from ._mediatypes import is_utf8_charset, negotiate, parse_content_type
from ._responses import JSONResponse, PlainTextResponse, Response

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
MULTIPART = "multipart/form-data"
HTML = "text/html"

StatusMode = Literal["ariadne", "spec"]
BodyKind = Literal["json", "multipart"]
STATUS_MODES: tuple[StatusMode, ...] = ("ariadne", "spec")
#: GoH's status for a result with ``data`` and ``errors`` (graphql-over-http#346).
PARTIAL_SUCCESS = 294
#: Default ``max_body_size`` of the ASGI handler and the WSGI app: JSON bodies are held in
#: memory, so they are bounded unless the application explicitly passes None.
DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024

#: Status per ``execution.failure_of`` stage, for results without a ``data`` entry.
_FAILURE_STATUS: dict[str | None, int] = {
    "request": 422,
    "parse": 400,
    "validation": 422,
    "operation": 422,
    "execution": 422,
}

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


#: GET parameters whose value is JSON text (GoH: ``variables`` and ``extensions``).
_JSON_PARAMS = ("variables", "extensions")


def data_from_query_params(params: Mapping[str, str]) -> dict[str, Any]:
    """The GraphQL request data in a GET request's query parameters, not yet checked.

    GoH: ``query``, ``operationName``, and ``variables``/``extensions`` as JSON text;
    an empty value means absent; ``operationName=null`` names an operation "null".
    Invalid JSON in ``variables``/``extensions`` gets a 400 naming the parameter.

    # Required arguments

    `params`: the decoded query parameters (any mapping of str to str).
    """
    data: dict[str, Any] = {}
    for name in ("query", "operationName"):
        value = params.get(name)
        if value:
            data[name] = value
    for name in _JSON_PARAMS:
        value = params.get(name)
        if value:
            data[name] = _json_param(name, value)
    return data


def has_get_query(params: Mapping[str, str]) -> bool:
    """Whether a GET request's query parameters carry a ``query`` to execute.

    An empty ``query=`` counts as absent (GoH), in the handlers and in the CSRF guard.
    """
    return bool(params.get("query"))


# --- options and methods -------------------------------------------------------------------


def refuse_over_post(kind: OperationType) -> str | None:
    """The operation policy of POST (and of WebSocket queries): no subscriptions."""
    if kind is OperationType.SUBSCRIPTION:
        return (
            "Subscriptions are not executed over HTTP: subscribe over a WebSocket "
            "(graphql-transport-ws or graphql-ws subprotocol)."
        )
    return None


def refuse_over_get(kind: OperationType) -> str | None:
    """The operation policy of GET: queries only (RFC 9110: GET is safe)."""
    if kind is OperationType.QUERY:
        return None
    return refuse_over_post(kind) or (
        f"Only query operations can be executed here (a GET request), and this "
        f"is a {kind.value}: send it with POST."
    )


def operation_policy(method: str | None) -> OperationPolicy:
    """The operation policy for a request with this method (None: not an HTTP request)."""
    return refuse_over_get if method == "GET" else refuse_over_post


def check_status_mode(status_mode: str) -> StatusMode:
    """Return ``status_mode`` if it is one of ``STATUS_MODES``, else raise ``ValueError``."""
    for mode in STATUS_MODES:
        if status_mode == mode:
            return mode
    raise ValueError(f"status_mode must be 'ariadne' or 'spec', not {status_mode!r}")


def allowed_methods(
    *, execute_get_queries: bool, introspection: bool, has_explorer: bool
) -> list[str]:
    """The methods a GraphQL endpoint serves, for ``Allow`` headers.

    GET is served when queries may be sent with GET, or when the explorer page is shown
    (it needs introspection); POST and OPTIONS always are.
    """
    get = execute_get_queries or (introspection and has_explorer)
    return ["GET", "POST", "OPTIONS"] if get else ["POST", "OPTIONS"]


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


# --- responses -----------------------------------------------------------------------------


def result_status(
    response: dict[str, Any],
    success: bool,
    media_type: str,
    *,
    method: str = "POST",
    status_mode: StatusMode = "ariadne",
) -> int:
    """The HTTP status for a GraphQL result (see the module docstring's table).

    A GET whose operation was refused (a mutation or subscription over GET) is 405 in
    every mode (``result_response`` adds ``Allow: POST``).

    # Required arguments

    `response`: the JSON-ready result dict from ``execution.graphql``.

    `success`: ``True`` when ``data`` is not null.

    `media_type`: the negotiated response media type.

    # Optional arguments

    `method`: the request method.

    `status_mode`: ``"ariadne"`` or ``"spec"``, see the module docstring.
    """
    if "data" not in response:
        failure = failure_of(response)
        if failure == "operation" and method == "GET":
            return 405
        if media_type == JSON and status_mode == "ariadne":
            return 400
        return _FAILURE_STATUS.get(failure, 400)
    if media_type == JSON and status_mode == "ariadne":
        return 200 if success else 400
    return PARTIAL_SUCCESS if response.get("errors") else 200


def result_response(
    response: dict[str, Any],
    success: bool,
    media_type: str,
    *,
    method: str = "POST",
    status_mode: StatusMode = "ariadne",
) -> JSONResponse:
    """The HTTP response for a GraphQL result: its status, media type and JSON body.

    The status comes from ``result_status``; a 405 gets ``Allow: POST`` (RFC 9110 says
    a 405 MUST carry ``Allow``). Arguments are those of ``result_status``.
    """
    status = result_status(response, success, media_type, method=method, status_mode=status_mode)
    headers = _ALLOW_POST if status == 405 else None
    return JSONResponse(response, status_code=status, headers=headers, media_type=media_type)


_ALLOW_POST = {"allow": "POST"}


def error_response(error: HttpError) -> JSONResponse:
    """The response for a request refused before any GraphQL work.

    Body ``{"errors": [{"message": ...}]}`` with the error's status and headers, always
    labelled ``application/json``: GoH forbids labelling a body that is not a GraphQL
    response ``application/graphql-response+json``.
    """
    return JSONResponse(
        {"errors": [{"message": error.message}]},
        status_code=error.status,
        headers=error.headers,
    )


__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "GRAPHQL_RESPONSE_JSON",
    "HTML",
    "JSON",
    "MULTIPART",
    "PARTIAL_SUCCESS",
    "PREFLIGHT_HEADERS",
    "STATUS_MODES",
    "BodyKind",
    "StatusMode",
    "allowed_methods",
    "check_status_mode",
    "data_from_query_params",
    "error_response",
    "has_get_query",
    "is_csrf_prone",
    "negotiate_media_type",
    "options_response",
    "request_body_kind",
    "result_response",
    "result_status",
    "vary_on_accept",
    "wants_html",
]
