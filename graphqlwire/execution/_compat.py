"""The few places where graphql-core 3.2 and 3.3 differ, behind one interface.

graphql-core 3.3 renamed ``ExecutionContext`` to ``Executor`` (and the ``execute()`` keyword
``execution_context_class`` to ``executor_class``), and its ``create_source_event_stream``
takes a built executor instead of the execution arguments.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import graphql
from graphql import DocumentNode, ExecutionResult, FieldNode, GraphQLSchema, MiddlewareManager

GRAPHQL_CORE_3_3: bool = hasattr(graphql, "Executor")

#: The class ``execution_context_class`` options subclass (``Executor`` on graphql-core 3.3:
#: the plain one, not the incremental-delivery executor ``execute()`` defaults to, which costs
#: a third more on small queries; ``_incremental`` adds it under this class for operations
#: that use ``@defer``/``@stream``).
ExecutionContext: type[Any] = getattr(graphql, "Executor", None) or graphql.ExecutionContext  # type: ignore[attr-defined]

#: The ``execute()`` keyword that takes ``execution_context_class``.
EXECUTION_CLASS_KWARG = "executor_class" if GRAPHQL_CORE_3_3 else "execution_context_class"

#: Executor keywords of ``graphql_sync``: like graphql-core's, it iterates every list value
#: synchronously, even one that is async iterable too (a Django QuerySet); 3.2 always does.
SYNC_EXECUTION_OPTIONS: dict[str, Any] = {}
if GRAPHQL_CORE_3_3:
    from graphql.execution.execute import assume_not_async_iterable

    SYNC_EXECUTION_OPTIONS["is_async_iterable"] = assume_not_async_iterable

#: The scalar attribute execution serialises leaf values with (``serialize`` on 3.2).
LEAF_COERCER = "coerce_output_value" if GRAPHQL_CORE_3_3 else "serialize"


def first_field_node(field_group: Any) -> FieldNode:
    """The first node of the fields execution merged into one (``FieldDetails`` on 3.3)."""
    return field_group[0].node if GRAPHQL_CORE_3_3 else field_group[0]  # type: ignore[no-any-return]


def create_event_stream(
    schema: GraphQLSchema,
    document: DocumentNode,
    root_value: Any,
    context_value: Any,
    variables: dict[str, Any] | None,
    operation_name: str | None,
    executor_class: type[Any],
    middleware: MiddlewareManager | None,
    options: dict[str, Any],
) -> tuple[Any, Callable[[Any], Any] | None]:
    """Start a subscription (graphql-core's ``CreateSourceEventStream``).

    Returns the source event stream, an ``ExecutionResult`` with errors, or an awaitable of
    either; and, on graphql-core 3.3, a function executing the selection for one event
    with the executor built here (variables are coerced once, not per event). On 3.2 that
    function is None and each event goes through ``execute()``. ``options`` are the
    executor keywords (``field_resolver``, ``is_awaitable``, ...).
    """
    create: Any = graphql.create_source_event_stream
    if not GRAPHQL_CORE_3_3:
        return create(schema, document, root_value, context_value, variables, operation_name), None
    built = executor_class.build(
        schema, document, root_value, context_value, variables, operation_name,
        middleware=middleware, **options,
    )  # fmt: skip
    if isinstance(built, list):
        return ExecutionResult(None, errors=built), None
    execute_event = getattr(built, "execute_event", None)  # (graphqlwire's Executor)
    if execute_event is None:
        from graphql.execution import execute_subscription_event

        def execute_event(payload: Any) -> Any:
            return execute_subscription_event(built.build_per_event_executor(payload))

    return create(built), execute_event
