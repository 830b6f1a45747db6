"""Incremental delivery: which operations ``@defer`` or ``@stream``, and how they run.

graphql-core 3.3 executes ``@defer`` and ``@stream`` (``experimental_execute_incrementally``)
when the schema declares the directives, and its plain ``execute()`` then refuses the
schema altogether. graphqlwire routes each operation instead:

- an operation that uses neither directive (or only with ``if: false``, literally or through
  a variable of the request) runs with the plain executor and its shortcuts, exactly as on
  a schema without the directives;
- one that does runs with an incremental executor: ``incremental_class`` puts graphql-core's
  ``IncrementalExecutor`` under the configured class (graphqlwire's ``Executor`` by
  default), so the executor's shortcuts still serve every field they can.

Deciding costs an operation on a schema without the directives one identity comparison
(of the schema's directives with the last ones seen), which is less than the two lookups
graphql-core's ``execute()`` makes and graphqlwire no longer calls. On a schema with them,
a document is only walked when its text names ``defer`` or ``stream``, and its walk (which
directives, and the variables their ``if`` depends on) is cached per document.

Whether the transport can deliver more than one payload is the caller's to say; a transport
that cannot gets a ``RequestFailure`` at stage ``"incremental"`` before anything runs (so a
mutation has no effects), never a result with the deferred parts silently left out.
WebSocket handlers say so for the operations they run with ``incremental_delivery()``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_operation_ast,
)

from . import _speedups as speedups
from ._cache import LRUCache
from ._compat import GRAPHQL_CORE_3_3
from ._failure import RequestFailure
from ._prepare import Prepared

if GRAPHQL_CORE_3_3:  # graphql-core's execute() minus its refusal of such schemas
    from graphql import experimental_execute_incrementally as execute_plain
else:
    from graphql import execute as execute_plain

__all__ = [
    "SYNC_REASON",
    "IncrementalRun",
    "execute_incrementally",
    "execute_plain",
    "incremental_class",
    "incremental_delivery",
    "incremental_directive",
    "incremental_operation",
]

_NAMES = ("defer", "stream")

#: Set while a transport that delivers every payload (a WebSocket) runs an operation.
_DELIVERS_PAYLOADS: ContextVar[bool] = ContextVar("graphqlwire_incremental", default=False)


@contextmanager
def incremental_delivery() -> Iterator[None]:
    """Let the operations run inside this block deliver ``@defer``/``@stream`` payloads.

    For transports that call the pipeline through a step of their own (a WebSocket
    handler through the HTTP handler's ``execute_graphql_query``) and send every payload
    of the result (see ``expand_payloads``).
    """
    token = _DELIVERS_PAYLOADS.set(True)
    try:
        yield
    finally:
        _DELIVERS_PAYLOADS.reset(token)


class _Use(NamedTuple):
    """One ``@defer`` or ``@stream`` in an operation, as its ``if`` argument decides it."""

    directive: str
    #: The variable ``if`` names, or None when the directive is always on.
    variable: str | None
    #: Whether the directive is on when the request does not give `variable`.
    default: bool


class _Uses(LRUCache):
    """The ``@defer``/``@stream`` uses of an operation, per document and operation name."""

    def of(self, document: DocumentNode, operation_name: str | None) -> tuple[_Use, ...]:
        key = (id(document), operation_name)
        entry = self._get(key)
        if entry is None or entry[0] is not document:  # (an id reused by another document)
            entry = (document, _scan(document, operation_name))
            self._put(key, entry)
        return entry[1]  # type: ignore[no-any-return]


_uses = _Uses()


#: The directives of the schema last asked about, and whether they include either: a
#: service has one schema, whose (immutable) tuple of directives is then the one seen.
_last_seen: tuple[Any, bool] = ((), False)


def _remember(directives: Any) -> bool:
    """Whether `directives` include ``@defer`` or ``@stream``, remembered as the last seen
    (looking through them costs a microsecond, comparing the tuple next time nothing)."""
    global _last_seen
    declares = any(directive.name in _NAMES for directive in directives)
    _last_seen = (directives, declares)
    return declares


def incremental_directive(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> str | None:
    """``"@defer"`` or ``"@stream"`` when the operation uses one that is on, else None.

    On is what the directive's ``if`` argument says with the request's variables (their
    defaults when absent); anything but ``false`` counts as on.
    """
    seen, declares = _last_seen
    if schema.directives is not seen:
        declares = _remember(schema.directives)
    if not declares:
        return None
    loc = document.loc
    if loc is not None:
        body = loc.source.body
        if "defer" not in body and "stream" not in body:
            return None
    for use in _uses.of(document, operation_name):
        if use.variable is None:
            return use.directive
        value = variables.get(use.variable, use.default) if variables else use.default
        if value is not False:
            return use.directive
    return None


#: Why ``run_graphql_sync`` refuses ``@defer``/``@stream``.
SYNC_REASON = (
    "synchronous execution (graphql_sync(), the WSGI app) delivers one result only: "
    "serve it over the ASGI app with multipart/mixed, text/event-stream or a WebSocket"
)


def incremental_operation(
    schema: GraphQLSchema, prepared: Prepared, deliverable: bool | None, reason: str | None = None
) -> str | None:
    """The directive that makes `prepared` incremental, or None; raises
    ``RequestFailure("incremental")`` when its payloads cannot be delivered.

    `deliverable`: whether the caller sends every payload (None: as the enclosing
    ``incremental_delivery()`` says); `reason`: why it cannot, for the client.
    """
    directive = incremental_directive(
        schema, prepared.document, prepared.operation_name, prepared.variables
    )
    if directive is not None:
        _check_delivery(directive, deliverable, reason or "this transport delivers one result")
    return directive


def _check_delivery(directive: str, deliverable: bool | None, reason: str) -> None:
    if not GRAPHQL_CORE_3_3:
        message = f"The operation uses {directive}, which needs graphql-core 3.3 or later."
    elif deliverable or (deliverable is None and _DELIVERS_PAYLOADS.get()):
        return
    else:
        message = (
            f"The operation uses {directive}, whose results arrive in several payloads, "
            f"but {reason}."
        )
    raise RequestFailure("incremental", [GraphQLError(message)])


def _scan(document: DocumentNode, operation_name: str | None) -> tuple[_Use, ...]:
    """Every ``@defer`` and ``@stream`` reachable from the operation, except ``if: false``."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return ()
    fragments = {
        node.name.value: node
        for node in document.definitions
        if isinstance(node, FragmentDefinitionNode)
    }
    defaults = _variable_defaults(operation)
    uses: list[_Use] = []
    seen: set[str] = set()
    pending: list[SelectionSetNode] = [operation.selection_set]
    while pending:  # (bounded: each fragment is entered once, the document is finite)
        for selection in pending.pop().selections:
            for directive in selection.directives or ():
                if directive.name.value in _NAMES:
                    use = _use_of(directive, defaults)
                    if use is not None:
                        uses.append(use)
            if isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is not None and name not in seen:
                    seen.add(name)
                    pending.append(fragment.selection_set)
            elif (
                isinstance(selection, (FieldNode, InlineFragmentNode))
                and selection.selection_set is not None
            ):
                pending.append(selection.selection_set)
    return tuple(uses)


def _variable_defaults(operation: OperationDefinitionNode) -> dict[str, bool]:
    defaults: dict[str, bool] = {}
    for definition in operation.variable_definitions or ():
        value = definition.default_value
        if isinstance(value, BooleanValueNode):
            defaults[definition.variable.name.value] = value.value
    return defaults


def _use_of(directive: DirectiveNode, defaults: dict[str, bool]) -> _Use | None:
    name = f"@{directive.name.value}"
    for argument in directive.arguments or ():
        if argument.name.value != "if":
            continue
        value = argument.value
        if isinstance(value, BooleanValueNode):
            return _Use(name, None, True) if value.value else None
        if isinstance(value, VariableNode):
            variable = value.name.value
            return _Use(name, variable, defaults.get(variable, True))
    return _Use(name, None, True)


class IncrementalRun(NamedTuple):
    """An operation that delivers more payloads: the first, the later ones, its executor."""

    initial: Any
    subsequent: Any
    executor: Any


class _ClientStreamErrors:
    """Makes a bad ``@stream`` argument (``initialCount: -1``) the client's error.

    graphql-core raises ``ValueError`` for it, which would be logged (and masked) as a
    server fault; the client's error, with its path, is the same.
    """

    def get_stream_usage(self, field_details_list: Any, path: Any) -> Any:
        try:
            return super().get_stream_usage(field_details_list, path)  # type: ignore[misc]
        except ValueError as error:
            raise GraphQLError(str(error)) from None


#: The classes ``incremental_class`` made, by the class they were made from.
_incremental_classes: dict[type[Any], type[Any]] = {}


def incremental_class(executor_class: type[Any]) -> type[Any]:
    """`executor_class` with graphql-core's ``IncrementalExecutor`` under it.

    A class that already is one is used as it is; any other (graphqlwire's ``Executor``, a
    subclass of it or of graphql-core's plain executor) gets a subclass mixing both (and
    ``_ClientStreamErrors``), made once, so its own methods still run first.
    """
    made = _incremental_classes.get(executor_class)
    if made is not None:
        return made
    from graphql.execution.incremental import IncrementalExecutor

    made = executor_class
    if not issubclass(executor_class, IncrementalExecutor):
        name = f"Incremental{executor_class.__name__}"
        bases = (executor_class, _ClientStreamErrors, IncrementalExecutor)
        made = type(name, bases, {"__module__": __name__})
    _incremental_classes[executor_class] = made
    return made


def execute_incrementally(
    schema: GraphQLSchema,
    document: DocumentNode,
    root_value: Any,
    context_value: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    executor_class: type[Any],
    keywords: dict[str, Any],
) -> Any:
    """Run the operation incrementally: an ``ExecutionResult`` (nothing was deferred after
    all) or an ``IncrementalRun``, or an awaitable of either.

    graphql-core's ``experimental_execute_incrementally``, keeping the executor, which a
    consumer that stops before the first later payload needs to cancel the deferred work.
    """
    executor = incremental_class(executor_class).build(
        schema, document, root_value, context_value, variables, operation_name, **keywords
    )
    if isinstance(executor, list):
        return ExecutionResult(None, errors=executor)
    result = executor.execute_operation()
    if speedups.is_awaitable(result):

        async def await_result() -> Any:
            return _with_executor(await result, executor)

        return await_result()
    return _with_executor(result, executor)


def _with_executor(result: Any, executor: Any) -> Any:
    if isinstance(result, ExecutionResult):
        return result
    return IncrementalRun(result.initial_result, result.subsequent_results, executor)
