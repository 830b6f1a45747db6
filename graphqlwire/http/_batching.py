"""Batched GraphQL requests: several operations in one POST, answered by one JSON array.

A batch is a JSON array of requests, or a GraphQL multipart request whose ``operations`` is
an array (the multipart spec's ``0.variables.file`` paths). Operations run one after the
other in the given order, so a mutation sees the effects of the ones before it, and each
gets its own context, extensions and errors.

Batches are off by default (``max_batch_size=0``), as in Apollo Server, Yoga and
Strawberry: one request would otherwise carry many operations past the limits of one. When
they are on, a batch holds at most ``max_batch_size`` operations, each is checked against
the operation limits on its own, and together they spend the budget of one request: their
tokens count against ``max_tokens`` and their costs against ``max_cost``
(``graphqlwire.execution.check_batch_limits``).

Status codes: GraphQL over HTTP defines none for batches, so the array gets 200 when at
least one operation produced data and 400 when none did; each element carries its own
``errors``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema

from ..execution import ExecutionOptions, check_batch_limits
from ..execution._types import GraphQLResult
from ._errors import HttpBadRequestError
from ._responses import JSONResponse

#: Batches are off unless ``max_batch_size`` (``--max-batch-size``) turns them on.
DEFAULT_MAX_BATCH_SIZE = 0


def check_batch(
    data: list[Any],
    max_batch_size: int,
    schema: GraphQLSchema | None = None,
    options: ExecutionOptions | None = None,
) -> list[Any]:
    """Return the operations of a batch, or raise a 400 saying why it is refused.

    With the `schema` and the `options`, the batch must also stay within the operation
    limits of one request (see the module docstring).
    """
    if max_batch_size < 1:
        raise HttpBadRequestError(
            "Batched requests (a JSON array of operations) are off on this server: send one "
            "operation per request, or turn batches on with max_batch_size "
            "(--max-batch-size on the command line)."
        )
    if not data:
        raise HttpBadRequestError("The batch is empty: send at least one operation.")
    if len(data) > max_batch_size:
        raise HttpBadRequestError(
            f"The batch has {len(data)} operations; at most {max_batch_size} are accepted "
            "in one request (max_batch_size)."
        )
    if schema is not None and options is not None:
        error = check_batch_limits(schema, data, options)
        if error is not None:
            raise HttpBadRequestError(error.message)
    return data


def batch_response(results: list[GraphQLResult], media_type: str) -> JSONResponse:
    """The JSON array answering a batch, in the order of its operations."""
    status = 200 if any(success for success, _ in results) else 400
    return JSONResponse([response for _, response in results], status, media_type=media_type)
