"""The one deadline of an HTTP connection, and what it is guarding.

A connection waits for one thing at a time: the next request while idle, the rest of a
request head, the rest of a body, or the client's close after our last response. One timer
serves them all; moving the deadline (every read of a body pushes it back) only changes a
number, and the timer re-arms itself when it fires early.

How long a body may take is `BodyPace`'s to say: no pause longer than the body timeout, and
after a grace period an average rate of at least ``min_body_rate``, so that a client
dripping its body a byte at a time (a slowloris) cannot hold a connection for long.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Callable

from .config import Config

__all__ = ["BodyPace", "Deadline", "Wait"]


class Wait(enum.Enum):
    """What the connection is waiting for when its deadline expires."""

    IDLE = "the next request (keep-alive)"
    HEAD = "the rest of a request head"
    BODY = "the rest of a request body"
    LINGER = "the client's close, after our last response"


class Deadline:
    """When the connection stops waiting, and for what; ``on_expiry`` is told which wait ended."""

    __slots__ = ("_loop", "_on_expiry", "_timer", "wait", "when")

    def __init__(self, loop: asyncio.AbstractEventLoop, on_expiry: Callable[[Wait], None]):
        self._loop = loop
        self._on_expiry = on_expiry
        self._timer: asyncio.TimerHandle | None = None
        #: What is being waited for.
        self.wait = Wait.IDLE
        #: The loop time the wait ends, or None when nothing is being waited for.
        self.when: float | None = None

    def set(self, timeout: float, wait: Wait) -> None:
        """Wait `timeout` seconds from now for `wait`."""
        when = self._loop.time() + timeout
        self.when = when
        self.wait = wait
        timer = self._timer
        if timer is not None:
            if timer.when() <= when:
                return  # it fires early and re-arms itself (no timer churn)
            timer.cancel()
        self._timer = self._loop.call_at(when, self._fire)

    def clear(self) -> None:
        """Nothing is being waited for (the timer, if armed, fires and does nothing)."""
        self.when = None

    def stop(self) -> None:
        """Cancel the timer for good: the connection closed, or is no longer HTTP."""
        self.when = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        when = self.when
        if when is None:
            return
        if self._loop.time() < when:
            self._timer = self._loop.call_at(when, self._fire)
            return
        self.when = None
        self._on_expiry(self.wait)


class BodyPace:
    """How much longer a request body may take, from its bytes so far and its last read.

    The body may pause ``request_body_timeout`` seconds between reads; and it earns
    ``1 / min_body_rate`` seconds per byte on top of ``min_body_rate_grace`` seconds from its
    start (the rule of Apache's ``RequestReadTimeout ... MinRate``). A ``min_body_rate`` of
    0 leaves the pause limit alone.
    """

    __slots__ = ("_base", "_grace", "_last", "_loop", "_pause", "_rate", "_start")

    def __init__(self, loop: asyncio.AbstractEventLoop, config: Config) -> None:
        self._loop = loop
        self._pause = config.request_body_timeout
        self._rate = config.min_body_rate
        self._grace = config.min_body_rate_grace
        self._start = self._last = 0.0
        self._base = 0

    def start(self, received: int = 0) -> None:
        """Count from now, with `received` bytes in: a new body, or the app read again."""
        self._start = self._last = self._loop.time()
        self._base = received

    def read(self) -> None:
        """The client sent more of the body."""
        self._last = self._loop.time()

    def seconds_left(self, received: int) -> float:
        """How long the body may still take, with `received` bytes in (0 or less: over)."""
        now = self._loop.time()
        left = self._last + self._pause - now
        if self._rate:
            earned = self._start + self._grace + (received - self._base) / self._rate - now
            left = min(left, earned)
        return left
