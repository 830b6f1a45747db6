"""The shape check every GraphQL request goes through, whatever the transport."""

from __future__ import annotations

from typing import Any, NoReturn

from graphql import GraphQLError

from .._json import json_type
from ._failure import RequestFailure


def check_request_data(data: Any) -> tuple[str, dict[str, Any] | None, str | None]:
    """Check the shape of a GraphQL request and return ``(query, variables, operationName)``.

    Unknown keys are ignored and ``null`` counts as absent, as GraphQL over HTTP requires.
    Raises ``RequestFailure("request", ...)`` with a message that says what is wrong.
    """
    if not isinstance(data, dict):
        _bad_request(f"The GraphQL request must be a JSON object, not {json_type(data)}.")
    query = data.get("query")
    if query is None:
        _bad_request("The GraphQL request has no 'query': send the document as a string.")
    if not isinstance(query, str):
        _bad_request(f"'query' must be a string, not {json_type(query)}.")
    variables = data.get("variables")
    if variables is not None and not isinstance(variables, dict):
        _bad_request(f"'variables' must be an object or null, not {json_type(variables)}.")
    operation_name = data.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        _bad_request(f"'operationName' must be a string or null, not {json_type(operation_name)}.")
    extensions = data.get("extensions")
    if extensions is not None and not isinstance(extensions, dict):
        _bad_request(f"'extensions' must be an object or null, not {json_type(extensions)}.")
    return query, variables, operation_name


def _bad_request(message: str) -> NoReturn:
    raise RequestFailure("request", [GraphQLError(message)])
