"""Measuring one operation: its depth, aliases, directives per field and cost.

See `_limits` for what the figures mean and how cost is counted. A walk measures each
fragment once (per list size it is sized by), so its time is linear in the document
however often fragments are spread; a spread of a fragment being measured (a cycle) counts
for nothing, since validation refuses the document anyway.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    value_from_ast_untyped,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

__all__ = ["DEFAULT_LIST_SIZE", "Size", "measure"]

#: The number of items assumed for a list field that declares no ``@listSize``.
DEFAULT_LIST_SIZE = 10

#: Larger slicing arguments count as this many items (costs stay finite floats).
MAX_LIST_SIZE = 10**15


class Size(NamedTuple):
    """What a walk measured (the largest depth and directive count, summed aliases and cost)."""

    depth: int
    aliases: int
    directives: int
    cost: float


NOTHING = Size(0, 0, 0, 0)


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: Mapping[str, Any] | None,
) -> tuple[Size, bool]:
    """Measure `operation` of `document`: its size, and whether variables set a list size.

    `variables`: the request's; None measures with the variables' default values.
    """
    walk = _Walk(schema, document, variables, operation)
    return walk.operation(operation), walk.used_variables


class _Walk:
    """One measurement of an operation; fragments are measured once each."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation: OperationDefinitionNode,
    ) -> None:
        self.schema = schema
        self.fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        #: The request's variables; None in the static pass, which uses their defaults.
        self.variables = variables
        self.defaults = {
            definition.variable.name.value: value_from_ast_untyped(definition.default_value)
            for definition in operation.variable_definitions or ()
            if definition.default_value is not None
        }
        self.used_variables = False
        self._measured: dict[tuple[str, frozenset[str], float | None], Size] = {}
        self._measuring: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Size:
        root = self.schema.get_root_type(operation.operation)
        return self.selections(operation.selection_set, root, frozenset(), 0)

    def selections(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        sized: frozenset[str],
        size: float,
    ) -> Size:
        """The size of a selection set; fields named in `sized` count `size` times."""
        depth = aliases = directives = 0
        cost: float = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                part = self.field(
                    selection, parent, size if selection.name.value in sized else None
                )
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                inner = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selections(selection.selection_set, inner, sized, size)
                part = part._replace(
                    directives=max(part.directives, len(selection.directives or ()))
                )
            else:
                part = self.spread(selection, sized, size)  # type: ignore[arg-type]
            depth = max(depth, part.depth)
            aliases += part.aliases
            directives = max(directives, part.directives)
            cost += part.cost
        return Size(depth, aliases, directives, cost)

    def spread(self, spread: FragmentSpreadNode, sized: frozenset[str], size: float) -> Size:
        name = spread.name.value
        key = (name, sized, size)
        measured = self._measured.get(key)
        if measured is None:
            fragment = self.fragments.get(name)
            if fragment is None or name in self._measuring:
                return NOTHING  # unknown, or a cycle: validation reports both
            self._measuring.add(name)
            parent = self.schema.get_type(fragment.type_condition.name.value)
            measured = self.selections(fragment.selection_set, parent, sized, size)
            self._measuring.discard(name)
            self._measured[key] = measured
        return measured._replace(directives=max(measured.directives, len(spread.directives or ())))

    def field(
        self, node: FieldNode, parent: GraphQLNamedType | None, sized_by: float | None
    ) -> Size:
        """A field's size; `sized_by`: the item count its parent's ``@listSize`` gives it."""
        definition = _field_definition(parent, node.name.value)
        alias = 1 if node.alias else 0
        directives = len(node.directives or ())
        if definition is None:
            return Size(1, alias, directives, 0)
        named = get_named_type(definition.type)
        weight = _weight(definition, named)
        items, sized, size = self.list_size(node, definition)
        if sized_by is not None:
            items = sized_by
        if node.selection_set is None:
            return Size(1, alias, directives, items * weight)
        inner = self.selections(node.selection_set, named, sized, size)
        cost = items * (weight + inner.cost)
        return Size(inner.depth + 1, inner.aliases + alias, max(directives, inner.directives), cost)

    def list_size(
        self, node: FieldNode, definition: GraphQLField
    ) -> tuple[float, frozenset[str], float]:
        """``(items, sized fields, their size)``: how many items the field counts for, or,
        with ``sizedFields``, which children count for how many instead."""
        directive = _directive(definition.ast_node, "listSize")
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        if directive is None:
            return (DEFAULT_LIST_SIZE if is_list else 1), frozenset(), 0
        arguments = _arguments(directive)
        sized = frozenset(_strings(arguments.get("sizedFields")))
        slicing = set(_strings(arguments.get("slicingArguments")))
        given = [
            self.argument_value(argument.value)
            for argument in node.arguments or ()
            if argument.name.value in slicing
        ]
        numbers = [
            float(min(value, MAX_LIST_SIZE))
            for value in given
            if isinstance(value, int) and value >= 0
        ]
        assumed = arguments.get("assumedSize")
        if numbers:
            size: float = max(numbers)
        elif isinstance(assumed, IntValueNode):
            size = float(min(int(assumed.value), MAX_LIST_SIZE))
        else:
            size = DEFAULT_LIST_SIZE
        if sized:
            return 1, sized, size
        return (size if is_list else 1), sized, 0

    def argument_value(self, value: ValueNode) -> Any:
        if isinstance(value, VariableNode):
            self.used_variables = True
            name = value.name.value
            if self.variables is not None and name in self.variables:
                return self.variables[name]
            return self.defaults.get(name)
        return value_from_ast_untyped(value)


def _field_definition(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if name == "__schema":
        return SchemaMetaFieldDef
    if name == "__type":
        return TypeMetaFieldDef
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields is not None else None


def _weight(definition: GraphQLField, named: GraphQLNamedType) -> float:
    for node in (definition.ast_node, named.ast_node):
        directive = _directive(node, "cost")
        if directive is not None:
            value = _arguments(directive).get("weight")
            if value is not None:
                try:
                    weight = float(value_from_ast_untyped(value))
                except (TypeError, ValueError):
                    break  # a malformed weight: the default, rather than a crash
                if math.isfinite(weight) and weight >= 0:
                    return weight
                break
    return 1 if is_composite_type(named) else 0


def _directive(node: Any, name: str) -> DirectiveNode | None:
    for directive in getattr(node, "directives", None) or ():
        if directive.name.value == name:
            return directive  # type: ignore[no-any-return]
    return None


def _arguments(directive: DirectiveNode) -> dict[str, ValueNode]:
    return {argument.name.value: argument.value for argument in directive.arguments or ()}


def _strings(value: ValueNode | None) -> list[str]:
    if isinstance(value, ListValueNode):
        return [item.value for item in value.values if isinstance(item, StringValueNode)]
    if isinstance(value, StringValueNode):
        return [value.value]
    return []
