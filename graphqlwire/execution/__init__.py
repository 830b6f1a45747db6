"""The execution layer: a GraphQL request dict in, a JSON-ready result out. No HTTP here.

``graphql()`` (async), ``graphql_sync()`` and ``subscribe()`` check the request data, parse
and validate it (through the document cache unless the caller brings its own parser or
validator), run the extensions and middleware, execute with graphqlwire's ``Executor``, and
format errors. Transports configure an ``ExecutionOptions`` once and call the same pipeline
per request; a request refused before execution carries a transport-neutral failure stage
(``failure_of``) from which each transport picks its status code or close code.

Theory of operation, module by module:

- ``_options``: ``ExecutionOptions``, every option that is not the request's own.
- ``_pipeline``: the drivers (async, sync, subscription) around one generator of steps.
- ``_run``: a prepared operation on the executor (plain or incremental) and its keywords.
- ``_prepare``: request shape check, parse and validation, operation policy.
- ``_persisted``: APQ and trusted documents: a hash or ``documentId`` becomes a ``query``.
- ``_limits``: ``OperationLimits`` (tokens, depth, aliases, cost, directives), checked
  before validation.
- ``_cache``: parsed and validated documents with their verdicts, keyed by query text,
  schema, rules and limits.
- ``_executor``, ``_speedups``, ``_compat``: the execution context and its fast paths, and
  what differs between graphql-core 3.2 and 3.3.
- ``_root_plans``: root fields collected once per operation (and per subscription).
- ``_tree_plans``, ``_plain_values``, ``_plan_compiler``: selection plans, which complete
  whole subtrees of plain data (dicts read by default resolvers, built-in scalars, lists,
  non-null) without graphql-core's per-field machinery, and fall back to it per value.
- ``_rule_selection``, ``_visitor_lookup``: validating a new document with only the rules
  that can fire for it, each finding its visitor methods once per class.
- ``_incremental``, ``_payloads``: ``@defer``/``@stream``: which operations run
  incrementally and how, and the payloads they deliver (``subsequent_payloads``).
- ``_results``, ``_errors``: result dicts, failure stages, error formatting and logging.
- ``_extensions``, ``_validation``, ``_streams``, ``_callables``, ``_types``: the
  extension API, the introspection rule, subscription event streams, calling user hooks,
  and the type aliases of the options.
"""

from __future__ import annotations

from ._batch_limits import check_batch_limits
from ._callables import build_context, ensure_sync, per_request_option
from ._errors import (
    format_error,
    get_error_extension,
    get_formatted_error_context,
    get_formatted_error_traceback,
    unwrap_graphql_error,
)
from ._executor import Executor
from ._extensions import (
    Extension,
    ExtensionList,
    ExtensionManager,
    Extensions,
    MiddlewareList,
    Middlewares,
)
from ._failure import RequestFailure, Stage
from ._incremental import incremental_delivery
from ._limits import DEFAULT_LIMITS, NO_LIMITS, OperationLimits
from ._options import ExecutionOptionAttributes, ExecutionOptions
from ._payloads import SubsequentPayloads, expand_payloads, subsequent_payloads
from ._persisted import (
    DocumentStore,
    MemoryStore,
    TrustedDocuments,
    TrustedDocumentsSource,
    load_trusted_documents,
    persisted_document_options,
    resolve_persisted,
)
from ._pipeline import (
    graphql,
    graphql_sync,
    run_graphql,
    run_graphql_sync,
    run_subscription,
    subscribe,
)
from ._prepare import (
    OperationPolicy,
    get_operation_type,
    no_subscriptions,
    parse_query,
    queries_only,
    resolve_root_value,
)
from ._proxy_root import BaseProxyRootValue
from ._request_data import check_request_data
from ._results import ResultDict, failure_of, get_logger, log_errors
from ._speedups import is_awaitable
from ._types import (
    ContextValue,
    ErrorFormatter,
    GraphQLResult,
    LoggerOption,
    QueryParser,
    QueryValidator,
    RootValue,
    SubscriptionResult,
    ValidationRules,
)
from ._validation import IntrospectionDisabledRule

__all__ = [
    "DEFAULT_LIMITS",
    "NO_LIMITS",
    "BaseProxyRootValue",
    "ContextValue",
    "DocumentStore",
    "ErrorFormatter",
    "ExecutionOptionAttributes",
    "ExecutionOptions",
    "Executor",
    "Extension",
    "ExtensionList",
    "ExtensionManager",
    "Extensions",
    "GraphQLResult",
    "IntrospectionDisabledRule",
    "LoggerOption",
    "MemoryStore",
    "MiddlewareList",
    "Middlewares",
    "OperationLimits",
    "OperationPolicy",
    "QueryParser",
    "QueryValidator",
    "RequestFailure",
    "ResultDict",
    "RootValue",
    "Stage",
    "SubscriptionResult",
    "SubsequentPayloads",
    "TrustedDocuments",
    "TrustedDocumentsSource",
    "ValidationRules",
    "build_context",
    "check_batch_limits",
    "check_request_data",
    "ensure_sync",
    "expand_payloads",
    "failure_of",
    "format_error",
    "get_error_extension",
    "get_formatted_error_context",
    "get_formatted_error_traceback",
    "get_logger",
    "get_operation_type",
    "graphql",
    "graphql_sync",
    "incremental_delivery",
    "is_awaitable",
    "load_trusted_documents",
    "log_errors",
    "no_subscriptions",
    "parse_query",
    "per_request_option",
    "persisted_document_options",
    "queries_only",
    "resolve_persisted",
    "resolve_root_value",
    "run_graphql",
    "run_graphql_sync",
    "run_subscription",
    "subscribe",
    "subsequent_payloads",
    "unwrap_graphql_error",
]
