from __future__ import annotations

import threading
from typing import Any

import pytest
from graphql import GraphQLSchema, build_schema

from graphqlwire import graphql, graphql_sync
from graphqlwire.execution._cache import DocumentCache, document_cache


def _count_calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    import graphqlwire.execution._limits as cache_module

    calls = {"parse": 0, "validate": 0}
    real_parse, real_validate = cache_module.parse, cache_module.validate

    def parse(*args: Any, **kwargs: Any) -> Any:
        calls["parse"] += 1
        return real_parse(*args, **kwargs)

    def validate(*args: Any, **kwargs: Any) -> Any:
        calls["validate"] += 1
        return real_validate(*args, **kwargs)

    monkeypatch.setattr(cache_module, "parse", parse)
    monkeypatch.setattr(cache_module, "validate", validate)
    return calls


async def test_a_hit_does_not_parse_or_validate_again(
    schema: GraphQLSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_calls(monkeypatch)
    for _ in range(3):
        assert await graphql(schema, {"query": "{ hello }"}) == (
            True,
            {"data": {"hello": "hello world"}},
        )
    assert calls == {"parse": 1, "validate": 1}


async def test_cached_validation_errors_are_served_again(
    schema: GraphQLSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_calls(monkeypatch)
    first = await graphql(schema, {"query": "{ nope }"})
    second = await graphql(schema, {"query": "{ nope }"})
    assert first == second
    assert first[0] is False
    assert calls == {"parse": 1, "validate": 1}


async def test_different_schemas_do_not_share_entries(schema: GraphQLSchema) -> None:
    other = build_schema("type Query { other: String }")
    assert (await graphql(schema, {"query": "{ hello }"}))[0] is True
    success, response = await graphql(other, {"query": "{ hello }"})
    assert success is False
    assert "Cannot query field 'hello'" in response["errors"][0]["message"]


async def test_different_rule_sets_do_not_share_entries(schema: GraphQLSchema) -> None:
    query = {"query": "{ __schema { queryType { name } } }"}
    assert (await graphql(schema, query))[0] is True
    assert (await graphql(schema, query, introspection=False))[0] is False
    assert (await graphql(schema, query))[0] is True


async def test_custom_parser_or_validator_bypasses_the_cache(
    schema: GraphQLSchema, monkeypatch: pytest.MonkeyPatch
) -> None:
    from graphql import parse, validate

    parser_calls: list[int] = []

    def parser(_context: Any, data: dict[str, Any]) -> Any:
        parser_calls.append(1)
        return parse(data["query"])

    for _ in range(2):
        await graphql(schema, {"query": "{ hello }"}, query_parser=parser)
        await graphql(schema, {"query": "{ hello }"}, query_validator=validate)
    assert parser_calls == [1, 1]
    assert len(document_cache) == 1  # only the parse entry the validator-only calls used


def test_lru_eviction_is_bounded() -> None:
    cache = DocumentCache(maxsize=2)
    first = cache.parse("{ a }")
    cache.parse("{ b }")
    assert cache.parse("{ a }") is first  # refreshes "{ a }"
    cache.parse("{ c }")  # evicts "{ b }", the least recently used
    assert len(cache) == 2
    hits = cache.hits
    cache.parse("{ a }")
    assert cache.hits == hits + 1
    misses = cache.misses
    cache.parse("{ b }")
    assert cache.misses == misses + 1


def test_syntax_errors_are_not_cached() -> None:
    cache = DocumentCache()
    for _ in range(2):
        with pytest.raises(Exception, match="Syntax Error"):
            cache.parse("{")
    assert len(cache) == 0


def test_maxsize_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        DocumentCache(maxsize=0)


def test_cache_is_safe_under_threads(schema: GraphQLSchema) -> None:
    errors: list[BaseException] = []
    queries = [f'{{ hello(name: "{n}") }}' for n in range(50)]

    def worker() -> None:
        try:
            for query in queries * 4:
                success, response = graphql_sync(schema, {"query": query})
                assert success, response
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors
    assert document_cache.hits > 0
    assert len(document_cache) <= document_cache.maxsize
