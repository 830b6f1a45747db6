"""GraphQL explorers: HTML pages served for GET requests without a query.

``ExplorerGraphiQL`` is the default. ``ExplorerApolloSandbox`` (also named
``ExplorerApollo``, as in Ariadne) and ``ExplorerPlayground`` are alternatives, and
``ExplorerHttp405`` disables the page (GET without a query gets an empty 405). Each page
loads its files from a public CDN with pinned versions and integrity hashes, or from a base
URL you serve them from (``assets_url=``). Write your own by subclassing ``Explorer`` and
implementing ``html(request)``, which may be async and returns the page or None.
"""

from __future__ import annotations

from .apollo import ExplorerApollo, ExplorerApolloSandbox
from .base import Explorer
from .graphiql import ExplorerGraphiQL
from .http405 import ExplorerHttp405
from .playground import ExplorerPlayground

__all__ = [
    "Explorer",
    "ExplorerApollo",
    "ExplorerApolloSandbox",
    "ExplorerGraphiQL",
    "ExplorerHttp405",
    "ExplorerPlayground",
]
