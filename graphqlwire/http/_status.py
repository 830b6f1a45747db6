"""Which status code a GraphQL result gets, and how refused requests are answered.

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
over an operation limit (``OperationLimits``)  422
validation failed                              422
mutation or subscription over GET (any mode)   405 (+ ``Allow: POST``)
subscription over POST                         422
variables / operation name could not be used   422
unknown ``documentId``                         422
APQ hash unknown, or APQ off (any mode)        200
not a trusted document (any mode)              403
=============================================  ======

An unknown APQ hash (``PersistedQueryNotFound``) or a hash sent while APQ is off
(``PersistedQueryNotSupported``) is answered 200 in every mode, as Apollo Server does,
although the response has no ``data`` (for which GoH asks a 4xx): these errors ask the
client to send the query, and Apollo Client 3's persisted query link (like the Flutter
``graphql`` links) stops using APQ for good on a 400 or 500.
"""

from __future__ import annotations

from typing import Any, Literal

from ..execution import failure_of
from ._errors import HttpError
from ._responses import JSONResponse
from ._rules import JSON

StatusMode = Literal["ariadne", "spec"]
STATUS_MODES: tuple[StatusMode, ...] = ("ariadne", "spec")
#: GoH's status for a result with ``data`` and ``errors`` (graphql-over-http#346).
PARTIAL_SUCCESS = 294

#: Failures answered alike in every mode: APQ's retry requests, and refusals by policy.
_FIXED_STATUS: dict[str | None, int] = {"persisted": 200, "trusted": 403}
#: Status per ``execution.failure_of`` stage, for results without a ``data`` entry.
_FAILURE_STATUS: dict[str | None, int] = {
    "request": 422,
    "parse": 400,
    "limit": 422,
    "validation": 422,
    "operation": 422,
    "execution": 422,
}


def check_status_mode(status_mode: str) -> StatusMode:
    """Return ``status_mode`` if it is one of ``STATUS_MODES``, else raise ``ValueError``."""
    for mode in STATUS_MODES:
        if status_mode == mode:
            return mode
    raise ValueError(f"status_mode must be 'ariadne' or 'spec', not {status_mode!r}")


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
    every mode (``result_response`` adds ``Allow: POST``); APQ's ``PersistedQueryNotFound``
    is 200 and a document refused by ``only_trusted`` 403 in every mode.

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
        if failure in _FIXED_STATUS:
            return _FIXED_STATUS[failure]
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
        status_code=error.status_code,
        headers=error.headers,
    )


__all__ = [
    "PARTIAL_SUCCESS",
    "STATUS_MODES",
    "StatusMode",
    "check_status_mode",
    "error_response",
    "result_response",
    "result_status",
]
