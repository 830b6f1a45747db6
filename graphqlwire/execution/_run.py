"""Run a prepared operation on the executor: plain, or incrementally for ``@defer``/``@stream``.

The pipeline's drivers call ``execute_prepared`` once per request (or once per event of a
subscription); ``executor_class`` and ``executor_keywords`` also configure the executor of
a subscription's event stream, so every path runs with the same class and field hooks.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema

from . import _speedups as speedups
from ._compat import EXECUTION_CLASS_KWARG
from ._executor import Executor
from ._extensions import ExtensionManager, MiddlewareList
from ._incremental import execute_incrementally, execute_plain
from ._options import ExecutionOptions
from ._prepare import Prepared


def execute_prepared(
    schema: GraphQLSchema,
    prepared: Prepared,
    root: Any,
    context_value: Any,
    options: ExecutionOptions,
    manager: ExtensionManager,
    middleware: MiddlewareList,
    execute_kwargs: Any,
    directive: str | None = None,
) -> Any:
    """Execute `prepared` (incrementally when `directive` names ``@defer``/``@stream``)."""
    keywords = executor_keywords(execute_kwargs)
    middleware_manager = manager.as_middleware_manager(middleware, options.middleware_manager_class)
    if directive is not None:
        keywords["middleware"] = middleware_manager
        return execute_incrementally(
            schema, prepared.document, root, context_value, prepared.variables,
            prepared.operation_name, executor_class(options), keywords,
        )  # fmt: skip
    keywords[EXECUTION_CLASS_KWARG] = executor_class(options)
    return execute_plain(
        schema,
        prepared.document,
        root_value=root,
        context_value=context_value,
        variable_values=prepared.variables,
        operation_name=prepared.operation_name,
        middleware=middleware_manager,
        **keywords,
    )


def executor_class(options: ExecutionOptions) -> type[Any]:
    """The configured execution context class, or graphqlwire's ``Executor``."""
    return options.execution_context_class or Executor


def executor_keywords(execute_kwargs: Any) -> dict[str, Any]:
    """Executor keywords: graphqlwire's fast per-field hooks, then the caller's own."""
    return {
        "field_resolver": speedups.field_resolver,
        "is_awaitable": speedups.is_awaitable,
        **execute_kwargs,
    }
