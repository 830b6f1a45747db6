"""The ``graphqlwire`` command's arguments: the flag tables, `build_parser`, `config_from`.

Imports nothing heavy (no graphql-core, no asyncio): ``graphqlwire.__main__`` reads the flags
with this module before it switches the garbage collector off and imports the rest.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from .config import LOG_LEVELS, Config

__all__ = [
    "EXPLORERS",
    "LIMIT_FLAGS",
    "OPERATION_LIMIT_FLAGS",
    "WS_HANDLERS",
    "build_parser",
    "config_from",
]

#: (Config field, type, help) for each limit/timeout flag.
LIMIT_FLAGS: list[tuple[str, type, str]] = [
    ("max_header_size", int, "largest request head in bytes (431 beyond)"),
    (
        "max_body_size",
        int,
        "largest request body in bytes (413 beyond); graphqlwire's ASGI app follows it "
        "unless given its own max_body_size= (under other servers: 10 MiB)",
    ),
    ("max_url_length", int, "longest request target in bytes (414 beyond)"),
    ("max_connections", int, "most concurrent connections (503 beyond)"),
    ("keep_alive_timeout", float, "seconds an idle keep-alive connection stays open"),
    ("request_head_timeout", float, "seconds to receive a whole request head (408 after)"),
    ("request_body_timeout", float, "longest pause in seconds while reading a body (408)"),
    ("min_body_rate", float, "bytes/s a body must average after the grace (408; 0: off)"),
    ("min_body_rate_grace", float, "seconds a body may take before min-body-rate applies"),
    ("ws_max_message_size", int, "largest WebSocket message (close 1009 beyond)"),
    ("ws_ping_interval", float, "seconds between server pings (0: no pings)"),
    ("ws_ping_timeout", float, "seconds to wait for a pong (close 1011 after; 0: forever)"),
    ("shutdown_timeout", float, "grace period in seconds for in-flight requests on exit"),
    (
        "drain_delay",
        float,
        "seconds to keep serving after SIGTERM, /health answering 503, before draining",
    ),
    ("backlog", int, "listen backlog"),
]
#: (OperationLimits field, help) for each operation limit flag.
OPERATION_LIMIT_FLAGS: list[tuple[str, str]] = [
    ("max_tokens", "most tokens in a document"),
    ("max_depth", "deepest field nesting ({ hello } is 1)"),
    ("max_aliases", "most aliases in one operation"),
    ("max_cost", "highest operation cost (see OperationLimits)"),
    ("max_directives", "most directives on one field"),
]
EXPLORERS = {
    "graphiql": "ExplorerGraphiQL",
    "apollo-sandbox": "ExplorerApolloSandbox",
    "playground": "ExplorerPlayground",
    "none": "ExplorerHttp405",
}
WS_HANDLERS = {
    "auto": "GraphQLAutoWSHandler",
    "graphql-transport-ws": "GraphQLTransportWSHandler",
    "graphql-ws": "GraphQLWSHandler",
}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``graphqlwire`` command."""
    defaults = Config()
    parser = _Parser(
        prog="graphqlwire",
        description="Serve a GraphQL schema or any ASGI 3 app over HTTP/1.1 and WebSocket.",
        formatter_class=_fixed_width_formatter,
    )
    parser.add_argument(
        "app", metavar="APP", help="module:attribute naming a GraphQLSchema or an ASGI app"
    )
    parser.add_argument(
        "--app-dir",
        metavar="DIR",
        default=".",
        help="folder to import APP from (default: the current one)",
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version")
    parser.add_argument(
        "--reload",
        action="store_true",
        help="development: restart the server when a Python file under --app-dir changes",
    )
    where = parser.add_argument_group("listening")
    where.add_argument(
        "--host", default=defaults.host, help=f"address to listen on (default: {defaults.host})"
    )
    where.add_argument(
        "--port",
        type=int,
        default=defaults.port,
        help=f"TCP port; 0 picks a free one (default: {defaults.port})",
    )
    where.add_argument(
        "--uds", metavar="PATH", help="listen on this Unix socket instead of TCP (default: none)"
    )
    where.add_argument(
        "--workers",
        type=int,
        metavar="N",
        help="run N worker processes under a supervisor that replaces dead ones; SIGHUP "
        "replaces them one at a time (default: one process, no supervisor)",
    )
    where.add_argument(
        "--pubsub",
        metavar="URL",
        help="pub/sub backend of graphqlwire.pubsub for every worker: memory://, "
        "redis://host:port/db, rediss://... or unix:///path (sets GRAPHQLWIRE_PUBSUB; "
        "default: $GRAPHQLWIRE_PUBSUB, else memory://)",
    )
    where.add_argument(
        "--root-path",
        metavar="PATH",
        default="",
        help="mount prefix behind a proxy (default: none)",
    )
    where.add_argument(
        "--ssl-certfile", metavar="FILE", help="PEM certificate chain: serve https (default: none)"
    )
    where.add_argument(
        "--ssl-keyfile",
        metavar="FILE",
        help="PEM private key of --ssl-certfile (default: in the certificate file)",
    )
    where.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips",
    )
    where.add_argument(
        "--forwarded-allow-ips",
        default=defaults.forwarded_allow_ips,
        help="comma separated proxy addresses or networks, or * "
        f"(default: {defaults.forwarded_allow_ips})",
    )
    logs = parser.add_argument_group("logging and lifespan")
    logs.add_argument(
        "--log-level",
        choices=list(LOG_LEVELS),
        default="info",
        help="least severe messages logged (default: info)",
    )
    logs.add_argument("--access-log", action="store_true", help="log one line per request")
    logs.add_argument(
        "--access-log-format",
        choices=["text", "json"],
        default=defaults.access_log_format,
        help="json: one JSON object per request and per WebSocket/SSE connection opened and "
        f"closed; turns the access log on (default: {defaults.access_log_format})",
    )
    logs.add_argument(
        "--lifespan",
        choices=["auto", "on", "off"],
        default="auto",
        help="ASGI lifespan protocol: auto (when the app supports it), on (a failure is "
        "fatal) or off (default: auto)",
    )
    logs.add_argument(
        "--loop",
        choices=["auto", "asyncio", "uvloop"],
        default=defaults.loop,
        help=f"event loop (auto: uvloop if installed; default: {defaults.loop})",
    )
    limits = parser.add_argument_group("limits and timeouts")
    for name, kind, text in LIMIT_FLAGS:
        limits.add_argument(
            "--" + name.replace("_", "-"),
            type=kind,
            default=getattr(defaults, name),
            help=f"{text} (default: {getattr(defaults, name)})",
        )
    gql = parser.add_argument_group("GraphQL (when APP is a GraphQLSchema)")
    gql.add_argument("--debug", action="store_true", help="tracebacks in error responses")
    gql.add_argument("--no-introspection", action="store_true", help="refuse introspection queries")
    gql.add_argument(
        "--execute-get-queries", action="store_true", help="execute queries sent with GET"
    )
    gql.add_argument(
        "--explorer",
        choices=list(EXPLORERS),
        help="what GET without a query shows (default: graphiql)",
    )
    gql.add_argument(
        "--explorer-assets",
        metavar="URL",
        help="base URL the explorer loads its files from, in the npm layout "
        "(<package>@<version>/<file>), for machines without internet access "
        "(default: the public CDN)",
    )
    gql.add_argument(
        "--ws-protocol",
        choices=list(WS_HANDLERS),
        help="WebSocket subprotocol(s) to speak (default: auto, both)",
    )
    gql.add_argument(
        "--max-batch-size",
        type=int,
        metavar="N",
        help="accept batches (a JSON array) of up to N operations, which share one "
        "request's operation limits (default: 0, batches off)",
    )
    from ..execution import DEFAULT_LIMITS

    for name, text in OPERATION_LIMIT_FLAGS:
        default = getattr(DEFAULT_LIMITS, name)
        gql.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            metavar="N",
            help=f"{text}; 0: no limit (default: {default})",
        )
    gql.add_argument("--no-limits", action="store_true", help="turn every operation limit off")
    gql.add_argument(
        "--mask-errors",
        action="store_true",
        help="hide unexpected resolver exceptions behind a correlation id that is logged",
    )
    gql.add_argument(
        "--execution-timeout",
        type=float,
        metavar="SECONDS",
        help="cancel a query or mutation running longer (default: none)",
    )
    gql.add_argument(
        "--no-persisted-queries",
        action="store_true",
        help="turn automatic persisted queries (Apollo's APQ) off",
    )
    gql.add_argument(
        "--trusted-documents",
        metavar="FILE",
        help="JSON manifest of documents a request may name by documentId "
        "(Apollo's persisted query manifest, or {id: document}; default: none)",
    )
    gql.add_argument(
        "--only-trusted",
        action="store_true",
        help="execute the --trusted-documents only, refuse anything else (403)",
    )
    gql.add_argument(
        "--health-path",
        metavar="PATH",
        help="where GET answers the health check (503 while draining or while the pub/sub "
        "is unreachable); '' turns it off (default: /health)",
    )
    gql.add_argument(
        "--metrics",
        action="store_true",
        help="serve Prometheus metrics at /metrics, summed over --workers (default: off)",
    )
    parser.formatter_class = argparse.HelpFormatter  # help and errors: the terminal's width
    return parser


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors in one line: the message and where to read more."""

    def error(self, message: str) -> NoReturn:
        """Print ``graphqlwire: error: <message> (see graphqlwire --help)`` and exit 2."""
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class _VersionAction(argparse.Action):
    """``--version``: print the installed version and exit, with or without APP.

    The version is read from the distribution's metadata when asked, which keeps the
    command line module from importing the package's public names at start-up.
    """

    def __init__(self, option_strings: Sequence[str], dest: str, **options: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **options)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        from importlib.metadata import version

        print(f"graphqlwire {version('graphqlwire')}")
        parser.exit()


def _fixed_width_formatter(prog: str) -> argparse.HelpFormatter:
    """The formatter argparse makes on every ``add_argument`` call, only to check a metavar.

    argparse's default asks ``shutil`` for the terminal's width, and importing shutil loads
    bz2 and lzma, memory the server would keep for its whole life. `build_parser` puts the
    default back once the arguments are in, so help and error messages still fit the terminal.
    """
    return argparse.HelpFormatter(prog, width=80)


def config_from(args: argparse.Namespace) -> Config:
    """The server `Config` for the parsed `args`."""
    options = {name: getattr(args, name) for name, _, _ in LIMIT_FLAGS}
    return Config(
        host=args.host,
        port=args.port,
        uds=args.uds,
        root_path=args.root_path,
        log_level=args.log_level,
        access_log=args.access_log,
        access_log_format=args.access_log_format,
        lifespan=args.lifespan,
        loop=args.loop,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        **options,
    )
