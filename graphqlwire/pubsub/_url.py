"""Choosing a backend by URL, and the process's configured one (``GRAPHQLWIRE_PUBSUB``).

``graphqlwire --pubsub URL`` sets ``GRAPHQLWIRE_PUBSUB`` before it starts any worker, so
`get_pubsub` gives every worker (and an app under uvicorn or gunicorn given the variable)
the same backend. A URL may carry the options of the backend as query parameters that
are not redis-py's: ``prefix`` and ``buffer_size``.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from ._base import PubSub
from ._errors import PubSubError
from ._memory import MemoryPubSub

__all__ = ["PUBSUB_ENV", "check_url", "from_url", "get_pubsub"]

#: The environment variable naming the process's pub/sub backend.
PUBSUB_ENV = "GRAPHQLWIRE_PUBSUB"
DEFAULT_PUBSUB_URL = "memory://"
REDIS_SCHEMES = ("redis", "rediss", "unix")
#: Query parameters taken by the backend itself (the others are left to redis-py).
OWN_OPTIONS = {"prefix": str, "buffer_size": int}

_configured: tuple[int, PubSub] | None = None


def from_url(url: str, **options: Any) -> PubSub:
    """A new backend for `url`: ``memory://``, ``redis://``, ``rediss://`` or ``unix://``.

    `options` go to the backend's constructor (`MemoryPubSub` or `RedisPubSub`), after
    those given in the URL's query. A Redis URL without redis-py installed raises
    `PubSubError` saying what to install; an unknown scheme raises ValueError.
    """
    scheme = check_url(url)
    url, from_query = _own_options(url)
    options = {**from_query, **options}
    if scheme == "memory":
        return MemoryPubSub(**options)
    try:
        from ._redis import RedisPubSub
    except ImportError as error:
        raise PubSubError(
            f"{scheme}:// needs redis-py: pip install 'graphqlwire[redis]' ({error})"
        ) from error
    return RedisPubSub(url, **options)


def check_url(url: str) -> str:
    """The scheme of a pub/sub URL; ValueError naming the choices for anything else."""
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme != "memory" and scheme not in REDIS_SCHEMES:
        raise ValueError(
            f"unknown pub/sub URL {url!r}: use memory://, redis://host:port/db, "
            "rediss://host:port/db or unix:///path/to/redis.sock"
        )
    return scheme


def get_pubsub() -> PubSub:
    """This process's pub/sub backend, made from ``GRAPHQLWIRE_PUBSUB`` (default memory://).

    Made on the first call and kept for the process; a forked child makes its own (a
    connection must not be shared between processes).
    """
    global _configured
    configured = _configured
    pid = os.getpid()
    if configured is None or configured[0] != pid:
        configured = _configured = (pid, from_url(os.environ.get(PUBSUB_ENV) or DEFAULT_PUBSUB_URL))
    return configured[1]


def _own_options(url: str) -> tuple[str, dict[str, Any]]:
    """`url` without the backend's own query parameters, and their values."""
    parts = urlsplit(url)
    if not parts.query:
        return url, {}
    options: dict[str, Any] = {}
    rest = []
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        kind = OWN_OPTIONS.get(name)
        if kind is None:
            rest.append((name, value))
            continue
        try:
            options[name] = kind(value)
        except ValueError:
            raise ValueError(f"pub/sub URL option {name}={value!r} is not valid") from None
    base = url.partition("?")[0]  # (not urlunsplit: it would turn unix:///x into unix:/x)
    return (f"{base}?{urlencode(rest)}" if rest else base), options
