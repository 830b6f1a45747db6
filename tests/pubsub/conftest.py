"""Fixtures of the pub/sub tests: a real redis-server (see tests/redis_server.py)."""

from __future__ import annotations

from tests.redis_server import own_redis_server, redis_server, unique_prefix

__all__ = ["own_redis_server", "redis_server", "unique_prefix"]
