"""``execution_timeout``: cancel an operation that runs past its deadline.

Only awaiting code can be interrupted: a synchronous resolver runs to its end (and blocks
the event loop meanwhile), which is why the WSGI app has no such option.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any, cast

from graphql import GraphQLError

__all__ = ["ExecutionTimeout", "within"]


class ExecutionTimeout(GraphQLError):
    """The operation ran past ``execution_timeout`` and was cancelled."""


async def within(deadline: float, awaitable: Awaitable[Any], timeout: float | None) -> Any:
    """Await `awaitable` in this task, cancelling it at the loop time `deadline`.

    No task of its own: the awaitable starts here, so even one cancelled at once was
    started (and its resolvers' ``finally`` blocks run).
    """
    task = cast("asyncio.Task[Any]", asyncio.current_task())  # (a coroutine runs in one)
    expired: list[bool] = []

    def expire() -> None:
        expired.append(True)
        task.cancel()

    timer = asyncio.get_running_loop().call_at(deadline, expire)
    try:
        return await awaitable
    except asyncio.CancelledError:
        if not expired:
            raise
        uncancel = getattr(task, "uncancel", None)  # (3.11+: the cancel was ours, undo it)
        if uncancel is not None:
            uncancel()
        message = f"The operation did not finish within {timeout:g} s (execution_timeout)."
        raise ExecutionTimeout(message, extensions={"code": "EXECUTION_TIMEOUT"}) from None
    finally:
        timer.cancel()
