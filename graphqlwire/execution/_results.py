"""What a GraphQL request turns into: response dicts, failure stages, error logging.

A request that fails
before execution starts gets a response without a ``data`` entry (as the GraphQL spec asks);
``failure_of(response)`` tells transports at which stage, so they can pick status codes
without reading error messages.
"""

from __future__ import annotations

import logging
import secrets
from typing import TYPE_CHECKING, Any

from graphql import ExecutionResult, GraphQLError, TypeNode, VariableDefinitionNode

from ._errors import unwrap_graphql_error
from ._extensions import ExtensionManager
from ._failure import RequestFailure, Stage
from ._types import GraphQLResult, LoggerOption

if TYPE_CHECKING:
    from ._options import ExecutionOptions

DEFAULT_LOGGER = "graphqlwire"
#: What a client is told of an unexpected exception when errors are masked.
MASKED_MESSAGE = "Unexpected error."


class ResultDict(dict[str, Any]):
    """A response dict that remembers why the request failed (see ``failure_of``)."""

    __slots__ = ("failure",)

    def __init__(self, failure: Stage | None = None, **fields: Any) -> None:
        super().__init__(**fields)
        self.failure = failure


def failure_of(response: dict[str, Any]) -> Stage | None:
    """The stage at which a request failed before producing data, or None.

    ``"request"``: the data is not a well-formed GraphQL request (or names an unknown
    ``documentId``); ``"persisted"``: the APQ hash is unknown, or APQ is off (the client
    retries with the query); ``"trusted"``: not a trusted document, and only those run;
    ``"parse"``: syntax error;
    ``"limit"``: over an operation limit (``OperationLimits``); ``"validation"``;
    ``"operation"``: the operation type is not allowed here (a mutation
    with ``require_query``, a subscription outside ``subscribe()``); ``"incremental"``:
    the operation uses ``@defer``/``@stream`` and the caller delivers one result only;
    ``"execution"``:
    execution could not start (variables could not be coerced, unknown operation name).
    """
    return getattr(response, "failure", None)


def failure_result(
    failure: RequestFailure, manager: ExtensionManager, options: ExecutionOptions
) -> GraphQLResult:
    """The response of a request that failed before execution: errors, no ``data``."""
    response = ResultDict(failure.stage)
    add_errors(response, failure.errors, manager, options)
    add_extensions(response, manager)
    return False, response


def execution_result(
    result: ExecutionResult, manager: ExtensionManager, options: ExecutionOptions
) -> GraphQLResult:
    """The response of an executed request (``data``, maybe ``errors``, ``extensions``)."""
    errors = result.errors
    if result.data is None and errors and all(map(_before_execution, errors)):
        # The GraphQL spec says the response then has no "data" entry.
        response = ResultDict("execution")
    else:
        response = ResultDict(None, data=result.data)
    if errors:
        add_errors(response, errors, manager, options)
    add_extensions(response, manager)
    return response.get("data") is not None, response


def _before_execution(error: GraphQLError) -> bool:
    """Whether graphql-core raised `error` before executing anything: no operation to run,
    or variables that do not coerce. Such errors have no path, and no node but a variable
    definition's (or its type's); an error raised while collecting the root fields (a
    directive argument given a null variable) has neither path nor such a node, and comes
    with ``data: null``."""
    return error.path is None and all(
        isinstance(node, (VariableDefinitionNode, TypeNode)) for node in error.nodes or ()
    )


def add_errors(
    response: dict[str, Any],
    errors: list[GraphQLError],
    manager: ExtensionManager,
    options: ExecutionOptions,
) -> None:
    error_formatter, debug = options.error_formatter, options.debug
    masking = options.mask_errors and not debug
    correlation_ids = log_errors(errors, options.logger, correlate=masking)
    manager.has_errors(errors)
    if correlation_ids:
        errors = [_masked(error, correlation_ids) for error in errors]
    response["errors"] = [error_formatter(error, debug) for error in errors]


def _masked(error: GraphQLError, correlation_ids: dict[int, str]) -> GraphQLError:
    """`error` with its message hidden, if an unexpected exception caused it."""
    correlation_id = correlation_ids.get(id(unwrap_graphql_error(error)))
    if correlation_id is None:
        return error
    extensions = {"code": "INTERNAL_SERVER_ERROR", "correlationId": correlation_id}
    return GraphQLError(MASKED_MESSAGE, error.nodes, path=error.path, extensions=extensions)


def add_extensions(response: dict[str, Any], manager: ExtensionManager) -> None:
    if manager.extensions:
        data = manager.format()
        if data:
            response["extensions"] = data


def get_logger(logger: LoggerOption) -> logging.Logger | logging.LoggerAdapter[logging.Logger]:
    """The logger an option names: None means ``graphqlwire``, a str a logger name."""
    if logger is None or isinstance(logger, str):
        return logging.getLogger(logger or DEFAULT_LOGGER)
    return logger


def log_errors(
    errors: list[GraphQLError], logger: LoggerOption, *, correlate: bool = False
) -> dict[int, str]:
    """Log, once each, the errors that came from an exception raised in a resolver.

    A ``GraphQLError`` raised on purpose, a syntax or validation error is the client's
    business, not the server's, and is not logged. With `correlate`, each logged exception
    gets a random correlation id, in the log line and in the returned ``{id(exception):
    correlation id}`` (so that the client's masked error can name it).
    """
    correlation_ids: dict[int, str] = {}
    seen: set[int] = set()
    for error in errors:
        original = unwrap_graphql_error(error)
        if original is None or isinstance(original, GraphQLError) or id(original) in seen:
            continue
        seen.add(id(original))
        if correlate:
            correlation_id = correlation_ids[id(original)] = secrets.token_hex(8)
            get_logger(logger).error(
                "%s [correlation id %s]", error, correlation_id, exc_info=original
            )
        else:
            get_logger(logger).error("%s", error, exc_info=original)
    return correlation_ids
