"""The WebSocket handlers' hooks and the ``Operation`` they are told about."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeAlias

#: ``(websocket, connection_init payload)``; may be async. Return False or raise to reject.
OnConnect: TypeAlias = Callable[[Any, Any], Any]
#: ``(websocket)``; may be async.
OnDisconnect: TypeAlias = Callable[[Any], Any]
#: ``(websocket, operation)``; may be async.
OnOperation: TypeAlias = Callable[[Any, "Operation"], Any]
#: ``(websocket, operation)``; may be async.
OnComplete: TypeAlias = Callable[[Any, "Operation"], Any]


@dataclass
class Operation:
    """One GraphQL operation running on a WebSocket connection."""

    id: str
    name: str | None
    generator: AsyncGenerator[Any, None] | None = None
    #: Free for handlers to keep per-operation state in (the task that streams it, ...).
    extra: dict[str, Any] = field(default_factory=dict)
