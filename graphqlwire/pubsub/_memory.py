"""The in-process backend (``memory://``, the default): no broker, no serialization.

A published message is pushed into the buffers of this process's subscribers before
`publish` returns, as the very object given (subscribers must not mutate it). Other
processes never see it: with several workers, use a broker (``redis://``).
"""

from __future__ import annotations

from typing import Any

from ._base import PubSub, check_topic

__all__ = ["MemoryPubSub"]


class MemoryPubSub(PubSub):
    """Pub/sub inside one process (see `PubSub` for the arguments)."""

    async def publish(self, topic: str, message: Any) -> None:
        """Deliver `message` to this process's subscribers of `topic` (it never fails)."""
        check_topic(topic)
        self.stats.published += 1
        self._fan_out(topic, message)

    async def _listen(self, topic: str, first: bool) -> None:
        """Nothing to do: a subscription in memory is live as soon as it is registered."""

    def _unlisten(self, topic: str) -> None:
        """Nothing to release."""

    def __repr__(self) -> str:
        return f"<MemoryPubSub {len(self._topics)} topics>"
