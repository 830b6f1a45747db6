"""GraphQL-over-HTTP rules that do not depend on the transport (shared by ASGI and WSGI).

Everything here is pure: strings and bytes in, values or ``HttpError`` out. The ASGI
handler and the WSGI app both call these functions, so the two transports agree on

* how request data is read from a JSON body and from GET query parameters,
* which response media type an ``Accept`` header asks for (``q=`` values honoured),
* which status code a GraphQL result gets.

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
operation not allowed here (GET mutation)      405 (+ ``Allow: POST``)
variables / operation name could not be used   422
=============================================  ======
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Literal

from .errors import (
    HttpBadRequestError,
    HttpNotAcceptableError,
    HttpUnsupportedMediaTypeError,
)
from .execution import failure_of

JSON = "application/json"
GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
MULTIPART = "multipart/form-data"
HTML = "text/html"

StatusMode = Literal["ariadne", "spec"]
STATUS_MODES: tuple[StatusMode, ...] = ("ariadne", "spec")
#: GoH's status for a result with ``data`` and ``errors`` (graphql-over-http#346).
PARTIAL_SUCCESS = 294

#: Status per ``execution.failure_of`` stage, for results without a ``data`` entry.
_FAILURE_STATUS: dict[str | None, int] = {
    "request": 422,
    "parse": 400,
    "validation": 422,
    "operation": 422,
    "execution": 422,
}

ERROR_CONTENT_TYPE = "application/json; charset=utf-8"
_CONTENT_TYPES = {
    JSON: "application/json; charset=utf-8",
    GRAPHQL_RESPONSE_JSON: "application/graphql-response+json; charset=utf-8",
}


# --- media types ---------------------------------------------------------------------------


def _split_media_range(item: str) -> tuple[str, dict[str, str]]:
    """``"Type/Sub ; a=1"`` -> ``("type/sub", {"a": "1"})``; names lowercased, quotes removed."""
    essence, *raw_params = item.split(";")
    params: dict[str, str] = {}
    for raw in raw_params:
        name, sep, value = raw.partition("=")
        if sep:
            params[name.strip().lower()] = value.strip().strip('"')
    return essence.strip().lower(), params


def _quality(params: Mapping[str, str]) -> float:
    try:
        q = float(params.get("q", "1"))
    except ValueError:
        return 0.0  # RFC 9110 §12.4.2 qvalue grammar; a broken weight counts as "not acceptable"
    return q if 0.0 <= q <= 1.0 else 0.0


@lru_cache(maxsize=512)
def parse_accept(accept: str) -> tuple[tuple[str, float], ...]:
    """Parse an ``Accept`` header into ``(media range, q)`` pairs, in the order sent.

    Parameters other than ``q`` are dropped: no GraphQL media type defines any.
    The result is cached, so the hot path pays for each distinct header once.
    """
    ranges = []
    for item in accept.split(","):
        if item.strip():
            essence, params = _split_media_range(item)
            ranges.append((essence, _quality(params)))
    return tuple(ranges)


def quality_of(accept: str | None, media_type: str) -> tuple[float, int]:
    """How much ``accept`` wants ``media_type``: ``(q, specificity)``.

    RFC 9110 §12.5.1: the most specific matching range decides (``type/sub`` beats
    ``type/*`` beats ``*/*``). A missing header accepts everything (``(1.0, 0)``).
    No matching range gives ``(0.0, -1)``.
    """
    if accept is None or not accept.strip():
        return 1.0, 0  # an empty header is treated as absent, as browsers and proxies mean it
    main = media_type.split("/", 1)[0]
    best: tuple[float, int] = (0.0, -1)
    for essence, q in parse_accept(accept):
        if essence == media_type:
            specificity = 2
        elif essence == f"{main}/*":
            specificity = 1
        elif essence == "*/*":
            specificity = 0
        else:
            continue
        if specificity > best[1] or (specificity == best[1] and q > best[0]):
            best = (q, specificity)
    return best


@lru_cache(maxsize=512)
def _negotiate(accept: str | None) -> str | None:
    json_q = quality_of(accept, JSON)
    gql_q = quality_of(accept, GRAPHQL_RESPONSE_JSON)
    if json_q[0] <= 0 and gql_q[0] <= 0:
        return None
    # Equal weights: a client that names graphql-response+json explicitly speaks GoH;
    # one that only sent wildcards (or nothing) gets Ariadne's application/json.
    if gql_q[0] > json_q[0] or (gql_q[0] == json_q[0] and gql_q[1] == 2):
        return GRAPHQL_RESPONSE_JSON
    return JSON


def negotiate_media_type(accept: str | None) -> str:
    """Pick the response media type for a GraphQL result from the ``Accept`` header.

    Returns ``application/graphql-response+json`` or ``application/json`` (no header,
    or only wildcards, gives ``application/json``). Raises ``HttpNotAcceptableError``
    (406) when neither is acceptable, e.g. ``Accept: text/html`` alone.

    # Required arguments

    `accept`: the request's ``Accept`` header value, or None when it was not sent.
    """
    media_type = _negotiate(accept)
    if media_type is None:
        raise HttpNotAcceptableError(
            f"None of the media types in the Accept header can be served: send "
            f"'Accept: {GRAPHQL_RESPONSE_JSON}' or 'Accept: {JSON}'."
        )
    return media_type


@lru_cache(maxsize=512)
def wants_html(accept: str | None) -> bool:
    """Whether a GET without ``query`` should get the explorer page rather than an error.

    True with no ``Accept`` header (Ariadne's behaviour) and when ``text/html`` is
    acceptable at least as much as either JSON media type (browsers, ``*/*``).
    """
    html = quality_of(accept, HTML)[0]
    if html <= 0:
        return False
    return html >= max(quality_of(accept, JSON)[0], quality_of(accept, GRAPHQL_RESPONSE_JSON)[0])


def content_type_for(media_type: str) -> str:
    """The ``Content-Type`` header value for a negotiated GraphQL media type (utf-8)."""
    return _CONTENT_TYPES[media_type]


BodyKind = Literal["json", "multipart"]


@lru_cache(maxsize=256)
def request_body_kind(content_type: str | None) -> BodyKind:
    """Classify a POST body by its ``Content-Type``: ``"json"`` or ``"multipart"``.

    Raises ``HttpUnsupportedMediaTypeError`` (415) when the header is missing (GoH: a
    POST without Content-Type SHOULD get a 4xx), names another media type, or names a
    charset other than utf-8 for JSON (GoH: JSON bodies are utf-8).
    """
    if not content_type or not content_type.strip():
        raise HttpUnsupportedMediaTypeError(
            f"Missing Content-Type header: send '{JSON}' or '{MULTIPART}'."
        )
    essence, params = _split_media_range(content_type)
    if essence == JSON:
        charset = params.get("charset", "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise HttpUnsupportedMediaTypeError(
                f"Unsupported charset {charset!r} for {JSON}: only utf-8 is accepted."
            )
        return "json"
    if essence == MULTIPART:
        return "multipart"
    raise HttpUnsupportedMediaTypeError(
        f"Unsupported Content-Type {essence!r}: send '{JSON}' or '{MULTIPART}'."
    )


# --- request data --------------------------------------------------------------------------


def decode_json(raw: bytes | str, what: str = "Request body") -> Any:
    """Decode JSON text, raising ``HttpBadRequestError`` (400) with a clear message.

    Bytes must be utf-8 (GoH assumes utf-8 when the media type carries no charset).

    # Required arguments

    `raw`: the JSON text as bytes or str.

    # Optional arguments

    `what`: names the value in error messages ("Request body", "'variables'", ...).
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise HttpBadRequestError(
                f"{what} is not valid UTF-8 (invalid byte at position {error.start})."
            ) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise HttpBadRequestError(
            f"{what} is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})."
        ) from None
    except RecursionError:
        raise HttpBadRequestError(f"{what} is not valid JSON: nested too deeply.") from None


def data_from_json_body(body: bytes) -> Any:
    """The GraphQL request data in a JSON POST body, not yet checked.

    Only the JSON itself is checked here: the execution layer checks the shape (an
    object, ``query`` a string, ...) so that GoH can answer 422 rather than 400.
    An empty body gets a 400 that says so.
    """
    if not body.strip():
        raise HttpBadRequestError("Request body is empty: expected a JSON object.")
    return decode_json(body)


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
            data[name] = decode_json(value, f"The {name!r} query parameter")
    return data


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
    every mode, with ``Allow: POST`` added by the caller (``allow_header_for``).

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


def allow_header_for(status: int) -> dict[str, str]:
    """Extra headers a result status needs: RFC 9110 says a 405 MUST carry ``Allow``."""
    return {"allow": "POST"} if status == 405 else {}


def encode_json(value: Any) -> bytes:
    """Serialize a JSON-ready value to compact utf-8 bytes (non-ASCII kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_body(message: str) -> bytes:
    """The body of a non-GraphQL error response: ``{"errors": [{"message": ...}]}``."""
    return encode_json({"errors": [{"message": message}]})


__all__ = [
    "ERROR_CONTENT_TYPE",
    "GRAPHQL_RESPONSE_JSON",
    "HTML",
    "JSON",
    "MULTIPART",
    "PARTIAL_SUCCESS",
    "STATUS_MODES",
    "BodyKind",
    "StatusMode",
    "allow_header_for",
    "content_type_for",
    "data_from_json_body",
    "data_from_query_params",
    "decode_json",
    "encode_json",
    "error_body",
    "negotiate_media_type",
    "parse_accept",
    "quality_of",
    "request_body_kind",
    "result_status",
    "wants_html",
]
