"""``make_executable_schema``: SDL plus a plain mapping of resolvers, for small services.

Any graphql-core ``GraphQLSchema`` works everywhere in graphqlwire (built by Ariadne,
Strawberry's ``schema._schema``, Graphene's ``graphql_schema`` or by hand); this helper only
saves writing the binding code for the common case.

``defer_stream=True`` adds graphql-core 3.3's ``@defer`` and ``@stream`` directives, which
graphqlwire then executes incrementally. A schema built elsewhere gets them the same way:
``GraphQLSchema(..., directives=[*specified_directives, GraphQLDeferDirective,
GraphQLStreamDirective])``, or ``with_defer_stream(schema)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import graphql
from graphql import (
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)

Resolvers = Mapping[str, Mapping[str, Any]]

_SCALAR_HOOKS = ("serialize", "parse_value", "parse_literal")
#: graphql-core 3.3 reads these names (copied from the old ones at construction only).
_SCALAR_HOOK_ALIASES = {"serialize": "coerce_output_value", "parse_value": "coerce_input_value"}


def make_executable_schema(
    type_defs: str | list[str], resolvers: Resolvers | None = None, *, defer_stream: bool = False
) -> GraphQLSchema:
    """Build a schema from SDL and bind resolvers to it.

    # Required arguments

    `type_defs`: the SDL, as one string or a list of strings that are joined.

    # Optional arguments

    `resolvers`: a mapping from type name to that type's bindings:

    - object types: `{"field": resolver}`; on `Subscription` a field takes
      `{"subscribe": async_generator_function, "resolve": function}`, where `resolve`
      defaults to passing each event through unchanged;
    - interfaces and unions: `{"__resolve_type": function}`;
    - scalars: any of `serialize`, `parse_value`, `parse_literal`;
    - enums: `{"NAME": python_value}`.

    `defer_stream`: add the `@defer` and `@stream` directives (see `with_defer_stream`).

    A type or field name that the SDL does not define raises `ValueError` at once, so a
    typo fails at start-up rather than as a null at run time.
    """
    sdl = type_defs if isinstance(type_defs, str) else "\n\n".join(type_defs)
    schema = build_schema(sdl)
    if defer_stream:
        schema = with_defer_stream(schema)
    for type_name, bindings in (resolvers or {}).items():
        graphql_type = schema.type_map.get(type_name)
        if graphql_type is None:
            raise ValueError(
                f"Resolvers are given for type '{type_name}', which the schema does not define."
            )
        _bind(graphql_type, type_name, bindings)
    return schema


def with_defer_stream(schema: GraphQLSchema) -> GraphQLSchema:
    """`schema` with graphql-core's `@defer` and `@stream` directives (a new schema sharing
    its types, or `schema` itself if it declares both already).

    Operations using them then run incrementally: HTTP clients that accept
    `multipart/mixed` and WebSocket clients get every payload. Raises `RuntimeError` on
    graphql-core 3.2, which cannot execute them.
    """
    defer = getattr(graphql, "GraphQLDeferDirective", None)
    stream = getattr(graphql, "GraphQLStreamDirective", None)
    if defer is None or stream is None or not hasattr(graphql, "Executor"):
        raise RuntimeError(
            "@defer and @stream need graphql-core 3.3 or later (installed: "
            f"{graphql.__version__}); upgrade it or build the schema without defer_stream."
        )
    names = {directive.name for directive in schema.directives}
    added = [directive for directive in (defer, stream) if directive.name not in names]
    if not added:
        return schema
    kwargs = schema.to_kwargs()
    kwargs["directives"] = (*schema.directives, *added)
    return GraphQLSchema(**kwargs)


def _bind(graphql_type: Any, type_name: str, bindings: Mapping[str, Any]) -> None:
    if isinstance(graphql_type, GraphQLObjectType):
        for field_name, binding in bindings.items():
            _bind_field(graphql_type, type_name, field_name, binding)
    elif isinstance(graphql_type, (GraphQLInterfaceType, GraphQLUnionType)):
        _only_keys(type_name, bindings, ("__resolve_type",))
        if "__resolve_type" not in bindings:
            raise ValueError(f"Abstract type '{type_name}' needs a '__resolve_type' function.")
        graphql_type.resolve_type = bindings["__resolve_type"]
    elif isinstance(graphql_type, GraphQLScalarType):
        _only_keys(type_name, bindings, _SCALAR_HOOKS)
        for hook, function in bindings.items():
            setattr(graphql_type, hook, function)
            alias = _SCALAR_HOOK_ALIASES.get(hook)
            if alias and hasattr(graphql_type, alias):
                setattr(graphql_type, alias, function)
    elif isinstance(graphql_type, GraphQLEnumType):
        for name, value in bindings.items():
            if name not in graphql_type.values:
                raise ValueError(f"Enum '{type_name}' has no value named '{name}'.")
            graphql_type.values[name].value = value
    else:
        raise ValueError(f"Type '{type_name}' cannot take resolvers.")


def _bind_field(
    graphql_type: GraphQLObjectType, type_name: str, field_name: str, binding: Any
) -> None:
    field = graphql_type.fields.get(field_name)
    if field is None:
        raise ValueError(f"Type '{type_name}' has no field '{field_name}' to bind a resolver to.")
    if callable(binding):
        field.resolve = binding
        return
    if not isinstance(binding, Mapping):
        raise ValueError(
            f"The binding for '{type_name}.{field_name}' must be a function or a "
            "mapping with 'subscribe' and/or 'resolve'."
        )
    _only_keys(f"{type_name}.{field_name}", binding, ("subscribe", "resolve"))
    if "subscribe" in binding:
        field.subscribe = binding["subscribe"]
        field.resolve = binding.get("resolve", _pass_event_through)
    elif "resolve" in binding:
        field.resolve = binding["resolve"]


def _only_keys(owner: str, bindings: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(bindings) - set(allowed))
    if unknown:
        raise ValueError(
            f"Unknown binding(s) {', '.join(unknown)} for '{owner}'; expected {', '.join(allowed)}."
        )


def _pass_event_through(event: Any, *_args: Any, **_kwargs: Any) -> Any:
    return event


__all__ = ["Resolvers", "make_executable_schema", "with_defer_stream"]
