"""Helpers of the observability tests: scrapes parsed with prometheus_client's own parser."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.redis_server import free_port

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
DEADLINE = 5.0
ROOT = Path(__file__).resolve().parents[2]


def parse(text: str) -> Samples:
    """Every sample of a scrape: (name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient, url: str) -> Samples:
    response = await client.get(url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sample's value; 0 when the scrape has no such sample (nothing counted yet)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: Samples, transport: str, kind: str, outcome: str) -> float:
    return value(
        samples,
        "graphqlwire_requests_total",
        transport=transport,
        operation_type=kind,
        outcome=outcome,
    )


async def until(check: Callable[[], Any], timeout: float = DEADLINE) -> Any:
    """Poll the (async) `check` until it returns something true, or fail at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"still {result!r} after {timeout} s")
        await asyncio.sleep(0.02)


async def gauge_reaches(
    client: httpx.AsyncClient, url: str, name: str, transport: str, target: float
) -> Samples:
    """Scrape until the gauge `name` of `transport` shows `target`; that scrape."""

    async def check() -> Samples | None:
        samples = await scrape(client, url)
        return samples if value(samples, name, transport=transport) == target else None

    result: Samples = await until(check)
    return result


def stop(process: subprocess.Popen[Any]) -> None:
    """Terminate a server process started by a test, killing it if it does not exit."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def start_cli(*arguments: str) -> tuple[subprocess.Popen[bytes], str]:
    """``graphqlwire graphqlwire.demo:schema ARGUMENTS`` on a free port: the process, its URL.

    ``GRAPHQLWIRE_METRICS_DIR`` is not passed on, so the command makes its own.
    """
    port = free_port()
    command = [
        sys.executable, "-m", "graphqlwire", "graphqlwire.demo:schema", "--port", str(port),
        "--log-level", "warning", *arguments,
    ]  # fmt: skip
    env = {key: v for key, v in os.environ.items() if key != "GRAPHQLWIRE_METRICS_DIR"}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    return process, f"http://127.0.0.1:{port}"
