"""Values at the edges of what graphqlwire's fast path takes, for the executor tests.

Exact JSON types, and everything the fast path must leave to graphql-core. Factories, so
that every execution gets its own objects (iterators, exceptions).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any


class Loud(str):
    """A str subclass: a String value that takes graphql-core's general path."""


class Named:
    """A custom object that String serialises with ``str()``."""

    def __str__(self) -> str:
        return "named"

    __repr__ = __str__


class DictSub(dict[str, Any]):
    """A dict subclass source: not the exact ``dict`` graphqlwire's fast path reads."""


def _called(_info: Any, **_args: Any) -> str:
    """A callable value: the default resolver calls it."""
    return "called"


ODD_VALUES: list[Callable[[], Any]] = [
    lambda: None, lambda: "", lambda: "text", lambda: Loud("loud"), lambda: 0, lambda: -7,
    lambda: 2**31 - 1, lambda: 2**31, lambda: -(2**31), lambda: -(2**31) - 1, lambda: 10**30,
    lambda: 1.5, lambda: -0.0, lambda: 2.0, lambda: float("nan"), lambda: float("inf"),
    lambda: True, lambda: False, lambda: Decimal("2.5"), list, lambda: ["a", None],
    lambda: ["a", 1], lambda: ("x", "y"), lambda: iter(["g"]), lambda: [[1, None], None],
    lambda: {"a": 1}, lambda: ValueError("value is an error"), lambda: _called,
    lambda: "RED", lambda: "r", lambda: b"bytes", Named,
]  # fmt: skip
