"""The benchmark schema with `@defer`/`@stream` declared (`app_defer:schema`).

Served by `graphqlwire-defer`: its `{ hello }` figures show what declaring the directives
costs operations that use neither (nothing, as graphqlwire routes them to the plain
executor), and the `defer-first` scenario times `{ hello ... @defer { slow } }`, where
`slow` takes `SLOW_SECONDS`: the first payload should not wait for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from app_core import schema as core_schema
from graphql import extend_schema, parse

from graphqlwire.schema import with_defer_stream

SLOW_SECONDS = 0.02


async def _slow(_root: Any, _info: Any) -> str:
    await asyncio.sleep(SLOW_SECONDS)
    return "slow"


schema = with_defer_stream(extend_schema(core_schema, parse("extend type Query { slow: String }")))
schema.query_type.fields["slow"].resolve = _slow  # type: ignore[union-attr]
