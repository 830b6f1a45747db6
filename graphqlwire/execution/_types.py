"""Type aliases of the execution layer: results and the options users pass in."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable, Collection
from logging import Logger, LoggerAdapter
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # aliases only
    from graphql import (
        ASTValidationRule,
        DocumentNode,
        GraphQLError,
        MiddlewareManager,
    )


# --- GraphQL results ----------------------------------------------------------------------
#: ``(success, response)``: ``success`` is False when the request failed before or
#: during execution without producing data; ``response`` is the JSON-ready result dict.
GraphQLResult: TypeAlias = tuple[bool, dict[str, Any]]
#: ``(success, errors | async generator of JSON-ready result dicts)``.
SubscriptionResult: TypeAlias = tuple[
    bool, "list[dict[str, Any]] | AsyncGenerator[dict[str, Any], None]"
]

# --- user-supplied options ----------------------------------------------------------------
#: A value used as is, or a callable (maybe async) that builds the value per request.
ContextValue: TypeAlias = Any
RootValue: TypeAlias = Any
#: ``(context, data) -> DocumentNode``
QueryParser: TypeAlias = "Callable[[Any, dict[str, Any]], DocumentNode]"
#: graphql-core's ``validate`` signature: ``(schema, document, rules, max_errors, type_info)``
QueryValidator: TypeAlias = "Callable[..., list[GraphQLError]]"
ValidationRulesList: TypeAlias = "Collection[type[ASTValidationRule]]"
#: A list of rules, or ``(context, document, data) -> list | None``.
ValidationRulesFactory: TypeAlias = (
    "Callable[[Any, DocumentNode, dict[str, Any]], ValidationRulesList | None]"
)
ValidationRules: TypeAlias = "ValidationRulesList | ValidationRulesFactory"
#: ``(error, debug) -> dict``
ErrorFormatter: TypeAlias = "Callable[[GraphQLError, bool], dict[str, Any]]"
LoggerOption: TypeAlias = "str | Logger | LoggerAdapter[Logger] | None"

MiddlewareManagerClass: TypeAlias = "type[MiddlewareManager]"

__all__ = [
    "ContextValue",
    "ErrorFormatter",
    "GraphQLResult",
    "LoggerOption",
    "MiddlewareManagerClass",
    "QueryParser",
    "QueryValidator",
    "RootValue",
    "SubscriptionResult",
    "ValidationRules",
    "ValidationRulesFactory",
    "ValidationRulesList",
]
