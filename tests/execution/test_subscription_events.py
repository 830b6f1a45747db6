"""Every subscription event gives exactly graphql-core's result: data, errors, paths.

Each case subscribes twice with the same schema, document and variables: through
``graphqlwire.subscribe()`` and through graphql-core's own ``subscribe()``, and compares
the whole list of formatted results, event by event. The cases are about the root field
(arguments, aliases, fragments, its per-event ``resolve``, nullability, middleware), the
part graphqlwire may execute per event without graphql-core's ``collect_fields``.
"""

from __future__ import annotations

import inspect
import itertools
from collections.abc import AsyncIterator, Callable, Iterable
from decimal import Decimal
from typing import Any, TypeAlias

import graphql as core
import pytest
from graphql import ExecutionResult, GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema
from graphql.execution import MiddlewareManager

from graphqlwire import subscribe
from graphqlwire.execution._compat import GRAPHQL_CORE_3_3

Info: TypeAlias = "GraphQLResolveInfo[Any]"

if not GRAPHQL_CORE_3_3:  # 3.2 leaves the coroutines beside a failed non-null field unawaited
    pytestmark = [
        pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
        pytest.mark.filterwarnings("ignore:coroutine .* was never awaited"),
    ]

SDL = """
scalar Money
enum Color { RED GREEN BLUE }
input Range { low: Int!, high: Int = 10, color: Color = RED }
type Item {
  id: ID!
  name: String
  tags: [String]
  names: [String!]
  slow: String
  slowStrict: String!
  strict: Int!
  child: Item
}
type Query { a: Int }
type Subscription {
  tick(by: Int = 1, label: String, color: Color = GREEN, span: Range, money: Money): String
  flaky: String
  strict: Int!
  slow: String
  item: Item
  strictItem: Item!
  syncItem: Item!
  plain: String
  thing: Item
  batch: [Item]
  info(note: String = "n"): String
}
"""


class Pet:
    """An object event: the default resolver reads its attributes."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def make_item(number: int) -> dict[str, Any]:
    """An Item whose nulls and errors depend on ``number`` only (both runs see the same)."""
    return {
        "id": number,
        "name": None if number % 2 else f"item {number}",
        "tags": ["a", None, "c"][: number % 4],
        "names": ["x", None] if number % 3 == 0 else ["x"],
        "strict": None if number % 3 == 2 else number,
        "child": None if number % 2 else {"id": number + 100, "strict": None, "tags": [None]},
    }


def tick(event: int, _info: Info, by: Any, color: str, **optional: Any) -> str:
    return f"{event}*{by} {color} {sorted(optional.items())!r}"


def flaky(event: int, _info: Info) -> str:
    if event % 3 == 1:
        raise ValueError(f"flaky {event}")
    if event % 3 == 2:
        raise GraphQLError(f"refused {event}", extensions={"code": "REFUSED"})
    return f"ok {event}"


def strict(event: int, _info: Info) -> int | None:
    if event % 4 == 2:
        raise ValueError(f"strict {event} broke")
    return None if event % 4 == 1 else event


async def slow(event: int, _info: Info) -> str:
    if event % 2:
        raise ValueError(f"slow {event} failed")
    return f"slow {event}"


def item(event: int, _info: Info) -> dict[str, Any] | None:
    return None if event % 5 == 4 else make_item(event)


async def strict_item(event: int, _info: Info) -> dict[str, Any] | None:
    if event % 5 == 3:
        raise GraphQLError(f"no item {event}")
    if event % 7 == 6:
        raise ValueError(f"item {event} gone")
    return None if event % 5 == 4 else make_item(event)


async def item_slow(root: dict[str, Any], _info: Info) -> str:
    if int(root["id"]) % 3 == 1:
        raise ValueError(f"item {root['id']} too slow")
    return f"slow {root['id']}"


async def item_slow_strict(root: dict[str, Any], _info: Info) -> str:
    if int(root["id"]) % 4 == 1:
        raise ValueError(f"item {root['id']} not there")
    return f"there {root['id']}"


def batch(event: int, _info: Info) -> list[Any]:
    return [make_item(event), None, make_item(event + 2)]


def describe(event: Any, info: Info, note: str) -> str:
    """What a resolver sees: a per-event fast path must build the same ``info``."""
    variables = getattr(info.variable_values, "coerced", info.variable_values)
    aliases = [node.alias.value if node.alias else None for node in info.field_nodes]
    return (
        f"{note} {info.field_name} {info.path.as_list()} {info.parent_type} {info.return_type}"
        f" {info.operation.name and info.operation.name.value} root={info.root_value is event}"
        f" {aliases} {sorted(info.fragments)} {variables} {info.context}"
    )


def make_schema(events: Iterable[Any] = range(6)) -> GraphQLSchema:
    """The schema; every subscription field's source yields ``events``."""
    schema = build_schema(SDL)
    money: Any = schema.type_map["Money"]
    money.parse_value = money.coerce_input_value = lambda value: Decimal(str(value))
    money.parse_literal = lambda node, _variables=None: Decimal(node.value)
    events = list(events)

    async def source(*_: Any, **_args: Any) -> AsyncIterator[Any]:
        for event in events:
            yield event

    subscription: Any = schema.subscription_type
    for field in subscription.fields.values():
        field.subscribe = source
    resolvers: dict[str, Callable[..., Any]] = {
        "tick": tick, "flaky": flaky, "strict": strict, "slow": slow,
        "item": item, "strictItem": strict_item, "syncItem": item, "batch": batch, "info": describe,
    }  # fmt: skip
    for name, resolve in resolvers.items():
        subscription.fields[name].resolve = resolve
    item_type: Any = schema.type_map["Item"]
    item_type.fields["slow"].resolve = item_slow
    item_type.fields["slowStrict"].resolve = item_slow_strict
    return schema


async def run_both(
    schema: GraphQLSchema,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
    middleware: list[Any] | None = None,
) -> list[dict[str, Any]]:
    """Subscribe with graphqlwire and with graphql-core; assert the same results; return them.

    When graphql-core refuses the request (validation, variables) the errors are returned.
    """
    data = {"query": query, "variables": variables, "operationName": operation_name}
    context = {"user": "ann"}
    success, results = await subscribe(schema, data, context_value=context, middleware=middleware)
    document = core.parse(query)
    invalid = core.validate(schema, document)
    if invalid:
        assert isinstance(results, list) and not success
        assert results == [error.formatted for error in invalid]
        return results
    options = {"middleware": MiddlewareManager(*middleware)} if middleware else {}  # (3.3 only)
    stream = core.subscribe(
        schema, document, context_value=context, variable_values=variables,
        operation_name=operation_name, **options,
    )  # fmt: skip
    if inspect.isawaitable(stream):
        stream = await stream
    if isinstance(stream, ExecutionResult):
        assert isinstance(results, list) and not success
        assert results == [error.formatted for error in stream.errors or ()]
        return results
    assert success, results
    assert not isinstance(results, list)
    ours = [result.formatted async for result in results]  # (ExecutionResults, as Ariadne's)
    assert ours == [result.formatted async for result in stream]
    return ours


@pytest.mark.parametrize(
    ("query", "variables", "expected"),
    [
        ("subscription { tick }", None, "0*1 GREEN []"),
        (
            'subscription { tick(by: 3, label: "lit", color: BLUE) }',
            None,
            "0*3 BLUE [('label', 'lit')]",
        ),
        (
            "subscription($by: Int, $c: Color) { tick(by: $by, color: $c) }",
            {"by": 5, "c": "RED"},
            "0*5 RED []",
        ),
        ("subscription($by: Int, $c: Color) { tick(by: $by, color: $c) }", {}, "0*1 GREEN []"),
        ("subscription($by: Int = 7) { tick(by: $by) }", None, "0*7 GREEN []"),
        ("subscription($by: Int = 7) { tick(by: $by) }", {"by": None}, "0*None GREEN []"),
        ("subscription { tick(by: null, label: null) }", None, "0*None GREEN [('label', None)]"),
        (
            "subscription { tick(span: {low: 2, color: BLUE}) }",
            None,
            "0*1 GREEN [('span', {'low': 2, 'high': 10, 'color': 'BLUE'})]",
        ),
        (
            "subscription($low: Int!) { tick(span: {low: $low}) }",
            {"low": 4},
            "0*1 GREEN [('span', {'low': 4, 'high': 10, 'color': 'RED'})]",
        ),
        (
            "subscription($s: Range) { tick(span: $s) }",
            {"s": {"low": 1, "high": None}},
            "0*1 GREEN [('span', {'low': 1, 'high': None, 'color': 'RED'})]",
        ),
        ('subscription { tick(money: "3.10") }', None, "0*1 GREEN [('money', Decimal('3.10'))]"),
        (
            "subscription($m: Money) { tick(money: $m) }",
            {"m": 2.5},
            "0*1 GREEN [('money', Decimal('2.5'))]",
        ),
        # graphql-core refuses these before the first event: the same errors
        ("subscription($by: Int) { tick(by: $by) }", {"by": "x"}, "$by"),
        ("subscription($m: Money) { tick(money: $m) }", {"m": "abc"}, "$m"),
        ("subscription($s: Range!) { tick(span: $s) }", {"s": {"high": 1}}, "$s"),
        ('subscription { tick(money: "abc") }', None, "Money"),
        ("subscription { tick(by: $undefined) }", None, "$undefined"),
    ],
)
async def test_root_field_arguments(
    query: str, variables: dict[str, Any] | None, expected: str
) -> None:
    results = await run_both(make_schema(range(3)), query, variables)
    if "data" in results[0]:
        assert results[0] == {"data": {"tick": expected}} and len(results) == 3
    else:
        assert expected in results[0]["message"]


@pytest.mark.parametrize(
    ("query", "operation_name", "key"),
    [
        ("subscription { t: tick(by: 2) }", None, "t"),
        ("subscription { ... on Subscription { tick } }", None, "tick"),
        ("subscription { ... { t: tick } }", None, "t"),
        ("subscription { ...F } fragment F on Subscription { t: tick(by: 2) }", None, "t"),
        (
            "subscription { ...F } fragment F on Subscription { ...G } fragment G on Subscription { tick }",
            None,
            "tick",
        ),
        ("subscription { tick ...F } fragment F on Subscription { tick }", None, "tick"),
        (
            "subscription { item { id } ... on Subscription { item { name child { id } } } }",
            None,
            "item",
        ),
        (
            "subscription { i: item { id } ...F } fragment F on Subscription { i: item { tags slow } }",
            None,
            "i",
        ),
        ("subscription A { tick } subscription B { b: tick(by: 9) }", "B", "b"),
        ("subscription A { tick } subscription B { b: tick(by: 9) }", "A", "tick"),
    ],
)
async def test_root_field_aliases_fragments_and_operations(
    query: str, operation_name: str | None, key: str
) -> None:
    results = await run_both(make_schema(range(6)), query, None, operation_name)
    assert len(results) == 6 and all(list(result["data"]) == [key] for result in results)


@pytest.mark.skipif(
    not GRAPHQL_CORE_3_3,
    reason="graphql-core 3.2 allows @skip/@include on subscription root fields",
)
@pytest.mark.parametrize(
    "query",
    [
        "subscription($yes: Boolean!) { ...F @include(if: $yes) } fragment F on Subscription { tick }",
        "subscription($yes: Boolean!) { ... @skip(if: $yes) { tick } }",
        "subscription($yes: Boolean!) { tick @include(if: $yes) }",
    ],
)
async def test_skip_and_include_on_the_root_field(query: str) -> None:
    results = await run_both(make_schema(range(2)), query, {"yes": True})
    if GRAPHQL_CORE_3_3:  # graphql-core 3.3 refuses them in validation
        assert "must not use `@skip` or `@include`" in results[0]["message"]


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("subscription { info }", None),
        ('subscription S($v: String = "d") { i: info(note: $v) }', {"v": "x"}),
        ('subscription S($v: String = "d") { i: info(note: $v) }', None),
        ("subscription S { ...F } fragment F on Subscription { info ... { info } }", None),
        ("subscription { a: info ...F } fragment F on Subscription { a: info }", None),
    ],
)
async def test_root_field_resolve_sees_graphql_cores_info(
    query: str, variables: dict[str, Any] | None
) -> None:
    results = await run_both(make_schema([{"e": 1}, Pet(), None]), query, variables)
    assert len(results) == 3 and "root=True" in str(results[0])


SELECTION = "{ id name tags names slow strict child { id tags strict } }"


@pytest.mark.parametrize(
    "query",
    [
        "subscription { flaky }",
        "subscription { strict }",
        "subscription { s: strict }",
        "subscription { slow }",
        f"subscription {{ item {SELECTION} }}",
        f"subscription {{ strictItem {SELECTION} }}",
        f"subscription {{ batch {SELECTION} }}",
        "subscription { item { id slowStrict child { slowStrict } } }",
        "subscription { syncItem { id slowStrict child { slowStrict } } }",
        "subscription { strictItem { id slowStrict } }",
        "subscription { strictItem { __typename id t: __typename child { __typename strict } } }",
        "subscription { strictItem { ... on Item { id } ...I } } fragment I on Item { slow child { slow } }",
    ],
)
async def test_root_field_resolve_errors_and_nulls(query: str) -> None:
    results = await run_both(make_schema(range(12)), query)
    assert len(results) == 12 and any("errors" in result for result in results)


async def test_graphql_error_of_an_aliased_root_field_keeps_its_extensions() -> None:
    flaky_results = await run_both(make_schema(range(3)), "subscription { f: flaky }")
    assert flaky_results[2] == {
        "data": {"f": None},
        "errors": [
            {
                "message": "refused 2",
                "locations": [{"line": 1, "column": 16}],
                "path": ["f"],
                "extensions": {"code": "REFUSED"},
            }
        ],
    }


@pytest.mark.parametrize(
    "query",
    [
        "subscription($yes: Boolean!, $no: Boolean!) { item { id name @include(if: $yes) tags @skip(if: $no) } }",
        "subscription($yes: Boolean!, $no: Boolean!) { item { id ... @include(if: $no) { strict } ...I @skip(if: $yes) } } fragment I on Item { slow }",
        "subscription($yes: Boolean!, $no: Boolean!) { item { id ...I @include(if: $yes) child @skip(if: $no) { id } } } fragment I on Item { names }",
    ],
)
@pytest.mark.parametrize("yes", [True, False])
async def test_directives_inside_the_root_field(query: str, yes: bool) -> None:
    results = await run_both(make_schema(range(8)), query, {"yes": yes, "no": not yes})
    assert len(results) == 8


def shout(next_: Callable[..., Any], root: Any, info: Info, **args: Any) -> Any:
    value = next_(root, info, **args)
    return value.upper() if isinstance(value, str) else value


def picky(next_: Callable[..., Any], root: Any, info: Info, **args: Any) -> Any:
    if info.path.prev is None and isinstance(root, int) and root % 3 == 0:
        raise ValueError(f"picky about event {root}")
    if info.field_name == "name" and root.get("name"):
        raise ValueError(f"picky about {root['name']}")
    return next_(root, info, **args)


@pytest.mark.skipif(
    not GRAPHQL_CORE_3_3, reason="graphql-core 3.2's subscribe() takes no middleware"
)
@pytest.mark.parametrize(
    "query",
    [
        'subscription { tick(label: "x") }',
        "subscription { flaky }",
        "subscription { slow }",
        f"subscription {{ item {SELECTION} }}",
    ],
)
@pytest.mark.parametrize(
    "middleware",
    [[shout], [picky], [shout, picky], [picky, shout]],
    ids=["shout", "picky", "both", "reversed"],
)
async def test_middleware(query: str, middleware: list[Any]) -> None:
    results = await run_both(make_schema(range(7)), query, middleware=middleware)
    assert len(results) == 7


@pytest.mark.skipif(
    not GRAPHQL_CORE_3_3, reason="graphql-core 3.2's subscribe() takes no middleware"
)
async def test_middleware_changes_and_fails_the_root_field() -> None:
    results = await run_both(
        make_schema(range(2)), "subscription { flaky }", middleware=[picky, shout]
    )
    assert (
        results[1]["data"] == {"flaky": None}
        and results[0]["errors"][0]["message"] == "picky about event 0"
    )
    results = await run_both(make_schema([3]), "subscription { flaky }", middleware=[shout])
    assert results == [{"data": {"flaky": "OK 3"}}]


EVENTS: list[Any] = [
    {"plain": "dict", "thing": make_item(0)},
    Pet(plain="attribute", thing=make_item(1)),
    None,
    {"other": 1},
    Pet(),
    Pet(plain=lambda info: f"called for {info.field_name}", thing=lambda info: make_item(2)),
    {"plain": 5, "thing": {"id": 3, "names": [None], "strict": 1}},
    {"plain": ["not", "a", "string"], "thing": {"id": 4, "strict": "four"}},
    {"plain": "x", "thing": "not an item"},
    {"plain": ValueError("plain error"), "thing": GraphQLError("thing error")},
]


@pytest.mark.parametrize(
    "query",
    [
        "subscription { plain }",
        "subscription { p: plain }",
        f"subscription {{ thing {SELECTION} }}",
        "subscription { thing { __typename id } }",
    ],
)
async def test_root_field_without_resolve_reads_the_event(query: str) -> None:
    results = await run_both(make_schema(EVENTS), query)
    assert len(results) == len(EVENTS)


async def test_many_events_share_nothing() -> None:
    results = await run_both(make_schema(range(50)), f"subscription {{ strictItem {SELECTION} }}")
    assert len(results) == 50
    for number, result in enumerate(results):
        assert all(error["path"][0] == "strictItem" for error in result.get("errors", ()))
        assert all(
            str(number) in error["message"] or "null" in error["message"]
            for error in result.get("errors", ())
        )
    flaky_results = await run_both(make_schema(range(50)), "subscription { flaky }")
    assert [len(result.get("errors", ())) for result in flaky_results] == [0, 1, 1] * 16 + [0, 1]


async def test_errors_of_one_event_are_not_in_the_next() -> None:
    results = await run_both(make_schema([1, 0, 2, 3, 5, 4]), "subscription { strict }")
    null_error = {
        "message": "Cannot return null for non-nullable field Subscription.strict.",
        "locations": [{"line": 1, "column": 16}],
        "path": ["strict"],
    }
    assert results == [
        {"data": None, "errors": [null_error]},
        {"data": {"strict": 0}},
        {"data": None, "errors": [{**null_error, "message": "strict 2 broke"}]},
        {"data": {"strict": 3}},
        {"data": None, "errors": [null_error]},
        {"data": {"strict": 4}},
    ]


async def test_closing_after_two_events_runs_the_source_finally() -> None:
    schema = make_schema()
    closed: list[str] = []

    async def endless(*_: Any) -> AsyncIterator[int]:
        try:
            for number in itertools.count():
                yield number
        finally:
            closed.append("finally")

    subscription: Any = schema.subscription_type
    subscription.fields["flaky"].subscribe = endless
    success, results = await subscribe(schema, {"query": "subscription { flaky }"})
    assert success and not isinstance(results, list)
    assert (await results.__anext__()).formatted == {"data": {"flaky": "ok 0"}}
    assert (await results.__anext__()).errors[0].message == "flaky 1"
    assert closed == []
    await results.aclose()
    assert closed == ["finally"]
    with pytest.raises(StopAsyncIteration):
        await results.__anext__()
