"""GraphQL explorers: HTML pages served for GET requests without a query.

``ExplorerGraphiQL`` is the default. ``ExplorerApolloSandbox`` and ``ExplorerPlayground``
are alternatives, and ``ExplorerHttp405`` disables the page (GET without a query gets 405).
Write your own by subclassing ``Explorer`` and implementing ``html(request)``, which may
be async and returns the page or None.
"""

from __future__ import annotations

from .apollo import ExplorerApolloSandbox
from .base import Explorer
from .graphiql import ExplorerGraphiQL
from .http405 import ExplorerHttp405
from .playground import ExplorerPlayground

__all__ = [
    "Explorer",
    "ExplorerApolloSandbox",
    "ExplorerGraphiQL",
    "ExplorerHttp405",
    "ExplorerPlayground",
]
