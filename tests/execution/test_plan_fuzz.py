"""Differential fuzzing of selection plans: plain data completed directly, or by graphql-core.

``Executor`` completes the objects of JSON-shaped data by selection plans (``_tree_plans``,
``_plain_values``): plain fields (no resolver of their own, no arguments, no middleware,
built-in scalars and objects without ``is_type_of``, lists and non-null wrappers of them)
are read with ``dict.get`` and completed whole subtrees at a time, and any value a completer
cannot take falls back to graphql-core's ``execute_field``. That fallback must give exactly
graphql-core's response: data, errors (messages, paths, locations) and null propagation.

This file aims at the plans. The schema gives every object type the same fields: each
built-in scalar under nine list / non-null shapes, objects under several shapes (nested
lists of them, non-null at every level), interfaces and unions (``resolve_type``, members
with ``is_type_of``, the default resolver reading ``__typename``), an enum, a custom scalar,
and fields that are not plain (resolvers, raising ones, async ones, an argument) mixed in.
Hypothesis writes documents over it (aliases, duplicated fields, named and inline
fragments, ``__typename`` at every level, ``@skip``/``@include`` with literals and
variables, including a null ``$maybe: Boolean = true`` that graphql-core rejects exactly
where it collects such a selection); a seeded ``random.Random`` builds data that follows
the document (mostly plain ``dict``/``list`` data, so plans run), with "odd" values put in
at any depth: null in non-null positions, near-miss scalars (bools for ints, ints for
floats and IDs, out-of-range ints, NaN and infinities, ``str``/``list``/``dict``
subclasses), tuples, generators, iterators, callables, objects read by attribute,
exceptions and (async) awaitables. Each document is sent several times (the document cache
and its shared sub-field memo keep the plans across requests) with other data, variables,
schema variants and with or without middleware (plans off), through ``graphql_sync`` and
``graphql`` (also concurrently), and as a subscription (plans shared across events), and
every response is compared with graphql-core's own, with Python types (``1`` is not
``1.0`` nor ``True``) and key order, together with the order of the resolver calls.

So that the comparison cannot pass while checking nothing, every request of a plain
document with plain data asserts that ``GraphQLResolveInfo`` was built only for the root
fields graphql-core still executes (``_expected_infos``), and each test asserts that plans
completed objects (calls of the functions ``_plan_compiler`` compiles) and that graphqlwire built far
fewer infos than graphql-core over the whole run.
"""

from __future__ import annotations

import asyncio
import functools
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from copy import deepcopy
from dataclasses import dataclass, field
from inspect import isawaitable
from typing import Any

import graphql as core
import odd_values
import pytest
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    MiddlewareManager,
    build_schema,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    is_composite_type,
    is_non_null_type,
    parse,
)
from hypothesis import HealthCheck, Phase, currently_in_test_context, given, note, settings
from hypothesis import strategies as st
from odd_values import DictSub, Loud
from test_executor_fuzz import (
    QUIET,
    Later,
    _settle,
    assert_same,
    execution_starts,
    expected_response,
)

from graphqlwire import graphql, graphql_sync, subscribe
from graphqlwire.execution import NO_LIMITS, ExecutionOptions, Executor, _pipeline, _tree_plans
from graphqlwire.execution._compat import GRAPHQL_CORE_3_3, LEAF_COERCER, ExecutionContext
from graphqlwire.execution._plan_compiler import PlainField
from graphqlwire.execution._tree_plans import ObjectPlan

pytestmark = pytest.mark.skipif(not GRAPHQL_CORE_3_3, reason="selection plans need 3.3")

# ---------------------------------------------------------------------------------------
# the schema: every object type has the same fields, named after their types

SCALARS: dict[str, str] = {"s": "String", "i": "Int", "f": "Float", "b": "Boolean", "id": "ID"}
#: The shapes of the scalar fields: nullable and non-null at every level.
SCALAR_SHAPES = ("{}", "{}!", "[{}]", "[{}!]", "[{}]!", "[{}!]!", "[[{}]]", "[[{}!]!]!", "[[{}]!]")
#: Composite fields: base name -> (type, shapes).
COMPOSITES: dict[str, tuple[str, tuple[str, ...]]] = {
    "o": ("Obj", ("{}", "{}!", "[{}]", "[{}!]!", "[[{}]]", "[{}]!", "[[{}!]]!", "[[{}]!]!")),
    "a": ("A", ("{}", "[{}!]")),
    "t": ("T", ("{}", "[{}]")),
    "node": ("Node", ("{}", "[{}]", "[{}!]!")),
    "named": ("Named", ("[{}!]",)),
    "thing": ("Thing", ("{}", "[{}]!")),
    "tagged": ("Tagged", ("{}", "[{}]")),
    "loose": ("Loose", ("[{}]",)),
}
#: Fields plans leave to graphql-core (resolvers, an argument, an enum, a custom scalar).
SPECIAL_FIELDS: dict[str, str] = {
    "up": "String", "boom": "String", "boom_n": "String!", "arg(x: Int = 1)": "String",
    "arg_n(x: Int! = 1)": "String",
    "color": "Color", "color_l": "[Color!]", "money": "Money", "via": "Obj", "via_l": "[Obj]",
    "later": "String", "later_o": "Obj",
}  # fmt: skip
#: Fields with async resolvers: only in documents sent through ``graphql()``.
ASYNC_FIELDS = frozenset({"later", "later_o"})
OBJECT_TYPES = ("Obj", "A", "B", "T", "U", "Query")


def _wrappers(shape: str) -> str:
    """``n`` per non-null and ``l`` per list wrapper, outside in: ``[[{}]!]`` is ``lnl``."""
    if shape.endswith("!"):
        return "n" + _wrappers(shape[:-1])
    if shape.startswith("["):
        return "l" + _wrappers(shape[1:-1])
    return ""


def _field_name(base: str, shape: str) -> str:
    code = _wrappers(shape)
    return f"{base}_{code}" if code else base


def _common_fields() -> str:
    lines = [
        f"{_field_name(base, shape)}: {shape.format(scalar)}"
        for base, scalar in SCALARS.items()
        for shape in SCALAR_SHAPES
    ]
    lines += [
        f"{_field_name(base, shape)}: {shape.format(type_name)}"
        for base, (type_name, shapes) in COMPOSITES.items()
        for shape in shapes
    ]
    lines += [f"{name}: {type_}" for name, type_ in SPECIAL_FIELDS.items()]
    return "\n  ".join(lines)


COMMON = _common_fields()
SDL = f"""
directive @experimental_disableErrorPropagation on QUERY | MUTATION | SUBSCRIPTION
scalar Money
enum Color {{ RED GREEN }}
interface Node {{ id_n: ID! s: String o: Obj boom: String }}
interface Named {{ s: String i_n: Int! }}
type Obj {{ {COMMON} }}
type A implements Node & Named {{ {COMMON} }}
type B implements Node {{ {COMMON} }}
type T implements Node {{ {COMMON} }}
type U {{ {COMMON} }}
union Thing = A | B
union Tagged = T | U
union Loose = A | Obj
type Query {{ {COMMON} }}
type Subscription {{ feed: Obj feed_n: Obj! feed_l: [Obj!] }}
"""


def _get(source: Any, key: str) -> Any:
    return source.get(key) if isinstance(source, dict) else getattr(source, key, None)


def _log(info: GraphQLResolveInfo[Any]) -> None:
    """Record a resolver call: both sides must call the same resolvers in the same order."""
    info.context["calls"].append((info.field_name, *info.path.as_list()))


def _resolve_type(value: Any, *_: Any) -> Any:
    return _get(value, "kind")


def _kind_is(name: str) -> Callable[[Any, Any], bool]:
    def is_type_of(value: Any, _info: Any) -> bool:
        return bool(_get(value, "kind") == name)

    return is_type_of


def _money(value: Any) -> Any:
    return f"${value}" if type(value) in (int, float) else None


def _up(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    _log(info)
    value = _get(source, "up")
    return value.upper() if type(value) is str else value


def _boom(_source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    _log(info)
    raise ValueError(f"boom in {info.parent_type.name}")


def _via(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    _log(info)
    return _get(source, info.field_name)


async def _later(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    _log(info)
    await asyncio.sleep(0)
    return _get(source, info.field_name)


def _exclaim(source: Any, info: GraphQLResolveInfo[Any]) -> Any:
    value = _get(source, "s")
    return value + "!" if type(value) is str else value


async def _events(root: Any, _info: Any, **_args: Any) -> AsyncIterator[Any]:
    for payload in root["events"]:
        yield payload


def make_schema(variant: int) -> GraphQLSchema:
    """Schema 0 or 1, the same SDL: 1 has a resolver on every ``s`` and an ``is_type_of``
    on ``Obj``, so that neither is plain there."""
    schema = build_schema(SDL)
    types: Any = schema.type_map
    for name in ("Node", "Named", "Thing"):
        types[name].resolve_type = _resolve_type
    types["T"].is_type_of, types["U"].is_type_of = _kind_is("T"), _kind_is("U")
    setattr(types["Money"], LEAF_COERCER, _money)
    types["Color"].values["RED"].value, types["Color"].values["GREEN"].value = "r", "g"
    resolvers = {"up": _up, "boom": _boom, "boom_n": _boom, "via": _via, "via_l": _via,
                 "later": _later, "later_o": _later}  # fmt: skip
    for type_name in OBJECT_TYPES:
        fields = types[type_name].fields
        for name, resolve in resolvers.items():
            fields[name].resolve = resolve
        if variant == 1:
            fields["s"].resolve = _exclaim
    if variant == 1:
        types["Obj"].is_type_of = lambda _value, _info: True
    for subscription_field in types["Subscription"].fields.values():
        subscription_field.subscribe = _events
    return schema


SCHEMAS = (make_schema(0), make_schema(1))
SCHEMA = SCHEMAS[0]
TYPES: Any = SCHEMA.type_map
QUERY: GraphQLObjectType = TYPES["Query"]


def _is_plain_field(field_def: Any) -> bool:
    """Whether schema 0's plans complete the field (see the ``_tree_plans`` docstring)."""
    named = get_named_type(field_def.type)
    if field_def.resolve is not None or field_def.args:
        return False
    if isinstance(named, GraphQLObjectType):
        return named.is_type_of is None
    return named.name in SCALARS.values()


PLAIN_FIELDS = frozenset(name for name, f in TYPES["Obj"].fields.items() if _is_plain_field(f))

# ---------------------------------------------------------------------------------------
# documents


@dataclass
class Sel:
    """What one selection set selects (field name -> the selections under it), so that the
    data holds the fields the document reads, at the places it reads them."""

    fields: dict[str, list[Sel]] = field(default_factory=dict)
    parts: list[Sel] = field(default_factory=list)  # (fragments, inline or named)

    def add(self, name: str) -> Sel:
        child = Sel()
        self.fields.setdefault(name, []).append(child)
        return child


def merged(sels: list[Sel]) -> dict[str, list[Sel]]:
    """The fields the selections select, fragments included, with their sub-selections."""
    fields: dict[str, list[Sel]] = {}
    pending = list(sels)
    while pending:
        sel = pending.pop(0)
        for name, children in sel.fields.items():
            fields.setdefault(name, []).extend(children)
        pending.extend(sel.parts)
    return fields


@dataclass
class Document:
    """A generated document and what its requests need to know."""

    text: str
    sel: Sel
    variables: list[str]
    #: Only plain fields, no variable at the root: ``_expected_infos`` holds for plain data.
    plain: bool
    #: response key -> field name at the root
    root_keys: dict[str, str]
    root_field: str = ""  # (subscriptions)


VARIABLES: dict[str, str] = {"yes": "Boolean!", "maybe": "Boolean = true", "n": "Int"}
MISSING: Any = object()
#: Values the requests send: (valid ones, invalid ones). ``maybe`` null is valid, then
#: graphql-core fails to collect a selection with ``@include(if: $maybe)`` (a field error).
VARIABLE_VALUES: dict[str, tuple[list[Any], list[Any]]] = {
    "yes": ([True, False], [None, MISSING, "yes"]),
    "maybe": ([MISSING, True, False, None, None], []),
    "n": ([MISSING, 3, None, -1], ["x"]),
}
LITERAL_DIRECTIVES = ["@skip(if: true)", "@skip(if: false)", "@include(if: true)",
                      "@include(if: false)"]  # fmt: skip
VARIABLE_DIRECTIVES = ["@skip(if: $yes)", "@include(if: $yes)", "@include(if: $maybe)",
                       "@skip(if: $maybe)", "@include(if: true) @skip(if: $maybe)"]  # fmt: skip
#: The arguments of ``arg`` and ``arg_n``; the response key names the variant, so fields
#: merge validly.
ARG_VARIANTS = ["", "(x: 2)", "(x: $n)", "(x: null)"]
CONDITIONS = ("Obj", "A", "B", "T", "U", "Node", "Named", "Thing", "Tagged", "Loose")


def _possible(type_: GraphQLNamedType) -> set[str]:
    if isinstance(type_, GraphQLObjectType):
        return {type_.name}
    return {t.name for t in SCHEMA.get_possible_types(type_)}  # type: ignore[arg-type]


class Writer:
    """Writes a random document; ``choose(low, high)`` draws an integer (from hypothesis,
    so that documents shrink, or from a seeded ``random.Random``)."""

    def __init__(
        self,
        choose: Callable[[int, int], int],
        *,
        plain: bool = False,
        async_ok: bool = False,
        variables: bool = True,
        max_depth: int = 4,
    ) -> None:
        self.choose, self.plain, self.async_ok = choose, plain, async_ok
        self.use_variables, self.max_depth = variables, max_depth
        #: name -> (type condition, body, depth it was written at, its selections)
        self.fragments: dict[str, tuple[str, str, int, Sel]] = {}
        self.fragment_count = 0
        self.nesting = 0
        self.used: set[str] = set()
        self.root_keys: dict[str, str] = {}

    def chance(self, percent: int) -> bool:
        """True about ``percent`` times in 100 (and False when shrunk)."""
        return self.choose(0, 255) % 100 >= 100 - percent

    def pick(self, options: list[Any]) -> Any:
        return options[self.choose(0, 255) % len(options)]

    def field_names(self, parent: GraphQLNamedType, depth: int) -> list[str]:
        names: list[str] = []
        for name, field_def in getattr(parent, "fields", {}).items():
            if (name in ASYNC_FIELDS and not self.async_ok) or (
                self.plain and name not in PLAIN_FIELDS
            ):
                continue
            if not is_composite_type(get_named_type(field_def.type)):
                names += [name, name]  # (leaves twice as likely)
            elif depth < self.max_depth:  # (abstract types thrice: there are few of them)
                names += [name] * (3 if is_abstract_type(get_named_type(field_def.type)) else 1)
        names.append("__typename")
        return names

    def conditions(self, parent: GraphQLNamedType) -> list[str]:
        if parent is QUERY:
            return ["Query"]
        mine = _possible(parent)
        return [name for name in CONDITIONS if _possible(TYPES[name]) & mine]

    def directives(self, depth: int) -> str:
        if not self.chance(18 if depth else 6):
            return ""
        options = list(LITERAL_DIRECTIVES)
        if self.use_variables and not (self.plain and depth == 0):
            options += VARIABLE_DIRECTIVES
        directive: str = self.pick(options)
        self.used.update(re.findall(r"\$(\w+)", directive))
        return " " + directive

    def selection_set(
        self, parent: GraphQLNamedType, depth: int, sel: Sel, count: int | None = None
    ) -> str:
        if count is None:
            count = 1 + self.choose(0, 3)
        written: list[str] = []
        for _ in range(count):
            if written and self.chance(12):
                written.append(self.pick(written))  # (the same selection twice)
            else:
                written.append(self.selection(parent, depth, sel))
        return "{ " + " ".join(written) + " }"

    def selection(self, parent: GraphQLNamedType, depth: int, sel: Sel) -> str:
        kind = self.choose(0, 9)
        if isinstance(parent, GraphQLUnionType) and 1 <= kind < 7:
            kind = 7 + kind % 3  # (a union has only __typename of its own)
        if kind >= 8 and self.nesting < 3:
            return self.inline_fragment(parent, depth, sel)
        if kind == 7 and self.nesting < 3:
            return self.fragment_spread(parent, depth, sel)
        return self.field(parent, depth, sel)

    def field(self, parent: GraphQLNamedType, depth: int, sel: Sel, name: str = "") -> str:
        name = name or self.pick(self.field_names(parent, depth))
        key = name
        if name == "__typename" and self.chance(15):
            key = "typename_as1"
        arguments = ""
        field_def = getattr(parent, "fields", {}).get(name)
        if field_def is not None and field_def.args:
            non_null = is_non_null_type(field_def.args["x"].type)  # (x: null is invalid there)
            usable = [i for i, v in enumerate(ARG_VARIANTS)
                      if (self.use_variables or "$" not in v) and not (non_null and "null" in v)]  # fmt: skip
            variant = self.pick(usable)
            arguments = ARG_VARIANTS[variant]
            self.used.update(re.findall(r"\$(\w+)", arguments))
            key = f"{name}_v{variant}" if variant else name
        if key != "typename_as1" and self.chance(15):
            key = f"{key}_as{1 + self.choose(0, 1)}"
        if depth == 0:
            self.root_keys[key] = name
        text = (name if key == name else f"{key}: {name}") + arguments + self.directives(depth)
        if field_def is None:  # (__typename)
            return text
        child = sel.add(name)
        named = get_named_type(field_def.type)
        if is_composite_type(named):
            text += " " + self.selection_set(named, depth + 1, child)
        return text

    def inline_fragment(self, parent: GraphQLNamedType, depth: int, sel: Sel) -> str:
        self.nesting += 1
        condition = self.pick([None, *self.conditions(parent)])
        head = "..." + (f" on {condition}" if condition else "") + self.directives(depth)
        part = Sel()
        sel.parts.append(part)
        body = self.selection_set(TYPES[condition] if condition else parent, depth, part)
        self.nesting -= 1
        return f"{head} {body}"

    def fragment_spread(self, parent: GraphQLNamedType, depth: int, sel: Sel) -> str:
        conditions = self.conditions(parent)
        known = [name for name, (condition, _, written_at, _) in self.fragments.items()
                 if condition in conditions and written_at >= depth]  # fmt: skip
        if known and (self.fragment_count >= 4 or self.chance(50)):
            name = self.pick(known)
        elif self.fragment_count < 4:
            condition = self.pick(conditions)
            name = f"F{self.fragment_count}"
            self.fragment_count += 1
            part = Sel()
            self.nesting += 1
            body = self.selection_set(TYPES[condition], depth, part)
            self.nesting -= 1
            self.fragments[name] = (condition, body, depth, part)  # (complete: no cycle)
        else:
            return self.field(parent, depth, sel)
        sel.parts.append(self.fragments[name][3])
        return f"...{name}{self.directives(depth)}"

    def finish(self, kind: str, body: str, sel: Sel) -> Document:
        definitions = ", ".join(f"${v}: {VARIABLES[v]}" for v in sorted(self.used))
        head = kind + (f"({definitions})" if definitions else "")
        if self.chance(5):
            head += " @experimental_disableErrorPropagation"
        texts = [f"{head} {body}"]
        texts += [f"fragment {name} on {condition} {fragment_body}"
                  for name, (condition, fragment_body, _, _) in self.fragments.items()]  # fmt: skip
        if self.chance(30):
            texts.reverse()
        return Document("\n".join(texts), sel, sorted(self.used), self.plain, self.root_keys)

    def query(self) -> Document:
        sel = Sel()
        if self.chance(50):  # one root field: a root plan, and the memo shared if no variable
            names = [n for n in self.field_names(QUERY, 0)
                     if n != "__typename" and is_composite_type(get_named_type(QUERY.fields[n].type))]  # fmt: skip
            name = self.pick(names) if self.chance(85) else ""
            body = "{ " + self.field(QUERY, 0, sel, name) + " }"
        else:
            body = self.selection_set(QUERY, 0, sel, 1 + self.choose(0, 2))
        return self.finish("query", body, sel)

    def subscription(self) -> Document:
        sel = Sel()
        name = self.pick(["feed", "feed_n", "feed_l"])
        key = f"{name}_as1" if self.chance(20) else name
        child = sel.add(name)
        field_text = name if key == name else f"{key}: {name}"
        body = "{ " + field_text + " " + self.selection_set(TYPES["Obj"], 1, child) + " }"
        document = self.finish("subscription", body, sel)
        document.root_field = name
        return document


def hypothesis_choose(draw: Callable[[Any], Any]) -> Callable[[int, int], int]:
    return lambda low, high: draw(st.integers(low, high))  # type: ignore[no-any-return]


@st.composite
def documents(draw: Callable[[Any], Any], async_ok: bool = False) -> Document:
    return write_document(hypothesis_choose(draw), async_ok)


def write_document(choose: Callable[[int, int], int], async_ok: bool) -> Document:
    """A random document, plain about 3 times in 10."""
    plain = choose(0, 255) % 100 >= 70
    variables = choose(0, 255) % 100 >= 45
    depth = 3 + choose(0, 2)
    writer = Writer(choose, plain=plain, async_ok=async_ok, variables=variables, max_depth=depth)
    return writer.query()


# ---------------------------------------------------------------------------------------
# data


class Attrs:
    """An object source: its fields are read as attributes (never by a plan)."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.__dict__.update(fields)


class Items(list[Any]):
    """A list subclass: not the exact ``list`` a plan completes."""


GOOD: dict[str, tuple[Any, ...]] = {
    "String": ("a", "text", "", "\u00fc"),
    "Int": (0, 1, -3, 2**31 - 1, -(2**31)),
    "Float": (1.5, 0.0, -2.25, 1e300, -0.0),
    "Boolean": (True, False),
    "ID": ("x", "id7", 0, 12, -(10**20)),
    "Money": (3, 2.5),
    "Color": ("r", "g"),
}
#: Values of the wrong type (or range) for each leaf type, that a coercer may still take.
NEAR_MISSES: dict[str, tuple[Any, ...]] = {
    "String": (Loud("loud"), 1, True, 2.5, b"x", ("a",), {"a": 1}),
    "Int": (True, False, 2**31, -(2**31) - 1, 10**30, 1.0, 2.5, "1", float("nan")),
    "Float": (1, 0, True, float("nan"), float("inf"), float("-inf"), "1.5", 10**400),
    "Boolean": (1, 0, "true", 1.0),
    "ID": (True, 1.0, 2.5, b"id", Loud("id"), ("x",)),
    "Money": ("3", True),
    "Color": ("RED", "b", 1),
}
ANY_SCALAR = [value for values in GOOD.values() for value in values]


class DataBuilder:
    """Root data for one request, the same for the same seed (each side builds its own).

    Objects hold the fields the document selects at their place (``Sel``); ``chaos`` is
    the share of values that are odd (see ``odd``), ``later`` the share made awaitable.
    Once ``objects`` are built, lists of objects are empty: the data stays small.
    """

    def __init__(
        self,
        seed: str,
        chaos: float,
        later: float = 0.0,
        lengths: tuple[int, ...] = (0, 1, 1, 2, 2, 3, 3, 5),
        objects: int = 120,
    ) -> None:
        self.rng = random.Random(seed)
        self.chaos, self.later, self.lengths, self.objects = chaos, later, lengths, objects

    def root(self, sel: Sel) -> dict[str, Any]:
        return self.object(QUERY, [sel])

    def value(self, type_: GraphQLOutputType, sels: list[Sel]) -> Any:
        rng = self.rng
        if rng.random() < self.chaos:
            return self.odd(type_, sels)
        if not isinstance(type_, GraphQLNonNull) and rng.random() < 0.06:
            return None
        value = self.plain(type_, sels)
        if self.later and rng.random() < self.later:
            return Later(value)
        return value

    def plain(self, type_: GraphQLOutputType, sels: list[Sel]) -> Any:
        rng = self.rng
        nullable: Any = get_nullable_type(type_)  # type: ignore[arg-type]
        if isinstance(nullable, GraphQLList):
            item = nullable.of_type
            empty = self.objects <= 0 and is_composite_type(get_named_type(item))
            count = 0 if empty else rng.choice(self.lengths)
            return [self.value(item, sels) for _ in range(count)]
        if isinstance(nullable, GraphQLObjectType):
            return self.object(nullable, sels)
        if is_abstract_type(nullable):
            return self.abstract(nullable, sels)
        return rng.choice(GOOD[nullable.name])

    def object(self, type_: GraphQLObjectType, sels: list[Sel]) -> dict[str, Any]:
        self.objects -= 1
        value: dict[str, Any] = {"kind": type_.name}
        for name, children in merged(sels).items():
            field_def = type_.fields.get(name)
            if field_def is not None:
                value[name] = self.value(field_def.type, children)
        if type_.is_type_of is not None and self.rng.random() < 0.04:
            value["kind"] = "Obj"  # (fails T's or U's is_type_of)
        return value

    def abstract(self, type_: Any, sels: list[Sel]) -> dict[str, Any]:
        rng = self.rng
        chosen = rng.choice(SCHEMA.get_possible_types(type_))
        value = self.object(chosen, sels)
        key = "kind"
        if type_.name == "Loose":  # (the default type resolver reads __typename)
            key = "__typename"
            value[key] = chosen.name
        if rng.random() < 0.04:
            value[key] = rng.choice((None, "Nope", "Obj", "Query", "B", "T"))
        return value

    def odd(self, type_: GraphQLOutputType, sels: list[Sel]) -> Any:
        """A value a plan must leave to graphql-core (or one it completes the same way)."""
        rng = self.rng
        nullable: Any = get_nullable_type(type_)  # type: ignore[arg-type]
        kind = rng.randrange(9)
        if kind == 0:
            return None
        if kind == 1:
            name = getattr(nullable, "name", "")  # (lists, objects: any scalar)
            return rng.choice(NEAR_MISSES.get(name, ANY_SCALAR))
        if kind == 2:
            return rng.choice(odd_values.ODD_VALUES)()
        if kind == 3:
            return self.container(nullable, sels)
        if kind == 4:
            plain = self.plain(type_, sels)
            return lambda _info, **_args: plain
        if kind == 5:
            return rng.choice((ValueError, GraphQLError))("an error in the data")
        if kind == 6 and self.later:
            outcome = rng.choice((None, ValueError("awaited error"), self.plain(type_, sels)))
            return Later(outcome)
        if kind == 7 and isinstance(nullable, GraphQLList):
            items = self.plain(type_, sels)
            if items:  # (one odd item, maybe far down a list of plain ones)
                items[rng.randrange(len(items))] = self.odd(nullable.of_type, sels)
            return items
        return self.plain(type_, sels)

    def container(self, nullable: Any, sels: list[Sel]) -> Any:
        """The plain value in another container: not the exact type plans complete."""
        rng = self.rng
        plain = self.plain(nullable, sels)
        if isinstance(plain, list):
            shape = rng.randrange(4)
            if shape == 0:
                return tuple(plain)  # (plans take these)
            if shape == 1:
                return (item for item in plain)
            return Items(plain) if shape == 2 else iter(plain)
        if isinstance(plain, dict):
            return DictSub(plain) if rng.random() < 0.5 else Attrs(plain)
        return Loud(plain) if isinstance(plain, str) else plain


# ---------------------------------------------------------------------------------------
# requests and the comparison


@dataclass
class Request:
    """One sending of a document: its data seed, odd and awaitable shares, variables..."""

    seed: int
    chaos: float
    later: float
    variables: dict[str, Any]
    middleware: bool
    variant: int


CHAOS = [0.0, 0.0, 0.01, 0.03, 0.1]
LATER = [0.0, 0.05, 0.2]


@st.composite
def requests(draw: Callable[[Any], Any], document: Document, async_ok: bool = False) -> Request:
    return write_request(hypothesis_choose(draw), document, async_ok)


def write_request(choose: Callable[[int, int], int], document: Document, async_ok: bool) -> Request:
    """A random sending of ``document``: now and then invalid variables, odd data,
    awaitable values (``async_ok``), middleware or the other schema."""
    writer = Writer(choose)  # (for chance and pick)
    variables: dict[str, Any] = {}
    for name in document.variables:
        valid, invalid = VARIABLE_VALUES[name]
        value = writer.pick(invalid if invalid and writer.chance(5) else valid)
        if value is not MISSING:
            variables[name] = value
    return Request(
        choose(0, 2**16),
        writer.pick(CHAOS),
        writer.pick(LATER) if async_ok else 0.0,
        variables,
        writer.chance(20),
        1 if writer.chance(15) else 0,
    )


def _mark(next_: Any, source: Any, info: Any, **args: Any) -> Any:
    """A middleware marking the strings resolvers give: a field that skipped it shows."""
    value = next_(source, info, **args)
    return value + "~" if type(value) is str else value


def _context() -> dict[str, Any]:
    return {"calls": []}


def _data(document: Document, request: Request) -> dict[str, Any]:
    """The request's root data (salted with the document: hypothesis favours few seeds)."""
    return DataBuilder(f"{request.seed} {document.text}", request.chaos, request.later).root(
        document.sel
    )


def _long_lists(document: Document, request: Request) -> dict[str, Any]:
    """Root data with lists of up to 30 items (and more objects than ``_data`` allows)."""
    builder = DataBuilder(f"{request.seed} {document.text}", request.chaos,
                          lengths=(0, 4, 12, 30), objects=400)  # fmt: skip
    return builder.root(document.sel)


class Reference:
    """Whether graphql-core's execution starts for a document (parsed and validated once)."""

    def __init__(self, text: str) -> None:
        try:
            self.document: DocumentNode | None = parse(text)
        except GraphQLError:
            self.document = None
        else:
            self.errors = core.validate(SCHEMA, self.document)
            self.document = None if self.errors else self.document

    def started(self, schema: GraphQLSchema, variables: dict[str, Any]) -> bool:
        return execution_starts(schema, self.document, variables, None)


class Probe:
    """What graphqlwire did across a test's requests: infos built (graphqlwire's and
    graphql-core's), objects completed by plans, plain documents checked."""

    def __init__(self) -> None:
        self.stats: Counter[str] = Counter()

    def check_plain(
        self, document: Document, request: Request, response: dict[str, Any], built: int
    ) -> None:
        """For a plain document and plain data: infos only for the root fields graphql-core
        executes (see ``_expected_infos``)."""
        if not document.plain or request.chaos or request.later or request.middleware:
            return
        if request.variant or "errors" in response or "data" not in response:
            return
        assert built == _expected_infos(document, response["data"]), (built, response)
        self.stats["plain checks"] += 1


def _expected_infos(document: Document, data: dict[str, Any]) -> int:
    """The ``GraphQLResolveInfo`` builds of a plain document over plain data.

    One root field: its plan builds the root field's info, nothing else does. Several:
    graphql-core executes the root fields, and builds infos for those that are not plain
    leaves (objects, lists of objects, ``__typename``); all below complete by plans.
    """
    if len(data) == 1:
        return 1
    count = 0
    for key in data:
        name = document.root_keys[key]
        if name == "__typename" or is_composite_type(get_named_type(QUERY.fields[name].type)):
            count += 1
    return count


@pytest.fixture(autouse=True)
def no_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Documents here may be large (many nested lists), and graphql-core knows no
    ``OperationLimits``: the functions under test run without them."""
    with_no_limits = functools.partial(ExecutionOptions, limits=NO_LIMITS)
    monkeypatch.setattr(_pipeline, "ExecutionOptions", with_no_limits)


@pytest.fixture
def probe(monkeypatch: pytest.MonkeyPatch) -> Probe:
    """Count ``GraphQLResolveInfo`` builds and plan completions from now on."""
    probe = Probe()
    build_info = ExecutionContext.build_resolve_info
    compile_plain = _tree_plans.compile_plain

    def counting_info(self: Any, *args: Any) -> Any:
        probe.stats["infos" if isinstance(self, Executor) else "core infos"] += 1
        return build_info(self, *args)

    def counting_compile(fields: list[PlainField]) -> Callable[[Any], Any]:
        complete_plain = compile_plain(fields)

        def counting_plain(source: Any) -> Any:
            probe.stats["plain objects"] += 1
            return complete_plain(source)

        return counting_plain

    monkeypatch.setattr(ExecutionContext, "build_resolve_info", counting_info)
    monkeypatch.setattr(_tree_plans, "compile_plain", counting_compile)
    return probe


def _note(text: str) -> None:
    """Hypothesis's ``note`` in its tests; elsewhere (seeded cases) printed, which pytest
    shows when the test fails."""
    if currently_in_test_context():
        note(text)
    else:
        print(text)


def _assert_plans_ran(probe: Probe, checks: int) -> None:
    stats = probe.stats
    assert stats["plain checks"] >= checks, stats
    assert stats["plain objects"] >= 2 * checks, stats
    assert stats["infos"] < 0.7 * stats["core infos"], stats


def run_sync(
    document: Document,
    runs: list[Request],
    probe: Probe,
    data_of: Callable[[Document, Request], dict[str, Any]] = _data,
) -> None:
    """Send ``document`` once per request through both, comparing every response; each
    side gets its own root data, ``data_of`` the document and the request."""
    _note(f"document:\n{document.text}")
    reference = Reference(document.text)
    probe.stats["documents"] += 1
    probe.stats["valid"] += reference.document is not None
    for number, request in enumerate(runs):
        _note(f"request {number}: {request}")
        schema = SCHEMAS[request.variant]
        middleware = [_mark] if request.middleware else None
        theirs_context, ours_context = _context(), _context()
        theirs = core.graphql_sync(
            schema, document.text, data_of(document, request), theirs_context,
            deepcopy(request.variables), middleware=middleware,
        )  # fmt: skip
        before = probe.stats["infos"]
        data = {"query": document.text, "variables": deepcopy(request.variables)}
        _, ours = graphql_sync(schema, data, root_value=data_of(document, request),
                               context_value=ours_context, middleware=middleware, logger=QUIET)  # fmt: skip
        built = probe.stats["infos"] - before
        assert_same(ours, expected_response(theirs, reference.started(schema, request.variables)))
        assert ours_context == theirs_context
        probe.stats["with errors"] += "errors" in ours
        probe.check_plain(document, request, ours, built)


#: No shrinking: shrinking these documents can take many minutes, longer than the suite may
#: run; a failure shows its case as generated (the notes hold the document and requests).
FUZZ = settings(phases=[Phase.explicit, Phase.generate], derandomize=True, database=None,
                deadline=None, print_blob=False,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip


@st.composite
def documents_and_requests(
    draw: Callable[[Any], Any], async_ok: bool = False
) -> tuple[Document, list[Request]]:
    document = draw(documents(async_ok))
    return document, draw(st.lists(requests(document, async_ok), min_size=3, max_size=5))


@settings(FUZZ, max_examples=220)
@given(case=documents_and_requests())
def _fuzz_sync(case: tuple[Document, list[Request]], probe: Probe) -> None:
    run_sync(*case, probe)


def test_random_trees_give_graphql_cores_responses(probe: Probe) -> None:
    """The main differential test (sync): random documents, each sent 3-5 times."""
    _fuzz_sync(probe=probe)
    stats = probe.stats
    assert stats["valid"] > 0.95 * stats["documents"], stats
    assert stats["plain checks"] > 0, stats


def seeded_cases(seed: str, count: int, async_ok: bool) -> Iterator[tuple[Document, list[Request]]]:
    """``count`` documents with 3 requests each, as the fuzz tests write them but from a
    seeded ``random.Random``: the same cases whatever else runs (hypothesis's draws depend
    on the modules imported), so that counts over them can be asserted."""
    rng = random.Random(seed)
    for _ in range(count):
        document = write_document(rng.randint, async_ok)
        yield document, [write_request(rng.randint, document, async_ok) for _ in range(3)]


def test_the_sync_fuzz_reaches_plans(probe: Probe) -> None:
    for case in seeded_cases("sync", 100, async_ok=False):
        run_sync(*case, probe)
    _assert_plans_ran(probe, 30)


# ---------------------------------------------------------------------------------------
# async: awaitable values, async resolvers, requests at the same time


async def _theirs_async(
    document: Document, request: Request, context: dict[str, Any]
) -> ExecutionResult:
    middleware = [_mark] if request.middleware else None
    result = await core.graphql(SCHEMAS[request.variant], document.text, _data(document, request),
                                context, deepcopy(request.variables), middleware=middleware)  # fmt: skip
    await _settle()
    return result


async def _ours_async(document: Document, request: Request, context: dict[str, Any]) -> Any:
    data = {"query": document.text, "variables": deepcopy(request.variables)}
    middleware = [_mark] if request.middleware else None
    _, response = await graphql(SCHEMAS[request.variant], data, root_value=_data(document, request),
                                context_value=context, middleware=middleware, logger=QUIET)  # fmt: skip
    return response


async def run_async(document: Document, runs: list[Request], probe: Probe, together: bool) -> None:
    """``run_sync`` through ``graphql()``; ``together``: graphqlwire runs the requests
    concurrently (sharing the document's plans while they interleave)."""
    _note(f"document:\n{document.text}\ntogether: {together}")
    reference = Reference(document.text)
    contexts = [(_context(), _context()) for _ in runs]
    expected = []
    for request, (_, theirs_context) in zip(runs, contexts, strict=True):
        theirs = await _theirs_async(document, request, theirs_context)
        expected.append(expected_response(theirs, reference.started(
            SCHEMAS[request.variant], request.variables)))  # fmt: skip
    if together:
        responses = await asyncio.gather(*(
            _ours_async(document, request, context)
            for request, (context, _) in zip(runs, contexts, strict=True)))  # fmt: skip
        await _settle()
    else:
        responses, builds = [], []
        for request, (context, _) in zip(runs, contexts, strict=True):
            before = probe.stats["infos"]
            responses.append(await _ours_async(document, request, context))
            builds.append(probe.stats["infos"] - before)
            await _settle()
    for number, request in enumerate(runs):
        _note(f"request {number}: {request}")
        assert_same(responses[number], expected[number])
        assert sorted(contexts[number][0]["calls"]) == sorted(contexts[number][1]["calls"])
        if not together:
            probe.check_plain(document, request, responses[number], builds[number])


# graphql-core itself leaves a coroutine unawaited now and then (a non-null field failing
# while its siblings still wait), on both sides alike: not this test's business.
@pytest.mark.filterwarnings("ignore:coroutine '.*' was never awaited:RuntimeWarning")
@settings(FUZZ, max_examples=110, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=documents_and_requests(async_ok=True), together=st.integers(0, 255))
async def test_random_trees_give_graphql_cores_responses_async(
    probe: Probe, case: tuple[Document, list[Request]], together: int
) -> None:
    """The same with awaitable values and async resolvers (async), the requests one after
    the other or, now and then, all at once."""
    await run_async(*case, probe, together=together % 100 >= 75)


def test_the_async_fuzz_reaches_plans(probe: Probe) -> None:
    for case in seeded_cases("async", 100, async_ok=True):
        asyncio.run(run_async(*case, probe, together=False))
    _assert_plans_ran(probe, 2)


# ---------------------------------------------------------------------------------------
# seeded random: long lists with a few odd values far down them


def test_long_lists_with_rare_odd_values_give_graphql_cores_responses(probe: Probe) -> None:
    """Documents from ``random.Random`` over data with long lists and very few odd values:
    a plan completes most of a list before it meets the odd item and hands it all over."""
    for number in range(40):
        rng = random.Random(f"long lists {number}")
        document = Writer(rng.randint, plain=rng.random() < 0.5, max_depth=3).query()
        runs = []
        for sending in range(3):
            variables = {name: rng.choice(VARIABLE_VALUES[name][0]) for name in document.variables}
            variables = {name: value for name, value in variables.items() if value is not MISSING}
            chaos = rng.choice((0.0, 0.002, 0.01))
            runs.append(Request(number * 3 + sending, chaos, 0.0, variables, False, 0))
        run_sync(document, runs, probe, _long_lists)
    _assert_plans_ran(probe, 10)


# ---------------------------------------------------------------------------------------
# subscriptions: the plans of one document shared across its events


@st.composite
def subscriptions(draw: Callable[[Any], Any]) -> tuple[Document, Request, int]:
    choose = hypothesis_choose(draw)
    document = Writer(choose, variables=choose(0, 1) == 1, max_depth=4).subscription()
    return document, draw(requests(document)), 2 + choose(0, 3)


def _events_root(document: Document, request: Request, count: int) -> dict[str, Any]:
    builder = DataBuilder(f"{request.seed} {document.text}", request.chaos)
    feed: Any = TYPES["Subscription"].fields[document.root_field]
    child = document.sel.fields[document.root_field]
    return {"events": [{document.root_field: builder.value(feed.type, child)}
                       for _ in range(count)]}  # fmt: skip


async def _collect(stream: Any) -> list[dict[str, Any]]:
    results = []
    async for result in stream:
        results.append(dict(result.formatted))
    return results


@settings(FUZZ, max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=subscriptions())
async def test_subscription_events_give_graphql_cores_results(
    case: tuple[Document, Request, int],
) -> None:
    """A subscription's events, each with other data, give graphql-core's results."""
    document, request, count = case
    _note(f"document:\n{document.text}\nrequest: {request}")
    schema = SCHEMAS[request.variant]
    middleware = [_mark] if request.middleware else None
    reference = Reference(document.text)
    ok, stream = await subscribe(
        schema, {"query": document.text, "variables": deepcopy(request.variables)},
        root_value=_events_root(document, request, count), context_value=_context(),
        middleware=middleware, logger=QUIET,
    )  # fmt: skip
    if reference.document is None or not reference.started(schema, request.variables):
        assert not ok
        return
    assert ok, stream
    ours = await _collect(stream)
    theirs_stream = core.subscribe(
        schema, reference.document, _events_root(document, request, count), _context(),
        deepcopy(request.variables), middleware=MiddlewareManager(*middleware or ()),
    )  # fmt: skip
    if isawaitable(theirs_stream):
        theirs_stream = await theirs_stream
    theirs = await _collect(theirs_stream)
    assert_same(ours, theirs)


# ---------------------------------------------------------------------------------------
# the fast path runs, and stops where it must


def _deep(seed: str, sel_text: str) -> tuple[Document, Callable[[], Any]]:
    """A variable-free document and a factory of plain data (long lists) for it."""
    sel = Sel()
    document = Document(sel_text, sel, [], True, {})
    parsed = parse(sel_text)
    _sel_of(parsed.definitions[0].selection_set, QUERY, sel, document.root_keys)  # type: ignore[attr-defined]
    return document, lambda: DataBuilder(seed, 0.0, lengths=(20,), objects=10**6).root(sel)


def _sel_of(selection_set: Any, parent: Any, sel: Sel, root_keys: dict[str, str] | None) -> None:
    """The ``Sel`` of a parsed selection set of fields (no fragments)."""
    for node in selection_set.selections:
        name = node.name.value
        if root_keys is not None:
            root_keys[node.alias.value if node.alias else name] = name
        if name == "__typename":
            continue
        child = sel.add(name)
        if node.selection_set is not None:
            named = get_named_type(parent.fields[name].type)
            _sel_of(node.selection_set, named, child, None)


PLAIN_QUERY = (
    "{ o_nlnl { __typename s i_n f b_n id_n s_lnl i_nlnln o { s_n o_l { id_n f_l } }"
    " again: o_nlnl { b } } }"
)


def test_a_plain_query_builds_only_the_root_fields_info(probe: Probe) -> None:
    """A plain document over plain data: one info (the root field's), every object by a
    plan, plans built once, then kept for the next requests of the document."""
    _, root = _deep("plain", PLAIN_QUERY)
    inits = Counter[str]()
    original = ObjectPlan.__init__

    def counting(self: ObjectPlan, *args: Any) -> None:
        inits["plans"] += 1
        original(self, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ObjectPlan, "__init__", counting)
        for sending in range(3):
            before, objects = probe.stats["infos"], probe.stats["plain objects"]
            _, ours = graphql_sync(SCHEMA, {"query": PLAIN_QUERY}, root_value=root())
            theirs = core.graphql_sync(SCHEMA, PLAIN_QUERY, root())
            assert_same(ours, theirs.formatted)
            assert probe.stats["infos"] - before == 1
            assert probe.stats["plain objects"] - objects > 20 * 20  # (o_nlnl: 400 objects)
            if sending == 0:
                first = inits["plans"]
                assert first > 0
            else:
                assert inits["plans"] == first  # (the shared memo kept them)
    assert "errors" not in ours


def test_two_plain_root_fields_build_an_info_each(probe: Probe) -> None:
    """Several root fields: graphql-core executes the root, a plain leaf there builds no
    info, each object field one (``_expected_infos``)."""
    query = "{ s o_l { s i_n } __typename o_n { o { b } } }"
    document, root = _deep("two roots", query)
    before = probe.stats["infos"]
    _, ours = graphql_sync(SCHEMA, {"query": query}, root_value=root())
    assert_same(ours, core.graphql_sync(SCHEMA, query, root()).formatted)
    assert probe.stats["infos"] - before == _expected_infos(document, ours["data"]) == 3


def test_middleware_turns_plans_off(probe: Probe) -> None:
    """With middleware every field is resolved through it: no plan completes anything."""
    _, root = _deep("middleware", PLAIN_QUERY)
    graphql_sync(SCHEMA, {"query": PLAIN_QUERY}, root_value=root())  # (plans made and kept)
    objects = probe.stats["plain objects"]
    _, ours = graphql_sync(SCHEMA, {"query": PLAIN_QUERY}, root_value=root(), middleware=[_mark])
    theirs = core.graphql_sync(SCHEMA, PLAIN_QUERY, root(), middleware=[_mark])
    assert_same(ours, theirs.formatted)
    assert probe.stats["plain objects"] == objects
    assert "~" in repr(ours)


@pytest.mark.parametrize(
    ("query", "data"),
    [
        # graphql-core collects the sub-fields (and fails on the null variable) only for
        # objects it completes: not for an empty list, a null, an empty nested list
        ("query ($maybe: Boolean = true) { o_l { s @include(if: $maybe) } }", {"o_l": []}),
        ("query ($maybe: Boolean = true) { o_l { s @include(if: $maybe) } }", {"o_l": [{}]}),
        (
            "query ($maybe: Boolean = true) { o { o_l { s @skip(if: $maybe) i } } }",
            {"o": {"o_l": [None, {"i": 1}, None]}},
        ),
        (
            "query ($maybe: Boolean = true) { o { o_l { s @skip(if: $maybe) i } } }",
            {"o": {"o_l": None}},
        ),
        (
            "query ($maybe: Boolean = true) { o { o_nlnl { ... on Obj @include(if: $maybe) { s } } } }",
            {"o": {"o_nlnl": [[], []]}},
        ),
        (
            "query ($maybe: Boolean = true) { o { o_nlnl { ... on Obj @include(if: $maybe) { s } } } }",
            {"o": {"o_nlnl": [[], [{"s": "a"}]]}},
        ),
        (
            "query ($maybe: Boolean = true) { s o_n { i o_n { b @include(if: $maybe) } } }",
            {"s": "x", "o_n": {"i": 1, "o_n": {"b": True}}},
        ),
        (
            "query ($maybe: Boolean = true) { o { s } o_l { i_n @include(if: $maybe) } }",
            {"o": {"s": "x"}, "o_l": [{"i_n": 1}]},
        ),
    ],
)
def test_a_null_boolean_variable_fails_where_graphql_core_fails(
    query: str, data: dict[str, Any]
) -> None:
    """``$maybe: Boolean = true`` sent as null: graphql-core reports it only where it
    collects a selection using it; plans collect eagerly, and must not report more."""
    variables = {"maybe": None}
    theirs = core.graphql_sync(SCHEMA, query, deepcopy(data), variable_values=variables)
    for _ in range(2):
        request = {"query": query, "variables": variables}
        _, ours = graphql_sync(SCHEMA, request, root_value=deepcopy(data), logger=QUIET)
        assert_same(ours, theirs.formatted)


# ---------------------------------------------------------------------------------------
# sanity checks of the harness


def test_the_data_builder_is_deterministic() -> None:
    """Both sides must get equal data for a seed, or every comparison would be noise."""

    @settings(FUZZ, max_examples=20)
    @given(documents(async_ok=True))
    def check(document: Document) -> None:
        first, second = (DataBuilder("7", 0.2, 0.2).root(document.sel) for _ in range(2))
        shown = [re.sub(" at 0x[0-9a-f]+", "", repr(data)) for data in (first, second)]
        assert shown[0] == shown[1]

    check()


def test_generated_documents_are_valid_and_varied() -> None:
    """Nearly every document validates, and they use what they are meant to."""
    seen: Counter[str] = Counter()
    rng = random.Random("variety")  # (hypothesis draws differ with the modules imported)
    for _ in range(150):
        document = write_document(rng.randint, async_ok=True)
        assert not core.validate(SCHEMA, parse(document.text)), document.text
        text = document.text
        for feature in ("fragment ", "... on", "__typename", "_as", "$maybe", "@skip",
                        "@include", "thing", "tagged", "loose", "o_nlnl", "boom", "later"):  # fmt: skip
            seen[feature] += feature in text
        seen["plain"] += document.plain
    assert all(count >= 3 for count in seen.values()), seen
