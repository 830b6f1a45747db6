"""Pure tests of the transport-independent GraphQL-over-HTTP rules."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graphqlwire.execution import ResultDict, Stage
from graphqlwire.http import (
    HttpBadRequestError,
    HttpNotAcceptableError,
    HttpUnsupportedMediaTypeError,
    JSONResponse,
)
from graphqlwire.http import _rules as gh
from graphqlwire.http import _status as status
from graphqlwire.http._requests import parse_json_body

GRJ = gh.GRAPHQL_RESPONSE_JSON
JSON = gh.JSON


# --- Accept negotiation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("application/json", JSON),
        (GRJ, GRJ),
        (f"{GRJ}, application/json;q=0.9", GRJ),
        (f"application/json, {GRJ}", JSON),  # equal weights: the server's order
        (f"{GRJ}, application/json", JSON),
        (f"application/json;q=0.9, {GRJ}", GRJ),
        (f"application/json, {GRJ};q=0.9", JSON),
        (f"{GRJ};q=0.1, */*;q=0.5", JSON),
        (f"{GRJ};q=0.5, */*;q=0.1", GRJ),
        (f"{GRJ};q=0, */*", JSON),
        ("application/json;q=0, */*", GRJ),
        ("APPLICATION/JSON", JSON),
        (f' {GRJ.upper()} ; charset="utf-8" ; Q=0.8 , text/html', GRJ),
        ("text/html, */*;q=0.8", JSON),
        ("application/json;q=bogus, */*;q=0.2", JSON),  # a bad weight drops the entry
        ("*", JSON),
    ],
)
def test_negotiate_media_type(accept: str | None, expected: str) -> None:
    assert gh.negotiate_media_type(accept) == expected


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "image/png, text/*",
        "application/json;q=0",
        f"application/json;q=0, {GRJ};q=0",
        "application/json;q=bogus",
        "application/json;q=2",
        "application/xml",
        ",,,",
    ],
)
def test_negotiate_not_acceptable(accept: str) -> None:
    with pytest.raises(HttpNotAcceptableError) as info:
        gh.negotiate_media_type(accept)
    assert info.value.status_code == 406
    assert GRJ in info.value.message


@pytest.mark.parametrize(
    ("accept", "html"),
    [
        (None, True),
        ("*/*", True),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True),
        ("application/json", False),
        (f"{GRJ}, application/json;q=0.9", False),
        ("text/html;q=0.5, application/json", False),
        ("text/*", True),
        ("text/html, application/json", True),
        ("text/html;q=0", False),
    ],
)
def test_wants_html(accept: str | None, html: bool) -> None:
    assert gh.wants_html(accept) is html


# --- Content-Type ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "kind"),
    [
        ("application/json", "json"),
        ("Application/JSON; charset=UTF-8", "json"),
        ('application/json; charset="utf8"', "json"),
        ("multipart/form-data; boundary=xyz", "multipart"),
    ],
)
def test_request_body_kind(content_type: str, kind: str) -> None:
    assert gh.request_body_kind(content_type) == kind


def test_request_body_kind_caches_json_types_only() -> None:
    # Multipart boundaries differ in every request: caching them would only fill the cache.
    for index in range(300):
        assert gh.request_body_kind(f"multipart/form-data; boundary=b{index}") == "multipart"
    assert not any("multipart" in str(value) for value in gh._JSON_CONTENT_TYPES)
    assert gh.request_body_kind("application/json; charset=utf-8") == "json"
    assert "application/json; charset=utf-8" in gh._JSON_CONTENT_TYPES
    assert len(gh._JSON_CONTENT_TYPES) <= gh._CACHE_SIZE


@pytest.mark.parametrize(
    ("content_type", "fragment"),
    [
        (None, "Missing Content-Type"),
        ("", "Missing Content-Type"),
        ("   ", "Missing Content-Type"),
        ("text/plain", "Unsupported Content-Type 'text/plain'"),
        ("application/x-www-form-urlencoded", "Unsupported Content-Type"),
        ("application/graphql", "Unsupported Content-Type"),
        ("application/json; charset=latin-1", "charset 'latin-1'"),
    ],
)
def test_request_body_kind_refused(content_type: str | None, fragment: str) -> None:
    with pytest.raises(HttpUnsupportedMediaTypeError) as info:
        gh.request_body_kind(content_type)
    assert info.value.status_code == 415
    assert fragment in info.value.message


# --- request data ----------------------------------------------------------------------------


def test_json_body_returns_raw_value() -> None:
    body = {"query": "{ hello }", "variables": None, "unknown": 1}
    assert parse_json_body(json.dumps(body).encode()) == body
    # Shape checks belong to the execution layer (so that GoH can answer 422).
    assert parse_json_body(b"[1, 2]") == [1, 2]
    assert parse_json_body('{"query": "{ héllo }"}'.encode()) == {"query": "{ héllo }"}


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"", "Request body is empty"),
        (b"  \n", "Request body is empty"),
        (b"{", "Request body is not valid JSON"),
        (b"{'query': 1}", "Request body is not valid JSON"),
        (b'{"query": "\xff"}', "not valid UTF-8 (invalid byte at position 11)"),
        (b"[" * 100_000, "nested too deeply"),
    ],
)
def test_json_body_errors(body: bytes, fragment: str) -> None:
    with pytest.raises(HttpBadRequestError) as info:
        parse_json_body(body)
    assert info.value.status_code == 400
    assert fragment in info.value.message


def test_query_params() -> None:
    params = {
        "query": "query Q($a: Int) { f(a: $a) }",
        "operationName": "Q",
        "variables": '{"a": 1}',
        "extensions": '{"persistedQuery": {"version": 1}}',
        "other": "ignored",
    }
    assert gh.data_from_query_params(params) == {
        "query": "query Q($a: Int) { f(a: $a) }",
        "operationName": "Q",
        "variables": {"a": 1},
        "extensions": {"persistedQuery": {"version": 1}},
    }


def test_query_params_empty_means_absent_and_null_is_a_name() -> None:
    params = {"query": "", "operationName": "null", "variables": "", "extensions": ""}
    assert gh.data_from_query_params(params) == {"operationName": "null"}
    assert gh.data_from_query_params({}) == {}


def test_query_params_variables_are_raw_json() -> None:
    # Wrong JSON types are left for the execution layer to refuse (GoH 422).
    assert gh.data_from_query_params({"query": "{a}", "variables": "[1]"})["variables"] == [1]


@pytest.mark.parametrize("name", ["variables", "extensions"])
def test_query_params_bad_json(name: str) -> None:
    with pytest.raises(HttpBadRequestError) as info:
        gh.data_from_query_params({"query": "{ a }", name: "{nope"})
    assert f"The '{name}' query parameter is not valid JSON" in info.value.message


# --- status codes ----------------------------------------------------------------------------


def failed(stage: Stage) -> dict[str, Any]:
    """A response as the pipeline returns it for a request that failed at `stage`."""
    return ResultDict(stage, errors=[{"message": "boom"}])


@pytest.mark.parametrize(
    ("response", "success", "ariadne_json", "spec"),
    [
        ({"data": {"a": 1}}, True, 200, 200),
        ({"data": {"a": None}, "errors": [{"message": "x"}]}, True, 200, 294),
        ({"data": None, "errors": [{"message": "x"}]}, False, 400, 294),
        (failed("request"), False, 400, 422),
        (failed("parse"), False, 400, 400),
        (failed("validation"), False, 400, 422),
        (failed("operation"), False, 400, 422),
        (failed("execution"), False, 400, 422),
        (failed("persisted"), False, 200, 200),
        (failed("trusted"), False, 403, 403),
        ({"errors": [{"message": "?"}]}, False, 400, 400),
    ],
)
def test_result_status(
    response: dict[str, Any], success: bool, ariadne_json: int, spec: int
) -> None:
    assert status.result_status(response, success, JSON) == ariadne_json
    assert status.result_status(response, success, JSON, status_mode="spec") == spec
    assert status.result_status(response, success, GRJ) == spec
    assert status.result_status(response, success, GRJ, status_mode="spec") == spec


@pytest.mark.parametrize("media_type", [JSON, GRJ])
@pytest.mark.parametrize("mode", status.STATUS_MODES)
def test_get_mutation_is_405_in_every_mode(media_type: str, mode: gh.StatusMode) -> None:
    response = failed("operation")
    assert status.result_status(response, False, media_type, method="GET", status_mode=mode) == 405
    http = status.result_response(response, False, media_type, method="GET", status_mode=mode)
    assert http.status_code == 405
    assert (b"allow", b"POST") in http.raw_headers


@pytest.mark.parametrize("media_type", [JSON, GRJ])
def test_result_response(media_type: str) -> None:
    http = status.result_response({"data": {"a": "é"}}, True, media_type)
    assert http.status_code == 200
    assert http.body == '{"data":{"a":"é"}}'.encode()
    headers = dict(http.raw_headers)
    assert headers[b"content-type"] == f"{media_type}; charset=utf-8".encode()
    assert b"allow" not in headers


def test_error_response_is_never_graphql_response_json() -> None:
    http = status.error_response(HttpNotAcceptableError("Nope"))
    assert http.status_code == 406
    assert json.loads(http.body) == {"errors": [{"message": "Nope"}]}
    assert dict(http.raw_headers)[b"content-type"] == b"application/json; charset=utf-8"


# --- rules shared by the ASGI handler and the WSGI app ---------------------------------------


def test_check_status_mode() -> None:
    assert [status.check_status_mode(mode) for mode in status.STATUS_MODES] == ["ariadne", "spec"]
    with pytest.raises(ValueError, match="status_mode must be 'ariadne' or 'spec', not 'x'"):
        status.check_status_mode("x")


@pytest.mark.parametrize(
    ("get_queries", "introspection", "explorer", "allowed"),
    [
        (False, True, True, ["OPTIONS", "POST", "GET"]),
        (True, False, False, ["OPTIONS", "POST", "GET"]),
        (False, False, True, ["OPTIONS", "POST"]),
        (False, True, False, ["OPTIONS", "POST"]),
    ],
)
def test_allowed_methods(
    get_queries: bool, introspection: bool, explorer: bool, allowed: list[str]
) -> None:
    assert (
        gh.allowed_methods(
            execute_get_queries=get_queries, introspection=introspection, has_explorer=explorer
        )
        == allowed
    )


def test_options_response() -> None:
    response = gh.options_response(["OPTIONS", "POST"])
    assert (response.status_code, response.body) == (200, b"")
    assert response.headers["allow"] == "OPTIONS, POST"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_vary_on_accept_adds_accept_once() -> None:
    response = gh.vary_on_accept(gh.vary_on_accept(status.error_response(HttpBadRequestError("x"))))
    assert response.headers.getlist("vary") == ["Accept"]
    merged = JSONResponse({}, headers={"vary": "Origin"})
    gh.vary_on_accept(merged)
    gh.vary_on_accept(merged)
    assert merged.headers.getlist("vary") == ["Origin, Accept"]


@pytest.mark.parametrize(("value", "has_query"), [("{ a }", True), ("", False), (None, False)])
@pytest.mark.parametrize("name", ["query", "documentId", "extensions"])
def test_has_get_query(name: str, value: str | None, has_query: bool) -> None:
    # A documentId or an APQ hash (in extensions) names the query to run.
    assert gh.has_get_query({} if value is None else {name: value}) is has_query


def test_query_params_carry_a_document_id() -> None:
    params = {"documentId": "sha256:abc", "operationName": "Q", "variables": '{"a": 1}'}
    assert gh.data_from_query_params(params) == {
        "documentId": "sha256:abc",
        "operationName": "Q",
        "variables": {"a": 1},
    }
