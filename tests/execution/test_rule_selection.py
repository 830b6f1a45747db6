"""Validating with only the rules that can fire gives graphql-core's full ``validate()`` errors.

Seeded random documents, valid and not, mix the features the selection looks at:
aliases (repeated response names, conflicting arguments), arguments with literal, list and
object values and variables (defined or not), directives on fields and operations (known,
unknown, repeated, with variables), variable definitions (unused, repeated, unknown types),
fragments, several operations, and type system definitions. Each document's errors, with
their messages and locations in order, must equal those of the full rule set.
"""

from __future__ import annotations

import random

import pytest
from graphql import build_schema, parse, specified_rules, validate

from graphqlwire.execution._rule_selection import EVERY_FEATURE, features_of, rules_that_can_fire
from graphqlwire.execution._visitor_lookup import with_class_lookup

SCHEMA = build_schema(
    """
    interface Node { id: ID! }
    type User implements Node {
        id: ID!
        name(upper: Boolean = false): String
        friends(first: Int): [User]
        posts: [Post!]!
    }
    type Post implements Node { id: ID! title: String! author: User }
    union Result = User | Post
    input Filter { name: String ids: [ID!] }
    enum Order { ASC DESC }
    type Query {
        hello(name: String): String
        user(id: ID!): User
        users(first: Int = 10, filter: Filter, order: Order): [User!]!
        node(id: ID!): Node
        search: [Result]
    }
    type Mutation { like(id: ID!): Post }
    type Subscription { ticks: Int other: Int }
    """
)
RULES = tuple(specified_rules)

FIELDS = ["hello", "user", "users", "node", "search", "id", "name", "friends", "posts"]
FIELDS += ["title", "author", "like", "ticks", "other", "__typename", "nope"]
ALIASES = ["", "a: ", "b: ", "hello: ", "id: ", "name: "]
VALUES = ["1", '"x"', "$v", "$w", "true", "null", "ASC", "[1, $v]", '{name: "a", name: "b"}']
VALUES += ["{ids: [$w]}", '{name: "n"}', "1.5", "[]"]
ARGUMENT_NAMES = ["id", "name", "first", "filter", "order", "upper", "if", "bogus"]
DIRECTIVES = ["@skip(if: true)", "@include(if: $v)", "@skip", "@bogus"]
DIRECTIVES += ["@skip(if: true) @skip(if: false)", "@deprecated", "@include(if: false)"]
VARIABLE_DEFINITIONS = ["", "", "($v: Int)", "($v: Boolean = true, $v: Int)", "($w: Filter)"]
VARIABLE_DEFINITIONS += ["($v: Nope)", "($v: ID!, $w: [ID!] = [1])", '($v: String = "x")']
OPERATIONS = ["", "query", "query Q", "mutation", "subscription", "subscription S"]


def arguments(rng: random.Random) -> str:
    pairs = [f"{rng.choice(ARGUMENT_NAMES)}: {rng.choice(VALUES)}" for _ in range(rng.randrange(4))]
    return f"({', '.join(pairs)})" if pairs else ""


def selection_set(rng: random.Random, depth: int, fragments: bool) -> str:
    selections = []
    for _ in range(rng.randint(1, 3)):
        if fragments and rng.random() < 0.25:
            selections.append(rng.choice(["... on User { id }", "...F", "... { __typename }"]))
            continue
        sub = selection_set(rng, depth - 1, fragments) if depth and rng.random() < 0.6 else ""
        field = rng.choice(ALIASES) + rng.choice(FIELDS) + arguments(rng)
        directive = rng.choice(DIRECTIVES) if rng.random() < 0.2 else ""
        selections.append(f"{field} {directive} {sub}")
    return "{ " + " ".join(selections) + " }"


def random_document(seed: int) -> str:
    """A document, valid or not; one in six uses fragments, one in ten adds a definition."""
    rng = random.Random(seed)
    operations = []
    for _ in range(rng.randint(1, 2)):
        head = rng.choice(OPERATIONS)
        if head:
            head += rng.choice(VARIABLE_DEFINITIONS) + " " + rng.choice(["", "", *DIRECTIVES])
        operations.append(f"{head} {selection_set(rng, 2, rng.random() < 1 / 6)}")
    extra = rng.choice([""] * 8 + ["fragment F on User { id }", "type T { a: Int }"])
    return "\n".join([*operations, extra])


def errors_of(query: str, rules: tuple[type, ...]) -> list[tuple[str, object]]:
    return [(error.message, error.locations) for error in validate(SCHEMA, parse(query), rules)]


def pruned(query: str) -> tuple[type, ...]:
    return rules_that_can_fire(parse(query), RULES)


def as_checked(query: str) -> tuple[type, ...]:
    """The rules ``check_document`` runs: pruned, each looking its methods up per class."""
    return with_class_lookup(pruned(query))


@pytest.mark.parametrize("first_seed", range(0, 300, 100))
def test_random_documents_get_the_full_rule_sets_errors(first_seed: int) -> None:
    for seed in range(first_seed, first_seed + 100):
        query = random_document(seed)
        assert errors_of(query, as_checked(query)) == errors_of(query, RULES), query


@pytest.mark.parametrize(
    "query",
    [
        '{ a: hello a: hello(name: "x") }',
        "{ user(id: 1) { name } user(id: 2) { name } }",
        "query ($v: Int) { hello }",
        "{ hello(name: $x) }",
        "{ users(filter: {ids: [$x]}) { id } }",
        "{ hello @include(if: $x) }",
        "query @skip(if: $x) { hello }",
        "{ hello { x } }",
        "{ user }",
        "subscription { ticks other }",
        '{ users(filter: {name: "a", name: "b"}) { id } }',
        "{ hello(name: 1, name: 2) }",
        "mutation { like }",
        "{ hello } { hello }",
        "query Q { hello } query Q { hello }",
    ],
)
def test_documents_that_break_one_rule_each(query: str) -> None:
    expected = errors_of(query, RULES)
    assert expected, "every case breaks a rule"
    assert errors_of(query, as_checked(query)) == expected


def test_a_plain_document_runs_a_fraction_of_the_rules() -> None:
    kept = pruned("{ h123: hello }")
    assert len(kept) < len(RULES) / 2
    assert "OverlappingFieldsCanBeMergedRule" not in {rule.__name__ for rule in kept}
    assert "FieldsOnCorrectTypeRule" in {rule.__name__ for rule in kept}


@pytest.mark.parametrize(
    "query", ["fragment F on User { id } { user(id: 1) { ...F } }", "type T { a: Int }"]
)
def test_fragments_and_type_definitions_keep_every_rule(query: str) -> None:
    assert features_of(parse(query)) == EVERY_FEATURE
    assert pruned(query) == RULES


def test_rules_of_other_origins_always_run() -> None:
    class CustomRule(specified_rules[0]):  # type: ignore[misc, valid-type]
        pass

    assert CustomRule in rules_that_can_fire(parse("{ hello }"), (*RULES, CustomRule))


def test_only_specified_rules_get_a_class_lookup() -> None:
    class OwnRule(specified_rules[0]):  # type: ignore[misc, valid-type]
        pass

    looked_up = with_class_lookup((OwnRule, specified_rules[1]))
    assert looked_up[0] is OwnRule
    assert looked_up[1] is not specified_rules[1] and issubclass(looked_up[1], specified_rules[1])
    assert with_class_lookup((specified_rules[1],))[0] is looked_up[1]  # (made once)
