"""Extensions: per-request objects that observe and decorate GraphQL execution.

An ``Extension`` class is instantiated once per request (never shared between requests, so
it can keep per-request state on ``self`` safely). Its hooks run in list order:

* ``request_started(context)`` before anything else, ``request_finished(context)`` at the end
  (also when the request failed);
* ``resolve(next_, obj, info, **kwargs)`` wraps every resolver, like graphql-core middleware;
* ``has_errors(errors, context)`` with graphql-core's ``GraphQLError`` list when there are any;
* ``format(context)`` returns a dict merged into ``response["extensions"]``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeAlias

from graphql import GraphQLError, GraphQLResolveInfo, Middleware, MiddlewareManager

ExtensionList: TypeAlias = "list[type[Extension] | Callable[[], Extension]] | None"
#: A list of extension classes (or factories), or ``(request, context) -> list``.
Extensions: TypeAlias = (
    "ExtensionList | Callable[[Any, Any], ExtensionList | Awaitable[ExtensionList]]"
)
MiddlewareList: TypeAlias = "list[Middleware] | None"
Middlewares: TypeAlias = (
    "MiddlewareList | Callable[[Any, Any], MiddlewareList | Awaitable[MiddlewareList]]"
)


class Extension:
    """Base class for extensions; override only the hooks you need."""

    def request_started(self, context: Any) -> None:
        """Called once when the request starts, before parsing."""

    def request_finished(self, context: Any) -> None:
        """Called once when the request ends, whatever its outcome."""

    def resolve(
        self, next_: Callable[..., Any], obj: Any, info: GraphQLResolveInfo[Any], **kwargs: Any
    ) -> Any:
        """Wrap a resolver call; the default just calls ``next_``."""
        return next_(obj, info, **kwargs)

    def has_errors(self, errors: list[GraphQLError], context: Any) -> None:
        """Called with the raw errors of a request that produced any."""

    def format(self, context: Any) -> dict[str, Any]:
        """Return data to merge into the response's ``extensions`` entry."""
        return {}


class ExtensionManager:
    """Runs the hooks of one request's extension instances, in order."""

    __slots__ = ("context", "extensions")

    def __init__(self, extensions: ExtensionList, context: Any = None) -> None:
        self.context = context
        self.extensions: list[Extension] = [factory() for factory in extensions or ()]

    @contextmanager
    def request(self) -> Iterator[None]:
        """Context manager bracketing the request with the start and finish hooks."""
        for extension in self.extensions:
            extension.request_started(self.context)
        try:
            yield
        finally:
            for extension in self.extensions:
                extension.request_finished(self.context)

    def as_middleware_manager(
        self,
        middleware: MiddlewareList = None,
        manager_class: type[MiddlewareManager] | None = None,
    ) -> MiddlewareManager | None:
        """Combine ``middleware`` and the extensions' ``resolve`` hooks into one manager.

        Extensions that do not override ``resolve`` are left out, so they cost nothing per
        field. Returns None when there is nothing to wrap resolvers with.
        """
        resolving: Sequence[Any] = [
            extension
            for extension in self.extensions
            if type(extension).resolve is not Extension.resolve
        ]
        combined = [*(middleware or ()), *resolving]
        if not combined:
            return None
        return (manager_class or MiddlewareManager)(*combined)

    def has_errors(self, errors: list[GraphQLError]) -> None:
        """Tell every extension about the request's errors."""
        for extension in self.extensions:
            extension.has_errors(errors, self.context)

    def format(self) -> dict[str, Any]:
        """Merge every extension's ``format()`` output, later extensions winning."""
        data: dict[str, Any] = {}
        for extension in self.extensions:
            data.update(extension.format(self.context) or {})
        return data
