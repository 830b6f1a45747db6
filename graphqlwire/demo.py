"""An example chat schema: ``graphqlwire graphqlwire.demo:schema`` serves it.

It shows a query, a mutation with variables and two subscriptions. ``sendMessage``
publishes through the process's pub/sub backend (`graphqlwire.pubsub.get_pubsub`, chosen
by ``--pubsub`` / ``GRAPHQLWIRE_PUBSUB``). In memory (the default) ids and history live in
the process. With Redis they live in Redis too, and one Lua script gives the id, appends
to the capped history and publishes, atomically: every worker and every host on the same
Redis serves one chat, whose ids, history and delivery order agree everywhere.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import _json
from .pubsub import MemoryPubSub, PubSub, SubscribeContext, get_pubsub
from .schema import make_executable_schema

if TYPE_CHECKING:
    from .pubsub import RedisPubSub

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
TOPIC = "demo:messageAdded"
#: KEYS: the id counter, the history list. ARGV: channel, author, text, sentAt, history size.
POST_SCRIPT = """
local id = redis.call('INCR', KEYS[1])
local message = cjson.encode({id = tostring(id), author = ARGV[2], text = ARGV[3],
                              sentAt = ARGV[4]})
redis.call('RPUSH', KEYS[2], message)
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
redis.call('PUBLISH', ARGV[1], message)
return message
"""


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


class ChatRoom:
    """Messages kept in this process, published through `pubsub` (memory or any backend)."""

    def __init__(self, pubsub: PubSub) -> None:
        self.pubsub = pubsub
        self.messages: list[dict[str, Any]] = []
        self._ids = itertools.count(1)

    async def post(self, author: str, text: str) -> dict[str, Any]:
        """Keep and publish a new message; the message."""
        message = {"id": str(next(self._ids)), "author": author, "text": text, "sentAt": _now()}
        self.messages = [*self.messages[-(MAX_MESSAGES - 1) :], message]
        await self.pubsub.publish(TOPIC, message)
        return message

    async def last(self, count: int) -> list[dict[str, Any]]:
        """The last `count` messages, oldest first."""
        return self.messages[-count:] if count > 0 else []

    def listen(self) -> SubscribeContext:
        """The messages sent from now on (live once graphql-core awaited it)."""
        return self.pubsub.subscribe(TOPIC)


class RedisChatRoom(ChatRoom):
    """Ids and history in Redis, shared by every process on it."""

    def __init__(self, pubsub: RedisPubSub) -> None:
        super().__init__(pubsub)
        self.redis = pubsub

    async def post(self, author: str, text: str) -> dict[str, Any]:
        """Number, keep and publish a new message in one atomic step; the message."""
        redis = self.redis
        encoded = await redis.execute(
            "EVAL", POST_SCRIPT, 2, redis.key("demo:ids"), redis.key("demo:history"),
            redis.prefix + TOPIC, author, text, _now(), MAX_MESSAGES,
            doing="send a message",
        )  # fmt: skip
        redis.stats.published += 1  # (the script published it)
        message: dict[str, Any] = _json.loads(encoded)
        return message

    async def last(self, count: int) -> list[dict[str, Any]]:
        """The last `count` messages of the shared history, oldest first."""
        if count <= 0:
            return []
        history = await self.redis.execute(
            "LRANGE", self.redis.key("demo:history"), -min(count, MAX_MESSAGES), -1,
            doing="read the history",
        )  # fmt: skip
        return [_json.loads(item) for item in history]


class Chat:
    """This process's chat: the room of its pub/sub backend, found again after a fork."""

    def __init__(self) -> None:
        self._room: ChatRoom | None = None

    @property
    def current(self) -> ChatRoom:
        """The room of the process's backend (`ChatRoom`, or `RedisChatRoom` on Redis)."""
        pubsub = get_pubsub()
        if self._room is None or self._room.pubsub is not pubsub:
            shared = not isinstance(pubsub, MemoryPubSub)
            self._room = _shared_room(pubsub) if shared else ChatRoom(pubsub)
        return self._room

    @property
    def subscribers(self) -> int:
        """How many ``messageAdded`` subscriptions this process serves now."""
        return get_pubsub().subscribers(TOPIC)


room = Chat()


def _shared_room(pubsub: PubSub) -> ChatRoom:
    from .pubsub import RedisPubSub

    return RedisChatRoom(pubsub) if isinstance(pubsub, RedisPubSub) else ChatRoom(pubsub)


async def _count(_root: Any, _info: Any, upTo: int, interval: float) -> AsyncGenerator[int, None]:
    for number in range(1, upTo + 1):
        if interval:
            await asyncio.sleep(interval)
        yield number


async def _messages(_root: Any, _info: Any, last: int) -> list[dict[str, Any]]:
    return await room.current.last(last)


async def _send(_root: Any, _info: Any, author: str, text: str) -> dict[str, Any]:
    return await room.current.post(author, text)


schema = make_executable_schema(
    TYPE_DEFS,
    {
        "Query": {
            "hello": lambda _root, _info, name: f"Hello, {name}!",
            "messages": _messages,
        },
        "Mutation": {"sendMessage": _send},
        "Subscription": {
            "messageAdded": {"subscribe": lambda _root, _info: room.current.listen()},
            "counter": {"subscribe": _count},
        },
    },
)


def __getattr__(name: str) -> Any:
    """``app``: the schema in graphqlwire's ASGI app, for other servers
    (``uvicorn graphqlwire.demo:app``); made on first use only."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from .asgi import GraphQL

    app = globals()["app"] = GraphQL(schema)
    return app
