"""graphqlwire.pubsub: broadcast between resolvers, in one process or across many.

    pubsub = get_pubsub()                    # the backend GRAPHQLWIRE_PUBSUB names
    await pubsub.publish("chat", {"text": "hi"})
    async with pubsub.subscribe("chat") as events:   # live here: nothing is missed
        async for message in events:
            ...

A GraphQL subscription field can return ``pubsub.subscribe(topic)`` from its
``subscribe`` resolver. Backends: `MemoryPubSub` (``memory://``, one process) and
`RedisPubSub` (``redis://``, ``rediss://``, ``unix://``; needs ``graphqlwire[redis]``,
imported only when used). Each subscriber has a bounded buffer: one that falls
`buffer_size` messages behind is ended with `SubscriptionOverflow`, and no one else waits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_exports
from ._base import DEFAULT_BUFFER_SIZE, PubSub, PubSubStats
from ._errors import PublishError, PubSubError, SubscribeError, SubscriptionOverflow
from ._memory import MemoryPubSub
from ._serializers import JSONSerializer, Serializer
from ._subscription import SubscribeContext, Subscription
from ._url import PUBSUB_ENV, check_url, from_url, get_pubsub

__all__ = [
    "DEFAULT_BUFFER_SIZE",
    "PUBSUB_ENV",
    "JSONSerializer",
    "MemoryPubSub",
    "PubSub",
    "PubSubError",
    "PubSubStats",
    "PublishError",
    "RedisPubSub",
    "Serializer",
    "SubscribeContext",
    "SubscribeError",
    "Subscription",
    "SubscriptionOverflow",
    "check_url",
    "from_url",
    "get_pubsub",
]

if TYPE_CHECKING:
    from ._redis import RedisPubSub

__getattr__ = lazy_exports(__name__, {"RedisPubSub": "._redis"})
