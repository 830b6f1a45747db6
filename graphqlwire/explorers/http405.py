"""An explorer that serves nothing: GET requests without a query get an empty 405."""

from __future__ import annotations

from typing import Any

from .base import Explorer


class ExplorerHttp405(Explorer):
    """Disable the explorer page: the HTTP handler answers ``405 Method Not Allowed`` with
    an empty body and ``Allow``, as Ariadne's apps do."""

    def html(self, request: Any) -> None:
        """Return None, which the HTTP handler turns into an empty-body 405 response.

        # Required arguments

        `request`: the HTTP request (unused).
        """
        return None
