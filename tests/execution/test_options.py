"""ExecutionOptions as handlers and apps hold it, and the pipeline's less common paths."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLError, GraphQLSchema, parse

from graphqlwire import ExecutionOptions, format_error
from graphqlwire._json import json_type
from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import GraphQLHandler, GraphQLHTTPHandler
from graphqlwire.execution import failure_of, run_graphql, subscribe
from graphqlwire.execution._options import OptionAttribute
from graphqlwire.wsgi import GraphQL as WSGIGraphQL


def test_handler_attributes_are_the_options_object(schema: GraphQLSchema) -> None:
    assert isinstance(GraphQLHandler.debug, OptionAttribute)
    app = GraphQL(schema, debug=False, introspection=False)
    handler = app.http_handler
    before = handler.execution_options
    assert (before.debug, before.introspection) == (False, False)
    handler.debug = True
    assert handler.execution_options.debug is True
    assert before.debug is False  # frozen: a request holding the old options keeps them
    assert handler.execution_options.introspection is False


async def test_debug_set_after_configure_reaches_the_response(schema: GraphQLSchema) -> None:
    handler = GraphQL(schema).http_handler
    _, quiet = await handler.execute_graphql_query(None, {"query": "{ fail }"}, context_value={})
    assert "exception" not in quiet["errors"][0].get("extensions", {})
    handler.debug = True
    _, loud = await handler.execute_graphql_query(None, {"query": "{ fail }"}, context_value={})
    trace = "".join(loud["errors"][0]["extensions"]["exception"]["stacktrace"])
    assert "resolver exploded" in trace


def test_wsgi_app_attributes_write_its_options(schema: GraphQLSchema) -> None:
    app = WSGIGraphQL(schema, root_value="r", middleware_manager_class=None)
    assert app.execution_options.root_value == "r"
    app.root_value = "s"
    assert app.execution_options.root_value == "s"


def test_handler_keeps_options_set_before_configure(schema: GraphQLSchema) -> None:
    from graphql import MiddlewareManager

    class Manager(MiddlewareManager):
        pass

    handler = GraphQLHTTPHandler(middleware_manager_class=Manager)
    GraphQL(schema, debug=True, http_handler=handler)
    assert handler.execution_options.middleware_manager_class is Manager
    assert handler.execution_options.debug is True


async def test_async_root_value_that_raises_is_an_error_response(schema: GraphQLSchema) -> None:
    async def root(*_: Any) -> Any:
        raise GraphQLError("no root for you")

    options = ExecutionOptions(root_value=root)
    success, response = await run_graphql(schema, {"query": "{ root }"}, options)
    assert success is False
    assert response["errors"][0]["message"] == "no root for you"


async def test_custom_parser_syntax_error_is_a_parse_failure(schema: GraphQLSchema) -> None:
    def parser(_context: Any, data: dict[str, Any]) -> Any:
        return parse(data["query"])

    options = ExecutionOptions(query_parser=parser)
    success, response = await run_graphql(schema, {"query": "{"}, options)
    assert (success, failure_of(response)) == (False, "parse")
    assert "Syntax Error" in response["errors"][0]["message"]


async def test_subscribe_awaits_an_async_root_and_runs_a_query_once(schema: GraphQLSchema) -> None:
    async def root(*_: Any) -> str:
        return "awaited root"

    success, results = await subscribe(schema, {"query": "{ root asyncHello }"}, root_value=root)
    assert success is True
    assert [result async for result in results] == [  # type: ignore[union-attr]
        {"data": {"root": "awaited root", "asyncHello": "async hello"}}
    ]


async def test_subscribe_with_a_failing_subscribe_resolver(schema: GraphQLSchema) -> None:
    def broken(*_: Any, **_kwargs: Any) -> Any:
        raise GraphQLError("cannot subscribe")

    schema.subscription_type.fields["count"].subscribe = broken  # type: ignore[union-attr]
    success, errors = await subscribe(schema, {"query": "subscription { count(to: 1) }"})
    assert success is False
    assert errors[0]["message"] == "cannot subscribe"  # type: ignore[index]


async def test_an_async_middleware_factory_is_awaited(schema: GraphQLSchema) -> None:
    seen: list[str] = []

    def shout(next_: Any, root: Any, info: Any, **kwargs: Any) -> Any:
        seen.append(info.field_name)
        return next_(root, info, **kwargs)

    async def middleware(_request: Any, _context: Any) -> list[Any]:
        return [shout]

    app = GraphQL(schema, http_handler=GraphQLHTTPHandler(middleware=middleware))
    query = {"query": "{ hello }"}
    result = await app.http_handler.execute_graphql_query(None, query, context_value={})
    assert result == (True, {"data": {"hello": "hello world"}})
    assert seen == ["hello"]


@pytest.mark.parametrize(
    ("value", "name"),
    [(None, "null"), (True, "a boolean"), (1.5, "a number"), ("x", "a string"),
     ((1,), "an array"), ({}, "an object"), (b"x", "bytes")],
)  # fmt: skip
def test_json_type_names_values_as_error_messages_do(value: Any, name: str) -> None:
    assert json_type(value) == name


def test_debug_details_survive_an_error_without_traceback_or_repr() -> None:
    class Unprintable:
        def __repr__(self) -> str:
            raise RuntimeError("no repr")

    def resolver(value: Any) -> None:
        raise ValueError("boom")

    try:
        resolver(Unprintable())
    except ValueError as raised:
        error = GraphQLError("wrapped", original_error=raised)
    details = format_error(error, debug=True)["extensions"]["exception"]
    assert details["context"] == {"value": "<unrepresentable Unprintable>"}
    bare = GraphQLError("wrapped", original_error=ValueError("never raised"))
    assert format_error(bare, debug=True)["extensions"]["exception"] is None  # as in Ariadne
