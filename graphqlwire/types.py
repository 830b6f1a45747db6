"""Type aliases shared by every layer: ASGI messages, GraphQL results and user hooks.

Kept deliberately small (as in Starlette's ``types.py``): the aliases name the shapes
that cross a layer boundary, nothing more.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Callable, Collection, MutableMapping
from dataclasses import dataclass, field
from logging import Logger, LoggerAdapter
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:  # aliases only: importing graphqlwire.types must not import graphql-core
    from graphql import (
        ASTValidationRule,
        DocumentNode,
        GraphQLError,
        Middleware,
        MiddlewareManager,
    )

    from .extensions import Extension

# --- ASGI ---------------------------------------------------------------------------------
Scope: TypeAlias = MutableMapping[str, Any]
Message: TypeAlias = MutableMapping[str, Any]
Receive: TypeAlias = Callable[[], Awaitable[Message]]
Send: TypeAlias = Callable[[Message], Awaitable[None]]
ASGIApp: TypeAlias = Callable[[Scope, Receive, Send], Awaitable[None]]

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

ExtensionList: TypeAlias = "list[type[Extension] | Callable[[], Extension]] | None"
#: A list of extension classes (or factories), or ``(request, context) -> list``.
Extensions: TypeAlias = (
    "ExtensionList | Callable[[Any, Any], ExtensionList | Awaitable[ExtensionList]]"
)
MiddlewareList: TypeAlias = "list[Middleware] | None"
Middlewares: TypeAlias = (
    "MiddlewareList | Callable[[Any, Any], MiddlewareList | Awaitable[MiddlewareList]]"
)
MiddlewareManagerClass: TypeAlias = "type[MiddlewareManager]"

# --- WebSocket hooks ----------------------------------------------------------------------
#: ``(websocket, connection_init payload)``; may be async. Return False or raise to reject.
OnConnect: TypeAlias = Callable[[Any, Any], Any]
#: ``(websocket)``; may be async.
OnDisconnect: TypeAlias = Callable[[Any], Any]
#: ``(websocket, operation)``; may be async.
OnOperation: TypeAlias = Callable[[Any, "Operation"], Any]
#: ``(websocket, operation)``; may be async.
OnComplete: TypeAlias = Callable[[Any, "Operation"], Any]


@dataclass
class Operation:
    """One GraphQL operation running on a WebSocket connection."""

    id: str
    name: str | None
    generator: AsyncGenerator[Any, None] | None = None
    #: Free for handlers to keep per-operation state in (the task that streams it, ...).
    extra: dict[str, Any] = field(default_factory=dict)


__all__ = [
    "ASGIApp",
    "ContextValue",
    "ErrorFormatter",
    "ExtensionList",
    "Extensions",
    "GraphQLResult",
    "LoggerOption",
    "Message",
    "MiddlewareList",
    "MiddlewareManagerClass",
    "Middlewares",
    "OnComplete",
    "OnConnect",
    "OnDisconnect",
    "OnOperation",
    "Operation",
    "QueryParser",
    "QueryValidator",
    "Receive",
    "RootValue",
    "Scope",
    "Send",
    "SubscriptionResult",
    "ValidationRules",
    "ValidationRulesFactory",
    "ValidationRulesList",
]
