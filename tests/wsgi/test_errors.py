"""``HttpError`` as Ariadne builds it, and the debug helpers Ariadne makes public."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from graphql import GraphQLError

from graphqlwire import (
    HttpBadRequestError,
    HttpError,
    get_error_extension,
    get_formatted_error_context,
    get_formatted_error_traceback,
)
from graphqlwire.http import (
    HttpLengthRequiredError,
    HttpMethodNotAllowedError,
    HttpPayloadTooLargeError,
)
from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, post_json


def test_http_error_takes_the_status_first_positionally_or_by_keyword() -> None:
    positional = HttpError("405 METHOD NOT ALLOWED", "Use POST.")
    keyword = HttpError(status="405 METHOD NOT ALLOWED", message="Use POST.")
    for error in (positional, keyword):
        assert (error.status, error.status_code, error.message) == (
            "405 METHOD NOT ALLOWED",
            405,
            "Use POST.",
        )
    assert str(positional) == "Use POST."


def test_status_given_as_a_code_gets_ariadnes_status_line() -> None:
    assert HttpError(400).status == "400 BAD REQUEST"
    assert HttpError(HTTPStatus.METHOD_NOT_ALLOWED).status == "405 METHOD NOT ALLOWED"
    assert HttpError("418").status == "418 I'M A TEAPOT"
    teapot = HttpError("418 I'm a teapot")
    assert (teapot.status, teapot.status_code, teapot.message) == (
        "418 I'm a teapot",
        418,
        "I'm a Teapot",
    )
    assert HttpError("499 Client Closed").message == "Client Closed"


@pytest.mark.parametrize("status", ["Bad Request", "40 X", "600 Too Big", "", "4000 X"])
def test_an_unusable_status_is_refused_at_construction(status: str) -> None:
    with pytest.raises(ValueError, match="status line such as '400 BAD REQUEST'"):
        HttpError(status)


def test_a_status_of_another_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="must be a str or an int"):
        HttpError(4.0)  # type: ignore[arg-type]


def test_subclasses_take_the_message_only() -> None:
    bad = HttpBadRequestError()
    assert (bad.status, bad.status_code, bad.message) == ("400 BAD REQUEST", 400, "Bad Request")
    assert HttpBadRequestError("Nope.").message == "Nope."
    assert isinstance(bad, HttpError)
    assert HttpLengthRequiredError().status == "411 LENGTH REQUIRED"
    assert HttpPayloadTooLargeError("big").status_code == 413
    not_allowed = HttpMethodNotAllowedError("no", allow=["OPTIONS", "POST"])
    assert (not_allowed.status, not_allowed.headers) == (
        "405 METHOD NOT ALLOWED",
        {"allow": "OPTIONS, POST"},
    )


def test_a_custom_status_line_goes_out_as_given() -> None:
    class Teapot(GraphQL):
        def get_request_data(self, environ: object) -> object:
            raise HttpError("418 I'm a teapot", "Short and stout.")

    result = post_json(Teapot(SCHEMA), {"query": "{ hello }"})
    assert result.status == "418 I'm a teapot"
    assert result.json() == {"errors": [{"message": "Short and stout."}]}


def _raised() -> GraphQLError:
    def resolver(name: str) -> None:
        raise ValueError(f"no {name}")

    try:
        resolver("cake")
    except ValueError as error:
        return GraphQLError("wrapped", original_error=error)
    raise AssertionError("unreachable")


def test_error_extension_has_the_traceback_lines_and_the_resolver_locals() -> None:
    extension = get_error_extension(_raised())
    assert extension is not None
    assert extension["context"] == {"name": "'cake'"}
    assert extension["stacktrace"][-1] == "ValueError: no cake"
    assert all("\n" not in line for line in extension["stacktrace"])


def test_error_without_a_traceback_has_no_extension() -> None:
    assert get_error_extension(GraphQLError("plain")) is None
    never_raised = GraphQLError("wrapped", original_error=ValueError("never raised"))
    assert get_error_extension(never_raised) is None
    assert get_formatted_error_context(ValueError("never raised")) is None


def test_formatted_context_and_traceback_are_public() -> None:
    original = _raised().original_error
    assert original is not None
    assert get_formatted_error_context(original) == {"name": "'cake'"}
    assert get_formatted_error_traceback(original)[0] == "Traceback (most recent call last):"
