"""graphqlwire's execution class: graphql-core's own, with shortcuts for plain data.

graphql-core completes every field through the same general machinery: it builds a path and
a ``GraphQLResolveInfo``, calls the resolver, then walks the return type (non-null? list?
leaf? abstract? object?) and serialises leaves through the scalar's coercer. For JSON-shaped
data most of that work cannot change the outcome. ``Executor`` takes shortcuts that give
exactly the result graphql-core gives, and hands every other case to graphql-core:

- an object is completed by its selection's plan (``_tree_plans``): plain fields (the
  default resolver over a ``dict``, built-in scalars, objects and lists of them) are read
  and completed directly, whole subtrees at once, the others executed by graphql-core;
- where graphql-core executes a plain field of built-in scalars itself (the incremental
  executor, a subclass overriding the completion methods, graphql-core 3.2), that field is
  still read straight from its ``dict``;
- a non-null, non-error result of an object or list type skips the non-null wrapper, which
  can only ever fail on null;
- a built-in scalar (``String``, ``ID``, ``Int``, ``Float``, ``Boolean``, with graphql-core's
  own coercer) whose value already has the serialised form is returned as it is.

Anything unusual (null in a non-null position, errors, awaitables, custom scalars, enums,
abstract types, other value types) goes through graphql-core, so errors, paths and null
propagation are graphql-core's.

One root field, planned once: see ``_root_plans``.

The class subclasses ``Executor`` on graphql-core 3.3 and ``ExecutionContext`` on 3.2; the
method signatures they share differ only in a trailing ``position_context`` (3.3), which is
passed through as ``*position_context``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
    default_field_resolver,
)

from . import _speedups as speedups
from ._compat import GRAPHQL_CORE_3_3, ExecutionContext, first_field_node
from ._plain_values import SLOW, Completer, scalar_completer
from ._root_plans import RootField, operation_plans
from ._tree_plans import leaf_completer, object_plan, type_completer

#: Field resolvers that read a ``dict`` source as ``source.get(field_name)``.
_DICT_READERS = (speedups.field_resolver, default_field_resolver)


#: The methods ``RootField`` stands in for; a subclass overriding one keeps graphql-core's path.
_REPLACED = (
    "execute_operation",
    "execute_collected_root_fields",
    "execute_root_grouped_field_set",
    "execute_fields",
    "execute_field",
)

#: The methods selection plans stand in for: a subclass overriding one (graphql-core's
#: incremental executor among them) completes objects as graphql-core does.
_PLANNED = (
    "execute_fields",
    "execute_field",
    "build_resolve_info",
    "complete_object_value",
    "collect_and_execute_subfields",
    "execute_collected_subfields",
    "collect_subfields",
    "complete_list_value",
    "complete_iterable_value",
    "complete_list_item_value",
    "complete_leaf_value",
)


class Executor(ExecutionContext):  # type: ignore[misc]
    """graphql-core's execution class with the shortcuts of the module docstring."""

    #: Completers of plain leaf fields (None: not plain) by parent type and ``id()`` of the
    #: field's first node (the document, which the executor holds, keeps the node alive),
    #: made when first needed: an ``__init__`` would cost more than a small query saves.
    _leaf_completers: dict[tuple[GraphQLObjectType, int], Completer | None] | None = None
    #: A subscription's root field once its first event ran (False: ``RootField`` cannot
    #: stand for it), on the executor its per-event copies are made from.
    _root_field: RootField | bool | None = None
    #: False for a subclass that overrides a method ``RootField`` stands in for.
    _plannable = True
    #: False for a subclass that overrides a method selection plans stand in for.
    _selections_plannable = GRAPHQL_CORE_3_3
    #: Whether this executor completes objects by selection plans (``_uses_plans``), once
    #: first asked.
    _plans_on: bool | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._plannable = all(getattr(cls, name) is getattr(Executor, name) for name in _REPLACED)
        cls._selections_plannable = GRAPHQL_CORE_3_3 and all(
            getattr(cls, name) is getattr(Executor, name) for name in _PLANNED
        )

    def _reads_plain_dicts(self) -> bool:
        """Whether fields without a resolver are read from a ``dict`` by key, as they are."""
        return not self.middleware_manager and self.field_resolver in _DICT_READERS

    def _uses_plans(self) -> bool:
        """Whether objects are completed by selection plans (see the module docstring)."""
        self._plans_on = on = bool(
            self._selections_plannable and self.abort_signal is None and self._reads_plain_dicts()
        )
        return on

    def __copy__(self) -> Executor:
        """A shallow copy, as ``copy.copy`` makes it but without its generic machinery."""
        executor: Executor = object.__new__(type(self))
        executor.__dict__.update(self.__dict__)
        return executor

    def build_per_event_executor(self, payload: Any) -> Executor:
        """graphql-core 3.3's executor for one subscription event, a copy of this one.

        The copies share the leaf completers, as they all run the same document. Each gets an
        empty memo of collected sub-fields: graphql-core's is keyed by field groups, which
        it collects anew for every event, so a shared memo never hits across events and
        would only grow for as long as the subscription lasts.
        """
        if self._leaf_completers is None:
            self._leaf_completers = {}
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
        """Read a plain leaf field straight from a ``dict``; anything else as graphql-core."""
        if type(source) is dict:
            completers = self._leaf_completers
            if completers is None:
                completers = self._leaf_completers = {}
            node = first_field_node(field_group)
            complete = completers.get((parent_type, id(node)), SLOW)
            if complete is SLOW:
                field = parent_type.fields.get(node.name.value)
                plain = field is not None and self._reads_plain_dicts()
                complete = leaf_completer(field, node) if plain else None
                completers[parent_type, id(node)] = complete
            if complete is not None:
                completed = complete(source.get(node.name.value))
                if completed is not SLOW:
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

        Objects and lists of them go by selection plans where they apply. A non-null
        wrapper only matters for null (and errors, which graphql-core raises): completing
        an object or a list never gives null, and neither does a scalar's completer.
        """
        if result is not None and result is not Undefined and not isinstance(result, Exception):
            nullable: Any = (
                return_type.of_type if type(return_type) is GraphQLNonNull else return_type
            )
            kind = type(nullable)
            if kind is GraphQLObjectType or kind is GraphQLList:
                plans_on = self._plans_on
                if plans_on is None:
                    plans_on = self._uses_plans()
                if plans_on:
                    complete = type_completer(self, nullable, field_group)
                    if complete is not None:
                        completed = complete(result)
                        if completed is not SLOW:
                            return completed
                    if kind is GraphQLObjectType and nullable.is_type_of is None:
                        plan = object_plan(self, nullable, field_group)
                        return plan.complete(self, result, path)
                if kind is GraphQLObjectType:
                    return self.complete_object_value(
                        nullable, field_group, info, path, result, *position_context
                    )
                return self.complete_list_value(
                    nullable, field_group, info, path, result, *position_context
                )
            complete = scalar_completer(nullable)
            if complete is not None:
                completed = complete(result)
                if completed is not SLOW:
                    return completed
        return super().complete_value(
            return_type, field_group, info, path, result, *position_context
        )
