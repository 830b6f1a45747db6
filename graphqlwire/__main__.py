"""Command line: ``graphqlwire [options] APP`` or ``python -m graphqlwire [options] APP``.

APP is ``module:attribute`` (the attribute may be dotted). A `graphql.GraphQLSchema` is
served by graphqlwire's ASGI ``GraphQL`` app, configured by the GraphQL flags below; anything
else is taken to be an ASGI 3 application and served as is. Every limit and timeout of
`graphqlwire.server.Config` has a flag of the same name.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any

from .server.config import LOG_LEVELS, Config

__all__ = ["build_parser", "load_app", "main"]

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
    parser = argparse.ArgumentParser(
        prog="graphqlwire",
        description="Serve a GraphQL schema or any ASGI 3 app over HTTP/1.1 and WebSocket.",
        formatter_class=_fixed_width_formatter,
    )
    parser.add_argument(
        "app", metavar="APP", help="module:attribute naming a GraphQLSchema or an ASGI app"
    )
    parser.add_argument(
        "--app-dir", default=".", help="folder to import APP from (default: the current one)"
    )
    where = parser.add_argument_group("listening")
    where.add_argument("--host", default=defaults.host)
    where.add_argument("--port", type=int, default=defaults.port)
    where.add_argument("--uds", help="listen on this Unix socket instead of TCP")
    where.add_argument("--root-path", default="", help="mount prefix behind a proxy")
    where.add_argument("--ssl-certfile")
    where.add_argument("--ssl-keyfile")
    where.add_argument(
        "--proxy-headers",
        action="store_true",
        help="trust X-Forwarded-For/-Proto from --forwarded-allow-ips",
    )
    where.add_argument(
        "--forwarded-allow-ips",
        default=defaults.forwarded_allow_ips,
        help="comma separated proxy addresses or networks, or *",
    )
    logs = parser.add_argument_group("logging and lifespan")
    logs.add_argument("--log-level", choices=list(LOG_LEVELS), default="info")
    logs.add_argument("--access-log", action="store_true", help="log one line per request")
    logs.add_argument("--lifespan", choices=["auto", "on", "off"], default="auto")
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
        "--ws-protocol",
        choices=list(WS_HANDLERS),
        help="WebSocket subprotocol(s) to speak (default: auto, both)",
    )
    from .execution import DEFAULT_LIMITS

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
        "(Apollo's persisted query manifest, or {id: document})",
    )
    gql.add_argument(
        "--only-trusted",
        action="store_true",
        help="execute the --trusted-documents only, refuse anything else (403)",
    )
    parser.formatter_class = argparse.HelpFormatter  # help and errors: the terminal's width
    return parser


def _fixed_width_formatter(prog: str) -> argparse.HelpFormatter:
    """The formatter argparse makes on every ``add_argument`` call, only to check a metavar.

    argparse's default asks ``shutil`` for the terminal's width, and importing shutil loads
    bz2 and lzma, memory the server would keep for its whole life. `build_parser` puts the
    default back once the arguments are in, so help and error messages still fit the terminal.
    """
    return argparse.HelpFormatter(prog, width=80)


def load_app(spec: str, app_dir: str = ".") -> Any:
    """Import ``module:attribute`` (with `app_dir` first on ``sys.path``)."""
    module_name, sep, attribute = spec.partition(":")
    if not sep or not module_name or not attribute:
        raise ValueError(f"APP must look like module:attribute, not {spec!r}")
    sys.path.insert(0, os.path.abspath(app_dir))
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        # The module itself or one of its parent packages is missing (not an import
        # inside it, which deserves its traceback).
        if error.name and (module_name == error.name or module_name.startswith(error.name + ".")):
            raise ValueError(f"cannot import module {module_name!r}") from None
        raise
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise ValueError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return value


def graphql_app(schema: Any, args: argparse.Namespace) -> Any:
    """Wrap a schema in graphqlwire's ASGI ``GraphQL`` app, configured by the flags."""
    from .asgi import GraphQL, handlers

    options: dict[str, Any] = {
        "debug": args.debug,
        "introspection": not args.no_introspection,
        "execute_get_queries": args.execute_get_queries,
        "mask_errors": args.mask_errors,
        "execution_timeout": args.execution_timeout,
        "persisted_queries": not args.no_persisted_queries,
        "trusted_documents": args.trusted_documents,
        "only_trusted": args.only_trusted,
    }
    if args.explorer:
        from . import explorers

        options["explorer"] = getattr(explorers, EXPLORERS[args.explorer])()
    if args.ws_protocol:
        options["websocket_handler"] = getattr(handlers, WS_HANDLERS[args.ws_protocol])()
    for name, _ in OPERATION_LIMIT_FLAGS:
        value = getattr(args, name)
        if args.no_limits:
            options[name] = 0
        elif value is not None:
            options[name] = value
    return GraphQL(schema, **options)


def resolve_app(args: argparse.Namespace) -> Any:
    """The ASGI app to serve for the parsed `args` (a schema gets wrapped)."""
    from graphql import GraphQLSchema

    target = load_app(args.app, args.app_dir)
    if isinstance(target, GraphQLSchema):
        return graphql_app(target, args)
    graphql_flags = [
        flag
        for flag, given in (
            ("--debug", args.debug),
            ("--no-introspection", args.no_introspection),
            ("--execute-get-queries", args.execute_get_queries),
            ("--explorer", args.explorer),
            ("--ws-protocol", args.ws_protocol),
            ("--no-limits", args.no_limits),
            ("--mask-errors", args.mask_errors),
            ("--execution-timeout", args.execution_timeout is not None),
            ("--no-persisted-queries", args.no_persisted_queries),
            ("--trusted-documents", args.trusted_documents),
            ("--only-trusted", args.only_trusted),
            *(
                ("--" + name.replace("_", "-"), getattr(args, name) is not None)
                for name, _ in OPERATION_LIMIT_FLAGS
            ),
        )
        if given
    ]
    if graphql_flags:
        raise ValueError(f"{', '.join(graphql_flags)} only apply when APP is a GraphQLSchema")
    if not callable(target):
        raise ValueError(f"{args.app} is neither a GraphQLSchema nor an ASGI application")
    return target


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
        lifespan=args.lifespan,
        loop=args.loop,
        proxy_headers=args.proxy_headers,
        forwarded_allow_ips=args.forwarded_allow_ips,
        ssl_certfile=args.ssl_certfile,
        ssl_keyfile=args.ssl_keyfile,
        **options,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``graphqlwire`` console script; exits non-zero on failure.

    The garbage collector is off from here until the server listens (it is switched back on
    right after `serve` froze the start-up objects): importing graphql-core and the app
    allocates hundreds of thousands of objects and frees almost none, so the collections
    that would run meanwhile only cost time (~10% of the start-up).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        _main(argv, collecting)
    finally:
        if collecting:
            gc.enable()


def _main(argv: Sequence[str] | None, collecting: bool) -> None:
    from .server import LifespanFailure, run

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        config = config_from(args)
        app = resolve_app(args)
    except ValueError as error:
        parser.error(str(error))

    def announce(server: Any) -> None:
        if collecting:
            gc.enable()
        # serve() logs the address at INFO; make sure it is printed at quieter levels too.
        if LOG_LEVELS[args.log_level] > LOG_LEVELS["info"]:
            print(f"graphqlwire listening on {server.url}", file=sys.stderr, flush=True)

    try:
        run(app, config, on_started=announce)
    except LifespanFailure as error:
        print(f"graphqlwire: {error}", file=sys.stderr)
        sys.exit(3)
    except (OSError, RuntimeError) as error:  # address in use, no uvloop, ...
        print(f"graphqlwire: {error}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:  # a signal before the handlers were installed
        pass


if __name__ == "__main__":
    main()
