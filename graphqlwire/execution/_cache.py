"""A bounded, thread-safe cache of parsed and validated GraphQL documents.

graphql-core spends most of a small request in ``validate()`` (about three quarters of the
CPU for ``{ hello }``). The same query text, validated against the same schema with the same
rules, always gives the same errors, so the work is done once per distinct key:

* ``parse(query, max_tokens)`` is keyed by the query text and the token limit: parsing does
  not depend on the schema;
* ``validate(schema, query, rules, limits)`` is keyed by schema identity, query text, the
  exact tuple of rule classes and the operation limits, so a different schema, rule set or
  limit never reuses a verdict. The verdict holds the limit checks' result too.

Entries are evicted least-recently-used first. A lock guards the dictionary only; the parse
and validate work runs outside it, so two threads racing on a new query may both compute it
(harmless: the results are equal) but never block each other on the slow part.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any, TypeVar

from graphql import ASTValidationRule, DocumentNode, GraphQLSchema

from ._limits import NO_LIMITS, Checked, OperationLimits, check_document, parse_document

T = TypeVar("T")

DEFAULT_MAXSIZE = 1024
#: Longer query texts are parsed and validated every time, not kept: the cache is bounded
#: by entries, and an entry must not be able to pin a multi-megabyte body in memory.
MAX_CACHED_QUERY_LENGTH = 100_000


class LRUCache:
    """A bounded, thread-safe mapping: the least recently used entry goes first.

    The lock guards the dictionary only; subclasses compute values outside it.
    """

    def __init__(self, maxsize: int = DEFAULT_MAXSIZE) -> None:
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        """Drop every entry and reset the hit counters."""
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def _get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def _put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)


class DocumentCache(LRUCache):
    """LRU cache of parse results and validation errors (see the module docstring)."""

    def parse(self, query: str, max_tokens: int = 0) -> DocumentNode:
        """Parse ``query``, or return the document parsed before for the same text.

        Raises ``GraphQLError`` on a syntax error and ``RequestFailure`` past `max_tokens`
        (see `parse_document`); failures are not cached.
        """
        if len(query) > MAX_CACHED_QUERY_LENGTH:
            return parse_document(query, max_tokens)
        key = ("parse", query, max_tokens)
        document = self._get(key)
        if document is None:
            document = parse_document(query, max_tokens)
            self._put(key, document)
        return document  # type: ignore[no-any-return]

    def peek(self, query: str, max_tokens: int = 0) -> DocumentNode | None:
        """The document cached for ``query`` (parsed with `max_tokens`), or None."""
        with self._lock:
            return self._entries.get(("parse", query, max_tokens))

    def validate(
        self,
        schema: GraphQLSchema,
        query: str,
        rules: tuple[type[ASTValidationRule], ...],
        limits: OperationLimits = NO_LIMITS,
    ) -> Checked:
        """Parse ``query`` and check it against `limits`, then `rules`: its verdict."""
        if len(query) > MAX_CACHED_QUERY_LENGTH:
            document = parse_document(query, limits.max_tokens)
            return check_document(schema, document, rules, limits)
        key = (schema, query, rules, limits)
        entry = self._get(key)
        if entry is None:
            document = self.parse(query, limits.max_tokens)
            entry = check_document(schema, document, rules, limits)
            self._put(key, entry)
        return entry  # type: ignore[no-any-return]


#: The process-wide cache used by ``graphqlwire.execution`` (replace or clear it freely).
document_cache = DocumentCache()
