"""The payloads of an incremental (``@defer``/``@stream``) result, as transports send them.

The first payload is the response dict every transport already handles (``data``,
``errors``, ``extensions``) plus graphql-js 17's ``pending`` and ``hasNext: true``; it
carries the later ones, which ``subsequent_payloads(response)`` returns (None for any
other response, so a transport checks one attribute). The later payloads follow graphql-js
17 too: ``{pending?, incremental?, completed?, hasNext}``, the last with ``hasNext: false``.
Their errors go through the same formatter, masking and logging as the first payload's.

``SubsequentPayloads`` is an async generator object written by hand, like
``_streams.EventResults``: ``aclose()`` always stops the deferred work (cancels its tasks,
closes the ``@stream`` sources), even when the consumer never asked for a later payload.
The operation's ``execution_timeout`` runs on: past it, every part still pending completes
with the timeout's error and the stream ends.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator
from types import TracebackType
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError

from ._incremental import IncrementalRun
from ._results import ResultDict, add_errors, execution_result
from ._timeout import within
from ._types import GraphQLResult

if TYPE_CHECKING:
    from ._extensions import ExtensionManager
    from ._options import ExecutionOptions

__all__ = [
    "IncrementalResultDict",
    "SubsequentPayloads",
    "expand_payloads",
    "incremental_result",
    "payloads_within",
    "response_of",
    "subsequent_payloads",
]

Payload = dict[str, Any]


class IncrementalResultDict(ResultDict):
    """The first payload of an incremental result, holding the later ones."""

    __slots__ = ("subsequent",)

    def __init__(self, subsequent: SubsequentPayloads, **fields: Any) -> None:
        super().__init__(None, **fields)
        self.subsequent = subsequent


def subsequent_payloads(response: dict[str, Any]) -> SubsequentPayloads | None:
    """The later payloads of an incremental result, or None for a single result."""
    return response.subsequent if type(response) is IncrementalResultDict else None


def response_of(result: Any, manager: ExtensionManager, options: ExecutionOptions) -> GraphQLResult:
    """``(success, response)`` of an execution: a single result, or an incremental one."""
    if type(result) is IncrementalRun:
        return incremental_result(result, manager, options)
    return execution_result(result, manager, options)


def payloads_within(response: dict[str, Any], deadline: float) -> None:
    """Stop the later payloads of `response` (if any) at the loop time `deadline`."""
    later = subsequent_payloads(response)
    if later is not None:
        later.run_within(deadline)


def incremental_result(
    run: IncrementalRun, manager: ExtensionManager, options: ExecutionOptions
) -> GraphQLResult:
    """The first payload of `run`, as ``execution_result`` words one, with the rest in it."""
    success, first = execution_result(run.initial, manager, options)
    pending = [result.formatted for result in run.initial.pending]
    later = SubsequentPayloads(run, manager, options, [entry["id"] for entry in pending])
    response = IncrementalResultDict(later, data=first.get("data"))
    if "errors" in first:
        response["errors"] = first["errors"]
    response["pending"] = pending
    response["hasNext"] = True
    if "extensions" in first:
        response["extensions"] = first["extensions"]
    return success, response


class _ClosingGenerator(AsyncGenerator[Payload, None]):
    """An async generator object that ``release``s what it holds once, when closed or
    thrown into (subclasses define ``asend`` and ``release``)."""

    _closed = False

    async def aclose(self) -> None:
        """Release what the generator holds; later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        await self.release()

    async def release(self) -> None:
        """What closing frees: each subclass's own."""
        raise NotImplementedError

    async def athrow(
        self,
        typ: type[BaseException] | BaseException,
        val: BaseException | object = None,
        tb: TracebackType | None = None,
    ) -> Payload:
        await self.aclose()
        if isinstance(typ, BaseException):
            raise typ
        raise typ() if val is None else val  # type: ignore[misc]


class SubsequentPayloads(_ClosingGenerator):
    """The payloads after the first, formatted (see the module docstring)."""

    def __init__(
        self,
        run: IncrementalRun,
        manager: ExtensionManager,
        options: ExecutionOptions,
        pending_ids: list[str],
    ) -> None:
        self._source: AsyncGenerator[Any, None] = run.subsequent
        self._executor = run.executor
        self._manager = manager
        self._options = options
        self._open = dict.fromkeys(pending_ids)
        self._deadline: float | None = None
        self._started = False

    def run_within(self, deadline: float) -> None:
        """Stop the deferred work at the loop time `deadline` (``execution_timeout``)."""
        self._deadline = deadline

    async def asend(self, value: None) -> Payload:
        if self._closed:
            raise StopAsyncIteration
        self._started = True
        try:
            if self._deadline is None:
                payload = await anext(self._source)
            else:
                timeout = self._options.execution_timeout
                payload = await within(self._deadline, anext(self._source), timeout)
        except StopAsyncIteration:
            await self.aclose()
            raise
        except Exception as error:  # (the timeout, or a bug below graphql-core's executor)
            await self.aclose()
            return self._all_failed(error)
        except BaseException:
            await self.aclose()
            raise
        formatted = self._formatted(payload)
        if not payload.has_next:
            await self.aclose()
        return formatted

    async def release(self) -> None:
        """Stop the deferred work and close the ``@stream`` sources."""
        try:
            if not self._started:  # (graphql-core's generator cleans up only once started)
                await self._executor.cancel_incremental_work()
        finally:
            await self._source.aclose()

    def _formatted(self, payload: Any) -> Payload:
        formatted: Payload = {}
        if payload.pending:
            formatted["pending"] = [result.formatted for result in payload.pending]
            self._open.update(dict.fromkeys(entry["id"] for entry in formatted["pending"]))
        if payload.incremental:
            formatted["incremental"] = [self._with_errors(entry) for entry in payload.incremental]
        if payload.completed:
            formatted["completed"] = [self._with_errors(entry) for entry in payload.completed]
            for entry in payload.completed:
                self._open.pop(entry.id, None)
        formatted["hasNext"] = payload.has_next
        if payload.extensions:
            formatted["extensions"] = payload.extensions
        return formatted

    def _with_errors(self, entry: Any) -> Payload:
        formatted: Payload = entry.formatted
        if entry.errors:
            add_errors(formatted, entry.errors, self._manager, self._options)
        return formatted

    def _all_failed(self, error: Exception) -> Payload:
        """The last payload when the deferred work could not go on: every open part fails."""
        if not isinstance(error, GraphQLError):
            error = GraphQLError(str(error) or type(error).__name__, original_error=error)
        completed = []
        for part_id in self._open:
            entry: Payload = {"id": part_id}
            add_errors(entry, [error], self._manager, self._options)
            completed.append(entry)
        self._open.clear()
        return {"completed": completed, "hasNext": False}


class _Expanded(_ClosingGenerator):
    """`results`, each incremental result followed by its later payloads."""

    def __init__(self, results: AsyncIterator[Payload]) -> None:
        self._results = results
        self._later: SubsequentPayloads | None = None

    async def asend(self, value: None) -> Payload:
        if self._closed:
            raise StopAsyncIteration
        if self._later is not None:
            try:
                return await anext(self._later)
            except StopAsyncIteration:
                self._later = None
        try:
            result = await anext(self._results)
        except BaseException:
            await self.aclose()
            raise
        self._later = subsequent_payloads(result)
        return result

    async def release(self) -> None:
        try:
            if self._later is not None:
                await self._later.aclose()
        finally:
            aclose = getattr(self._results, "aclose", None)
            if aclose is not None:
                await aclose()


def expand_payloads(results: AsyncIterator[Payload]) -> AsyncGenerator[Payload, None]:
    """`results` with the later payloads of each incremental result after it.

    For transports that send every payload as a message of its own (graphql-transport-ws,
    SSE). Closing the returned generator closes `results` and stops any deferred work.
    """
    return _Expanded(results)
