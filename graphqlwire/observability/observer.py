"""`OperationObserver`: what the handlers tell the metrics and the access log about operations.

The ``GraphQL`` app gives its handlers one observer (their ``observer`` attribute, None for a
handler used on its own). The HTTP handler calls `operation` with each query or mutation's
result, the streaming handlers (WebSocket, SSE) pass each subscription through
`subscription`. The observer then

- counts the operation in `Metrics` (when metrics are on): by transport, operation type and
  outcome, refusals by limit, and subscriptions while they stream;
- fills the access log's channel (when the embedded server's JSON access log put one in the
  scope's ``extensions``): the operation's name and type, and how many operations ran.

The operation's type and name are read from the document the pipeline just parsed (a
document cache hit) and remembered per query text.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from graphql import GraphQLError, OperationType, get_operation_ast

from ..execution import (
    ExecutionOptions,
    RequestFailure,
    failure_of,
    parse_query,
    resolve_persisted,
)
from ..types import Scope
from .metrics import Metrics

__all__ = ["ACCESS_KEY", "TRANSPORT_KEY", "OperationObserver", "transport_of"]

#: The scope extension of the server's access log (``graphqlwire.server.accesslog``; the
#: app cannot import the server, so the name is spelt here too).
ACCESS_KEY = "graphqlwire.access"
#: The scope key where the app notes the transport it measured the request as (so that the
#: observer does not look at the headers again; Starlette notes its route the same way).
TRANSPORT_KEY = "graphqlwire.transport"
#: Distinct (query, operationName) pairs whose type and name are remembered.
MEMO_SIZE = 1000
UNKNOWN = ("unknown", None)

Results = AsyncGenerator[dict[str, Any], None]


def transport_of(scope: Scope) -> str:
    """``websocket``, ``sse`` (an HTTP request that accepts ``text/event-stream``) or ``http``."""
    noted: str | None = scope.get(TRANSPORT_KEY)
    if noted is not None:
        return noted
    if scope["type"] == "websocket":
        return "websocket"
    for name, value in scope["headers"]:
        if name == b"accept":
            return "sse" if b"text/event-stream" in value else "http"
    return "http"


class OperationObserver:
    """Reports operations to `metrics` (None: metrics off) and the access log's channel."""

    __slots__ = ("_memo", "metrics")

    def __init__(self, metrics: Metrics | None) -> None:
        self.metrics = metrics
        self._memo: dict[tuple[Any, Any], tuple[str, str | None]] = {}

    def operation(self, options: ExecutionOptions, request: Any, data: Any, result: Any) -> None:
        """A query or mutation ran (or was refused) with `result`; `data` is its request."""
        scope = getattr(request, "scope", None)
        if scope is None:
            return
        channel = (scope.get("extensions") or {}).get(ACCESS_KEY)
        metrics = self.metrics
        if channel is None and metrics is None:
            return
        stage = failure_of(result)
        if stage in _BEFORE_PARSE:
            kind, name = UNKNOWN
        else:  # (the memo inline: this runs for every operation)
            known = self._memo.get((data.get("query"), data.get("operationName")))
            kind, name = known if known is not None else self._describe(options, data)
        if channel is not None:
            _report(channel, kind, name)
        if metrics is not None:
            if stage is not None:
                outcome = "refused"
            else:
                outcome = "error" if result.get("errors") else "success"
            transport = scope.get(TRANSPORT_KEY) or transport_of(scope)
            metrics.count_request(transport, kind, outcome)
            if stage == "limit":
                metrics.count_refused(_limit_of(result.get("errors")))

    def subscription(
        self,
        options: ExecutionOptions,
        request: Any,
        data: Any,
        results: list[dict[str, Any]] | Results,
    ) -> list[dict[str, Any]] | Results:
        """A subscription started (`results`: its generator) or failed (its errors).

        Returns what to stream instead: with metrics on, a generator counting the
        subscription as active while it runs.
        """
        scope = getattr(request, "scope", None)
        if scope is None:
            return results
        channel = (scope.get("extensions") or {}).get(ACCESS_KEY)
        if channel is not None:
            _report(channel, *self._describe(options, data))
        metrics = self.metrics
        if metrics is None:
            return results
        transport = transport_of(scope)
        if isinstance(results, list):
            limit = _limit_of(results)
            metrics.count_request(transport, "subscription", "refused")
            if limit != "unknown":
                metrics.count_refused(limit)
            return results
        metrics.count_request(transport, "subscription", "success")
        return _active(metrics, transport, results)

    def _describe(self, options: ExecutionOptions, data: Any) -> tuple[str, str | None]:
        """The operation's type and name (``unknown`` when they cannot be told)."""
        if not isinstance(data, dict):
            return UNKNOWN
        query = data.get("query")
        operation_name = data.get("operationName")
        key = (query, operation_name)
        if isinstance(query, str):
            known = self._memo.get(key)
            if known is not None:
                return known
        try:
            if not isinstance(query, str):
                data = resolve_persisted(data, options)
                query = data.get("query")
                if not isinstance(query, str):
                    return UNKNOWN
            document = parse_query(None, data, None, options.limits.max_tokens)
        except (GraphQLError, RequestFailure):
            return UNKNOWN
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return UNKNOWN
        name = operation.name.value if operation.name else None
        described = (_TYPE_NAMES[operation.operation], name)
        memo = self._memo
        if len(memo) >= MEMO_SIZE:
            memo.clear()
        memo[(query, operation_name)] = described
        return described


#: Failure stages at which the request had no parsed document yet.
_BEFORE_PARSE = frozenset({"request", "persisted", "trusted", "parse", "limit"})
_TYPE_NAMES = {
    OperationType.QUERY: "query",
    OperationType.MUTATION: "mutation",
    OperationType.SUBSCRIPTION: "subscription",
}


def _report(channel: dict[str, Any], kind: str, name: str | None) -> None:
    channel["operation_type"] = kind
    channel["operation_name"] = name
    channel["operations"] = channel.get("operations", 0) + 1


def _limit_of(errors: Any) -> str:
    """The limit named by the first error's ``extensions.limit``, or ``unknown``."""
    for error in errors or ():
        extensions = error.get("extensions") if isinstance(error, dict) else None
        if isinstance(extensions, dict) and isinstance(extensions.get("limit"), str):
            return str(extensions["limit"])
    return "unknown"


async def _active(metrics: Metrics, transport: str, results: Results) -> Results:
    """`results`, counted as an active subscription from the first event request to the end."""
    metrics.subscription_changed(transport, 1)
    try:
        async for result in results:
            yield result
    finally:
        metrics.subscription_changed(transport, -1)
        await results.aclose()
