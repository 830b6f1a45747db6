"""Request heads h11 has already parsed, looked up by their exact bytes.

Keep-alive clients resend the same head again and again (same method, target, headers and
body length); parsing it with h11 is a large share of serving a small GraphQL request.
A head is parsed by h11 the first time; when the same bytes come back as a whole request
(the head and exactly its body, on a connection between requests) the server reuses the
`RequestHead` and serves the request without feeding h11, whose state machine stays idle.
Identical bytes parse identically, so nothing h11 checks is skipped: a head h11 would refuse
never gets in, and only heads that need nothing more from h11 (`RequestHead.plain`) do.

The cache is bounded in entries and head size; when full, the oldest entry goes. Each
connection uses it through its own `HeadShortcut`.
"""

from __future__ import annotations

from .head import RequestHead

__all__ = ["HeadCache", "HeadShortcut"]

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


class HeadShortcut:
    """One connection's way into the shared `HeadCache`: lookups, and what h11 parsed."""

    __slots__ = ("_cache", "_unparsed", "serving")

    def __init__(self, cache: HeadCache) -> None:
        self._cache = cache
        #: The bytes of a whole head not in the cache, while h11 parses it.
        self._unparsed: bytes | None = None
        #: True while the connection answers a request served from the cache (h11 is idle).
        self.serving = False

    def whole_request(self, data: bytes) -> tuple[RequestHead, bytes] | None:
        """The cached head and the body, when `data` is exactly a cached head and its body.

        Otherwise None: a partial body or pipelined requests are for h11 to frame. A whole
        head not in the cache is remembered, so that `learn` can keep h11's parse of it.
        """
        end = data.find(b"\r\n\r\n") + 4
        if end < 4:
            return None
        raw = data[:end]
        head = self._cache.get(raw)
        if head is None:
            self._unparsed = raw
            return None
        if len(data) - end != max(head.content_length, 0):
            return None
        return head, data[end:]

    def learn(self, head: RequestHead, head_length: int) -> None:
        """h11 parsed a head of `head_length` bytes: cache it if it is the one remembered."""
        raw = self._unparsed
        if raw is not None:
            self._unparsed = None
            if len(raw) == head_length:
                self._cache.put(raw, head)

    def forget(self) -> None:
        """The bytes h11 was given are parsed: nothing remembered is still to learn."""
        self._unparsed = None
