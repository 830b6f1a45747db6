"""The ``Explorer`` interface and the helpers explorers share to render their pages.

An explorer turns a GET request without a query into an HTML page (or refuses with None,
which the HTTP handler answers with 405). Pages are small HTML templates shipped in
``explorers/templates/`` with ``{{ name }}`` placeholders; every value put in a page goes
through ``escape_html`` (text and attributes) or ``js_value`` (inside ``<script>``), so a
hostile title or default query cannot break out of its context.

URLs are derived from the request's ASGI scope only (``scheme``, ``headers``, ``path``,
``root_path``), so explorers work with graphqlwire's request type and with any request
that exposes the scope as ``.scope`` (Starlette's too).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Awaitable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from ..http import URL

_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


class Explorer:
    """Base class for GraphQL explorers: ``html(request)`` returns the page or None.

    Subclasses implement ``html``; it may be a coroutine function. Returning None makes
    the HTTP handler answer the GET with ``405 Method Not Allowed``.
    """

    def html(self, request: Any) -> str | Awaitable[str | None] | None:
        """Return the explorer's HTML page for ``request``, or None to refuse with 405.

        # Required arguments

        `request`: the HTTP request (its ASGI scope is read from ``request.scope``).
        """
        raise NotImplementedError


class Template:
    """A page template with ``{{ name }}`` placeholders, split once and filled per call."""

    def __init__(self, source: str) -> None:
        parts = _PLACEHOLDER.split(source)
        self._texts = parts[0::2]
        self.names = tuple(parts[1::2])

    def render(self, values: Mapping[str, str]) -> str:
        """Fill every placeholder with its (already escaped) value; a missing one raises."""
        pieces = [self._texts[0]]
        for name, text in zip(self.names, self._texts[1:], strict=True):
            pieces.append(values[name])
            pieces.append(text)
        return "".join(pieces)


@cache
def load_template(name: str) -> Template:
    """Load ``explorers/templates/<name>`` (package data) once per process."""
    source = resources.files(__package__).joinpath("templates").joinpath(name).read_text("utf-8")
    return Template(source)


def escape_html(value: str) -> str:
    """Escape text for an HTML text node or a quoted attribute value."""
    return html.escape(value, quote=True)


_JS_UNSAFE = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def js_value(value: Any) -> str:
    """A JavaScript literal for a JSON-ready ``value`` that is safe inside ``<script>``.

    JSON quoting handles quotes and backslashes; ``<``, ``>`` and ``&`` become ``\\uXXXX``
    escapes so ``</script>`` or ``<!--`` inside a string cannot end the script element,
    and U+2028/U+2029 are escaped for pre-ES2019 engines.
    """
    return json.dumps(value).translate(_JS_UNSAFE)


def endpoint_path(request: Any) -> str:
    """The path the explorer page was served from, which is the GraphQL endpoint.

    ASGI says ``path`` already includes ``root_path``; servers that strip it (older
    proxies setups) are handled by prefixing ``root_path`` when it is missing.
    """
    scope = request.scope
    path: str = scope.get("path") or "/"
    root_path: str = scope.get("root_path") or ""
    if root_path and not path.startswith(root_path):
        path = root_path.rstrip("/") + path
    return path


def subscription_url(request: Any) -> str:
    """The absolute WebSocket URL of the endpoint: ``wss://`` when the request was https.

    Built as ``graphqlwire.datastructures.URL`` builds a request's URL: the host comes from
    the ``Host`` header (what the browser used), else from the server address in the scope
    (IPv6 in brackets, a default port left out), else ``localhost``; the scheme is swapped.
    """
    scope = request.scope
    url = URL(scope={**scope, "path": endpoint_path(request), "query_string": b""})
    scheme = "wss" if url.is_secure else "ws"
    return str(url.replace(scheme=scheme, netloc=url.netloc or "localhost"))


def endpoint_values(request: Any) -> dict[str, str]:
    """The per-request template values every explorer page needs, as JavaScript literals:
    ``endpoint`` (the HTTP path) and ``subscription_url`` (the WebSocket URL)."""
    return {
        "endpoint": js_value(endpoint_path(request)),
        "subscription_url": js_value(subscription_url(request)),
    }


DEFAULT_QUERY = """\
# Welcome to the GraphQL explorer served by graphqlwire.
#
# Type a query on the left, run it with Ctrl-Enter (or the play button),
# and browse the schema in the documentation panel. For example:
#
# query {
#   __typename
# }
"""


__all__ = [
    "DEFAULT_QUERY",
    "Explorer",
    "Template",
    "endpoint_path",
    "escape_html",
    "js_value",
    "load_template",
    "subscription_url",
]
