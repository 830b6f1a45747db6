"""`run`: serve an app from a blocking call, in this process or in supervised workers."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Any

from ..types import ASGIApp
from .config import Config
from .server import configure_logging, run_on_new_loop, serve
from .state import logger
from .supervisor import Supervisor
from .worker import import_app

__all__ = ["run", "run_workers"]


def run(
    app: ASGIApp | str,
    config: Config | None = None,
    *,
    workers: int | None = None,
    on_started: Callable[[Any], Any] | None = None,
    **options: Any,
) -> None:
    """Serve `app` (with `config`, or ``Config(**options)``), blocking until a signal.

    `app` is an ASGI app or a ``"module:attribute"`` string naming one (or a schema, served
    by graphqlwire's ``GraphQL`` app). `workers`: run that many worker processes under a
    supervisor (see `graphqlwire.server.supervisor`); a string is then imported in each
    worker, after the fork, and `on_started` gets the `Supervisor` instead of the `Server`.
    Raises RuntimeError when the supervisor gives up because no worker can start.
    """
    if config is None:
        config = Config(**options)
    elif options:
        config = config.with_overrides(**options)
    if workers is not None:
        target = app
        load = partial(import_app, target) if isinstance(target, str) else lambda: target
        status = run_workers(load, config, workers, on_started=on_started)
        if status:
            raise RuntimeError(f"no worker could start (exit status {status})")
        return
    if isinstance(app, str):
        app = import_app(app)
    run_on_new_loop(partial(serve, app, config, on_started=on_started), config.loop)


def run_workers(
    load: Callable[[], ASGIApp],
    config: Config,
    count: int,
    *,
    on_started: Callable[[Supervisor], Any] | None = None,
    pubsub_url: str | None = None,
) -> int:
    """Run `count` workers of the app `load` returns under a `Supervisor`; its exit status.

    `pubsub_url` is the pub/sub backend the workers use (default: ``GRAPHQLWIRE_PUBSUB``,
    else ``memory://``): an in-memory one keeps each subscription inside its worker, which
    is worth a warning.
    """
    supervisor = Supervisor(load, config, count)
    configure_logging(config.log_level, with_pid=True)
    backend = pubsub_url or os.environ.get("GRAPHQLWIRE_PUBSUB", "memory://")
    if backend.startswith("memory"):
        logger.warning(
            "%d workers with the in-memory pub/sub backend: a subscription only receives what "
            "is published in its own worker (choose a shared one: --pubsub redis://...)",
            count,
        )
    return supervisor.run(on_started)
