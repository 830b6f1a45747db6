"""The stream of results of one subscription, mapped from its source event stream.

An async generator function cannot promise to close the source: if a consumer calls
``aclose()`` before the first ``__anext__`` (a client that subscribes and completes at
once), the generator body never runs, so neither does its ``finally``. ``EventResults`` is
an async generator object written by hand so that ``aclose()`` always closes the source,
started or not, exactly once.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterable, Callable
from types import TracebackType
from typing import Any

from ._speedups import is_awaitable

Result = dict[str, Any]


class EventResults(AsyncGenerator[Result, None]):
    """Executes the selection once per source event; ends with the source.

    # Required arguments

    `source`: the subscription's source event stream.

    `run`: executes the selection for one event (may return an awaitable).

    `finish`: turns an execution result into the JSON-ready result dict.

    `source_failed`: the final result when the source raises (the stream then ends).
    """

    def __init__(
        self,
        source: AsyncIterable[Any],
        run: Callable[[Any], Any],
        finish: Callable[[Any], Result],
        source_failed: Callable[[Exception], Result],
    ) -> None:
        self._source = aiter(source)
        self._run = run
        self._finish = finish
        self._source_failed = source_failed
        self._closed = False

    async def asend(self, value: None) -> Result:
        if self._closed:
            raise StopAsyncIteration
        try:
            event = await anext(self._source)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except Exception as error:  # the source failed: report it once, then end
            await self.aclose()
            return self._source_failed(error)
        try:
            result = self._run(event)
            if is_awaitable(result):
                result = await result
        except BaseException:
            await self.aclose()
            raise
        return self._finish(result)

    async def athrow(
        self,
        typ: type[BaseException] | BaseException,
        val: BaseException | object = None,
        tb: TracebackType | None = None,
    ) -> Result:
        await self.aclose()
        if isinstance(typ, BaseException):
            raise typ
        raise typ() if val is None else val  # type: ignore[misc]

    async def aclose(self) -> None:
        """Close the source stream (its ``finally`` runs); later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        aclose = getattr(self._source, "aclose", None)
        if aclose is not None:
            await aclose()
