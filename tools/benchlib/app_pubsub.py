"""The pub/sub fan-out schema (`app_pubsub:schema`): subscribers of one topic, one publisher.

``subscription { fanout(upTo: N) }`` subscribes to the topic of the process's backend
(``GRAPHQLWIRE_PUBSUB``: memory, or Redis shared by several workers), yields 0 once it is
live, then every number published until N. ``mutation { broadcast(count: N) }`` publishes
1..N from whichever worker serves it. `fanout.py` drives it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

from graphql import build_schema

from graphqlwire.pubsub import get_pubsub

SDL = """
type Query { hello: String! }
type Mutation { broadcast(count: Int!): Int! }
type Subscription { fanout(upTo: Int!): Int! }
"""
TOPIC = "bench:fanout"


async def _fanout(_root: Any, _info: Any, upTo: int) -> AsyncGenerator[int, None]:
    async with get_pubsub().subscribe(TOPIC, buffer_size=upTo + 1) as events:
        yield 0  # live: the client may start the broadcast
        async for value in events:
            yield value
            if value >= upTo:
                return


async def _broadcast(_root: Any, _info: Any, count: int) -> int:
    """Publish 1..count at once, as many concurrent mutations would (Redis pipelines them;
    the calls' order is the messages' order)."""
    pubsub = get_pubsub()
    await asyncio.gather(*(pubsub.publish(TOPIC, value) for value in range(1, count + 1)))
    return count


schema = build_schema(SDL)
schema.query_type.fields["hello"].resolve = lambda *_: "world"  # type: ignore[union-attr]
schema.mutation_type.fields["broadcast"].resolve = _broadcast  # type: ignore[union-attr]
_fanout_field = schema.subscription_type.fields["fanout"]  # type: ignore[union-attr]
_fanout_field.subscribe = _fanout
_fanout_field.resolve = lambda value, _info, **_: value
