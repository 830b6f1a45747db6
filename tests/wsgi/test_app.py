"""The WSGI ``GraphQL`` app in process: HTTP behaviour and every option.

Each request runs through ``wsgiref.validate.validator`` (see ``helpers.call``).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from graphql import GraphQLError, ValidationRule

from graphqlwire.execution import Extension
from graphqlwire.explorers import Explorer, ExplorerHttp405, ExplorerPlayground
from graphqlwire.http import HttpBadRequestError
from graphqlwire.http._errors import status_line
from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, call, post_json


def app(**options: Any) -> GraphQL:
    return GraphQL(SCHEMA, **options)


# --- methods and media types ---------------------------------------------------------------


def test_post_query_returns_json_with_str_content_length() -> None:
    result = post_json(app(), {"query": "{ hello }"})
    assert result.status == "200 OK"
    assert result.json() == {"data": {"hello": "Hello, world!"}}
    assert result.header("content-type") == "application/json; charset=utf-8"
    assert result.header("content-length") == str(len(result.body))


def test_variables_and_operation_name() -> None:
    data = {
        "query": "query A { a: hello } query B($n: String) { b: hello(name: $n) }",
        "operationName": "B",
        "variables": {"n": "wsgi"},
    }
    assert post_json(app(), data).json() == {"data": {"b": "Hello, wsgi!"}}


def test_options_answers_200_with_allow() -> None:
    result = call(app(), "OPTIONS")
    assert result.status == "200 OK"
    assert result.header("allow") == "OPTIONS, POST, GET"
    assert result.body == b""


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
def test_other_methods_get_405_with_allow(method: str) -> None:
    result = call(app(), method)
    assert result.status == "405 METHOD NOT ALLOWED"
    assert result.header("allow") == "OPTIONS, POST, GET"
    assert result.json() == {
        "errors": [{"message": f"Method {method} is not allowed here: use OPTIONS, POST, GET."}]
    }


def test_get_renders_the_explorer_for_browsers() -> None:
    result = call(app(), "GET", headers={"accept": "text/html,*/*"})
    assert result.status == "200 OK"
    assert result.header("content-type") == "text/html; charset=utf-8"
    assert b"<html" in result.body


def test_get_renders_a_chosen_explorer() -> None:
    result = call(app(explorer=ExplorerPlayground()), "GET")
    assert result.code == 200
    assert b"playground" in result.body.lower()


def test_an_async_explorer_page_is_awaited() -> None:
    class AsyncExplorer(Explorer):
        async def html(self, _request: Any) -> str:
            return "<html>awaited page</html>"

    result = call(app(explorer=AsyncExplorer()), "GET", headers={"accept": "text/html"})
    assert result.code == 200
    assert result.body == b"<html>awaited page</html>"


def test_explorer_returning_none_gives_an_empty_405() -> None:
    """As Ariadne's WSGI app (and the seed's ExplorerHttp405): no body, just Allow."""
    result = call(app(explorer=ExplorerHttp405()), "GET", headers={"accept": "text/html"})
    assert result.status == "405 METHOD NOT ALLOWED"
    assert result.header("allow") == "OPTIONS, POST, GET"
    assert result.body == b""
    assert result.header("vary") == "Accept"


def test_get_without_query_for_json_client_is_400() -> None:
    result = call(app(), "GET", headers={"accept": "application/json"})
    assert result.code == 400
    assert result.json()["errors"][0]["message"] == (
        "Missing GraphQL query: send it in the body of a POST request."
    )


def test_get_query_when_disabled_is_405() -> None:
    result = call(
        app(), "GET", query_string="query=%7Bhello%7D", headers={"accept": "application/json"}
    )
    assert result.code == 405
    assert result.header("allow") == "OPTIONS, POST, GET"
    assert "disabled" in result.json()["errors"][0]["message"]


def test_get_query_when_enabled() -> None:
    result = call(
        app(execute_get_queries=True),
        "GET",
        query_string="query=query+Q($n:String){hello(name:$n)}&variables=%7B%22n%22%3A%22get%22%7D",
    )
    assert result.code == 200
    assert result.json() == {"data": {"hello": "Hello, get!"}}


def test_mutation_over_get_is_405_with_allow_post() -> None:
    result = call(
        app(execute_get_queries=True), "GET", query_string='query=mutation{echo(text:"x")}'
    )
    assert result.status == "405 METHOD NOT ALLOWED"
    assert result.header("allow") == "POST"
    assert "mutation" in result.json()["errors"][0]["message"]


def test_get_with_bad_variables_json_is_400() -> None:
    result = call(
        app(execute_get_queries=True), "GET", query_string="query=%7Bhello%7D&variables=%7B"
    )
    assert result.code == 400
    assert "'variables' query parameter is not valid JSON" in result.json()["errors"][0]["message"]


def test_subscription_is_refused() -> None:
    result = post_json(app(), {"query": "subscription { tick }"})
    assert result.code == 400
    assert "Subscriptions are not executed over HTTP" in result.json()["errors"][0]["message"]


def test_graphql_response_json_gets_goh_status_codes() -> None:
    accept = {"accept": "application/graphql-response+json"}
    partial = post_json(app(), {"query": "{ hello fail }"}, headers=accept)
    assert partial.status == "294 PARTIAL SUCCESS"
    assert partial.header("content-type") == "application/graphql-response+json; charset=utf-8"
    invalid = post_json(app(), {"query": "{ nope }"}, headers=accept)
    assert invalid.code == 422
    unparsable = post_json(app(), {"query": "{"}, headers=accept)
    assert unparsable.code == 400


def test_ariadne_status_mode_for_application_json() -> None:
    assert post_json(app(), {"query": "{ hello fail }"}).code == 200
    assert post_json(app(), {"query": "{ failHard }"}).code == 400
    assert post_json(app(status_mode="spec"), {"query": "{ nope }"}).code == 422


def test_unacceptable_accept_is_406() -> None:
    result = post_json(app(), {"query": "{ hello }"}, headers={"accept": "text/csv"})
    assert result.code == 406
    assert result.header("content-type") == "application/json; charset=utf-8"


def test_status_lines_are_spelled_as_ariadne_does() -> None:
    assert status_line(200) == "200 OK"
    assert status_line(400) == "400 BAD REQUEST"
    assert status_line(405) == "405 METHOD NOT ALLOWED"
    assert status_line(294) == "294 PARTIAL SUCCESS"
    assert status_line(599) == "599 UNKNOWN STATUS"


def test_bad_status_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="status_mode"):
        GraphQL(SCHEMA, status_mode="legacy")  # type: ignore[arg-type]


# --- options -------------------------------------------------------------------------------


def test_default_context_holds_the_environ() -> None:
    assert post_json(app(), {"query": "{ context }"}).json() == {
        "data": {"context": "environ:POST"}
    }


def test_context_value_as_a_value() -> None:
    assert post_json(app(context_value="fixed"), {"query": "{ context }"}).json() == {
        "data": {"context": "fixed"}
    }


def test_context_value_callable_with_environ() -> None:
    seen: list[Any] = []

    def context(environ: dict[str, Any]) -> str:
        seen.append(environ)
        return f"path={environ['PATH_INFO']}"

    result = post_json(app(context_value=context), {"query": "{ context }"})
    assert result.json() == {"data": {"context": "path=/graphql/"}}
    assert seen[0]["REQUEST_METHOD"] == "POST"


def test_context_value_callable_with_environ_and_data() -> None:
    def context(environ: dict[str, Any], data: dict[str, Any]) -> str:
        return f"{environ['REQUEST_METHOD']} {data['operationName']}"

    result = post_json(
        app(context_value=context), {"query": "query Op { context }", "operationName": "Op"}
    )
    assert result.json() == {"data": {"context": "POST Op"}}


def test_async_context_value_is_a_clear_error() -> None:
    async def context(environ: dict[str, Any]) -> str:
        return "never"

    with pytest.raises(RuntimeError, match="context_value returned an awaitable"):
        post_json(app(context_value=context), {"query": "{ context }"})


def test_root_value_value_and_callable() -> None:
    assert post_json(app(root_value="ROOT"), {"query": "{ root }"}).json() == {
        "data": {"root": "ROOT"}
    }

    def root(context: Any, document: Any) -> str:
        return f"root for {type(document).__name__}"

    assert post_json(app(root_value=root), {"query": "{ root }"}).json() == {
        "data": {"root": "root for DocumentNode"}
    }


class NoHelloRule(ValidationRule):
    def enter_field(self, node: Any, *_: Any) -> None:
        if node.name.value == "hello":
            self.report_error(GraphQLError("hello is forbidden here"))


def test_validation_rules_list_and_callable() -> None:
    result = post_json(app(validation_rules=[NoHelloRule]), {"query": "{ hello }"})
    assert result.code == 400
    assert result.json()["errors"][0]["message"] == "hello is forbidden here"
    calls: list[Any] = []

    def rules(context: Any, document: Any, data: Any) -> list[Any]:
        calls.append(data)
        return [NoHelloRule] if data.get("variables") else []

    assert post_json(app(validation_rules=rules), {"query": "{ hello }"}).code == 200
    assert (
        post_json(app(validation_rules=rules), {"query": "{ hello }", "variables": {"a": 1}}).code
        == 400
    )
    assert len(calls) == 2


def test_introspection_false_refuses_introspection_and_hides_the_explorer() -> None:
    closed = app(introspection=False)
    result = post_json(closed, {"query": "{ __schema { queryType { name } } }"})
    assert result.code == 400
    explorer = call(closed, "GET", headers={"accept": "text/html"})
    assert (explorer.code, explorer.body) == (405, b"")
    assert explorer.header("allow") == "OPTIONS, POST"
    assert call(closed, "OPTIONS").header("allow") == "OPTIONS, POST"


def test_debug_adds_the_exception_to_errors() -> None:
    quiet = post_json(app(), {"query": "{ fail }"}).json()
    assert "extensions" not in quiet["errors"][0]
    loud = post_json(app(debug=True), {"query": "{ fail }"}).json()
    assert "resolver failed" in "".join(loud["errors"][0]["extensions"]["exception"]["stacktrace"])


def test_error_formatter() -> None:
    def formatter(error: GraphQLError, debug: bool) -> dict[str, Any]:
        return {"message": error.message.upper(), "debug": debug}

    result = post_json(app(error_formatter=formatter, debug=True), {"query": "{ fail }"})
    assert result.json()["errors"] == [{"message": "RESOLVER FAILED", "debug": True}]


def test_logger_gets_resolver_errors(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="wsgi-tests"):
        post_json(app(logger="wsgi-tests"), {"query": "{ fail }"})
    assert [record.name for record in caplog.records] == ["wsgi-tests"]
    assert "resolver failed" in caplog.text


class Stamp(Extension):
    def format(self, context: Any) -> dict[str, Any]:
        return {"stamp": "wsgi"}


def test_extensions_list_and_callable() -> None:
    result = post_json(app(extensions=[Stamp]), {"query": "{ hello }"})
    assert result.json()["extensions"] == {"stamp": "wsgi"}
    seen: list[Any] = []

    def extensions(environ: dict[str, Any], context: Any) -> list[Any]:
        seen.append((environ["REQUEST_METHOD"], context))
        return [Stamp]

    result = post_json(app(extensions=extensions, context_value="ctx"), {"query": "{ hello }"})
    assert result.json()["extensions"] == {"stamp": "wsgi"}
    assert seen == [("POST", "ctx")]


def shout(next_: Any, root: Any, info: Any, **args: Any) -> Any:
    value = next_(root, info, **args)
    return value.upper() if isinstance(value, str) else value


def test_middleware_list_and_callable() -> None:
    result = post_json(app(middleware=[shout]), {"query": "{ hello }"})
    assert result.json() == {"data": {"hello": "HELLO, WORLD!"}}

    def middleware(environ: dict[str, Any], context: Any) -> list[Any] | None:
        return [shout] if environ.get("HTTP_X_SHOUT") else None

    assert post_json(
        app(middleware=middleware), {"query": "{ hello }"}, headers={"x-shout": "1"}
    ).json() == {"data": {"hello": "HELLO, WORLD!"}}
    assert post_json(app(middleware=middleware), {"query": "{ hello }"}).json() == {
        "data": {"hello": "Hello, world!"}
    }


def test_query_parser_is_used() -> None:
    from graphql import parse

    parsed: list[str] = []

    def parser(context: Any, data: dict[str, Any]) -> Any:
        parsed.append(data["query"])
        return parse('{ hello(name: "parser") }')

    result = post_json(app(query_parser=parser), {"query": "anything"})
    assert result.json() == {"data": {"hello": "Hello, parser!"}}
    assert parsed == ["anything"]


# --- subclassing ---------------------------------------------------------------------------


def test_a_subclass_replaces_one_step() -> None:
    class Tagged(GraphQL):
        def extract_data_from_json_request(self, environ: dict[str, Any]) -> Any:
            data = super().extract_data_from_json_request(environ)
            data["variables"] = {"n": "subclass"}
            return data

        def get_context_for_request(self, environ: dict[str, Any], data: Any) -> Any:
            return "from subclass"

    result = post_json(Tagged(SCHEMA), {"query": "query($n: String) { hello(name: $n) context }"})
    assert result.json() == {"data": {"hello": "Hello, subclass!", "context": "from subclass"}}


def test_a_step_raising_http_error_gets_its_4xx() -> None:
    class Guarded(GraphQL):
        def handle_post(self, environ: dict[str, Any], start_response: Any) -> Any:
            if "HTTP_X_TOKEN" not in environ:
                raise HttpBadRequestError("Missing X-Token header.")
            return super().handle_post(environ, start_response)

    result = post_json(Guarded(SCHEMA), {"query": "{ hello }"})
    assert result.code == 400
    assert result.json() == {"errors": [{"message": "Missing X-Token header."}]}
    assert post_json(Guarded(SCHEMA), {"query": "{ hello }"}, headers={"x-token": "t"}).code == 200


# --- defaults shared with the ASGI app -----------------------------------------------------


def test_default_max_body_size_is_10_mib() -> None:
    body = b'{"query": "{ hello }", "pad": "' + b"x" * (11 * 1024 * 1024) + b'"}'
    result = call(app(), "POST", body=body, headers={"content-type": "application/json"})
    assert result.code == 413
    assert "larger than the limit of 10485760 bytes" in result.json()["errors"][0]["message"]


def test_options_is_an_empty_text_plain_200() -> None:
    # The same answer as the ASGI app's.
    result = call(app(), "OPTIONS")
    assert result.header("content-type") == "text/plain; charset=utf-8"
    assert (result.header("content-length"), result.body) == ("0", b"")


@pytest.mark.parametrize(
    ("accept", "query_string", "status"),
    [
        ("text/html", "", 200),  # the explorer
        ("application/json", "query=%7B%20hello%20%7D", 200),  # a result
        ("application/json", "", 400),  # no query
        ("text/plain", "query=%7B%20hello%20%7D", 406),
    ],
)
def test_get_responses_vary_on_accept(accept: str, query_string: str, status: int) -> None:
    result = call(
        app(execute_get_queries=True), query_string=query_string, headers={"accept": accept}
    )
    assert result.code == status
    assert [value for name, value in result.headers if name.lower() == "vary"] == ["Accept"]


def test_post_and_options_responses_do_not_vary_on_accept() -> None:
    assert post_json(app(), {"query": "{ hello }"}).header("vary") is None
    assert call(app(), "OPTIONS").header("vary") is None
