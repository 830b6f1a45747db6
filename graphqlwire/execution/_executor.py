"""graphqlwire's execution class: graphql-core's own, with shortcuts for plain data.

graphql-core completes every field through the same general machinery: it builds a
``GraphQLResolveInfo``, calls the resolver, then walks the return type (non-null? list?
leaf? abstract? object?) and serialises leaves through the scalar's coercer. For JSON-shaped
data most of that work cannot change the outcome. ``Executor`` takes three shortcuts that
give exactly the result graphql-core gives, and hands every other case to graphql-core:

- a field read from a plain ``dict`` by the default resolver (no resolver of its own, no
  arguments, no middleware) whose value already is what a built-in scalar, or a list of
  them, serialises to: that value is the result, so neither the resolver, the resolve
  info nor the completion chain is needed;
- a non-null, non-error result of an object or list type skips the non-null wrapper, which
  can only ever fail on null;
- a built-in scalar (``String``, ``ID``, ``Int``, ``Float``, ``Boolean``, with graphql-core's
  own coercer) whose value already has the serialised form is returned as it is.

Anything unusual (null in a non-null position, errors, awaitables, custom scalars, enums,
other value types) goes through graphql-core, so errors, paths and null propagation are
graphql-core's.

One root field, planned once (graphql-core 3.3): graphql-core executes each subscription
event like a new query, collecting the root fields and coercing the root field's arguments
again, though neither can change between the events of one subscription (same document,
same variables). ``Executor.execute_event`` works them out on the first event and then,
per event, only resolves and completes that one root field (validation allows exactly
one), the way graphql-core's ``execute_operation`` and ``execute_field`` do. A query or
mutation with one root field collects it the same way for every request that sends it
(unless a root-level ``@skip``/``@include`` takes a variable), so its plan is kept with
its operation (``_OperationPlans``) and every request skips collecting the root; a
variable-free operation also keeps its coerced arguments and graphql-core's memo of
collected sub-fields (arguments a resolver could change in place, lists and objects, are
coerced for every execution). Operations the plan cannot describe exactly (more than one
root field, an abort signal, ``@defer``, fragment arguments, a subclass overriding the
execution methods) run through graphql-core.

The class subclasses ``Executor`` on graphql-core 3.3 and ``ExecutionContext`` on 3.2; the
method signatures they share differ only in a trailing ``position_context`` (3.3), which is
passed through as ``*position_context``.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any
from weakref import ref

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    Undefined,
    VariableNode,
    default_field_resolver,
)
from graphql.execution.collect_fields import collect_fields
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from graphql.type import scalars

from . import _speedups as speedups
from ._compat import GRAPHQL_CORE_3_3, LEAF_COERCER, ExecutionContext, first_field_node

#: Returned by a fast coercer when the value needs graphql-core's general coercion.
_SLOW: Any = object()

_MIN_INT, _MAX_INT = scalars.GRAPHQL_MIN_INT, scalars.GRAPHQL_MAX_INT


def _string(value: Any) -> Any:
    return value if type(value) is str else _SLOW


def _id(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return value
    return str(value) if kind is int else _SLOW


def _int(value: Any) -> Any:
    return value if type(value) is int and _MIN_INT <= value <= _MAX_INT else _SLOW


def _float(value: Any) -> Any:
    return value if type(value) is float and isfinite(value) else _SLOW


def _boolean(value: Any) -> Any:
    return value if type(value) is bool else _SLOW


#: graphql-core's coercers of the built-in scalars, each with a shortcut giving the same
#: result for the exact Python types that JSON-shaped data is made of, or ``_SLOW``.
_FAST_COERCERS: dict[Any, Callable[[Any], Any]] = {
    scalars.serialize_string: _string,
    scalars.serialize_id: _id,
    scalars.serialize_int: _int,
    scalars.serialize_float: _float,
    scalars.serialize_boolean: _boolean,
}

#: Field resolvers that read a ``dict`` source as ``source.get(field_name)``.
_DICT_READERS = (speedups.field_resolver, default_field_resolver)


def _fast_coercer(type_: GraphQLOutputType) -> Callable[[Any], Any] | None:
    """The shortcut coercer of ``type_`` when it is a built-in scalar left as it is."""
    if type(type_) is not GraphQLScalarType:
        return None
    return _FAST_COERCERS.get(getattr(type_, LEAF_COERCER))


class _FieldPlan:
    """What execution needs to know about a field of a type, worked out once per execution.

    ``coerce`` is None unless the field can be read straight from a plain ``dict`` source
    (see the module docstring); then it is the fast coercer of its scalar (of the list's
    items when ``is_list``).
    """

    __slots__ = ("coerce", "is_list", "name", "nullable", "nullable_items")

    def __init__(self, executor: Any, parent_type: GraphQLObjectType, node: FieldNode) -> None:
        self.name: str = node.name.value
        self.coerce: Callable[[Any], Any] | None = None
        self.is_list = self.nullable = self.nullable_items = False
        field = None if self.name.startswith("__") else parent_type.fields.get(self.name)
        if (
            field is None
            or field.resolve is not None
            or field.args
            or executor.middleware_manager
            or executor.field_resolver not in _DICT_READERS
            # graphql-core looks for @stream on the first node only, as validation allows
            # streaming a field in one place only if it is streamed in all of them
            or any(directive.name.value == "stream" for directive in node.directives or ())
        ):
            return
        type_ = field.type
        self.nullable = type(type_) is not GraphQLNonNull
        if not self.nullable:
            type_ = type_.of_type
        if type(type_) is GraphQLList:
            self.is_list = True
            type_ = type_.of_type
            self.nullable_items = type(type_) is not GraphQLNonNull
            if not self.nullable_items:
                type_ = type_.of_type
        self.coerce = _fast_coercer(type_)

    def complete(self, value: Any) -> Any:
        """The completed value of the field, or ``_SLOW`` if graphql-core must decide."""
        coerce = self.coerce
        assert coerce is not None
        if value is None:
            return None if self.nullable else _SLOW
        if not self.is_list:
            return coerce(value)
        if type(value) is not list:
            return _SLOW
        completed: list[Any] = []
        append = completed.append
        nullable_items = self.nullable_items
        for item in value:
            item_completed = coerce(item)
            if item_completed is _SLOW:
                if item is not None or not nullable_items:
                    return _SLOW
                item_completed = None
            append(item_completed)
        return completed


#: Argument values executions may share: a resolver cannot change them in place.
_IMMUTABLE = (str, int, float, bool, type(None))

#: The methods ``_RootField`` stands in for; a subclass overriding one keeps graphql-core's path.
_REPLACED = ("execute_operation", "execute_collected_root_fields",
             "execute_root_grouped_field_set", "execute_fields", "execute_field")


class _RootField:
    """The one root field of an operation, collected once (and its arguments, if constant).

    `execute` gives what graphql-core's ``execute_operation()`` gives for an executor of
    the operation whose root fields collect the same way (one root field runs the same
    serially or not).
    """

    __slots__ = ("args", "details", "field_def", "nodes", "path", "response_name",
                 "root_type")

    def __init__(self, root_type: GraphQLObjectType, response_name: str, details: Any,
                 field_def: GraphQLField, args: dict[str, Any] | None) -> None:
        self.root_type, self.response_name, self.details = root_type, response_name, details
        self.field_def, self.args = field_def, args
        self.nodes: list[FieldNode] = [detail.node for detail in details]
        self.path = Path(None, response_name, root_type.name)

    @classmethod
    def plan(cls, executor: Executor, keep_args: bool) -> _RootField | None:
        """The plan of ``executor``'s operation, or None when it is not that simple.

        With ``keep_args`` the root field's arguments are coerced here, once, when their
        values cannot be changed in place by a resolver; otherwise ``execute`` coerces
        them for every execution, as graphql-core does.
        """
        if (not GRAPHQL_CORE_3_3 or executor.abort_signal is not None
                or not executor._plannable):
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
                    args = get_argument_values(field_def, first.node, executor.variable_values,
                                               None, executor.hide_suggestions)
                except Exception:  # (raised again, and reported, by every execution)
                    args = None
                if args and any(type(value) not in _IMMUTABLE for value in args.values()):
                    args = None  # (a resolver could change a list or an object in place)
        return cls(root_type, response_name, details, field_def, args)

    def execute(self, event: Executor, payload: Any) -> Any:
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
                    args = get_argument_values(field_def, self.nodes[0], event.variable_values,
                                               None, event.hide_suggestions)
                value = resolve(payload, info, **args)
                if event.is_awaitable(value):
                    value = event.complete_awaitable_value(
                        return_type, details, info, path, value, None)
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

    async def _complete_later(self, event: Executor, completion: Any) -> Any:
        try:
            return await completion
        except Exception as raw_error:
            event.handle_field_error(raw_error, self.field_def.type, self.details, self.path)
            return None

    async def _respond_later(self, event: Executor, value: Any) -> ExecutionResult:
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
        self._plans: dict[int, tuple[Any, Any, Any, _RootField | None, dict[Any, Any] | None]] = {}

    def find(self, executor: Executor) -> tuple[_RootField | None, dict[Any, Any] | None]:
        """The plan of ``executor``'s operation (None: not plannable) and the sub-field memo
        its requests share (None: each keeps its own)."""
        operation, schema = executor.operation, executor.schema
        fragments = executor.fragment_definitions
        key = id(operation)
        entry = self._plans.get(key)
        if entry is None or entry[0]() is not operation or entry[1] is not schema or not (
            _same_fragments(entry[2], fragments)
        ):
            memo: dict[Any, Any] | None = None
            if not operation.variable_definitions:
                plan, memo = _RootField.plan(executor, True), {}
            elif _root_uses_variables(operation.selection_set, fragments, set()):
                plan = None
            else:
                plan = _RootField.plan(executor, False)
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


_operation_plans = _OperationPlans()


class Executor(ExecutionContext):  # type: ignore[misc]
    """graphql-core's execution class with the shortcuts of the module docstring."""

    #: Plans by parent type and ``id()`` of the field's first node (the document, which
    #: the executor holds, keeps the node alive), made when first needed: an
    #: ``__init__`` would cost more than a small query saves.
    _field_plans: dict[tuple[GraphQLObjectType, int], _FieldPlan] | None = None
    #: A subscription's root field once its first event ran (False: ``_RootField`` cannot
    #: stand for it), on the executor its per-event copies are made from.
    _root_field: _RootField | bool | None = None
    #: False for a subclass that overrides a method ``_RootField`` stands in for.
    _plannable = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plannable = all(getattr(cls, name) is getattr(Executor, name) for name in _REPLACED)

    def __copy__(self) -> Executor:
        """A shallow copy, as ``copy.copy`` makes it but without its generic machinery."""
        executor: Executor = object.__new__(type(self))
        executor.__dict__.update(self.__dict__)
        return executor

    def build_per_event_executor(self, payload: Any) -> Executor:
        """graphql-core 3.3's executor for one subscription event, a copy of this one.

        The copies share the field plans, as they all run the same document. Each gets an
        empty memo of collected sub-fields: graphql-core's is keyed by field groups, which
        it collects anew for every event, so a shared memo never hits across events and
        would only grow for as long as the subscription lasts.
        """
        if self._field_plans is None:
            self._field_plans = {}
        executor: Executor = super().build_per_event_executor(payload)
        executor._relevant_sub_fields = {}
        return executor

    def execute_event(self, payload: Any) -> Any:
        """Execute the subscription's selection for one source event (graphql-core 3.3).

        The same result as graphql-core's ``execute_subscription_event`` on
        ``build_per_event_executor(payload)``, without collecting the root fields and
        coercing their arguments again for every event (see the module docstring).
        """
        root = self._root_field
        if root is None:
            root = self._root_field = _RootField.plan(self, True) or False
        event = self.build_per_event_executor(payload)
        if root is False:
            return event.execute_operation(False)
        # The root field group is the same list for every event, so the sub-fields that
        # graphql-core collects under it can be remembered across events.
        event._relevant_sub_fields = self._relevant_sub_fields
        return root.execute(event, payload)  # type: ignore[union-attr]

    if GRAPHQL_CORE_3_3:  # (3.2's takes the operation and root value; nothing to plan)

        def execute_operation(self, serially: bool | None = None) -> Any:
            """graphql-core's, but a planned operation skips collecting its root field.

            Only ``execute()``'s call is planned, not a subscription event's (which
            passes ``serially``). See the module docstring.
            """
            if serially is None and self.abort_signal is None and self._plannable:
                root, memo = _operation_plans.find(self)
                if root is not None:
                    if memo is not None:
                        self._relevant_sub_fields = memo
                    return root.execute(self, self.root_value)
            return super().execute_operation(serially)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_group: Any,
        path: Any,
        *position_context: Any,
    ) -> Any:
        """Read a plain field straight from a ``dict``; anything else as graphql-core does."""
        if type(source) is dict:
            plans = self._field_plans
            if plans is None:
                plans = self._field_plans = {}
            node = first_field_node(field_group)
            plan = plans.get((parent_type, id(node)))
            if plan is None:
                plan = plans[parent_type, id(node)] = _FieldPlan(self, parent_type, node)
            if plan.coerce is not None:
                completed = plan.complete(source.get(plan.name))
                if completed is not _SLOW:
                    return completed
        return super().execute_field(parent_type, source, field_group, path, *position_context)

    def complete_value(
        self,
        return_type: GraphQLOutputType,
        field_group: Any,
        info: Any,
        path: Any,
        result: Any,
        *position_context: Any,
    ) -> Any:
        """Complete present values of objects, lists and built-in scalars directly.

        A non-null wrapper only matters for null (and errors, which graphql-core raises):
        completing an object or a list never gives null, and neither does a fast coercer.
        """
        if result is not None and result is not Undefined and not isinstance(result, Exception):
            nullable = return_type.of_type if type(return_type) is GraphQLNonNull else return_type
            kind = type(nullable)
            if kind is GraphQLObjectType:
                return self.complete_object_value(
                    nullable, field_group, info, path, result, *position_context
                )
            if kind is GraphQLList:
                return self.complete_list_value(
                    nullable, field_group, info, path, result, *position_context
                )
            coerce = _fast_coercer(nullable)
            if coerce is not None:
                completed = coerce(result)
                if completed is not _SLOW:
                    return completed
        return super().complete_value(
            return_type, field_group, info, path, result, *position_context
        )
