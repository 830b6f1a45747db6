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

One root field, planned once: see ``_root_plans``.

The class subclasses ``Executor`` on graphql-core 3.3 and ``ExecutionContext`` on 3.2; the
method signatures they share differ only in a trailing ``position_context`` (3.3), which is
passed through as ``*position_context``.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    Undefined,
    default_field_resolver,
)
from graphql.type import scalars

from . import _speedups as speedups
from ._compat import GRAPHQL_CORE_3_3, LEAF_COERCER, ExecutionContext, first_field_node
from ._root_plans import RootField, operation_plans

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
        if coerce is None:  # (no plan is made without one: graphql-core decides)
            return _SLOW
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


#: The methods ``RootField`` stands in for; a subclass overriding one keeps graphql-core's path.
_REPLACED = (
    "execute_operation",
    "execute_collected_root_fields",
    "execute_root_grouped_field_set",
    "execute_fields",
    "execute_field",
)


class Executor(ExecutionContext):  # type: ignore[misc]
    """graphql-core's execution class with the shortcuts of the module docstring."""

    #: Plans by parent type and ``id()`` of the field's first node (the document, which
    #: the executor holds, keeps the node alive), made when first needed: an
    #: ``__init__`` would cost more than a small query saves.
    _field_plans: dict[tuple[GraphQLObjectType, int], _FieldPlan] | None = None
    #: A subscription's root field once its first event ran (False: ``RootField`` cannot
    #: stand for it), on the executor its per-event copies are made from.
    _root_field: RootField | bool | None = None
    #: False for a subclass that overrides a method ``RootField`` stands in for.
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
            root = self._root_field = RootField.plan(self, True) or False
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
                root, memo = operation_plans.find(self)
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
