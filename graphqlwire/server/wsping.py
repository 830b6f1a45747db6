"""The server's WebSocket pings: one every interval, each pong due within a timeout.

A connection whose client stopped answering (a dead network path, a suspended laptop) would
otherwise hold its subscriptions open until TCP gives up, which can take hours.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

__all__ = ["Heartbeat"]


class Heartbeat:
    """Schedules the pings of one WebSocket and notices a pong that does not come back.

    ``send_ping`` sends a ping and returns False when the connection can no longer take one
    (it is closing); ``on_timeout`` runs when a pong is not back in time. An interval of 0
    sends no pings; a timeout of 0 never gives up waiting for a pong.
    """

    __slots__ = ("_interval", "_loop", "_on_timeout", "_send_ping", "_timeout", "pong_due", "timer")

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        interval: float,
        timeout: float,
        send_ping: Callable[[], bool],
        on_timeout: Callable[[], None],
    ) -> None:
        self._loop = loop
        self._interval = interval
        self._timeout = timeout
        self._send_ping = send_ping
        self._on_timeout = on_timeout
        #: Whether a ping was sent whose pong has not come back yet.
        self.pong_due = False
        #: The next ping, or the end of the wait for a pong; None when stopped.
        self.timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        """Send the next ping after an interval."""
        if self._interval > 0:
            self.timer = self._loop.call_later(self._interval, self._ping)

    def pong_received(self) -> None:
        """Our ping came back: the next one goes out after an interval."""
        if self.pong_due:
            self.pong_due = False
            if self.timer is not None:
                self.timer.cancel()
            self.start()

    def stop(self) -> None:
        """No more pings, and no wait for a pong (the connection is closing)."""
        if self.timer is not None:
            self.timer.cancel()
        self.timer = None
        self.pong_due = False

    def _ping(self) -> None:
        self.timer = None
        if not self._send_ping():
            return
        self.pong_due = True
        if self._timeout > 0:
            self.timer = self._loop.call_later(self._timeout, self._timed_out)
        else:
            self.start()

    def _timed_out(self) -> None:
        self.timer = None
        self._on_timeout()
