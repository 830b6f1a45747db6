"""Operations with one root field, planned once (graphql-core 3.3).

graphql-core executes each subscription event like a new query, collecting the root fields
and coercing the root field's arguments again, though neither can change between the events
of one subscription (same document, same variables). ``Executor.execute_event`` works them
out on the first event and then, per event, only resolves and completes that one root field
(validation allows exactly one), the way graphql-core's ``execute_operation`` and
``execute_field`` do. A query or mutation with one root field collects it the same way for
every request that sends it (unless a root-level ``@skip``/``@include`` takes a variable),
so its plan is kept with its operation (``_OperationPlans``) and every request skips
collecting the root; a variable-free operation also keeps its coerced arguments and graphql-
core's memo of collected sub-fields (arguments a resolver could change in place, lists and
objects, are coerced for every execution). Operations the plan cannot describe exactly (more
than one root field, an abort signal, ``@defer``, fragment arguments, a subclass overriding
the execution methods) run through graphql-core.
"""

from __future__ import annotations

from typing import Any
from weakref import ref

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path

from ._compat import GRAPHQL_CORE_3_3

#: Argument values executions may share: a resolver cannot change them in place.
_IMMUTABLE = (str, int, float, bool, type(None))


class RootField:
    """The one root field of an operation, collected once (and its arguments, if constant).

    `execute` gives what graphql-core's ``execute_operation()`` gives for an executor of
    the operation whose root fields collect the same way (one root field runs the same
    serially or not).
    """

    __slots__ = ("args", "details", "field_def", "nodes", "path", "response_name", "root_type")

    def __init__(
        self,
        root_type: GraphQLObjectType,
        response_name: str,
        details: Any,
        field_def: GraphQLField,
        args: dict[str, Any] | None,
    ) -> None:
        self.root_type, self.response_name, self.details = root_type, response_name, details
        self.field_def, self.args = field_def, args
        self.nodes: list[FieldNode] = [detail.node for detail in details]
        self.path = Path(None, response_name, root_type.name)

    @classmethod
    def plan(cls, executor: Any, keep_args: bool) -> RootField | None:
        """The plan of ``executor``'s operation, or None when it is not that simple.

        With ``keep_args`` the root field's arguments are coerced here, once, when their
        values cannot be changed in place by a resolver; otherwise ``execute`` coerces
        them for every execution, as graphql-core does.
        """
        if not GRAPHQL_CORE_3_3 or executor.abort_signal is not None or not executor._plannable:
            return None
        schema, operation = executor.schema, executor.operation
        root_type = schema.get_root_type(operation.operation)
        if root_type is None:
            return None
        try:
            grouped, defer_usages, _ = collect_fields(
                schema, executor.fragments, executor.variable_values, root_type, operation,
                executor.hide_suggestions,
            )  # fmt: skip
        except Exception:  # (graphql-core reports it, on every event)
            return None
        if defer_usages or len(grouped) != 1:
            return None
        ((response_name, details),) = grouped.items()
        first = details[0]
        field_def = schema.get_field(root_type, first.node.name.value)
        if field_def is None or first.fragment_variable_values is not None:
            return None
        args: dict[str, Any] | None = {}
        if field_def.args or first.node.arguments:
            args = None
            if keep_args:
                try:
                    args = get_argument_values(
                        field_def,
                        first.node,
                        executor.variable_values,
                        None,
                        executor.hide_suggestions,
                    )
                except Exception:  # (raised again, and reported, by every execution)
                    args = None
                if args and any(type(value) not in _IMMUTABLE for value in args.values()):
                    args = None  # (a resolver could change a list or an object in place)
        return cls(root_type, response_name, details, field_def, args)

    def execute(self, event: Any, payload: Any) -> Any:
        """The result for ``event``'s executor: ``ExecutionResult`` or an awaitable of it."""
        field_def = self.field_def
        return_type, details, path = field_def.type, self.details, self.path
        resolve = field_def.resolve or event.field_resolver
        if event.middleware_manager:
            resolve = event.middleware_manager.get_field_resolver(resolve)
        info = event.build_resolve_info(field_def, self.nodes, self.root_type, path)
        try:
            try:
                args = self.args
                if args is None:
                    args = get_argument_values(
                        field_def,
                        self.nodes[0],
                        event.variable_values,
                        None,
                        event.hide_suggestions,
                    )
                value = resolve(payload, info, **args)
                if event.is_awaitable(value):
                    value = event.complete_awaitable_value(
                        return_type, details, info, path, value, None
                    )
                else:
                    value = event.complete_value(return_type, details, info, path, value, None)
                    if event.is_awaitable(value):
                        value = self._complete_later(event, value)
            except Exception as raw_error:
                event.handle_field_error(raw_error, return_type, details, path)
                value = None
        except GraphQLError as error:  # a non-null root field failed: no data at all
            event.collected_errors.add(error, None)
            return event.build_response(None)
        if event.is_awaitable(value):
            return self._respond_later(event, value)
        return event.build_response({self.response_name: value})

    async def _complete_later(self, event: Any, completion: Any) -> Any:
        try:
            return await completion
        except Exception as raw_error:
            event.handle_field_error(raw_error, self.field_def.type, self.details, self.path)
            return None

    async def _respond_later(self, event: Any, value: Any) -> ExecutionResult:
        try:
            data = {self.response_name: await value}
        except GraphQLError as error:
            event.collected_errors.add(error, None)
            return event.build_response(None)  # type: ignore[no-any-return]
        except Exception:
            await event.cancel_incremental_work()
            event.run_async_work_finished_hook()
            raise
        return event.build_response(data)  # type: ignore[no-any-return]


class _OperationPlans:
    """Root-field plans by operation, the most recent ``MAXSIZE`` kept.

    A plan holds for every executor of its operation in the same schema and document
    (the same fragment definitions), so the nodes are compared by identity, and for
    every request's variables as long as no directive at the root level uses one (only
    ``@skip``/``@include`` could change what is collected there). The arguments of a
    variable-free operation are kept with the plan, and graphql-core's memo of collected
    sub-fields too, as nothing in the request can change them; once the memo holds
    ``MEMO_LIMIT`` entries each request gets a fresh one again. With variables, every
    request coerces the arguments and collects the sub-fields itself. An entry holds its
    operation weakly and goes with it, so a document nobody caches (a custom parser's)
    is not kept alive by its plan.
    """

    MAXSIZE = 1024
    MEMO_LIMIT = 512

    def __init__(self) -> None:
        self._plans: dict[int, tuple[Any, Any, Any, RootField | None, dict[Any, Any] | None]] = {}

    def find(self, executor: Any) -> tuple[RootField | None, dict[Any, Any] | None]:
        """The plan of ``executor``'s operation (None: not plannable) and the sub-field memo
        its requests share (None: each keeps its own)."""
        operation, schema = executor.operation, executor.schema
        fragments = executor.fragment_definitions
        key = id(operation)
        entry = self._plans.get(key)
        if (
            entry is None
            or entry[0]() is not operation
            or entry[1] is not schema
            or not (_same_fragments(entry[2], fragments))
        ):
            memo: dict[Any, Any] | None = None
            if not operation.variable_definitions:
                plan, memo = RootField.plan(executor, True), {}
            elif _root_uses_variables(operation.selection_set, fragments, set()):
                plan = None
            else:
                plan = RootField.plan(executor, False)
            plans = self._plans
            entry = (ref(operation, lambda _: plans.pop(key, None)), schema, fragments, plan, memo)
            if len(plans) >= self.MAXSIZE:
                plans.pop(next(iter(plans)), None)  # the oldest
            plans[key] = entry
        memo = entry[4]
        return entry[3], memo if memo is None or len(memo) < self.MEMO_LIMIT else {}


def _same_fragments(planned: dict[str, Any], current: dict[str, Any]) -> bool:
    if len(planned) != len(current):
        return False
    return not planned or all(  # (usually no fragments: no generator per request)
        current.get(name) is fragment for name, fragment in planned.items()
    )


def _root_uses_variables(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> bool:
    """Whether a directive in the root selections (fragments included, not sub-fields)
    takes a variable: then collecting the root fields depends on the request."""
    for selection in selection_set.selections:
        for directive in selection.directives or ():  # (@skip and @include take a Boolean!)
            if any(isinstance(arg.value, VariableNode) for arg in directive.arguments or ()):
                return True
        if isinstance(selection, InlineFragmentNode):
            nested: SelectionSetNode | None = selection.selection_set
        elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
            seen.add(selection.name.value)
            fragment = fragments.get(selection.name.value)
            nested = fragment.selection_set if fragment else None
        else:
            continue
        if nested is not None and _root_uses_variables(nested, fragments, seen):
            return True
    return False


operation_plans = _OperationPlans()
