"""Selection plans: what completing an object of one selection takes, worked out once.

graphql-core completes an object by collecting its sub-fields, then, field by field, builds
a path and a ``GraphQLResolveInfo``, calls the resolver and walks the return type. Most
fields of JSON-shaped data need none of that: a field without a resolver of its own (the
default one, over a ``dict``), without arguments, middleware or ``@stream``, whose type is
a built-in scalar, an object type (without ``is_type_of``) selected the same way, or lists
and non-null wrappers of those, is read with ``dict.get`` and completed directly
(``_plain_values``). ``__typename`` is the type's name. An ``ObjectPlan`` holds, per object
type and field group, each selected field with its completer (None: graphql-core executes
the field), so a list of a thousand objects is planned once.

A plain field whose value does not complete here (a completer says ``SLOW``) is executed by
graphql-core's ``execute_field``, which reads the ``dict`` again (reading has no side
effect) and gives graphql-core's errors with paths and locations and its null propagation.
Paths are built only for the fields graphql-core executes. Plans need graphql-core 3.3
(3.2 runs graphql-core's own completion with ``Executor``'s field shortcuts only).
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    Undefined,
)
from graphql.pyutils import Path
from graphql.type import TypeNameMetaFieldDef

from ._plain_values import SLOW, Completer, completes_to_itself, scalar_completer, wrapped
from ._plan_compiler import PlainField, compile_plain

#: Memo keys of plans and completers start with these, apart from graphql-core's own keys
#: (two-tuples of a type and a field group's ``id``) in the same memo.
_PLAN, _COMPLETER = object(), object()


def leaf_completer(field_def: GraphQLField, node: FieldNode) -> Completer | None:
    """The completer of a plain field of built-in scalars (and lists of them), or None.

    For executors without middleware whose field resolver reads ``dict`` keys (the caller
    checks that).
    """
    if not _is_plain(field_def, node):
        return None
    return wrapped(field_def.type, scalar_completer)


def _is_plain(field_def: GraphQLField, node: FieldNode) -> bool:
    """Whether the field is read from a ``dict`` by the default resolver, as it is."""
    return (
        field_def.resolve is None
        and not field_def.args
        and not node.arguments
        and not node.name.value.startswith("__")
        and not _is_streamed(node)
    )


def _is_streamed(node: FieldNode) -> bool:
    """Whether the field has ``@stream`` (graphql-core looks at the first node only:
    validation allows streaming a field in one place only if it is streamed in all)."""
    return any(directive.name.value == "stream" for directive in node.directives or ())


class ObjectPlan:
    """The fields of one object type's selection, each with its completer or None.

    ``plain`` is True when every field has a completer: then ``complete_plain`` completes a
    whole ``dict`` (and so the objects of its parent's completer) without a single path.
    """

    __slots__ = ("complete_plain", "entries", "grouped_field_set", "parent_type", "plain")

    def __init__(self, executor: Any, parent_type: GraphQLObjectType, field_group: Any) -> None:
        self.parent_type = parent_type
        self.grouped_field_set: dict[str, Any] = executor.collect_subfields(
            parent_type, field_group
        )[0]
        #: (response name, field group, field name, completer or None) per field.
        self.entries: list[tuple[str, Any, str, Completer | None]] = []
        plain_fields: list[PlainField] = []
        for response_name, group in self.grouped_field_set.items():
            node = group[0].node
            field_def = executor.schema.get_field(parent_type, node.name.value)
            complete: Completer | None = None
            if field_def is TypeNameMetaFieldDef:
                complete = _constant(parent_type.name)
                plain_fields.append(PlainField(response_name, "", None, None, parent_type.name))
            elif field_def is not None and _is_plain(field_def, node):
                complete = _completer(executor, field_def.type, group)
                itself = completes_to_itself(field_def.type)
                plain_fields.append(PlainField(response_name, node.name.value, complete, itself))
            self.entries.append((response_name, group, node.name.value, complete))
        self.plain = all(entry[3] is not None for entry in self.entries)
        #: The completed object of a ``dict`` all of whose fields complete here, or ``SLOW``
        #: (None unless ``plain``).
        self.complete_plain: Completer | None = compile_plain(plain_fields) if self.plain else None

    def complete(self, executor: Any, source: Any, path: Path) -> Any:
        """What graphql-core's ``execute_fields`` gives for ``source``: the completed object
        or an awaitable of it. Raises what it raises (a non-null field's error)."""
        if type(source) is not dict:
            return executor.execute_fields(
                self.parent_type, source, path, self.grouped_field_set, None
            )
        completed: dict[str, Any] = {}
        pending: list[str] = []
        parent_type, get = self.parent_type, source.get
        is_awaitable = executor.is_awaitable
        try:
            for response_name, group, field_name, complete in self.entries:
                if complete is not None:
                    value = complete(get(field_name))
                    if value is not SLOW:
                        completed[response_name] = value
                        continue
                value = executor.execute_field(
                    parent_type, source, group, Path(path, response_name, parent_type.name), None
                )
                if value is not Undefined:
                    completed[response_name] = value
                    if is_awaitable(value):
                        pending.append(response_name)
        except Exception:
            if pending:  # (they may fail too: settle them, as graphql-core does)
                executor.settle_in_background([completed[name] for name in pending])
            raise
        if pending:
            return _await_fields(completed, pending)
        return completed


async def _await_fields(completed: dict[str, Any], pending: list[str]) -> Any:
    """``completed`` once the awaitable fields named in ``pending`` have their values."""
    from graphql.pyutils import gather_with_cancel  # (graphql-core 3.3 only, as plans are)

    if len(pending) == 1:
        completed[pending[0]] = await completed[pending[0]]
    else:
        awaitables: list[Awaitable[Any]] = [completed[name] for name in pending]
        completed.update(zip(pending, await gather_with_cancel(*awaitables), strict=True))
    return completed


def object_plan(executor: Any, object_type: GraphQLObjectType, field_group: Any) -> ObjectPlan:
    """The plan of ``object_type`` under ``field_group``, kept in the executor's memo of
    collected sub-fields (which holds the field group alive, as graphql-core's entries do)."""
    memo = executor._relevant_sub_fields
    key = (_PLAN, object_type, id(field_group))
    cached = memo.get(key)
    if cached is None:
        cached = memo[key] = (field_group, ObjectPlan(executor, object_type, field_group))
    return cached[1]  # type: ignore[no-any-return]


def type_completer(executor: Any, type_: GraphQLOutputType, field_group: Any) -> Completer | None:
    """The completer of values of ``type_`` under ``field_group`` (whatever resolved them),
    or None; kept in the executor's memo like plans."""
    memo = executor._relevant_sub_fields
    key = (_COMPLETER, type_, id(field_group))
    cached = memo.get(key)
    if cached is None:
        complete = (
            None if _is_streamed(field_group[0].node) else _completer(executor, type_, field_group)
        )
        cached = memo[key] = (field_group, complete)
    return cached[1]  # type: ignore[no-any-return]


def _completer(executor: Any, type_: GraphQLOutputType, field_group: Any) -> Completer | None:
    """The completer of ``type_`` under ``field_group``, its objects by their plans."""

    def named(named_type: Any) -> Completer | None:
        if type(named_type) is not GraphQLObjectType:
            return scalar_completer(named_type)
        if named_type.is_type_of is not None:
            return None
        try:
            plan = object_plan(executor, named_type, field_group)
        except Exception:  # (collecting its fields failed: graphql-core raises it, if ever
            return None  # it completes such an object, at the right place)
        return plan.complete_plain if plan.plain else None

    return wrapped(type_, named)


def _constant(value: Any) -> Completer:
    def complete(_value: Any) -> Any:
        return value

    return complete
