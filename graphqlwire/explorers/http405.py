"""An explorer that serves nothing: GET requests without a query get 405."""

from __future__ import annotations

from typing import Any

from .base import Explorer


class ExplorerHttp405(Explorer):
    """Disable the explorer page: the HTTP handler answers ``405 Method Not Allowed``."""

    def html(self, request: Any) -> None:
        """Return None, which the HTTP handler turns into a 405 response.

        # Required arguments

        `request`: the HTTP request (unused).
        """
        return None
