"""``ExecutionOptions``: how requests are executed, defined once for every transport.

The ASGI handlers and the WSGI app keep Ariadne's keyword signatures and attributes
(``handler.debug = True`` still works), but they store the values in one frozen
``ExecutionOptions`` that the pipeline receives whole: adding an option means adding a field
here, not editing every constructor and call between a transport and graphql-core.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar, overload

from graphql import MiddlewareManager

from ._errors import format_error
from ._limits import DEFAULT_LIMITS, OperationLimits
from ._persisted import NO_TRUSTED_DOCUMENTS, DocumentStore, TrustedDocuments, default_store
from ._types import ErrorFormatter, LoggerOption, QueryParser, QueryValidator, ValidationRules

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class ExecutionOptions:
    """Every execution option that is not the request's own (data, context, extensions).

    # Fields

    `root_value`: the root value, or a callable returning it (see `resolve_root_value`).

    `query_parser`: `(context, data) -> DocumentNode`, replacing the document cache's parse.

    `query_validator`: replaces graphql-core's `validate` (and the cache's validation).

    `validation_rules`: extra rules, or `(context, document, data)` returning them.

    `debug`: add tracebacks to formatted errors. Never in production.

    `introspection`: allow introspection queries.

    `logger`: the logger, or its name, that resolver errors are logged to.

    `error_formatter`: `(error, debug) -> dict` for every GraphQL error.

    `middleware_manager_class`: the `MiddlewareManager` (sub)class combining middlewares.

    `execution_context_class`: graphql-core execution context class (default `Executor`).

    `execute_kwargs`: further keyword arguments for graphql-core's `execute`.

    `limits`: the `OperationLimits` a document must stay within (`NO_LIMITS`: none).

    `mask_errors`: answer "Unexpected error." (with a correlation id that is in the log
    too) for an exception a resolver raised unexpectedly; a `GraphQLError` raised on purpose
    keeps its message. Off under `debug`.

    `execution_timeout`: seconds a query or mutation may run before it is cancelled and
    answered with an error (None: no limit). Only awaiting code can be interrupted: a
    synchronous resolver runs to its end, and blocks the event loop meanwhile.

    `persisted_queries`: the `DocumentStore` of automatic persisted queries (APQ; by
    default the process's `MemoryStore`), or None to turn APQ off.

    `trusted_documents`: the `TrustedDocuments` a `documentId` (or an APQ hash) may name.

    `only_trusted`: execute trusted documents only (see `graphqlwire.execution._persisted`).
    """

    root_value: Any = None
    query_parser: QueryParser | None = None
    query_validator: QueryValidator | None = None
    validation_rules: ValidationRules | None = None
    debug: bool = False
    introspection: bool = True
    logger: LoggerOption = None
    error_formatter: ErrorFormatter = format_error
    middleware_manager_class: type[MiddlewareManager] | None = None
    execution_context_class: type[Any] | None = None
    execute_kwargs: Mapping[str, Any] = field(default_factory=dict)
    limits: OperationLimits = DEFAULT_LIMITS
    mask_errors: bool = False
    execution_timeout: float | None = None
    persisted_queries: DocumentStore | None = default_store
    trusted_documents: TrustedDocuments = NO_TRUSTED_DOCUMENTS
    only_trusted: bool = False

    def __post_init__(self) -> None:
        timeout = self.execution_timeout
        if timeout is not None and not timeout > 0:
            raise ValueError("execution_timeout must be a number of seconds over 0, or None")


class OptionAttribute(Generic[T]):
    """An attribute that reads and writes one field of its owner's ``execution_options``.

    Setting it replaces the frozen options with a copy, so a request already running keeps
    the options it started with.
    """

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type[Any]) -> OptionAttribute[T]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any]) -> T: ...
    def __get__(self, instance: object | None, owner: type[Any]) -> Any:
        if instance is None:
            return self
        return getattr(instance.execution_options, self.name)  # type: ignore[attr-defined]

    def __set__(self, instance: object, value: T) -> None:
        options = instance.execution_options  # type: ignore[attr-defined]
        instance.execution_options = replace(options, **{self.name: value})  # type: ignore[attr-defined]


class ExecutionOptionAttributes:
    """Mixin for configured objects (handlers, the WSGI app): the options as attributes."""

    execution_options: ExecutionOptions = ExecutionOptions()

    root_value: OptionAttribute[Any] = OptionAttribute()
    query_parser: OptionAttribute[QueryParser | None] = OptionAttribute()
    query_validator: OptionAttribute[QueryValidator | None] = OptionAttribute()
    validation_rules: OptionAttribute[ValidationRules | None] = OptionAttribute()
    debug: OptionAttribute[bool] = OptionAttribute()
    introspection: OptionAttribute[bool] = OptionAttribute()
    logger: OptionAttribute[LoggerOption] = OptionAttribute()
    error_formatter: OptionAttribute[ErrorFormatter] = OptionAttribute()
    middleware_manager_class: OptionAttribute[type[MiddlewareManager] | None] = OptionAttribute()
    execution_context_class: OptionAttribute[type[Any] | None] = OptionAttribute()
    limits: OptionAttribute[OperationLimits] = OptionAttribute()
    mask_errors: OptionAttribute[bool] = OptionAttribute()
    execution_timeout: OptionAttribute[float | None] = OptionAttribute()
    persisted_queries: OptionAttribute[DocumentStore | None] = OptionAttribute()
    trusted_documents: OptionAttribute[TrustedDocuments] = OptionAttribute()
    only_trusted: OptionAttribute[bool] = OptionAttribute()
