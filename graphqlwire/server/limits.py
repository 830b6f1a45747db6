"""The limits a request head must pass before the application sees it.

Each check answers with the status the server sends and closes on: the head size (431,
counted by the connection as well, because h11 only limits a head that arrives over several
reads), the HTTP version (505), the URL length (414), Content-Length together with
Transfer-Encoding (400: RFC 9112 §6.1 "a server MAY reject a request that contains both ...
the server MUST close the connection after responding"), an announced body over the limit
(413) and an unusable target (400). A streamed body is measured as it arrives
(`body_too_large`); what h11 cannot parse at all is refused with its status
(`protocol_error`).
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import NamedTuple

import h11

from .config import Config
from .head import RequestHead
from .http11 import PLAIN

__all__ = ["Refusal", "body_too_large", "check_head", "head_too_large", "protocol_error"]


class Refusal(NamedTuple):
    """Why a request is refused: the response's status and body, the line to log, and the
    body's type (plain text, or JSON for the body limit, which the app answers too)."""

    status: int
    message: str
    log: str
    content_type: bytes = PLAIN


def check_head(config: Config, event: h11.Request, head_length: int) -> RequestHead | Refusal:
    """Parse the head of `event` (`head_length` bytes): its `RequestHead`, or why it is refused.

    The target's length is checked before the head's size: an over-long URL is a 414, even
    when it also makes the head too large (RFC 9110 §15.5.15).
    """
    if len(event.target) > config.max_url_length:
        log = f"request URL exceeds {config.max_url_length} bytes"
        return Refusal(414, "URI Too Long", log)
    if head_length > config.max_header_size:
        return head_too_large(config)
    if event.http_version[:2] != b"1.":
        version = event.http_version.decode("ascii")
        return Refusal(505, "HTTP Version Not Supported", f"request is HTTP/{version}")
    head = RequestHead(event)
    if head.chunked and head.content_length >= 0:
        message = "Bad Request: both Content-Length and Transfer-Encoding"
        return Refusal(400, message, "request has both Content-Length and Transfer-Encoding")
    if head.content_length > config.max_body_size:
        log = f"request body announced as {head.content_length} bytes"
        return body_too_large(config, log)
    if head.path is None:
        message = "Bad Request: invalid request target"
        return Refusal(400, message, "request target is not a valid path")
    return head


def head_too_large(config: Config, head_start: bytes = b"") -> Refusal:
    """The refusal of a head over ``max_header_size``: 431, or 414 when its request line
    (the start of the head h11 could not finish, `head_start`) carries a target over
    ``max_url_length`` (RFC 9110 §15.5.15: 431 is for header fields)."""
    line = head_start.split(b"\n", 1)[0]
    parts = line.split(b" ", 2)
    if len(parts) > 1 and len(parts[1]) > config.max_url_length:
        return Refusal(414, "URI Too Long", f"request URL exceeds {config.max_url_length} bytes")
    log = f"request head exceeds {config.max_header_size} bytes"
    return Refusal(431, "Request Header Fields Too Large", log)


def protocol_error(config: Config, error: h11.RemoteProtocolError, head_start: bytes) -> Refusal:
    """The refusal of bytes h11 could not parse: the status it suggests, or `head_too_large`
    when its buffer limit stopped a head that never ended (`head_start`: what it holds)."""
    status = error.error_status_hint
    if status == 431:
        return head_too_large(config, head_start)
    return Refusal(status, f"{HTTPStatus(status).phrase}: {error}", f"bad request: {error}")


def body_too_large(config: Config, log: str | None = None) -> Refusal:
    """The refusal of a body over ``max_body_size`` (announced, or streamed past it).

    Its body is the JSON error graphqlwire's app answers for its own body limit (which
    follows this one, see `http_scope`): one limit, one answer, whichever layer sees it.
    """
    log = log or "request body exceeds the limit"
    limit = config.max_body_size
    message = f"Request body is larger than the limit of {limit} bytes."
    body = json.dumps({"errors": [{"message": message}]})
    return Refusal(413, body, f"{log} (limit {limit} bytes)", b"application/json")
