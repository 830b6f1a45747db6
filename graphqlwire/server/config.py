"""All settings of graphqlwire's server in one object: where to listen, limits, timeouts.

Every field has a sane default and a command-line flag of the same name (``max_body_size`` is
``--max-body-size``). Limits are what keep one bad client from hurting the others: each one
maps to the status or close code a client sees when it crosses it.
"""

from __future__ import annotations

import ipaddress
import logging
import ssl
from dataclasses import dataclass, field, fields
from typing import Any, Literal

__all__ = ["LOG_LEVELS", "Config"]

LOG_LEVELS: dict[str, int] = {
    "critical": logging.CRITICAL,
    "error": logging.ERROR,
    "warning": logging.WARNING,
    "info": logging.INFO,
    "debug": logging.DEBUG,
    "trace": 5,
}

MiB = 1024 * 1024


@dataclass
class Config:
    """Settings of one server instance.

    # Optional arguments

    `host`/`port`: TCP address to listen on (port 0 picks a free port); `uds`: a Unix socket
    path instead. `root_path`: the mount prefix put into every scope (`path` includes it).
    `log_level`: level of the ``graphqlwire`` loggers (None leaves logging alone).
    `access_log`: one INFO line per request on the ``graphqlwire.access`` logger.
    `access_log_format`: ``text`` (that line) or ``json`` (one JSON object per request and
    per WebSocket/SSE connection opened and closed; turns the access log on).
    `proxy_headers`/`forwarded_allow_ips`: trust ``X-Forwarded-For``/``-Proto`` only from
    these peers (comma separated addresses or networks, ``*`` for any).
    `ssl_certfile`/`ssl_keyfile`: serve TLS. `lifespan`: ``auto`` (run the lifespan protocol
    if the app supports it), ``on`` (a failure is fatal) or ``off``. `loop`: the event loop
    `run` uses: ``asyncio`` (the default), ``uvloop``, or ``auto`` (uvloop if installed; it is
    not a dependency). graphqlwire's server measured as fast on asyncio's loop as on uvloop
    (``tools/bench``), and uvloop costs 2.3 MiB of resident memory more.

    Limits: `max_header_size` (431), `max_body_size` (413), `max_url_length` (414),
    `max_connections` (503 beyond it), `ws_max_message_size` (close 1009).
    Timeouts in seconds: `keep_alive_timeout` (idle connection between requests),
    `request_head_timeout` (a request head must arrive whole within it, else 408),
    `request_body_timeout` (longest pause while a request body is being read),
    `min_body_rate` (bytes per second a body must average once `min_body_rate_grace`
    seconds have passed, else 408; each byte earns ``1 / min_body_rate`` more seconds;
    0 disables),
    `ws_ping_interval`/`ws_ping_timeout` (server pings; no pong in time closes with 1011;
    0 disables), `shutdown_timeout` (grace period for in-flight requests on shutdown),
    `drain_delay` (seconds the server keeps serving after SIGTERM before it stops accepting,
    while health checks answer 503, so that load balancers take it out of rotation first).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    uds: str | None = None
    root_path: str = ""
    log_level: str | None = "info"
    access_log: bool = False
    access_log_format: Literal["text", "json"] = "text"
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    lifespan: Literal["auto", "on", "off"] = "auto"
    loop: Literal["auto", "asyncio", "uvloop"] = "asyncio"
    backlog: int = 2048
    max_header_size: int = 16 * 1024
    max_body_size: int = 16 * MiB
    max_url_length: int = 8 * 1024
    max_connections: int = 4096
    keep_alive_timeout: float = 5.0
    request_head_timeout: float = 10.0
    request_body_timeout: float = 30.0
    min_body_rate: float = 500.0
    min_body_rate_grace: float = 5.0
    ws_max_message_size: int = 16 * MiB
    ws_ping_interval: float = 20.0
    ws_ping_timeout: float = 20.0
    shutdown_timeout: float = 10.0
    drain_delay: float = 0.0
    #: Parsed from ``forwarded_allow_ips`` (None = trust every peer).
    trusted_networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None = field(
        init=False, repr=False, default=None
    )

    def __post_init__(self) -> None:
        if self.lifespan not in ("auto", "on", "off"):
            raise ValueError(f"lifespan must be auto, on or off, not {self.lifespan!r}")
        if self.loop not in ("auto", "asyncio", "uvloop"):
            raise ValueError(f"loop must be auto, asyncio or uvloop, not {self.loop!r}")
        if self.access_log_format not in ("text", "json"):
            raise ValueError(f"access_log_format must be text or json: {self.access_log_format!r}")
        if self.log_level is not None and self.log_level.lower() not in LOG_LEVELS:
            raise ValueError(f"unknown log level {self.log_level!r}")
        if (self.ssl_certfile is None) != (self.ssl_keyfile is None):
            raise ValueError("ssl_certfile and ssl_keyfile go together")
        for name in (
            "max_header_size",
            "max_body_size",
            "max_url_length",
            "max_connections",
            "ws_max_message_size",
            "backlog",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in (
            "keep_alive_timeout",
            "request_head_timeout",
            "request_body_timeout",
            "min_body_rate",
            "min_body_rate_grace",
            "ws_ping_interval",
            "ws_ping_timeout",
            "shutdown_timeout",
            "drain_delay",
        ):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.root_path.endswith("/"):
            self.root_path = self.root_path.rstrip("/")
        self.trusted_networks = parse_networks(self.forwarded_allow_ips)

    @classmethod
    def field_names(cls) -> list[str]:
        """Names accepted as keyword arguments (what `run(app, **config)` takes)."""
        return [f.name for f in fields(cls) if f.init]

    def ssl_context(self) -> ssl.SSLContext | None:
        """A server TLS context for the configured certificate, or None without TLS."""
        if self.ssl_certfile is None:
            return None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
        context.set_alpn_protocols(["http/1.1"])
        return context

    def is_trusted(self, host: str | None) -> bool:
        """Whether proxy headers from the peer `host` may be believed."""
        networks = self.trusted_networks
        if networks is None:
            return True
        if host is None:
            return False
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            return False
        return any(address in network for network in networks)

    def with_overrides(self, **overrides: Any) -> Config:
        """A copy with some fields replaced (validated again)."""
        values = {name: getattr(self, name) for name in self.field_names()}
        values.update(overrides)
        return Config(**values)


def parse_networks(
    spec: str,
) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """Parse ``"127.0.0.1, 10.0.0.0/8"``; ``*`` means any peer (returns None)."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if "*" in items:
        return None
    try:
        return [ipaddress.ip_network(item, strict=False) for item in items]
    except ValueError as error:
        raise ValueError(f"forwarded_allow_ips: {error}") from None
