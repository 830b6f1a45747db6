"""Batched GraphQL requests: several operations in one POST, answered by one JSON array.

A batch is a JSON array of requests, or a GraphQL multipart request whose ``operations`` is
an array (the multipart spec's ``0.variables.file`` paths). Operations run one after the
other in the given order, so a mutation sees the effects of the ones before it, and each
gets its own context, extensions and errors. The number of operations per request is
capped (``max_batch_size``, 0 refuses batches) so one request cannot multiply the work
a server does without limit.

Status codes: GraphQL over HTTP defines none for batches, so the array gets 200 when at
least one operation produced data and 400 when none did; each element carries its own
``errors``.
"""

from __future__ import annotations

from typing import Any

from ..execution._types import GraphQLResult
from ._errors import HttpBadRequestError
from ._responses import JSONResponse

DEFAULT_MAX_BATCH_SIZE = 10


def check_batch(data: list[Any], max_batch_size: int) -> list[Any]:
    """Return the operations of a batch, or raise a 400 saying why it is refused."""
    if max_batch_size < 1:
        raise HttpBadRequestError(
            "Batched requests are not accepted here: send one operation per request."
        )
    if not data:
        raise HttpBadRequestError("The batch is empty: send at least one operation.")
    if len(data) > max_batch_size:
        raise HttpBadRequestError(
            f"The batch has {len(data)} operations; at most {max_batch_size} are accepted "
            "in one request."
        )
    return data


def batch_response(results: list[GraphQLResult], media_type: str) -> JSONResponse:
    """The JSON array answering a batch, in the order of its operations."""
    status = 200 if any(success for success, _ in results) else 400
    return JSONResponse([response for _, response in results], status, media_type=media_type)
