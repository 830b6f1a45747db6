"""Operation limits: each just under passes and just over is refused, through fragments too."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from graphql import GraphQLSchema, get_introspection_query

from graphqlwire import make_executable_schema
from graphqlwire.execution import (
    DEFAULT_LIMITS,
    NO_LIMITS,
    ExecutionOptions,
    OperationLimits,
    failure_of,
    run_graphql_sync,
)
from graphqlwire.execution._cache import document_cache

TYPE_DEFS = """
directive @cost(weight: String!) on FIELD_DEFINITION | OBJECT
directive @listSize(
  assumedSize: Int, slicingArguments: [String!], sizedFields: [String!]
) on FIELD_DEFINITION

type Query {
  hello: String!
  node: Node!
  nodes: [Node!]!
  page(first: Int, last: Int): [Node!]! @listSize(slicingArguments: ["first", "last"])
  guessed: [Node!]! @listSize(assumedSize: 3)
  connection(first: Int!): Connection! @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  heavy: Heavy!
  costly: Int! @cost(weight: "7.5")
}
type Node { id: ID! child: Node! children: [Node!]! }
type Connection { edges: [Node!]! total: Int! meta: Node! }
type Heavy @cost(weight: "40") { id: ID! }
"""


def node(*_: Any) -> dict[str, Any]:
    value: dict[str, Any] = {"id": "1"}
    value["child"] = value
    value["children"] = [value]
    return value


ROOT = {
    "hello": "world",
    "node": node,
    "nodes": lambda *_: [node()],
    "page": lambda *_, **__: [node()],
    "guessed": lambda *_: [node()],
    "connection": lambda *_, **__: {"edges": [node()], "total": 1, "meta": node()},
    "heavy": {"id": "h"},
    "costly": 1,
}


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return make_executable_schema(TYPE_DEFS)


def run(
    schema: GraphQLSchema, query: str, limits: OperationLimits, **data: Any
) -> tuple[bool, dict[str, Any]]:
    options = ExecutionOptions(root_value=ROOT, limits=limits)
    return run_graphql_sync(schema, {"query": query, **data}, options)


def refused(schema: GraphQLSchema, query: str, limits: OperationLimits, **data: Any) -> str:
    """The message of the limit that refused `query` (which must not have run)."""
    success, response = run(schema, query, limits, **data)
    assert not success
    assert "data" not in response
    assert failure_of(response) == "limit"
    [error] = response["errors"]
    assert error["extensions"]["code"] == "OPERATION_LIMIT_EXCEEDED"
    return str(error["message"])


def passes(schema: GraphQLSchema, query: str, limits: OperationLimits, **data: Any) -> None:
    success, response = run(schema, query, limits, **data)
    assert success, response
    assert "errors" not in response


def only(**limits: int) -> OperationLimits:
    return replace(NO_LIMITS, **limits)


def nested(depth: int) -> str:
    """``{ node { child { ... id } } }`` with `depth` fields from the root to ``id``."""
    return "{ node { " + "child { " * (depth - 2) + "id" + " }" * (depth - 2) + " } }"


def test_depth_counts_fields_from_the_root(schema: GraphQLSchema) -> None:
    passes(schema, "{ hello }", only(max_depth=1))
    passes(schema, nested(5), only(max_depth=5))
    message = refused(schema, nested(6), only(max_depth=5))
    assert message == "The operation is 6 fields deep, over the limit of 5 (max_depth)."


def test_depth_counts_through_fragments_and_inline_fragments(schema: GraphQLSchema) -> None:
    query = """
        query Deep { node { ...One } }
        fragment One on Node { child { ... on Node { child { ...Two } } } }
        fragment Two on Node { child { id } }
    """
    passes(schema, query, only(max_depth=5))
    message = refused(schema, query, only(max_depth=4))
    assert message == "The operation 'Deep' is 5 fields deep, over the limit of 4 (max_depth)."


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{i}: hello" for i in range(count)) + " }"


def test_aliases(schema: GraphQLSchema) -> None:
    passes(schema, aliases(10), only(max_aliases=10))
    message = refused(schema, aliases(11), only(max_aliases=10))
    assert message == "The operation has 11 aliases, over the limit of 10 (max_aliases)."


def test_aliases_inside_fragments_count_each_time_the_fragment_is_spread(
    schema: GraphQLSchema,
) -> None:
    query = """
        { node { ...Four } a: node { ...Four } b: node { ... on Node { ...Four } } }
        fragment Four on Node { w: id x: id y: id z: id }
    """
    passes(schema, query, only(max_aliases=14))
    assert "has 14 aliases" in refused(schema, query, only(max_aliases=13))


def test_a_fragment_bomb_is_measured_without_expanding_it(schema: GraphQLSchema) -> None:
    # Each fragment spreads the next one twice: 2**40 aliases once expanded.
    levels = 40
    fragments = "\n".join(
        f"fragment F{i} on Node {{ a: child {{ ...F{i + 1} }} b: child {{ ...F{i + 1} }} }}"
        for i in range(levels)
    )
    query = "{ node { ...F0 } }\n" + fragments + f"\nfragment F{levels} on Node {{ id }}"
    message = refused(schema, query, only(max_aliases=1000))
    assert f"has {2 ** (levels + 1) - 2} aliases" in message


def test_fragment_cycles_are_left_to_validation(schema: GraphQLSchema) -> None:
    query = "{ node { ...A } } fragment A on Node { child { ...B } } fragment B on Node { ...A }"
    success, response = run(schema, query, DEFAULT_LIMITS)
    assert not success
    assert failure_of(response) == "validation"
    assert "Cannot spread fragment 'A' within itself" in response["errors"][0]["message"]


def test_tokens_are_counted_while_parsing(schema: GraphQLSchema) -> None:
    passes(schema, "{ hello }", only(max_tokens=3))  # {, hello, }
    message = refused(schema, "{ hello }", only(max_tokens=2))
    assert message == "The document has more than 2 tokens, the limit (max_tokens)."


def test_a_syntax_error_is_still_a_parse_error(schema: GraphQLSchema) -> None:
    success, response = run(schema, "{ hello", only(max_tokens=100))
    assert not success
    assert failure_of(response) == "parse"


def test_directives_per_field(schema: GraphQLSchema) -> None:
    two = "{ hello @include(if: true) @skip(if: false) }"
    passes(schema, two, only(max_directives=2))
    message = refused(schema, two, only(max_directives=1))
    assert (
        message
        == "The operation has 2 directives on one field, over the limit of 1 (max_directives)."
    )
    on_fragment = "{ ... on Query @include(if: true) @skip(if: false) { hello } }"
    assert "2 directives" in refused(schema, on_fragment, only(max_directives=1))


def cost_of(schema: GraphQLSchema, query: str, **data: Any) -> float:
    """The cost the limit reports for `query` (measured by refusing it at a limit of 1)."""
    message = refused(schema, query, OperationLimits(0, 0, 0, 1, 0), **data)
    if "costs" not in message:
        raise AssertionError(message)
    return float(message.split("costs ")[1].split(",")[0])


def test_default_weights_and_list_sizes(schema: GraphQLSchema) -> None:
    passes(schema, "{ hello costly }", only(max_cost=8))  # a scalar costs 0, @cost 7.5
    passes(schema, "{ node { id } }", only(max_cost=1))  # an object field costs 1, a scalar 0
    assert cost_of(schema, "{ node { child { id } } }") == 2
    assert cost_of(schema, "{ nodes { id } }") == 10 * 1  # a list counts for 10 items
    assert cost_of(schema, "{ nodes { child { id } } }") == 10 * (1 + 1)
    assert cost_of(schema, "{ heavy { id } }") == 40  # the type's @cost
    assert cost_of(schema, "{ guessed { child { id } } }") == 3 * (1 + 1)  # assumedSize


def test_slicing_arguments_and_sized_fields(schema: GraphQLSchema) -> None:
    assert cost_of(schema, "{ page(first: 4) { child { id } } }") == 4 * (1 + 1)
    assert cost_of(schema, "{ page(first: 2, last: 6) { child { id } } }") == 6 * (1 + 1)
    assert cost_of(schema, "{ page { child { id } } }") == 10 * (1 + 1)
    query = "{ connection(first: 5) { edges { child { id } } meta { id } total } }"
    assert cost_of(schema, query) == 1 + 5 * (1 + 1) + 1
    huge = "{ page(first: 1000000000000000000000) { child { id } } }"
    assert cost_of(schema, huge) == 10**15 * (1 + 1)


def test_cost_over_the_limit(schema: GraphQLSchema) -> None:
    query = "{ nodes { children { children { id } } } }"  # 10 * (1 + 10 * (1 + 10 * 1))
    passes(schema, query, only(max_cost=1110))
    message = refused(schema, query, only(max_cost=1109))
    assert message == "The operation costs 1110, over the limit of 1109 (max_cost)."


def test_cost_from_variables_is_measured_with_each_request_s_values(
    schema: GraphQLSchema,
) -> None:
    document_cache.clear()
    query = "query ($n: Int = 2) { page(first: $n) { child { id } } }"
    limits = only(max_cost=200)
    passes(schema, query, limits, variables={"n": 3})
    passes(schema, query, limits)  # the default, 2
    message = refused(schema, query, limits, variables={"n": 10_000_000})
    assert message == "The operation costs 20000000, over the limit of 200 (max_cost)."
    passes(schema, query, limits, variables={"n": 100})
    assert "costs 202" in refused(schema, query, limits, variables={"n": 101})


def test_the_verdict_is_cached_with_the_document(
    schema: GraphQLSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    import graphqlwire.execution._limits as limits_module

    calls: list[int] = []
    real = limits_module.check_limits

    def counting(*args: Any) -> Any:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(limits_module, "check_limits", counting)
    document_cache.clear()
    for _ in range(3):
        passes(schema, "{ nodes { id } }", DEFAULT_LIMITS)
        refused(schema, aliases(3), only(max_aliases=2))
    assert len(calls) == 2
    passes(schema, aliases(3), only(max_aliases=3))  # other limits: a verdict of their own
    assert len(calls) == 3


def test_every_operation_of_a_document_is_measured(schema: GraphQLSchema) -> None:
    query = "query Small { hello } query Big " + aliases(3)
    message = refused(schema, query, only(max_aliases=2), operationName="Small")
    assert message == "The operation 'Big' has 3 aliases, over the limit of 2 (max_aliases)."


def test_a_limit_of_0_is_off(schema: GraphQLSchema) -> None:
    query = "query ($n: Int) { page(first: $n) { children { id } } } "
    passes(schema, nested(30), NO_LIMITS)
    passes(schema, aliases(500), NO_LIMITS)
    passes(schema, query, only(max_depth=3), variables={"n": 10**9})


def test_the_defaults_let_a_full_introspection_query_through(schema: GraphQLSchema) -> None:
    query = get_introspection_query(
        descriptions=True,
        specified_by_url=True,
        directive_is_repeatable=True,
        schema_description=True,
        input_value_deprecation=True,
    )
    passes(schema, query, DEFAULT_LIMITS)


def test_a_custom_parser_and_validator_still_get_the_limits(schema: GraphQLSchema) -> None:
    from graphql import parse, validate

    options = ExecutionOptions(
        root_value=ROOT,
        query_parser=lambda _context, data: parse(data["query"]),
        query_validator=validate,
        limits=only(max_depth=1),
    )
    success, response = run_graphql_sync(schema, {"query": nested(3)}, options)
    assert not success
    assert failure_of(response) == "limit"
    assert "3 fields deep" in response["errors"][0]["message"]


@pytest.mark.parametrize("value", [-1, 1.5, True, "10"])
def test_a_limit_must_be_a_whole_number_of_0_or_more(value: Any) -> None:
    with pytest.raises(ValueError, match="max_depth must be a whole number, 0 or more"):
        OperationLimits(max_depth=value)


def test_a_negative_limit_flag_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from graphqlwire.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(["graphqlwire.demo:schema", "--max-aliases", "-1"])
    assert exit_.value.code == 2
    assert "max_aliases must be a whole number, 0 or more" in capsys.readouterr().err
