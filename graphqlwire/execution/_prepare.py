"""Before execution: check the request's shape, parse, validate, apply the operation policy.

A request naming a persisted document (APQ hash, ``documentId``) first gets its ``query``
(``_persisted``).

Each step raises ``RequestFailure`` with its stage, so transports can answer by stage
(``failure_of``) without reading messages. The document cache serves parse and validation
together unless the options bring their own parser, validator or per-request rules, or the
caller brings a document of its own. The operation limits are checked before validation,
and their verdict is cached with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationType,
    get_operation_ast,
    specified_rules,
)

from ._cache import document_cache
from ._callables import positional_arity
from ._failure import RequestFailure
from ._limits import check_document, cost_for_request
from ._options import ExecutionOptions
from ._persisted import resolve_persisted
from ._request_data import check_request_data
from ._types import QueryParser
from ._validation import IntrospectionDisabledRule

#: Why an operation of this type (and name, if it has one) may not run here (the client is
#: told), or None if it may. Transports pass their own, worded for their clients; the
#: defaults below are neutral.
OperationPolicy = Callable[[OperationType, "str | None"], "str | None"]

_SPECIFIED_RULES: tuple[type[ASTValidationRule], ...] = tuple(specified_rules)


def no_subscriptions(kind: OperationType, name: str | None = None) -> str | None:
    """The policy of ``graphql()``: subscriptions go through ``subscribe()``."""
    if kind is OperationType.SUBSCRIPTION:
        return "Subscriptions cannot be executed with graphql(): use subscribe()."
    return None


def queries_only(kind: OperationType, name: str | None = None) -> str | None:
    """The policy of ``graphql(require_query=True)``: nothing but queries."""
    if kind is not OperationType.QUERY:
        return f"Only query operations may be executed here, and this is a {kind.value}."
    return None


@dataclass(slots=True)
class Prepared:
    """A request that passed every check before execution."""

    document: DocumentNode
    variables: dict[str, Any] | None
    operation_name: str | None
    operation_type: OperationType | None


def prepare(
    schema: GraphQLSchema,
    data: Any,
    options: ExecutionOptions,
    context_value: Any,
    query_document: DocumentNode | None,
    policy: OperationPolicy | None,
) -> Prepared:
    """Check, parse, validate and apply `policy`; raise ``RequestFailure`` at the first
    stage that fails."""
    data = resolve_persisted(data, options)
    query, variables, operation_name = check_request_data(data)
    validation_rules = options.validation_rules
    limits = options.limits
    if (
        options.query_parser is None
        and options.query_validator is None
        and not callable(validation_rules)
        and (
            query_document is None
            or query_document is document_cache.peek(query, limits.max_tokens)
        )
    ):
        rules = _rules_for(tuple(validation_rules or ()), options.introspection)
        try:
            checked = document_cache.validate(schema, query, rules, limits)
        except GraphQLError as error:
            raise RequestFailure("parse", [error]) from None
    else:
        if query_document is not None:
            document = query_document
        else:
            try:
                document = parse_query(context_value, data, options.query_parser, limits.max_tokens)
            except GraphQLError as error:
                raise RequestFailure("parse", [error]) from None
        custom: Any = (
            validation_rules(context_value, document, data)
            if callable(validation_rules)
            else validation_rules
        )
        rules = _rules_for(tuple(custom or ()), options.introspection)
        checked = check_document(schema, document, rules, limits, options.query_validator)
    document, stage, errors, cost_uses_variables = checked
    if errors:
        # cached errors are shared by every request with this query: hand out copies, so an
        # extension or formatter that changes one cannot change later responses
        raise RequestFailure(stage, [_copy_error(error) for error in errors])
    if cost_uses_variables:
        errors = cost_for_request(schema, document, operation_name, variables, limits)
        if errors:
            raise RequestFailure("limit", errors)
    operation = get_operation_ast(document, operation_name)
    kind = operation.operation if operation else None
    prepared = Prepared(document, variables, operation_name, kind)
    if policy is not None and operation is not None and kind is not None:
        refusal = policy(kind, operation.name.value if operation.name else None)
        if refusal is not None:
            raise RequestFailure("operation", [GraphQLError(refusal)])
    return prepared


def parse_query(
    context_value: Any,
    data: dict[str, Any],
    query_parser: QueryParser | None = None,
    max_tokens: int = 0,
) -> DocumentNode:
    """Parse ``data["query"]`` with ``query_parser`` or the document cache.

    Raises ``GraphQLError`` on a syntax error, ``RequestFailure`` past `max_tokens` (which
    a custom ``query_parser`` enforces, or not, itself).
    """
    if query_parser is not None:
        return query_parser(context_value, data)
    return document_cache.parse(data["query"], max_tokens)


def get_operation_type(
    document: DocumentNode, operation_name: str | None = None
) -> OperationType | None:
    """The type of the operation that ``operation_name`` selects, or None if none matches."""
    operation = get_operation_ast(document, operation_name)
    return operation.operation if operation else None


def resolve_root_value(root_value: Any, context_value: Any, prepared: Prepared) -> Any:
    """Return ``root_value``, or call it when it is callable (the result may be awaitable).

    A callable taking four parameters is called as ``(context, operation_name, variables,
    document)`` (newer Ariadne releases); any other as ``(context, document)`` (the seeds).
    """
    if not callable(root_value):
        return root_value
    if positional_arity(root_value, unknown=2) >= 4:
        return root_value(
            context_value, prepared.operation_name, prepared.variables, prepared.document
        )
    return root_value(context_value, prepared.document)


@lru_cache(maxsize=64)
def _rules_for(
    custom: tuple[type[ASTValidationRule], ...], introspection: bool
) -> tuple[type[ASTValidationRule], ...]:
    extra = () if introspection else (IntrospectionDisabledRule,)
    return _SPECIFIED_RULES + custom + extra


def _copy_error(error: GraphQLError) -> GraphQLError:
    return GraphQLError(
        error.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=dict(error.extensions or {}),
    )
