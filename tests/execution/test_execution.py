from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import GraphQLError, GraphQLSchema, build_schema, parse

from graphqlwire import graphql, graphql_sync
from graphqlwire.execution import failure_of, get_operation_type, parse_query


async def test_query_returns_success_and_data(schema: GraphQLSchema) -> None:
    assert await graphql(schema, {"query": "{ hello }"}) == (
        True,
        {"data": {"hello": "hello world"}},
    )


async def test_variables_and_operation_name_select_what_runs(schema: GraphQLSchema) -> None:
    data = {
        "query": "query A { hello } query B($n: String) { hello(name: $n) }",
        "variables": {"n": "bob"},
        "operationName": "B",
        "extensions": {"ignored": True},
        "unknownKey": 1,
    }
    assert await graphql(schema, data) == (True, {"data": {"hello": "hello bob"}})


async def test_async_resolver(schema: GraphQLSchema) -> None:
    assert await graphql(schema, {"query": "{ asyncHello }"}) == (
        True,
        {"data": {"asyncHello": "async hello"}},
    )


def test_graphql_sync_runs_sync_resolvers(schema: GraphQLSchema) -> None:
    assert graphql_sync(schema, {"query": "mutation { add(a: 2, b: 3) }"}) == (
        True,
        {"data": {"add": 5}},
    )


# graphql-core leaves its own inner coroutines unawaited when it gives up; that is its noise.
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_graphql_sync_refuses_async_resolvers_clearly(schema: GraphQLSchema) -> None:
    with pytest.raises(RuntimeError, match="cannot run async code"):
        graphql_sync(schema, {"query": "{ asyncHello }"})


class Rows(list[int]):
    """A list that is async iterable too, like a Django QuerySet (``__aiter__`` since 4.1)."""

    def __aiter__(self) -> Any:
        raise AssertionError("graphql_sync must not iterate asynchronously")


def test_graphql_sync_iterates_a_list_that_is_async_iterable_too() -> None:
    schema = build_schema("type Query { rows: [Int!]! }")
    assert graphql_sync(schema, {"query": "{ rows }"}, root_value={"rows": Rows([1, 2])}) == (
        True,
        {"data": {"rows": [1, 2]}},
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "The GraphQL request must be a JSON object, not an array."),
        ("q", "The GraphQL request must be a JSON object, not a string."),
        ({}, "The GraphQL request has no 'query': send the document as a string."),
        ({"query": None}, "The GraphQL request has no 'query': send the document as a string."),
        ({"query": 1}, "'query' must be a string, not a number."),
        ({"query": ["{ a }"]}, "'query' must be a string, not an array."),
        (
            {"query": "{ hello }", "variables": []},
            "'variables' must be an object or null, not an array.",
        ),
        (
            {"query": "{ hello }", "variables": "{}"},
            "'variables' must be an object or null, not a string.",
        ),
        (
            {"query": "{ hello }", "operationName": 5},
            "'operationName' must be a string or null, not a number.",
        ),
        (
            {"query": "{ hello }", "operationName": True},
            "'operationName' must be a string or null, not a boolean.",
        ),
        (
            {"query": "{ hello }", "extensions": 1},
            "'extensions' must be an object or null, not a number.",
        ),
    ],
)
async def test_malformed_request_data_is_refused_with_a_clear_message(
    schema: GraphQLSchema, data: Any, message: str
) -> None:
    success, response = await graphql(schema, data)
    assert success is False
    assert response == {"errors": [{"message": message}]}
    assert failure_of(response) == "request"


async def test_null_optional_fields_count_as_absent(schema: GraphQLSchema) -> None:
    data = {"query": "{ hello }", "variables": None, "operationName": None, "extensions": None}
    assert await graphql(schema, data) == (True, {"data": {"hello": "hello world"}})


async def test_syntax_error_has_no_data_and_parse_stage(schema: GraphQLSchema) -> None:
    success, response = await graphql(schema, {"query": "{ hello"})
    assert success is False
    assert "data" not in response
    assert response["errors"][0]["message"].startswith("Syntax Error")
    assert response["errors"][0]["locations"] == [{"line": 1, "column": 8}]
    assert failure_of(response) == "parse"


async def test_validation_error_has_no_data_and_validation_stage(schema: GraphQLSchema) -> None:
    success, response = await graphql(schema, {"query": "{ nope }"})
    assert (success, failure_of(response)) == (False, "validation")
    assert response == {
        "errors": [
            {
                "message": "Cannot query field 'nope' on type 'Query'.",
                "locations": [{"line": 1, "column": 3}],
            }
        ]
    }


async def test_variable_coercion_failure_has_no_data_and_execution_stage(
    schema: GraphQLSchema,
) -> None:
    data = {"query": "query($t: String!) { upper(text: $t) }", "variables": {"t": 5}}
    success, response = await graphql(schema, data)
    assert (success, failure_of(response)) == (False, "execution")
    assert "data" not in response
    assert "$t" in response["errors"][0]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "query ($f: Boolean = true) { hello @skip(if: $f) }",
        "query ($f: Boolean = true) { ... on Query @include(if: $f) { hello } }",
    ],
)
async def test_an_error_collecting_the_root_fields_answers_data_null(
    schema: GraphQLSchema, query: str
) -> None:
    # Validation lets a nullable variable with a default into @skip's Boolean!; an explicit
    # null fails while execution collects the root fields: graphql-core answers data: null.
    success, response = await graphql(schema, {"query": query, "variables": {"f": None}})
    assert (success, failure_of(response)) == (False, None)
    assert response["data"] is None
    assert response["errors"][0]["message"].startswith("Argument 'if' has invalid value")


async def test_unknown_operation_name_fails_before_execution(schema: GraphQLSchema) -> None:
    success, response = await graphql(schema, {"query": "query A { hello }", "operationName": "B"})
    assert (success, failure_of(response)) == (False, "execution")
    assert response == {"errors": [{"message": "Unknown operation named 'B'."}]}


async def test_resolver_error_keeps_data_and_is_logged_once(
    schema: GraphQLSchema, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="graphqlwire"):
        success, response = await graphql(schema, {"query": "{ hello fail }"})
    assert success is True
    assert failure_of(response) is None
    assert response["data"] == {"hello": "hello world", "fail": None}
    assert response["errors"] == [
        {"message": "resolver exploded", "locations": [{"line": 1, "column": 9}], "path": ["fail"]}
    ]
    records = [r for r in caplog.records if r.name == "graphqlwire"]
    assert len(records) == 1
    assert records[0].exc_info is not None and isinstance(records[0].exc_info[1], ValueError)


async def test_deliberate_graphql_error_is_not_logged(
    schema: GraphQLSchema, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        success, response = await graphql(schema, {"query": "{ failHard }"})
    assert success is False  # non-null root field error: data is null
    assert response["data"] is None
    assert response["errors"][0]["message"] == "deliberate"
    assert failure_of(response) is None
    assert not [r for r in caplog.records if r.name == "graphqlwire"]


async def test_custom_logger_by_name_and_instance(
    schema: GraphQLSchema, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        await graphql(schema, {"query": "{ fail }"}, logger="custom.name")
        await graphql(schema, {"query": "{ fail }"}, logger=logging.getLogger("other"))
    assert [r.name for r in caplog.records] == ["custom.name", "other"]


async def test_debug_adds_stacktrace_and_resolver_context(schema: GraphQLSchema) -> None:
    _, response = await graphql(schema, {"query": "{ fail }"}, debug=True)
    exception = response["errors"][0]["extensions"]["exception"]
    assert any("resolver exploded" in line for line in exception["stacktrace"])
    assert isinstance(exception["context"], dict)


async def test_custom_error_formatter_gets_error_and_debug(schema: GraphQLSchema) -> None:
    seen: list[bool] = []

    def formatter(error: GraphQLError, debug: bool) -> dict[str, Any]:
        seen.append(debug)
        return {"message": error.message.upper()}

    _, response = await graphql(
        schema, {"query": "{ fail }"}, error_formatter=formatter, debug=True
    )
    assert response["errors"] == [{"message": "RESOLVER EXPLODED"}]
    assert seen == [True]


async def test_context_value_reaches_resolvers(schema: GraphQLSchema) -> None:
    _, response = await graphql(schema, {"query": "{ context }"}, context_value={"user": "ann"})
    assert response == {"data": {"context": "{'user': 'ann'}"}}


@pytest.mark.parametrize("use_async", [False, True])
async def test_root_value_callable_with_two_arguments(
    schema: GraphQLSchema, use_async: bool
) -> None:
    calls: list[tuple[Any, ...]] = []

    def root(context: Any, document: Any) -> str:
        calls.append((context, document))
        return "two-args"

    async def async_root(context: Any, document: Any) -> str:
        return root(context, document)

    _, response = await graphql(
        schema,
        {"query": "{ root }"},
        context_value="ctx",
        root_value=async_root if use_async else root,
    )
    assert response == {"data": {"root": "two-args"}}
    assert calls[0][0] == "ctx"
    assert calls[0][1].kind == "document"


async def test_root_value_callable_with_four_arguments(schema: GraphQLSchema) -> None:
    def root(context: Any, operation_name: Any, variables: Any, document: Any) -> str:
        return f"{context}:{operation_name}:{variables}"

    data = {
        "query": "query Q($x: String) { root hello(name: $x) }",
        "operationName": "Q",
        "variables": {"x": "1"},
    }
    _, response = await graphql(schema, data, context_value="c", root_value=root)
    assert response == {"data": {"root": "c:Q:{'x': '1'}", "hello": "hello 1"}}


async def test_plain_root_value(schema: GraphQLSchema) -> None:
    _, response = await graphql(schema, {"query": "{ root }"}, root_value="plain")
    assert response == {"data": {"root": "plain"}}


async def test_require_query_refuses_mutations(schema: GraphQLSchema) -> None:
    success, response = await graphql(
        schema, {"query": "mutation { add(a: 1, b: 1) }"}, require_query=True
    )
    assert (success, failure_of(response)) == (False, "operation")
    assert "mutation" in response["errors"][0]["message"]
    assert await graphql(schema, {"query": "{ hello }"}, require_query=True) == (
        True,
        {"data": {"hello": "hello world"}},
    )


async def test_subscriptions_are_refused_by_graphql(schema: GraphQLSchema, probe: Any) -> None:
    success, response = await graphql(schema, {"query": "subscription { count(to: 2) }"})
    assert (success, failure_of(response)) == (False, "operation")
    # the execution layer's wording names no transport; HTTP words its own (tests/asgi)
    assert "use subscribe()" in response["errors"][0]["message"]
    assert probe.started == 0


async def test_introspection_disabled_rejects_schema_and_type(schema: GraphQLSchema) -> None:
    for query in ("{ __schema { types { name } } }", '{ __type(name: "Query") { name } }'):
        success, response = await graphql(schema, {"query": query}, introspection=False)
        assert (success, failure_of(response)) == (False, "validation")
        assert "introspection is disabled" in response["errors"][0]["message"]
    # __typename reveals nothing and clients add it everywhere
    assert await graphql(schema, {"query": "{ __typename }"}, introspection=False) == (
        True,
        {"data": {"__typename": "Query"}},
    )
    success, _ = await graphql(schema, {"query": "{ __schema { queryType { name } } }"})
    assert success is True


async def test_validation_rules_list_and_callable(schema: GraphQLSchema) -> None:
    from graphql import FieldNode, ValidationRule

    class NoHello(ValidationRule):
        def enter_field(self, node: FieldNode, *_: Any) -> None:
            if node.name.value == "hello":
                self.report_error(GraphQLError("hello is forbidden", node))

    success, response = await graphql(schema, {"query": "{ hello }"}, validation_rules=[NoHello])
    assert (success, response["errors"][0]["message"]) == (False, "hello is forbidden")

    seen: list[Any] = []

    def rules(context: Any, document: Any, data: Any) -> list[Any]:
        seen.append((context, document.kind, data.get("variables")))
        return [NoHello] if data.get("variables") else []

    data = {"query": "{ hello }", "variables": {"x": 1}}
    success, _ = await graphql(schema, data, validation_rules=rules, context_value="ctx")
    assert success is False
    assert seen == [("ctx", "document", {"x": 1})]
    success, _ = await graphql(schema, {"query": "{ hello }"}, validation_rules=rules)
    assert success is True


async def test_custom_query_parser_and_validator(schema: GraphQLSchema) -> None:
    parsed: list[Any] = []

    def parser(context: Any, data: dict[str, Any]) -> Any:
        parsed.append((context, data["extensions"]))
        return parse("{ hello }")  # e.g. a persisted query looked up by id

    validated: list[Any] = []

    def validator(schema_: Any, document: Any, rules: Any = None, **_: Any) -> list[GraphQLError]:
        validated.append(len(rules))
        return []

    data = {"query": "", "extensions": {"persistedQuery": "abc"}}
    result = await graphql(
        schema, data, query_parser=parser, query_validator=validator, context_value=1
    )
    assert result == (True, {"data": {"hello": "hello world"}})
    assert parsed == [(1, {"persistedQuery": "abc"})]
    assert validated and validated[0] > 10


async def test_query_document_skips_parsing(
    schema: GraphQLSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphqlwire.execution._limits as cache_module

    parsed: list[str] = []
    real_parse = cache_module.parse
    monkeypatch.setattr(cache_module, "parse", lambda text: parsed.append(text) or real_parse(text))
    document = parse('{ upper(text: "x") }')
    result = await graphql(schema, {"query": "{ hello }"}, query_document=document)
    assert result == (True, {"data": {"upper": "X"}})
    assert parsed == []


def test_parse_query_and_operation_type() -> None:
    document = parse_query(None, {"query": "mutation M { a } subscription S { b }"})
    assert get_operation_type(document, "M").value == "mutation"  # type: ignore[union-attr]
    assert get_operation_type(document, "S").value == "subscription"  # type: ignore[union-attr]
    assert get_operation_type(document, "nope") is None
    assert get_operation_type(document) is None  # ambiguous without a name
