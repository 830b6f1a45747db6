"""The access log: one record per request, and per WebSocket or SSE connection opened and closed.

Two formats, on the ``graphqlwire.access`` logger at INFO:

- ``text`` (``--access-log``): ``client - "METHOD path HTTP/x" status``, one line per request;
- ``json`` (``--access-log-format json``): one JSON object per record, fields at the top level
  (``time``, ``event``, ``client``, ``method``, ``path``, ``status``, ``duration_ms``,
  ``bytes``, ``operation_name``, ``operation_type``; connections add ``close_code`` and
  ``operations``), so log shippers index it without a parsing rule.

The operation's name and type are known to the application only. With the JSON format each
scope's ``extensions`` carry a dict under ``ACCESS_KEY`` (``graphqlwire.access``) that the
application may fill (``operation_name``, ``operation_type``, ``operations``: how many
operations a connection ran); graphqlwire's ASGI app does. Without the JSON format there is
no such dict, so neither side does any work for it.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from ..types import Scope

__all__ = ["ACCESS_KEY", "FORMATS", "AccessLog", "make_access_log"]

access_logger = logging.getLogger("graphqlwire.access")

#: The scope extension the application fills with what the server cannot see.
ACCESS_KEY = "graphqlwire.access"
FORMATS = ("text", "json")
#: What the application may report through the channel, copied into the record as is.
_APP_FIELDS = ("operation_name", "operation_type", "operations")


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"


def _target(scope: Scope) -> str:
    path: str = scope["path"]
    query = scope.get("query_string")
    return path + "?" + query.decode("latin-1") if query else path


class AccessLog:
    """The ``text`` format; also the interface `JsonAccessLog` fills in."""

    def channel(self) -> dict[str, Any] | None:
        """The dict a new scope carries under `ACCESS_KEY` (None: nothing to report)."""
        return None

    def request(self, scope: Scope, status: int, sent: int) -> None:
        """Log a finished request that got `status` and `sent` body bytes."""
        access_logger.info(
            '%s - "%s %s HTTP/%s" %d',
            _client(scope),
            scope["method"],
            _target(scope),
            scope["http_version"],
            status,
        )

    def refused(self, scope: Scope, status: int) -> None:
        """The app refused the WebSocket handshake of `scope` with HTTP `status`."""
        access_logger.info(
            '%s - "GET %s HTTP/1.1" %d (WebSocket refused)', _client(scope), _target(scope), status
        )

    def opened(self, scope: Scope, kind: str) -> None:
        """A WebSocket (`kind` ``websocket``) or SSE stream (``sse``) was opened."""

    def closed(self, scope: Scope, kind: str, **fields: Any) -> None:
        """The WebSocket or SSE stream of `scope` is over (`fields`: close code, ...)."""


class JsonAccessLog(AccessLog):
    """The ``json`` format: one object per record; connections get an open and a close."""

    def channel(self) -> dict[str, Any] | None:
        return {"started": time.perf_counter()}

    def request(self, scope: Scope, status: int, sent: int) -> None:
        event = "sse.close" if _channel(scope).get("stream") else "request"
        self._write(scope, event, status=status, bytes=sent)

    def refused(self, scope: Scope, status: int) -> None:
        self._write(scope, "websocket.refused", status=status)

    def opened(self, scope: Scope, kind: str) -> None:
        channel = _channel(scope)
        channel["stream"] = kind
        channel["opened"] = time.perf_counter()
        self._write(scope, kind + ".open", duration=False)

    def closed(self, scope: Scope, kind: str, **fields: Any) -> None:
        channel = _channel(scope)
        if "opened" in channel:  # accepted connections only
            fields["duration_ms"] = round((time.perf_counter() - channel["opened"]) * 1000, 3)
            self._write(scope, kind + ".close", duration=False, **fields)

    @staticmethod
    def _write(scope: Scope, event: str, *, duration: bool = True, **fields: Any) -> None:
        channel = _channel(scope)
        record: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "event": event,
            "client": _client(scope),
            "method": scope.get("method", "GET"),
            "path": _target(scope),
        }
        record.update(fields)
        if duration and "started" in channel:
            elapsed = time.perf_counter() - channel["started"]
            record["duration_ms"] = round(elapsed * 1000, 3)
        for name in _APP_FIELDS:
            if name in channel:
                record[name] = channel[name]
        access_logger.info("%s", json.dumps(record, separators=(",", ":")))


def _channel(scope: Scope) -> dict[str, Any]:
    extensions = scope.get("extensions") or {}
    channel = extensions.get(ACCESS_KEY)
    return channel if isinstance(channel, dict) else {}


def make_access_log(enabled: bool, log_format: str) -> AccessLog | None:
    """The access log for the server's settings, or None when it is off."""
    if log_format == "json":
        return JsonAccessLog()
    return AccessLog() if enabled else None
