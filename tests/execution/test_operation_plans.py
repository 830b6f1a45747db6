"""Queries and mutations with one root field and no variables run from a plan kept per operation.

Every case compares with graphql-core's own execution of the same document, request after
request, and checks which operations skip graphql-core's ``execute_operation`` (planned)
and which do not. Nothing but the root field's collection, its constant arguments and the
sub-field memo may be shared between requests: resolvers run and results differ per request.
"""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import graphql as core
import pytest
from graphql import DocumentNode, GraphQLSchema, build_schema

from graphqlwire import graphql, graphql_sync
from graphqlwire.execution import Executor
from graphqlwire.execution._compat import GRAPHQL_CORE_3_3
from graphqlwire.execution._root_plans import operation_plans as _operation_plans

pytestmark = pytest.mark.skipif(not GRAPHQL_CORE_3_3, reason="plans need graphql-core 3.3")

SDL = """
type Item { id: ID!, name: String, tags: [String!]!, child: Item }
type Query {
  item(id: ID = "1", ids: [ID]): Item
  strict: Item!
  hello: String
  count: Int
}
type Mutation { bump(by: Int = 1): Int! }
"""


def make_schema() -> GraphQLSchema:
    schema = build_schema(SDL)
    total = [0]

    def bump(_root: Any, _info: Any, by: int) -> int:
        total[0] += by
        return total[0]

    mutation: Any = schema.mutation_type
    mutation.fields["bump"].resolve = bump
    return schema


def item(number: int, **changes: Any) -> dict[str, Any]:
    return {"id": number, "name": f"item {number}", "tags": ["a", "b"], "child": None, **changes}


def echo(number: int, **changes: Any) -> Any:
    """A root value for ``item``: called with the field's arguments, it shows them."""
    return lambda _info, **args: item(number, name=repr(sorted(args.items())), **changes)


ROOTS: list[dict[str, Any]] = [
    {"item": echo(1), "strict": item(2), "hello": "hi", "count": 1},
    {"item": echo(3, child=item(4)), "strict": None, "hello": None, "count": 2},
    {"item": echo(5, tags=["x", None]), "strict": item(6, tags=None), "hello": "again"},
    {"item": None, "strict": item(7, child=item(8, tags=[])), "hello": 7, "count": "x"},
]
#: Each request's variables (ignored by operations that do not declare them).
VARIABLES: list[dict[str, Any]] = [
    {"id": 1, "skip": False, "ids": [1]},
    {"id": "two", "skip": True},
    {"id": None, "skip": False, "ids": None},
    {"skip": True, "ids": [None, 4]},
]


@pytest.mark.parametrize(
    ("query", "planned"),
    [
        ("{ item { id name tags child { id tags } } }", True),
        ("query Named { strict { id tags child { name } } }", True),
        ("{ renamed: item(id: 3) { id name } }", True),
        ("{ ... F } fragment F on Query { strict { ... on Item { id child { id } } } }", True),
        ("{ hello @include(if: true) count @skip(if: true) }", True),
        ("{ count }", True),
        ("{ item(ids: [1, 2]) { name } }", True),
        # variables in arguments and below the root: coerced and collected per request
        ("query ($id: ID) { item(id: $id) { id name } }", True),
        (
            "query ($ids: [ID], $skip: Boolean!) { item(ids: $ids) { id name @skip(if: $skip) } }",
            True,
        ),
        # two root fields, a variable deciding what the root collects: graphql-core's path
        ("{ hello count }", False),
        ("query ($skip: Boolean!) { hello @skip(if: $skip) }", False),
        # (the first request's variables collect one root field, the second's two)
        ("query ($skip: Boolean!) { hello ... on Query { count @include(if: $skip) } }", False),
        (
            "query ($skip: Boolean!) { hello ...F } fragment F on Query { ...G } fragment G on Query { count @include(if: $skip) }",
            False,
        ),
    ],
)
def test_requests_give_graphql_cores_response(
    query: str, planned: bool, core_operations: list[int]
) -> None:
    schema = make_schema()
    expected = [
        core.graphql_sync(schema, query, root, variable_values=variables).formatted
        for root, variables in zip(ROOTS, VARIABLES, strict=True)
    ]
    core_operations.clear()  # (graphql-core's own runs above are not ours)
    responses = [
        graphql_sync(schema, {"query": query, "variables": variables}, root_value=root)[1]
        for root, variables in zip(ROOTS, VARIABLES, strict=True)
    ]
    assert responses == expected
    assert len(core_operations) == (0 if planned else len(ROOTS))
    assert len({repr(response) for response in responses}) > 1  # each request its own data


def test_each_request_gets_its_own_variables() -> None:
    schema = make_schema()
    query = "query ($id: ID, $skip: Boolean!) { item(id: $id) @skip(if: $skip) { id } }"
    root = {"item": lambda _info, id, ids=None: item(int(id))}
    responses = [
        graphql_sync(schema, {"query": query, "variables": variables}, root_value=root)[1]
        for variables in (
            {"id": 1, "skip": False},
            {"id": 2, "skip": False},
            {"id": 3, "skip": True},
        )
    ]
    assert responses == [
        {"data": {"item": {"id": "1"}}},
        {"data": {"item": {"id": "2"}}},
        {"data": {}},
    ]


def test_an_argument_that_fails_to_coerce_fails_every_request_alike() -> None:
    schema = make_schema()
    query = "{ item(ids: {bad: 1}) { id } }"  # (invalid: only a validator letting it through)

    def accept_all(*_: Any, **__: Any) -> list[Any]:
        return []

    expected = core.execute(schema, core.parse(query), ROOTS[0]).formatted
    for _ in range(3):
        response = graphql_sync(
            schema, {"query": query}, root_value=ROOTS[0], query_validator=accept_all
        )[1]
        assert response == expected
    assert response["data"] == {"item": None} and "ids" in response["errors"][0]["message"]


def test_a_plan_goes_with_its_operation() -> None:
    schema = make_schema()
    document = core.parse("{ hello }")
    key = id(document.definitions[0])
    assert core.execute(schema, document, {"hello": "hi"}, executor_class=Executor) == (
        {"hello": "hi"},
        None,
    )
    assert _operation_plans._plans[key][0]() is document.definitions[0]
    del document
    gc.collect()
    assert key not in _operation_plans._plans


def test_a_planned_mutation_runs_its_resolver_on_every_request() -> None:
    schema = make_schema()
    results = [graphql_sync(schema, {"query": "mutation { bump(by: 2) }"})[1] for _ in range(3)]
    assert results == [{"data": {"bump": 2}}, {"data": {"bump": 4}}, {"data": {"bump": 6}}]


def test_middleware_and_field_resolver_are_the_requests_own() -> None:
    schema = make_schema()

    def shout(next_: Any, source: Any, info: Any, **args: Any) -> Any:
        return str(next_(source, info, **args)).upper()

    def constant(_source: Any, info: Any, **_args: Any) -> str:
        return f"<{info.field_name}>"

    query = {"query": "{ hello }"}
    root = {"hello": "hi"}
    assert graphql_sync(schema, query, root_value=root, middleware=[shout])[1] == {
        "data": {"hello": "HI"}
    }
    assert graphql_sync(schema, query, root_value=root)[1] == {"data": {"hello": "hi"}}
    assert graphql_sync(schema, query, root_value=root, field_resolver=constant)[1] == {
        "data": {"hello": "<hello>"}
    }


async def test_async_root_fields_and_their_failures() -> None:
    schema = make_schema()

    async def later(value: Any) -> Any:
        await asyncio.sleep(0)
        if isinstance(value, Exception):
            raise value
        return value

    query = "{ strict { id name child { id } } }"
    values: list[Any] = [
        lambda: item(1), lambda: ValueError("boom"), lambda: None,
        lambda: item(2, name=later("two")), lambda: item(3, id=None),
    ]  # fmt: skip
    responses = []
    for value in values:

        def strict(_info: Any, make: Any = value) -> Any:
            return later(make())

        response = (await graphql(schema, {"query": query}, root_value={"strict": strict}))[1]
        assert response == (await core.graphql(schema, query, {"strict": strict})).formatted
        responses.append(response)
    assert responses[3] == {"data": {"strict": {"id": "2", "name": "two", "child": None}}}
    assert responses[4]["data"] is None and responses[4]["errors"][0]["path"] == ["strict", "id"]


def test_a_subclass_overriding_execution_keeps_its_override_after_a_planned_request() -> None:
    class Upper(Executor):
        def execute_field(self, *args: Any) -> Any:
            value = super().execute_field(*args)
            return value.upper() if isinstance(value, str) else value

    schema = make_schema()
    query, root = {"query": "{ hello }"}, {"hello": "hi"}
    assert graphql_sync(schema, query, root_value=root)[1] == {"data": {"hello": "hi"}}
    upper = graphql_sync(schema, query, root_value=root, execution_context_class=Upper)[1]
    assert upper == {"data": {"hello": "HI"}}
    assert graphql_sync(schema, query, root_value=root)[1] == {"data": {"hello": "hi"}}


def test_a_plan_is_not_shared_between_schemas() -> None:
    document = core.parse("{ count }")
    texts = build_schema("type Query { count: String }")
    numbers = build_schema("type Query { count: Int }")
    for _ in range(2):
        for schema, expected in ((texts, "7"), (numbers, 7)):
            result = core.execute(schema, document, {"count": 7}, executor_class=Executor)
            assert result == ({"count": expected}, None)


def test_a_plan_is_not_shared_by_documents_with_other_fragments() -> None:
    schema = make_schema()
    first = core.parse("{ ...F } fragment F on Query { hello }")
    operation, _ = first.definitions
    other_fragment = core.parse("fragment F on Query { count }").definitions[0]
    second = DocumentNode(definitions=(operation, other_fragment))
    root = {"hello": "hi", "count": 3}
    for _ in range(2):
        assert core.execute(schema, first, root, executor_class=Executor) == ({"hello": "hi"}, None)
        assert core.execute(schema, second, root, executor_class=Executor) == ({"count": 3}, None)


def test_plans_and_their_memos_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_operation_plans, "MAXSIZE", 4)
    monkeypatch.setattr(_operation_plans, "_plans", {})
    schema = make_schema()
    for number in range(10):
        query = f"{{ item(id: {number}) {{ id }} }}"
        assert graphql_sync(schema, {"query": query}, root_value={"item": item(number)})[1] == {
            "data": {"item": {"id": str(number)}}
        }
    assert len(_operation_plans._plans) == 4
    # a memo at its limit is left alone: each request collects its sub-fields afresh
    monkeypatch.setattr(_operation_plans, "MEMO_LIMIT", 0)
    query = "{ item { id child { id child { name } } } }"
    root = {"item": item(1, child=item(2, child=item(3)))}
    for _ in range(3):
        assert (
            graphql_sync(schema, {"query": query}, root_value=root)[1]
            == core.graphql_sync(schema, query, root).formatted
        )
    ((*_, memo),) = [
        entry for entry in _operation_plans._plans.values() if entry[0]().loc.source.body == query
    ]
    assert memo == {}


def test_the_sub_field_memo_is_shared_by_the_requests_of_an_operation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schema = make_schema()
    query = "{ item { id child { id child { name } } } }"
    root = {"item": item(1, child=item(2, child=item(3)))}
    executors: list[Any] = []
    original = Executor.complete_value

    def recording(self: Any, *args: Any) -> Any:
        executors.append(self)
        return original(self, *args)

    monkeypatch.setattr(Executor, "complete_value", recording)
    sizes = []
    for _ in range(3):
        assert (
            graphql_sync(schema, {"query": query}, root_value=root)[1]
            == core.graphql_sync(schema, query, root).formatted
        )
        sizes.append(len(executors[-1]._relevant_sub_fields))
    assert len({id(executor) for executor in executors}) == 3
    memos = {id(executor._relevant_sub_fields) for executor in executors}
    assert len(memos) == 1
    # Item at 3 depths, collected (graphql-core's keys are pairs) and planned by the first
    # request only
    graphql_cores = [key for key in executors[0]._relevant_sub_fields if len(key) == 2]
    assert sizes[0] == sizes[-1] and len(graphql_cores) == 3
