"""graphqlwire's ``Executor`` gives exactly graphql-core's results: data, errors, paths.

Every case runs the same document twice, through ``graphqlwire.graphql()`` (the fast
executor and hooks) and through graphql-core's own ``graphql()`` with its defaults, and
compares the whole formatted response.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import graphql as core
import pytest
from graphql import GraphQLError, GraphQLResolveInfo, GraphQLSchema, build_schema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from odd_values import ODD_VALUES, DictSub

from graphqlwire import graphql, graphql_sync, subscribe
from graphqlwire.execution import Executor
from graphqlwire.execution._compat import GRAPHQL_CORE_3_3

SDL = """
scalar Money
enum Color { RED GREEN }
interface Node { id: ID! }
type Item implements Node {
  id: ID!
  name: String!
  price: Float!
  tags: [String!]!
  count: Int
  ok: Boolean
  money: Money
  color: Color
  maybe: String
  maybeTags: [String]
  matrix: [[Int!]]
  child: Item
  children: [Item!]
  greet(word: String = "hi"): String
}
type Other implements Node { id: ID!, label: String }
union Thing = Item | Other
type Query {
  item: Item
  items: [Item!]!
  nullableItems: [Item]
  nodes: [Node]
  things: [Thing!]
  strictItem: Item!
  fail: String
  failStrict: String!
  slow: Item
}
"""


class Pet:
    """An object source: fields are read as attributes."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def make_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    money: Any = schema.type_map["Money"]
    money.serialize = money.coerce_output_value = lambda value: (
        f"${value}" if isinstance(value, (int, float, Decimal)) else None
    )
    color: Any = schema.type_map["Color"]
    color.values["RED"].value, color.values["GREEN"].value = "r", "g"

    def resolve_type(value: Any, *_: Any) -> str | None:
        return value.get("kind") if isinstance(value, dict) else None

    node: Any = schema.type_map["Node"]
    thing: Any = schema.type_map["Thing"]
    node.resolve_type = thing.resolve_type = resolve_type
    other: Any = schema.type_map["Other"]
    other.is_type_of = lambda value, _info: isinstance(value, dict) and "label" in value
    query: Any = schema.query_type
    query.fields["fail"].resolve = _fail
    query.fields["failStrict"].resolve = _fail
    item: Any = schema.type_map["Item"]
    item.fields["greet"].resolve = lambda source, _info, word: f"{word} {source['name']}"
    return schema


def _fail(*_: Any) -> None:
    raise ValueError("resolver broke")


SCHEMA = make_schema()

ITEM_FIELDS = "id name price tags count ok money color maybe maybeTags matrix"
ITEM_QUERY = f"{{ item {{ {ITEM_FIELDS} }} }}"


def good_item(i: int = 1, **changes: Any) -> dict[str, Any]:
    item = {
        "kind": "Item", "id": i, "name": f"item {i}", "price": i * 1.5, "tags": ["a", "b"],
        "count": i, "ok": True, "money": 3, "color": "r", "maybe": None, "maybeTags": None,
        "matrix": [[1, 2], [3]],
    }  # fmt: skip
    item.update(changes)
    return item


def expected(query: str, root: Any, variables: dict[str, Any] | None = None, **options: Any) -> Any:
    """graphql-core's own response, formatted as graphqlwire formats its responses."""
    return core.graphql_sync(
        SCHEMA, query, root_value=root, variable_values=variables, **options
    ).formatted


def ours(query: str, root: Any, variables: dict[str, Any] | None = None, **options: Any) -> Any:
    data = {"query": query, "variables": variables}
    return graphql_sync(SCHEMA, data, root_value=root, **options)[1]


def assert_same(
    make_root: Callable[[], Any],
    query: str,
    variables: dict[str, Any] | None = None,
    **options: Any,
) -> Any:
    """Compare both executions, each on fresh root data; return the response."""
    response = ours(query, make_root(), variables, **options)
    assert response == expected(query, make_root(), variables, **options)
    return response


FIELDS = ITEM_FIELDS.split()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(FIELDS), st.integers(0, len(ODD_VALUES) - 1)), max_size=5)
)
def test_any_field_values_give_graphql_cores_response(changes: list[tuple[str, int]]) -> None:
    def make_root() -> Any:
        item = good_item(**{name: ODD_VALUES[index]() for name, index in changes})
        return {"item": item, "items": [good_item(2), item]}

    assert_same(make_root, f"{{ item {{ {ITEM_FIELDS} }} items {{ {ITEM_FIELDS} }} }}")


def test_the_fast_path_skips_resolve_info_for_plain_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    original = Executor.build_resolve_info

    def counting(self: Any, field_def: Any, *args: Any) -> Any:
        info = original(self, field_def, *args)
        built.append(info.field_name)
        return info

    monkeypatch.setattr(Executor, "build_resolve_info", counting)
    response = assert_same(lambda: {"item": good_item()}, ITEM_QUERY)
    assert response["data"]["item"]["tags"] == ["a", "b"]
    # the root field, the custom scalar and the enum take the general path; the list of
    # lists is completed by its selection's plan
    assert built == ["item", "money", "color"]


@pytest.mark.parametrize(
    ("query", "root"),
    [
        # non-null violations at leaf, list item, list and object level
        ("{ item { name } }", {"item": good_item(name=None)}),
        ("{ item { tags } }", {"item": good_item(tags=["a", None])}),
        ("{ item { tags } }", {"item": good_item(tags=None)}),
        ("{ items { id } }", {"items": [good_item(), None]}),
        ("{ items { id } }", {"items": None}),
        ("{ strictItem { id } }", {"strictItem": None}),
        (
            "{ strictItem { name } item { id } }",
            {"strictItem": good_item(name=None), "item": good_item()},
        ),
        (
            "{ nullableItems { name } }",
            {"nullableItems": [good_item(), None, good_item(name=None)]},
        ),
        (
            "{ item { children { name } } }",
            {"item": good_item(children=[good_item(2), good_item(3, name=None)])},
        ),
        ("{ item { matrix } }", {"item": good_item(matrix=[[1], [None, 2], None, "x"])}),
        ("{ item { matrix } }", {"item": good_item(matrix=[[1.5]])}),
        # resolver errors at nullable and non-null positions
        ("{ fail item { id } }", {"item": good_item()}),
        ("{ failStrict item { id } }", {"item": good_item()}),
        # custom scalars, enums, arguments with defaults and values
        ('{ item { money color greet g2: greet(word: "yo") } }', {"item": good_item()}),
        ("{ item { color } }", {"item": good_item(color="blue")}),
        # abstract types: resolve_type, is_type_of, bad runtime types
        (
            "{ nodes { id ... on Item { name } ... on Other { label } } }",
            {"nodes": [good_item(), {"kind": "Other", "id": "o", "label": "L"}, None]},
        ),
        (
            "{ things { __typename ... on Item { tags } ... on Other { label } } }",
            {"things": [good_item(), {"kind": "Other", "id": 2, "label": None}]},
        ),
        ("{ things { __typename } }", {"things": [{"kind": "Nope"}]}),
        ("{ things { __typename } }", {"things": [{"kind": "Other", "id": 1}]}),
        ("{ nodes { id } }", {"nodes": [{"id": 1}]}),
        # sources that are not exact dicts, nested objects, __typename on dicts
        (
            "{ item { name child { name tags child { id } } } }",
            {"item": Pet(name="pet", child=DictSub(name="sub", tags=["t"], child=None))},
        ),
        ("{ item { __typename id } }", {"item": good_item()}),
        # aliases, fragments merging a field, directives
        (
            "{ item { a: name b: name ...F ... on Item { tags } } } fragment F on Item { name tags }",
            {"item": good_item()},
        ),
        (
            "{ item { name @skip(if: true) tags @include(if: false) id @include(if: true) } }",
            {"item": good_item()},
        ),
    ],
)
def test_corpus_gives_graphql_cores_response(query: str, root: Any) -> None:
    response = assert_same(lambda: root, query)
    assert response.get("data") is not None or response.get("errors")


@pytest.mark.parametrize(
    "variables",
    [{"skip": True, "word": "hey"}, {"skip": False, "word": None}, {"skip": False}],
)
def test_variables_give_graphql_cores_response(variables: dict[str, Any]) -> None:
    query = "query($skip: Boolean!, $word: String) { item { name @skip(if: $skip) greet(word: $word) } }"
    assert_same(lambda: {"item": good_item()}, query, variables)


def test_middleware_still_wraps_fields_read_from_dicts() -> None:
    def shout(next_: Any, source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        value = next_(source, info, **args)
        return value.upper() if isinstance(value, str) else value

    response = assert_same(lambda: {"item": good_item()}, ITEM_QUERY, middleware=[shout])
    assert response["data"]["item"]["name"] == "ITEM 1"


def test_a_custom_field_resolver_is_used_for_every_field() -> None:
    def resolver(source: Any, info: GraphQLResolveInfo, **_args: Any) -> Any:
        return {"name": "x"} if info.field_name == "item" else f"<{info.field_name}>"

    response = ours("{ item { name maybe } }", None, field_resolver=resolver)
    assert response == {"data": {"item": {"name": "<name>", "maybe": "<maybe>"}}}


async def test_async_values_give_graphql_cores_response() -> None:
    async def later(value: Any) -> Any:
        await asyncio.sleep(0)
        if isinstance(value, Exception):
            raise value
        return value

    def make_root() -> Any:
        return {
            "item": later(
                good_item(
                    tags=[later("a"), "b"], maybeTags=[later(None), later(ValueError("item"))]
                )
            ),
            "items": [later(good_item(2)), good_item(3, name=later("three"))],
            "nullableItems": [
                later(None),
                good_item(4, name=later(None)),
                later(good_item(5, children=[later(good_item(6, id=later(7)))])),
            ],
            "things": later([good_item(7)]),
        }

    query = "{ item { tags maybeTags } items { id name } nullableItems { id name children { id } } things { ... on Item { id } } }"
    response = (await graphql(SCHEMA, {"query": query}, root_value=make_root()))[1]
    assert response == (await core.graphql(SCHEMA, query, root_value=make_root())).formatted
    assert response["data"]["item"] == {"tags": ["a", "b"], "maybeTags": [None, None]}


def test_lists_of_lists_and_generators() -> None:
    def gen() -> Iterator[list[int]]:
        yield [1]
        yield [2, 3]

    response = assert_same(
        lambda: {"item": good_item(matrix=gen(), tags=("t",))}, "{ item { matrix tags } }"
    )
    assert response == {"data": {"item": {"matrix": [[1], [2, 3]], "tags": ["t"]}}}


def test_errors_in_values_keep_their_paths() -> None:
    root = {"items": [good_item(), good_item(2, tags=["a", GraphQLError("tag broke")])]}
    response = assert_same(lambda: root, "{ items { tags } }")
    assert response["errors"][0]["path"] == ["items", 1, "tags", 1]


async def test_subscription_events_give_graphql_cores_results() -> None:
    schema = build_schema(
        "type Query { a: Int } type Subscription { tick: Item } " + SDL.split("type Query")[0]
    )
    payloads = [
        good_item(1),
        good_item(2, name=None),
        good_item(3, tags=["x", None]),
        good_item(4, price=2),
    ]

    async def ticks(*_: Any) -> Any:
        for payload in payloads:
            yield {"tick": payload}

    subscription: Any = schema.subscription_type
    subscription.fields["tick"].subscribe = ticks
    query = "subscription { tick { id name price tags } }"
    success, results = await subscribe(schema, {"query": query})
    assert success
    ours = [result.formatted async for result in results]  # type: ignore[union-attr]
    stream = core.subscribe(schema, core.parse(query))
    if inspect.isawaitable(stream):
        stream = await stream
    assert ours == [result.formatted async for result in stream]  # type: ignore[union-attr]
    assert [result.get("errors", [{}])[0].get("path") for result in ours] == [
        None,
        ["tick", "name"],
        ["tick", "tags", 1],
        None,
    ]
    assert ours[3] == {
        "data": {"tick": {"id": "4", "name": "item 4", "price": 2.0, "tags": ["a", "b"]}}
    }


@pytest.mark.skipif(not GRAPHQL_CORE_3_3, reason="graphql-core 3.2 builds an executor per event")
def test_per_event_executors_share_plans_and_keep_no_memo_per_event() -> None:
    from graphql.execution import execute_subscription_event

    schema = build_schema(
        "type Query { a: Int } type Subscription { tick: Item } " + SDL.split("type Query")[0]
    )
    built = Executor.build(schema, core.parse("subscription { tick { id tags } }"))
    for number in range(20):
        result = execute_subscription_event(
            built.build_per_event_executor({"tick": good_item(number)})
        )
        assert result == ({"tick": {"id": str(number), "tags": ["a", "b"]}}, None)
    # tick's completer, looked up once for all events (None: not a leaf; the item's
    # selection plan completes id and tags)
    assert built._leaf_completers == {
        (schema.subscription_type, id(built.operation.selection_set.selections[0])): None
    }
    assert built._relevant_sub_fields == {}  # graphql-core's memo would hold one entry per event


def _event_results(built: Executor, payloads: list[Any]) -> list[Any]:
    return [built.execute_event(payload) for payload in payloads]


def _core_event_results(built: Executor, payloads: list[Any]) -> list[Any]:
    from graphql.execution import execute_subscription_event

    return [execute_subscription_event(built.build_per_event_executor(p)) for p in payloads]


EVENT_SDL = (
    "type Query { a: Int } type Subscription { tick(n: Int, ns: [Int]): Item! } "
    + SDL.split("type Query")[0]
)
EVENT_PAYLOADS = [{"tick": good_item(1)}, {"tick": None}, {"tick": good_item(2, tags=["x", None])}]


@pytest.mark.skipif(not GRAPHQL_CORE_3_3, reason="graphql-core 3.2 builds an executor per event")
@pytest.mark.parametrize(
    ("query", "planned"),
    [
        ("subscription { tick(n: 1) { id tags child { id } } }", True),
        ("subscription ($n: Int) { t: tick(n: $n) { ... on Item { id } } }", True),
        ("subscription { ... F } fragment F on Subscription { tick { id name } }", True),
        # a list argument could be changed in place by a resolver: coerced for every event
        ("subscription { tick(ns: [1, 2]) { id } }", True),
        ("subscription ($skip: Boolean!) { tick @skip(if: $skip) { id } }", True),
    ],
)
def test_subscription_events_run_the_root_field_planned_once(
    query: str, planned: bool, core_operations: list[int]
) -> None:
    schema = build_schema(EVENT_SDL)
    document = core.parse(query)
    expected = _core_event_results(
        Executor.build(schema, document, raw_variable_values={"n": 3, "skip": False}),
        EVENT_PAYLOADS,
    )
    core_operations.clear()  # (graphql-core's own runs above are not ours)
    built = Executor.build(schema, document, raw_variable_values={"n": 3, "skip": False})
    assert _event_results(built, EVENT_PAYLOADS) == expected
    assert expected[1].errors  # (the non-null root field, null: no data at all)
    assert len(core_operations) == (0 if planned else len(EVENT_PAYLOADS))
    if planned:  # sub-fields are collected (and planned) once per subscription, not per event
        collected = len(built._relevant_sub_fields)
        assert _event_results(built, EVENT_PAYLOADS) == expected
        assert len(built._relevant_sub_fields) == collected


@pytest.mark.skipif(not GRAPHQL_CORE_3_3, reason="graphql-core 3.2 builds an executor per event")
def test_a_subclass_overriding_execute_field_keeps_graphql_cores_path() -> None:
    class Upper(Executor):
        def execute_field(self, *args: Any) -> Any:
            value = super().execute_field(*args)
            return {**value, "name": value["name"].upper()} if isinstance(value, dict) else value

    built = Upper.build(build_schema(EVENT_SDL), core.parse("subscription { tick { name } }"))
    results = _event_results(built, [{"tick": good_item(5)}])
    assert results == [({"tick": {"name": "ITEM 5"}}, None)]
    assert built._root_field is False


@pytest.mark.skipif(not GRAPHQL_CORE_3_3, reason="graphql-core 3.2 builds an executor per event")
async def test_planned_events_with_async_resolvers_and_failures() -> None:
    schema = build_schema(EVENT_SDL)

    async def tick(payload: Any, _info: Any, **_args: Any) -> Any:
        if isinstance(payload, Exception):
            raise payload
        return payload

    subscription: Any = schema.subscription_type
    subscription.fields["tick"].resolve = tick
    document = core.parse("subscription { tick { id slow: name } }")
    payloads = [good_item(1), ValueError("boom"), None, good_item(2)]
    expected = [
        await result for result in _core_event_results(Executor.build(schema, document), payloads)
    ]
    built = Executor.build(schema, document)
    assert [await result for result in _event_results(built, payloads)] == expected
    assert built._root_field
    assert [result.errors[0].message if result.errors else None for result in expected] == [
        None,
        "boom",
        "Cannot return null for non-nullable field Subscription.tick.",
        None,
    ]
