"""APQ and trusted documents in the execution layer: stores, manifests, request resolution."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLSchema, parse

from graphqlwire.execution import (
    ExecutionOptions,
    MemoryStore,
    TrustedDocuments,
    failure_of,
    load_trusted_documents,
    persisted_document_options,
    resolve_persisted,
    run_graphql_sync,
)
from graphqlwire.execution._cache import document_cache
from graphqlwire.execution._persisted import default_store

HELLO = "{ hello }"
UPPER = "query Upper($text: String!) { upper(text: $text) }"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def apq(text: str, version: Any = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": sha256(text)}}


def run(schema: GraphQLSchema, data: Any, **options: Any) -> dict[str, Any]:
    options.setdefault("persisted_queries", MemoryStore())
    _, response = run_graphql_sync(schema, data, ExecutionOptions(**options))
    return response


def only_error(response: dict[str, Any]) -> dict[str, Any]:
    assert "data" not in response
    [error] = response["errors"]
    return error  # type: ignore[no-any-return]


# --- the store ----------------------------------------------------------------------------


def test_the_memory_store_evicts_the_least_recently_used_document() -> None:
    store = MemoryStore(maxsize=2)
    store.set("a", "{ a }")
    store.set("b", "{ b }")
    assert store.get("a") == "{ a }"  # now b is the least recently used
    store.set("c", "{ c }")
    assert (store.get("a"), store.get("b"), store.get("c")) == ("{ a }", None, "{ c }")
    assert len(store) == 2


def test_the_memory_store_does_not_keep_documents_over_its_length_limit() -> None:
    store = MemoryStore(max_length=5)
    store.set("short", "{ a }")
    store.set("long", "{ abc }")
    assert (store.get("short"), store.get("long")) == ("{ a }", None)
    with pytest.raises(ValueError, match="maxsize must be at least 1"):
        MemoryStore(maxsize=0)


def test_the_memory_store_is_safe_to_share_between_threads() -> None:
    store = MemoryStore(maxsize=50)

    def work(offset: int) -> None:
        for i in range(2000):
            key = str((i + offset) % 80)
            store.set(key, key)
            assert store.get(key) in (key, None)

    threads = [threading.Thread(target=work, args=(n * 7,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store) == 50


# --- manifests ----------------------------------------------------------------------------


def test_an_apollo_manifest_file_is_loaded(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    operation = {"id": sha256(HELLO), "name": "Hello", "type": "query", "body": HELLO}
    manifest = {"format": "apollo-persisted-query-manifest", "version": 1}
    path.write_text(json.dumps({**manifest, "operations": [operation]}))
    documents = load_trusted_documents(path)
    assert dict(documents) == {sha256(HELLO): HELLO}
    assert documents["sha256:" + sha256(HELLO)] == HELLO
    assert load_trusted_documents(str(path)) == documents
    assert repr(documents) == "<TrustedDocuments: 1 documents>"


def test_a_plain_map_takes_ids_with_and_without_the_sha256_prefix() -> None:
    documents = load_trusted_documents(
        {"sha256:" + sha256(HELLO): HELLO, sha256(UPPER): UPPER, "my-upper": UPPER}
    )
    assert dict(documents) == {sha256(HELLO): HELLO, sha256(UPPER): UPPER, "my-upper": UPPER}
    assert documents.texts == {HELLO, UPPER}
    assert load_trusted_documents(documents) is documents
    assert not load_trusted_documents(None)
    assert hash(documents) == hash(load_trusted_documents(dict(documents)))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{nope", "not valid JSON"),
        ("[]", "expected an object, not an array"),
        ('{"a": 1}', "entry 0 needs a string id and a string document"),
        ('{"format": "relay", "version": 1}', "unsupported manifest format 'relay' version 1"),
        (
            '{"format": "apollo-persisted-query-manifest", "version": 2, "operations": []}',
            "unsupported manifest format 'apollo-persisted-query-manifest' version 2",
        ),
        (
            '{"format": "apollo-persisted-query-manifest", "version": 1}',
            "'operations' must be an array",
        ),
        (
            '{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [1]}',
            "entry 0 needs a string id and a string document",
        ),
        ('{"sha256:abc": "{ hello }"}', "'sha256:abc' is not the SHA-256 of its document"),
        (
            json.dumps({sha256(HELLO): "{ other }", "sha256:" + sha256(HELLO): HELLO}),
            "names two different documents",
        ),
    ],
)
def test_a_bad_manifest_is_refused_with_what_is_wrong(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ValueError, match=f"trusted documents {re.escape(str(path))}: .*{message}"):
        load_trusted_documents(path)


def test_a_missing_manifest_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot read trusted documents .*missing\.json"):
        load_trusted_documents(tmp_path / "missing.json")


def test_the_constructor_options_become_execution_options() -> None:
    store = MemoryStore()
    assert persisted_document_options(True, None, False)["persisted_queries"] is default_store
    assert persisted_document_options(False, None, False)["persisted_queries"] is None
    assert persisted_document_options(None, None, False)["persisted_queries"] is None
    options = persisted_document_options(store, {"a": HELLO}, True)
    assert options == {
        "persisted_queries": store,
        "trusted_documents": TrustedDocuments({"a": HELLO}),
        "only_trusted": True,
    }
    with pytest.raises(ValueError, match="only_trusted needs trusted_documents"):
        persisted_document_options(True, None, True)


# --- APQ ----------------------------------------------------------------------------------


def test_apq_miss_register_and_hit(schema: GraphQLSchema) -> None:
    store = MemoryStore()
    miss = run(schema, {"extensions": apq(HELLO)}, persisted_queries=store)
    assert only_error(miss) == {
        "message": "PersistedQueryNotFound",
        "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
    }
    assert failure_of(miss) == "persisted"
    registered = run(schema, {"query": HELLO, "extensions": apq(HELLO)}, persisted_queries=store)
    assert registered == {"data": {"hello": "hello world"}}
    assert store.get(sha256(HELLO)) == HELLO
    hit = run(schema, {"extensions": apq(HELLO)}, persisted_queries=store)
    assert hit == {"data": {"hello": "hello world"}}


def test_an_apq_hit_costs_a_document_cache_hit(schema: GraphQLSchema) -> None:
    store = MemoryStore()
    run(schema, {"query": HELLO, "extensions": apq(HELLO)}, persisted_queries=store)
    hits = document_cache.hits
    data = {"extensions": apq(UPPER), "query": UPPER, "variables": {"text": "a"}}
    run(schema, data, persisted_queries=store)
    for text in ("b", "c"):
        data = {"extensions": apq(UPPER), "variables": {"text": text}}
        assert run(schema, data, persisted_queries=store) == {"data": {"upper": text.upper()}}
    assert document_cache.hits - hits == 2  # one validated verdict reused per hit


def test_a_hash_that_is_not_the_querys_sha256_is_refused(schema: GraphQLSchema) -> None:
    store = MemoryStore()
    response = run(schema, {"query": UPPER, "extensions": apq(HELLO)}, persisted_queries=store)
    assert only_error(response)["message"] == (
        "The persisted query's sha256Hash is not the SHA-256 of its 'query': send the "
        "lowercase hex digest of the query text (UTF-8)."
    )
    assert failure_of(response) == "request"
    assert store.get(sha256(HELLO)) is None


@pytest.mark.parametrize(
    ("persisted", "message"),
    [
        ({"version": 2}, "Unsupported persisted query version 2: only version 1 is supported."),
        ({"version": True}, "Unsupported persisted query version true"),
        ({}, "Unsupported persisted query version null"),
        ({"version": 1, "sha256Hash": 5}, "'extensions.persistedQuery.sha256Hash' must be a "),
        ("abc", "'extensions.persistedQuery' must be an object, not a string."),
    ],
)
def test_a_malformed_persisted_query_is_refused(
    schema: GraphQLSchema, persisted: Any, message: str
) -> None:
    response = run(schema, {"extensions": {"persistedQuery": persisted}})
    assert only_error(response)["message"].startswith(message)
    assert failure_of(response) == "request"


def test_with_apq_off_a_hash_alone_is_not_supported_and_a_query_runs(
    schema: GraphQLSchema,
) -> None:
    response = run(schema, {"extensions": apq(HELLO)}, persisted_queries=None)
    assert only_error(response) == {
        "message": "PersistedQueryNotSupported",
        "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
    }
    assert failure_of(response) == "persisted"
    wrong_hash = {"query": UPPER, "extensions": apq(HELLO), "variables": {"text": "x"}}
    assert run(schema, wrong_hash, persisted_queries=None) == {"data": {"upper": "X"}}


def test_an_empty_query_beside_a_hash_counts_as_absent(schema: GraphQLSchema) -> None:
    store = MemoryStore()
    store.set(sha256(HELLO), HELLO)
    data = {"query": "", "extensions": apq(HELLO)}
    assert run(schema, data, persisted_queries=store) == {"data": {"hello": "hello world"}}


def test_a_custom_query_parser_handles_apq_itself(schema: GraphQLSchema) -> None:
    def parser(_: Any, data: dict[str, Any]) -> Any:
        assert data["extensions"] == apq(HELLO)
        return parse(HELLO)

    response = run(schema, {"query": "", "extensions": apq(HELLO)}, query_parser=parser)
    assert response == {"data": {"hello": "hello world"}}


def test_resolving_is_idempotent() -> None:
    options = ExecutionOptions(persisted_queries=MemoryStore())
    register = {"query": HELLO, "extensions": apq(HELLO)}
    assert resolve_persisted(register, options) is register
    resolved = resolve_persisted({"extensions": apq(HELLO)}, options)
    assert resolved == register
    assert resolve_persisted(resolved, options) is resolved
    assert resolve_persisted([register], options) == [register]


# --- trusted documents --------------------------------------------------------------------

TRUSTED = TrustedDocuments({"sha256:" + sha256(HELLO): HELLO, "upper": UPPER})


@pytest.mark.parametrize("document_id", ["sha256:" + sha256(HELLO), sha256(HELLO)])
def test_a_trusted_document_runs_by_its_id(schema: GraphQLSchema, document_id: str) -> None:
    response = run(schema, {"documentId": document_id}, trusted_documents=TRUSTED)
    assert response == {"data": {"hello": "hello world"}}
    data = {"documentId": "upper", "variables": {"text": "a"}, "operationName": "Upper"}
    assert run(schema, data, trusted_documents=TRUSTED) == {"data": {"upper": "A"}}


@pytest.mark.parametrize("only_trusted", [False, True])
def test_a_trusted_document_runs_by_its_apq_hash(schema: GraphQLSchema, only_trusted: bool) -> None:
    # Apollo Client sends a persisted query list's ids as APQ hashes.
    store = MemoryStore()
    options = {"persisted_queries": store, "trusted_documents": TRUSTED}
    for data in ({"extensions": apq(HELLO)}, {"query": HELLO, "extensions": apq(HELLO)}):
        response = run(schema, data, only_trusted=only_trusted, **options)
        assert response == {"data": {"hello": "hello world"}}
    assert store.get(sha256(HELLO)) is None  # known already: not registered


def test_an_unknown_document_id_is_refused(schema: GraphQLSchema) -> None:
    response = run(schema, {"documentId": "nope"}, trusted_documents=TRUSTED)
    assert only_error(response) == {
        "message": "Unknown document id 'nope': this server has no document with this id.",
        "extensions": {"code": "PERSISTED_DOCUMENT_NOT_FOUND"},
    }
    assert failure_of(response) == "request"
    not_a_string = run(schema, {"documentId": 7})
    assert only_error(not_a_string)["message"] == "'documentId' must be a string, not a number."


def test_a_document_id_may_name_an_apq_registered_document(schema: GraphQLSchema) -> None:
    store = MemoryStore()
    store.set(sha256(HELLO), HELLO)
    response = run(schema, {"documentId": "sha256:" + sha256(HELLO)}, persisted_queries=store)
    assert response == {"data": {"hello": "hello world"}}


def test_a_document_id_with_another_query_is_refused(schema: GraphQLSchema) -> None:
    same = {"documentId": "upper", "query": UPPER, "variables": {"text": "b"}}
    assert run(schema, same, trusted_documents=TRUSTED) == {"data": {"upper": "B"}}
    other = {"documentId": "upper", "query": HELLO}
    response = run(schema, other, trusted_documents=TRUSTED)
    assert only_error(response)["message"] == (
        "The request has a 'documentId' and a different 'query': send only one."
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        ({"query": '{ upper(text: "x") }'}, "The request is not a trusted document"),
        ({}, "The request is not a trusted document"),
        (
            {"query": UPPER + " ", "extensions": apq(UPPER + " ")},
            "The request is not a trusted document",
        ),
        ({"extensions": apq("{ other }")}, "Unknown persisted query hash"),
        ({"documentId": "nope"}, "Unknown document id 'nope'"),
    ],
)
def test_only_trusted_refuses_anything_else(
    schema: GraphQLSchema, data: dict[str, Any], what: str
) -> None:
    store = MemoryStore()
    store.set(sha256("{ other }"), "{ other }")
    response = run(
        schema, data, persisted_queries=store, trusted_documents=TRUSTED, only_trusted=True
    )
    assert only_error(response) == {
        "message": f"{what}: this server only executes trusted documents; send the "
        "'documentId' of one.",
        "extensions": {"code": "TRUSTED_DOCUMENT_REQUIRED"},
    }
    assert failure_of(response) == "trusted"
    assert store.get(sha256(UPPER + " ")) is None


def test_only_trusted_accepts_the_exact_text_of_a_trusted_document(
    schema: GraphQLSchema,
) -> None:
    options = {"trusted_documents": TRUSTED, "only_trusted": True}
    assert run(schema, {"query": HELLO}, **options) == {"data": {"hello": "hello world"}}
    registration = {"query": HELLO, "extensions": apq(HELLO)}
    assert run(schema, registration, **options) == {"data": {"hello": "hello world"}}
