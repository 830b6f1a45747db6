from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import pytest

from graphqlwire.execution._callables import ensure_sync, positional_arity


def two(a: Any, b: Any) -> None: ...


def one_with_keyword(a: Any, *, b: Any = None) -> None: ...


def star(*args: Any) -> None: ...


@pytest.mark.parametrize(
    ("function", "expected"),
    [(two, 2), (one_with_keyword, 1), (star, 99), (partial(two, 1), 1), (lambda: None, 0)],
)
def test_positional_arity(function: Any, expected: int) -> None:
    assert positional_arity(function, unknown=-1) == expected


def test_positional_arity_of_unreadable_signature_is_the_callers_default() -> None:
    assert positional_arity(dict, unknown=1) == 1


def test_ensure_sync_passes_values_and_refuses_awaitables() -> None:
    assert ensure_sync(5, "x") == 5

    async def coroutine() -> int:
        return 1

    with pytest.raises(RuntimeError, match="context_value returned an awaitable"):
        ensure_sync(coroutine(), "context_value")  # closed: no "never awaited" warning
    future = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError, match="awaitable"):
            ensure_sync(future.create_future(), "root_value")
    finally:
        future.close()
