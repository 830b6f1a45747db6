"""The operation limits of a batch: one request must not do more than one operation may.

Each operation of a batch is checked against every limit on its own when it runs, as a
single request is. On top of that, the batch as a whole spends one budget: the tokens of
all its documents count against ``max_tokens`` and their costs against ``max_cost``, so
``max_batch_size`` operations cannot multiply the work one request asks of the server.
Depth, aliases and directives describe the shape of one operation and stay per operation.

An operation that cannot be measured here (a bad shape, a syntax error, an unknown
persisted document) counts for nothing: it fails on its own when it runs.
"""

from __future__ import annotations

from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, get_operation_ast
from graphql.language import Token, TokenKind

from ._cache import document_cache
from ._failure import RequestFailure
from ._limits import limit_error
from ._measure import measure
from ._options import ExecutionOptions
from ._persisted import resolve_persisted
from ._request_data import check_request_data

__all__ = ["check_batch_limits"]

_UNCOUNTED = (TokenKind.SOF, TokenKind.EOF, TokenKind.COMMENT)


def check_batch_limits(
    schema: GraphQLSchema, operations: list[Any], options: ExecutionOptions
) -> GraphQLError | None:
    """The error refusing the whole batch when its operations together exceed ``max_tokens``
    or ``max_cost``, else None."""
    limits = options.limits
    if not (limits.max_tokens or limits.max_cost):
        return None
    tokens = 0
    cost = 0.0
    for data in operations:
        measured = _measure(schema, data, options)
        if measured is None:
            continue
        tokens += measured[0]
        cost += measured[1]
        if limits.max_tokens and tokens > limits.max_tokens:
            message = (
                f"The batch's documents have more than {limits.max_tokens} tokens in all, "
                "the limit of one request (max_tokens)."
            )
            return limit_error(message, "max_tokens")
        if limits.max_cost and cost > limits.max_cost:
            message = (
                f"The batch's operations cost more than {limits.max_cost} in all, the "
                "limit of one request (max_cost)."
            )
            return limit_error(message, "max_cost")
    return None


def _measure(
    schema: GraphQLSchema, data: Any, options: ExecutionOptions
) -> tuple[int, float] | None:
    """``(tokens, cost)`` of one operation of a batch, or None if it cannot be measured."""
    try:
        query, variables, operation_name = check_request_data(resolve_persisted(data, options))
        document = document_cache.parse(query, options.limits.max_tokens)
    except (RequestFailure, GraphQLError):  # (the operation fails on its own when it runs)
        return None
    operation = get_operation_ast(document, operation_name)
    cost = 0.0
    if operation is not None and options.limits.max_cost:
        cost = measure(schema, document, operation, variables or {})[0].cost
    return _token_count(document), cost


def _token_count(document: DocumentNode) -> int:
    """The tokens of a parsed document, counted as graphql-core's ``max_tokens`` counts."""
    if document.loc is None:
        return 0
    count = 0
    token: Token | None = document.loc.start_token
    while token is not None:
        if token.kind not in _UNCOUNTED:
            count += 1
        token = token.next
    return count
