"""The ASGI lifespan protocol: startup before the first connection, shutdown after the last.

``lifespan="auto"`` (the default) runs it when the app supports it: an app that raises on
the ``lifespan`` scope before answering is taken not to support it and is served without
(logged at INFO). ``lifespan="on"`` makes that failure fatal. ``lifespan.startup.failed``
always aborts the start-up (`LifespanFailure`).
"""

from __future__ import annotations

import asyncio
from typing import Any

from ..types import ASGIApp, Message
from .state import logger

__all__ = ["Lifespan", "LifespanFailure"]


class LifespanFailure(RuntimeError):
    """The application reported ``lifespan.startup.failed`` (or ``shutdown.failed``)."""


class Lifespan:
    """Drives one application's lifespan task."""

    def __init__(self, app: ASGIApp, mode: str, state: dict[str, Any]) -> None:
        self.app = app
        self.mode = mode
        self.state = state
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.startup_done = asyncio.Event()
        self.shutdown_done = asyncio.Event()
        self.supported = mode != "off"
        self.failure: str | None = None
        self.task: asyncio.Task[None] | None = None
        #: Set when `shutdown` gave up waiting and cancelled the task (not an app error).
        self.abandoned = False

    async def startup(self) -> None:
        """Send ``lifespan.startup`` and wait for the app's answer."""
        if not self.supported:
            return
        self.task = asyncio.create_task(self._run())
        await self.inbox.put({"type": "lifespan.startup"})
        await self.startup_done.wait()
        if self.failure is not None:
            raise LifespanFailure(f"application start-up failed: {self.failure}")

    async def shutdown(
        self, timeout: float | None = None, force: asyncio.Event | None = None
    ) -> None:
        """Send ``lifespan.shutdown`` and wait for the app's answer.

        The wait is bounded by `timeout` seconds and ends early once `force` is set: an app
        that never answers is then given up on (logged) and its lifespan task cancelled.
        """
        task = self.task
        if not self.supported or task is None or task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        waiters = [asyncio.ensure_future(self.shutdown_done.wait())]
        if force is not None:
            waiters.append(asyncio.ensure_future(force.wait()))
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        if not self.shutdown_done.is_set():
            reason = (
                "forced exit"
                if force is not None and force.is_set()
                else f"no answer within {timeout} s"
            )
            logger.warning("giving up on the application's lifespan shutdown (%s)", reason)
            self.abandoned = True
            task.cancel()
            return
        if self.failure is not None:
            logger.error("application shutdown failed: %s", self.failure)

    async def _run(self) -> None:
        scope = {
            "type": "lifespan",
            "asgi": {"version": "3.0", "spec_version": "2.0"},
            "state": self.state,
        }
        try:
            await self.app(scope, self.inbox.get, self._send)
        except BaseException as error:
            if self.abandoned and isinstance(error, asyncio.CancelledError):
                pass  # cancelled by `shutdown`, which has logged why
            elif not self.startup_done.is_set() and self.mode == "auto":
                logger.info("ASGI 'lifespan' protocol appears unsupported (%r)", error)
                self.supported = False
            else:
                logger.error("Exception in 'lifespan' protocol", exc_info=error)
                self.failure = self.failure or repr(error)
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            self.startup_done.set()
            self.shutdown_done.set()

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self.startup_done.set()
        elif kind == "lifespan.startup.failed":
            self.failure = message.get("message") or "startup failed"
            self.startup_done.set()
        elif kind == "lifespan.shutdown.complete":
            self.shutdown_done.set()
        elif kind == "lifespan.shutdown.failed":
            self.failure = message.get("message") or "shutdown failed"
            self.shutdown_done.set()
        else:
            raise RuntimeError(f"unexpected lifespan message {kind!r}")
