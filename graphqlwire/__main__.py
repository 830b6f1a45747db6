"""Command line: ``graphqlwire [options] APP`` or ``python -m graphqlwire [options] APP``.

APP is ``module:attribute`` (the attribute may be dotted). A `graphql.GraphQLSchema` is
served by graphqlwire's ASGI ``GraphQL`` app, configured by the GraphQL flags below; anything
else is taken to be an ASGI 3 application and served as is. Every limit and timeout of
`graphqlwire.server.Config` has a flag of the same name.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from typing import Any

from .server.cliargs import (
    EXPLORERS,
    OPERATION_LIMIT_FLAGS,
    WS_HANDLERS,
    build_parser,
    config_from,
)
from .server.config import LOG_LEVELS
from .server.loader import load_app

__all__ = ["build_parser", "load_app", "main"]


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
        "metrics": args.metrics,
    }
    if args.health_path is not None:
        options["health_path"] = args.health_path
    if args.explorer or args.explorer_assets:
        from . import explorers

        explorer_class = getattr(explorers, EXPLORERS[args.explorer or "graphiql"])
        if args.explorer_assets is None:
            options["explorer"] = explorer_class()
        elif explorer_class is explorers.ExplorerHttp405:
            raise ValueError("--explorer-assets has no use with --explorer none")
        else:
            options["explorer"] = explorer_class(assets_url=args.explorer_assets)
    if args.ws_protocol:
        options["websocket_handler"] = getattr(handlers, WS_HANDLERS[args.ws_protocol])()
    if args.max_batch_size is not None:
        options["http_handler"] = handlers.GraphQLHTTPHandler(max_batch_size=args.max_batch_size)
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
            ("--explorer-assets", args.explorer_assets),
            ("--ws-protocol", args.ws_protocol),
            ("--max-batch-size", args.max_batch_size is not None),
            ("--no-limits", args.no_limits),
            ("--mask-errors", args.mask_errors),
            ("--execution-timeout", args.execution_timeout is not None),
            ("--no-persisted-queries", args.no_persisted_queries),
            ("--trusted-documents", args.trusted_documents),
            ("--only-trusted", args.only_trusted),
            ("--health-path", args.health_path is not None),
            ("--metrics", args.metrics),
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
        if args.pubsub:  # (before any import of the app, and inherited by the workers)
            from .pubsub import PUBSUB_ENV, check_url

            check_url(args.pubsub)
            os.environ[PUBSUB_ENV] = args.pubsub
        config = config_from(args)
        if args.reload:
            from .server.reload import CHILD_MARKER

            if CHILD_MARKER not in os.environ:
                if collecting:
                    gc.enable()
                from .server.climodes import serve_reloading

                sys.exit(serve_reloading(args, sys.argv[1:] if argv is None else argv))
        app: Any = resolve_app(args) if args.workers is None else None  # (else: in each worker)
    except ValueError as error:
        parser.error(str(error))

    def announce(server: Any) -> None:
        if collecting:
            gc.enable()
        # serve() logs the address at INFO; make sure it is printed at quieter levels too.
        if LOG_LEVELS[args.log_level] > LOG_LEVELS["info"]:
            print(f"graphqlwire listening on {server.url}", file=sys.stderr, flush=True)

    try:
        if args.workers is not None:
            from .server.climodes import serve_workers

            sys.exit(serve_workers(args, parser, config, announce, resolve_app))
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
