"""`OpenTelemetryExtension`: one OpenTelemetry span per GraphQL operation (and, optionally, per
resolver), with the GraphQL semantic-convention attributes.

    from graphqlwire.contrib.opentelemetry import OpenTelemetryExtension

    GraphQL(schema, http_handler=GraphQLHTTPHandler(extensions=[OpenTelemetryExtension]))
    # with a span per resolver too:
    GraphQLHTTPHandler(extensions=[OpenTelemetryExtension.with_options(resolver_spans=True)])

Needs ``opentelemetry-api`` (``pip install 'graphqlwire[opentelemetry]'``) and, to export
anything, an SDK configured by the application. The span

- is a child of the active span when there is one (an ASGI instrumentation middleware), else
  of the W3C ``traceparent`` (and ``tracestate``, baggage: the configured propagators) of the
  request, read from ``context["request"].headers`` (the default context; a context object
  with a ``request`` attribute works too) - so a trace started by the client continues here;
- is named ``"{type} {name}"`` (``query Hello``; ``GraphQL Operation`` until the operation
  is known) and carries ``graphql.operation.type``, ``graphql.operation.name`` (when the
  operation has one) and ``graphql.document``;
- gets status ERROR with the first error's message, and an exception event per error, when
  the request produced errors.

The operation is learnt from the first resolver call (``info.operation``): a request refused
before execution (syntax, validation) only gets its error status.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache, partial
from typing import Any

from graphql import GraphQLError, GraphQLResolveInfo
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.propagators.textmap import Getter
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from .. import __version__
from ..execution import Extension, is_awaitable

__all__ = ["OpenTelemetryExtension"]

DEFAULT_SPAN_NAME = "GraphQL Operation"
#: Introspection fields are answered by graphql-core itself: never worth a span.
_INTROSPECTION_PREFIX = "__"


class _HeadersGetter(Getter[Any]):
    """Reads propagation fields from graphqlwire's (or Starlette's) ``Headers``."""

    def get(self, carrier: Any, key: str) -> list[str] | None:
        value = carrier.get(key)
        return None if value is None else [value]

    def keys(self, carrier: Any) -> list[str]:
        return list(carrier.keys())


_GETTER = _HeadersGetter()


@lru_cache(maxsize=16)
def _tracer(provider: trace.TracerProvider | None) -> trace.Tracer:
    """graphqlwire's tracer from `provider` (made once: the SDK's ``get_tracer`` is slow)."""
    return trace.get_tracer("graphqlwire", __version__, provider)


def _request_headers(context: Any) -> Any:
    """The request's headers from the GraphQL context, or None."""
    request = context.get("request") if isinstance(context, dict) else None
    if request is None:
        request = getattr(context, "request", None)
    return getattr(request, "headers", None)


class OpenTelemetryExtension(Extension):
    """A span per operation; with `resolver_spans`, a child span per resolver call too.

    # Optional arguments

    `resolver_spans`: a span per field with a resolver of its own (not introspection, not
    the default resolver), named ``Type.field``, with ``graphql.field.path``.

    `tracer_provider`: the provider to take the tracer from (default: the global one).
    """

    def __init__(
        self, *, resolver_spans: bool = False, tracer_provider: trace.TracerProvider | None = None
    ) -> None:
        self.resolver_spans = resolver_spans
        self.tracer = _tracer(tracer_provider)
        self.span: Span | None = None
        self._token: object | None = None
        self._described = False

    @classmethod
    def with_options(
        cls, *, resolver_spans: bool = False, tracer_provider: trace.TracerProvider | None = None
    ) -> Callable[[], OpenTelemetryExtension]:
        """A factory for the ``extensions`` list that makes the extension with these options."""
        return partial(cls, resolver_spans=resolver_spans, tracer_provider=tracer_provider)

    def request_started(self, context: Any) -> None:
        """Start the operation's span, under the active span or the request's traceparent."""
        parent = None
        kind = SpanKind.INTERNAL  # (inside the server span of an instrumentation middleware)
        if not trace.get_current_span().get_span_context().is_valid:
            kind = SpanKind.SERVER
            headers = _request_headers(context)
            if headers is not None:
                parent = propagate.extract(headers, getter=_GETTER)
        self.span = self.tracer.start_span(DEFAULT_SPAN_NAME, context=parent, kind=kind)
        self._token = otel_context.attach(trace.set_span_in_context(self.span, parent))

    def request_finished(self, context: Any) -> None:
        """End the span and make the previous context current again."""
        if self._token is not None:
            otel_context.detach(self._token)  # type: ignore[arg-type]
            self._token = None
        if self.span is not None:
            self.span.end()

    def has_errors(self, errors: list[GraphQLError], context: Any) -> None:
        """Mark the span failed with the first error's message; an event per error."""
        span = self.span
        if span is None:
            return
        span.set_status(Status(StatusCode.ERROR, errors[0].message))
        for error in errors:
            span.record_exception(error.original_error or error)

    def resolve(
        self, next_: Callable[..., Any], obj: Any, info: GraphQLResolveInfo[Any], **kwargs: Any
    ) -> Any:
        """Learn the operation on the first call; with resolver spans, wrap the resolver."""
        if not self._described:
            self._describe(info)
        if not self.resolver_spans or not _has_own_resolver(info):
            return next_(obj, info, **kwargs)
        name = f"{info.parent_type.name}.{info.field_name}"
        span = self.tracer.start_span(name, kind=SpanKind.INTERNAL)
        span.set_attribute("graphql.field.name", info.field_name)
        span.set_attribute("graphql.field.path", ".".join(map(str, info.path.as_list())))
        with trace.use_span(span, end_on_exit=False, record_exception=False):
            try:
                result = next_(obj, info, **kwargs)
            except Exception as error:
                _fail(span, error)
                raise
        if is_awaitable(result):
            return _end_when_done(span, result)
        span.end()
        return result

    def _describe(self, info: GraphQLResolveInfo[Any]) -> None:
        self._described = True
        span = self.span
        if span is None:
            return
        operation = info.operation
        kind = operation.operation.value
        span.set_attribute("graphql.operation.type", kind)
        if operation.name is not None:
            span.set_attribute("graphql.operation.name", operation.name.value)
            span.update_name(f"{kind} {operation.name.value}")
        else:
            span.update_name(kind)
        if operation.loc is not None:
            span.set_attribute("graphql.document", operation.loc.source.body)


def _has_own_resolver(info: GraphQLResolveInfo[Any]) -> bool:
    if info.field_name.startswith(_INTROSPECTION_PREFIX):
        return False
    field = info.parent_type.fields.get(info.field_name)
    return field is not None and field.resolve is not None


def _fail(span: Span, error: BaseException) -> None:
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, str(error)))
    span.end()


async def _end_when_done(span: Span, result: Awaitable[Any]) -> Any:
    try:
        value = await result
    except Exception as error:
        _fail(span, error)
        raise
    span.end()
    return value
