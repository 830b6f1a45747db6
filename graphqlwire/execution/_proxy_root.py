"""``BaseProxyRootValue``: a root value that may rewrite the result of its operation.

Newer Ariadne releases let the ``root_value`` option (or the callable behind it) return a
``BaseProxyRootValue``: the operation executes with its ``root_value`` attribute, and its
``update_result`` gets the ``(success, result)`` tuple before the transport sees it (a
GraphQL proxy merges what the upstream server answered this way). graphqlwire honours it
in ``graphql()``, ``graphql_sync()`` and ``subscribe()``, so on every transport: HTTP,
both WebSocket subprotocols, SSE and WSGI. A subscription's every result passes through
``update_result``, with ``success`` telling whether it carries errors.
"""

from __future__ import annotations

from typing import Any

from ._types import GraphQLResult

__all__ = ["BaseProxyRootValue", "unwrap_root_value", "updated_result"]


class BaseProxyRootValue:
    """A root value wrapper whose `update_result` may rewrite the operation's result.

    `root_value`: the root value the operation executes with.
    """

    __slots__ = ("root_value",)

    def __init__(self, root_value: Any = None) -> None:
        self.root_value = root_value

    def update_result(self, result: GraphQLResult) -> GraphQLResult:
        """Return the ``(success, result)`` tuple to answer with; this one is unchanged.

        Subclasses override it to edit the result dict (``data``, ``errors``,
        ``extensions``) or the success flag the transport picks its status from.
        """
        return result


def unwrap_root_value(root: Any) -> tuple[Any, BaseProxyRootValue | None]:
    """``(root value to execute with, the proxy or None)`` for a resolved root value."""
    if root is not None and isinstance(root, BaseProxyRootValue):
        return root.root_value, root
    return root, None


def updated_result(proxy: BaseProxyRootValue | None, result: GraphQLResult) -> GraphQLResult:
    """`result`, rewritten by `proxy` when the root value was one."""
    return result if proxy is None else proxy.update_result(result)
