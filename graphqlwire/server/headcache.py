"""Request heads h11 has already parsed, looked up by their exact bytes.

Keep-alive clients resend the same head again and again (same method, target, headers and
body length); parsing it with h11 is a large share of serving a small GraphQL request.
A head is parsed by h11 the first time; when the same bytes come back as a whole request
(the head and exactly its body, on a connection between requests) the server reuses the
`RequestHead` and serves the request without feeding h11, whose state machine stays idle.
Identical bytes parse identically, so nothing h11 checks is skipped: a head h11 would refuse
never gets in, and only heads that need nothing more from h11 (`RequestHead.plain`) do.

The cache is bounded in entries and head size; when full, the oldest entry goes.
"""

from __future__ import annotations

from .head import RequestHead

__all__ = ["HeadCache"]

#: Heads longer than this (big cookies, say) are not kept: they are rarely repeated.
MAX_CACHED_HEAD = 4096
MAX_ENTRIES = 128


class HeadCache:
    """A bounded map from a head's bytes (up to and including its blank line) to its parse."""

    __slots__ = ("_heads",)

    def __init__(self) -> None:
        self._heads: dict[bytes, RequestHead] = {}

    def __len__(self) -> int:
        return len(self._heads)

    def get(self, raw: bytes) -> RequestHead | None:
        """The parsed head for exactly these bytes, if kept."""
        return self._heads.get(raw)

    def put(self, raw: bytes, head: RequestHead) -> None:
        """Keep `head` (parsed by h11 from `raw`) if it is plain and small enough."""
        heads = self._heads
        if len(raw) > MAX_CACHED_HEAD or not head.plain or raw in heads:
            return
        if len(heads) >= MAX_ENTRIES:
            del heads[next(iter(heads))]
        heads[raw] = head
