"""Fixtures of the server tests (helpers live in `helpers.py`)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest

from .helpers import RunServer, graphqlwire_server, uvicorn_server
from .server_apps import make_app


@pytest.fixture(params=["graphqlwire", "uvicorn"])
def run_server(request: pytest.FixtureRequest) -> RunServer:
    """Runs an app under each server: the same test checks both behave the same."""
    return graphqlwire_server if request.param == "graphqlwire" else uvicorn_server


@pytest.fixture
def app() -> Any:
    return make_app()


@pytest.fixture(autouse=True)
def _quiet_app_errors(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="graphqlwire")


@pytest.hookimpl(optionalhook=True)  # (older pytest-asyncio has no such hook)
def pytest_asyncio_loop_factories(config: pytest.Config, item: pytest.Item) -> Any:
    """Run graphqlwire's server tests on asyncio's loop and, when installed, on uvloop."""
    if "tests/server" not in str(item.path).replace("\\", "/"):
        return None
    factories: dict[str, Any] = {"asyncio": asyncio.new_event_loop}
    try:
        import uvloop
    except ImportError:
        return factories
    factories["uvloop"] = uvloop.new_event_loop
    return factories
