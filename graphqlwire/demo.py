"""An example chat schema: ``graphqlwire graphqlwire.demo:schema`` serves it.

It shows a query, a mutation with variables and two subscriptions. Messages live in this
process's memory and are fanned out to subscribers through one bounded queue each, so a
slow subscriber loses its own oldest events instead of slowing down everyone else.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from datetime import datetime, timezone
from typing import Any

from .schema import make_executable_schema

TYPE_DEFS = """
type Query {
  "A greeting, to check that the server answers."
  hello(name: String = "world"): String!
  "The last messages, oldest first."
  messages(last: Int! = 20): [Message!]!
}

type Mutation {
  "Post a message to every subscriber of messageAdded."
  sendMessage(author: String!, text: String!): Message!
}

type Subscription {
  "Every message sent from now on."
  messageAdded: Message!
  "Counts from 1 to upTo, one number every `interval` seconds."
  counter(upTo: Int! = 5, interval: Float! = 0): Int!
}

type Message {
  id: ID!
  author: String!
  text: String!
  sentAt: String!
}
"""

MAX_MESSAGES = 1000
SUBSCRIBER_QUEUE_SIZE = 100


class ChatRoom:
    """In-memory message log with a fan-out to live subscribers."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self.subscribers: set[asyncio.Queue[dict[str, Any]]] = set()
        self._ids = itertools.count(1)

    def post(self, author: str, text: str) -> dict[str, Any]:
        message = {
            "id": str(next(self._ids)),
            "author": author,
            "text": text,
            "sentAt": datetime.now(timezone.utc).isoformat(),
        }
        self.messages = [*self.messages[-(MAX_MESSAGES - 1) :], message]
        for queue in self.subscribers:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)
        return message

    async def listen(self) -> AsyncGenerator[dict[str, Any], None]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(SUBSCRIBER_QUEUE_SIZE)
        self.subscribers.add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self.subscribers.discard(queue)


room = ChatRoom()


async def _count(_root: Any, _info: Any, upTo: int, interval: float) -> AsyncGenerator[int, None]:
    for number in range(1, upTo + 1):
        if interval:
            await asyncio.sleep(interval)
        yield number


schema = make_executable_schema(
    TYPE_DEFS,
    {
        "Query": {
            "hello": lambda _root, _info, name: f"Hello, {name}!",
            "messages": lambda _root, _info, last: room.messages[-last:] if last > 0 else [],
        },
        "Mutation": {
            "sendMessage": lambda _root, _info, author, text: room.post(author, text),
        },
        "Subscription": {
            "messageAdded": {"subscribe": lambda _root, _info: room.listen()},
            "counter": {"subscribe": _count},
        },
    },
)
