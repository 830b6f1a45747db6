"""The ``graphqlwire`` command's process modes: ``--workers N`` and ``--reload``.

``graphqlwire.__main__`` imports this module only when one of the two flags is given.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from .config import Config

__all__ = ["serve_reloading", "serve_workers"]


def serve_workers(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    config: Config,
    announce: Any,
    resolve_app: Callable[[argparse.Namespace], Any],
) -> int:
    """``--workers N``: N processes under a supervisor; each worker imports APP itself."""
    from .run import run_workers

    def load() -> Any:
        try:
            return resolve_app(args)
        except ValueError as error:
            parser.error(str(error))  # (exit status 2: the supervisor gives up at once)

    from ..observability.metrics import shared_directory

    try:
        pubsub = getattr(args, "pubsub", None)
        with shared_directory(args.metrics):  # (every worker's samples, for one scrape)
            return run_workers(load, config, args.workers, on_started=announce, pubsub_url=pubsub)
    except ValueError as error:
        parser.error(str(error))


def serve_reloading(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """``--reload``: serve from a child process restarted when the app's files change.

    With ``--port 0`` the parent picks the free port once, so every restart listens on the
    same address.
    """
    from .reload import Reloader

    arguments = list(argv)
    if args.port == 0 and args.uds is None:
        arguments += ["--port", str(_free_port(args.host))]
    return Reloader(arguments, args.app_dir).run()


def _free_port(host: str) -> int:
    """A TCP port nothing listens on at `host` now."""
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, 0, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.bind(address)
            return int(probe.getsockname()[1])
    except OSError as error:
        raise ValueError(f"cannot listen on {host}: {error}") from None
