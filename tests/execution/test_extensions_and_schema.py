from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLError, GraphQLSchema, MiddlewareManager

from graphqlwire import Extension, graphql, make_executable_schema
from graphqlwire.execution import format_error


class Recorder(Extension):
    log: list[str] = []

    def request_started(self, context: Any) -> None:
        self.log.append(f"{type(self).__name__}.started")

    def request_finished(self, context: Any) -> None:
        self.log.append(f"{type(self).__name__}.finished")

    def has_errors(self, errors: list[GraphQLError], context: Any) -> None:
        self.log.append(f"{type(self).__name__}.errors:{len(errors)}")

    def format(self, context: Any) -> dict[str, Any]:
        return {type(self).__name__: len(self.log)}


class Second(Recorder):
    def resolve(self, next_: Any, obj: Any, info: Any, **kwargs: Any) -> Any:
        result = next_(obj, info, **kwargs)
        return result.upper() if isinstance(result, str) else result


@pytest.fixture(autouse=True)
def _reset_log() -> None:
    Recorder.log = []


async def test_extension_hooks_run_in_order_and_format_merges(schema: GraphQLSchema) -> None:
    success, response = await graphql(
        schema, {"query": "{ hello fail }"}, extensions=[Recorder, Second]
    )
    assert success is True
    assert response["data"] == {"hello": "HELLO WORLD", "fail": None}
    assert Recorder.log == [
        "Recorder.started",
        "Second.started",
        "Recorder.errors:1",
        "Second.errors:1",
        "Recorder.finished",
        "Second.finished",
    ]
    assert response["extensions"] == {"Recorder": 4, "Second": 4}


async def test_extensions_see_failed_requests_too(schema: GraphQLSchema) -> None:
    success, response = await graphql(schema, {"query": "{"}, extensions=[Recorder])
    assert success is False
    assert Recorder.log == ["Recorder.started", "Recorder.errors:1", "Recorder.finished"]
    assert response["extensions"] == {"Recorder": 2}


async def test_each_request_gets_fresh_extension_instances(schema: GraphQLSchema) -> None:
    instances: list[Extension] = []

    class Tracking(Extension):
        def request_started(self, context: Any) -> None:
            instances.append(self)

    await graphql(schema, {"query": "{ hello }"}, extensions=[Tracking])
    await graphql(schema, {"query": "{ hello }"}, extensions=[Tracking])
    assert len(instances) == 2 and instances[0] is not instances[1]


async def test_middleware_list_and_manager_class(schema: GraphQLSchema) -> None:
    def exclaim(next_: Any, obj: Any, info: Any, **kwargs: Any) -> Any:
        return f"{next_(obj, info, **kwargs)}!"

    managers: list[Any] = []

    class CountingManager(MiddlewareManager):
        def __init__(self, *middlewares: Any) -> None:
            managers.append(middlewares)
            super().__init__(*middlewares)

    _, response = await graphql(
        schema,
        {"query": "{ hello }"},
        middleware=[exclaim],
        middleware_manager_class=CountingManager,
    )
    assert response == {"data": {"hello": "hello world!"}}
    assert managers == [(exclaim,)]


def test_format_error_without_debug_is_spec_shaped() -> None:
    error = GraphQLError("boom", path=["a", 0], extensions={"code": "X"})
    assert format_error(error) == {"message": "boom", "path": ["a", 0], "extensions": {"code": "X"}}


def test_format_error_debug_has_no_exception_for_plain_graphql_errors() -> None:
    assert format_error(GraphQLError("boom"), debug=True)["extensions"] == {"exception": None}


def test_make_executable_schema_binds_scalars_enums_and_types() -> None:
    schema = make_executable_schema(
        [
            "scalar Upper enum Color { RED GREEN }",
            "interface Named { name: String } type Dog implements Named { name: String }",
            "type Query { shout(v: Upper!): Upper! color(c: Color!): Color! pet: Named }",
        ],
        {
            "Upper": {"serialize": lambda v: str(v).upper(), "parse_value": lambda v: f"<{v}>"},
            "Color": {"RED": "#f00", "GREEN": "#0f0"},
            "Named": {"__resolve_type": lambda obj, *_: "Dog"},
            "Query": {
                "shout": lambda _r, _i, v: v,
                "color": lambda _r, _i, c: c,
                "pet": lambda *_: {"name": "rex"},
            },
        },
    )
    from graphqlwire import graphql_sync

    data = {
        "query": "query($v: Upper!) { shout(v: $v) color(c: RED) pet { name } }",
        "variables": {"v": "hi"},
    }
    assert graphql_sync(schema, data) == (
        True,
        {"data": {"shout": "<HI>", "color": "RED", "pet": {"name": "rex"}}},
    )


@pytest.mark.parametrize(
    ("resolvers", "message"),
    [
        ({"Nope": {}}, "type 'Nope', which the schema does not define"),
        ({"Query": {"nope": lambda *_: 1}}, "Type 'Query' has no field 'nope'"),
        ({"Query": {"a": 1}}, "must be a function or a mapping"),
        ({"Query": {"a": {"sub": 1}}}, "Unknown binding(s) sub for 'Query.a'"),
        ({"E": {"C": 1}}, "Enum 'E' has no value named 'C'"),
        ({"S": {"serialise": str}}, "Unknown binding(s) serialise for 'S'"),
    ],
)
def test_make_executable_schema_fails_loudly_on_unknown_names(resolvers: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make_executable_schema("scalar S enum E { A } type Query { a: Int }", resolvers)


async def test_demo_schema_chat_roundtrip() -> None:
    from graphqlwire import subscribe
    from graphqlwire.demo import room, schema

    assert await graphql(schema, {"query": '{ hello(name: "you") }'}) == (
        True,
        {"data": {"hello": "Hello, you!"}},
    )
    _, stream = await subscribe(schema, {"query": "subscription { messageAdded { author text } }"})
    first = stream.__anext__()  # type: ignore[union-attr]
    import asyncio

    waiter = asyncio.ensure_future(first)
    for _ in range(100):  # bounded wait for the subscriber to register
        if room.subscribers:
            break
        await asyncio.sleep(0.01)
    assert room.subscribers
    mutation = 'mutation { sendMessage(author: "ann", text: "hi") { id author } }'
    success, response = await graphql(schema, {"query": mutation})
    assert success is True and response["data"]["sendMessage"]["author"] == "ann"
    assert (await asyncio.wait_for(waiter, 2)).formatted == {
        "data": {"messageAdded": {"author": "ann", "text": "hi"}}
    }
    await stream.aclose()  # type: ignore[union-attr]
    assert not room.subscribers
    _, counter = await subscribe(schema, {"query": "subscription { counter(upTo: 3) }"})
    assert [r.data["counter"] async for r in counter] == [1, 2, 3]  # type: ignore[union-attr]
