"""``X-Forwarded-For`` / ``X-Forwarded-Proto`` support for servers behind a reverse proxy.

Only peers listed in ``forwarded_allow_ips`` are believed: anyone else could claim any
address. The client address is the right-most ``X-Forwarded-For`` entry that is not itself
a trusted proxy (entries left of it are whatever the client chose to send). The scheme comes
from ``X-Forwarded-Proto``; WebSocket scopes map ``https`` to ``wss`` and ``http`` to ``ws``.
"""

from __future__ import annotations

from .config import Config

__all__ = ["apply_proxy_headers"]

_WS_SCHEMES = {"https": "wss", "http": "ws", "wss": "wss", "ws": "ws"}
_HTTP_SCHEMES = {"https": "https", "http": "http", "wss": "https", "ws": "http"}


def apply_proxy_headers(
    config: Config,
    headers: list[tuple[bytes, bytes]],
    client: tuple[str, int] | None,
    websocket: bool,
) -> tuple[str | None, tuple[str, int] | None]:
    """Return ``(scheme or None, client)`` as the trusted proxy headers describe them."""
    if client is None or not config.is_trusted(client[0]):
        return None, client
    scheme: str | None = None
    forwarded_for: bytes | None = None
    for name, value in headers:
        if name == b"x-forwarded-proto":
            proto = value.decode("latin-1").split(",")[-1].strip().lower()
            scheme = (_WS_SCHEMES if websocket else _HTTP_SCHEMES).get(proto)
        elif name == b"x-forwarded-for":
            forwarded_for = value if forwarded_for is None else forwarded_for + b"," + value
    if forwarded_for is not None:
        hosts = [h.strip() for h in forwarded_for.decode("latin-1").split(",") if h.strip()]
        for host in reversed(hosts):
            if not config.is_trusted(host) or host is hosts[0]:
                client = (host, 0)
                break
    return scheme, client
