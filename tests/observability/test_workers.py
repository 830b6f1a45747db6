"""Metrics across processes: one scrape sums every worker's counters."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graphqlwire.observability import Metrics
from graphqlwire.observability.exposition import render

from .helpers import ROOT, parse, requests, start_cli, stop, value

WORKER = """
import sys
from graphqlwire.observability import Metrics
metrics = Metrics(directory=sys.argv[1])
for _ in range(3):
    metrics.count_request("http", "query", "success")
metrics.connection_changed("websocket", 1)
metrics.flush()
"""


def test_a_scrape_sums_the_workers_and_drops_gauges_of_exited_ones(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-c", WORKER, str(tmp_path)], env=env, check=True, timeout=30)
    metrics = Metrics(directory=str(tmp_path))
    metrics.count_request("http", "query", "success")
    metrics.count_request("http", "query", "success")
    metrics.connection_changed("websocket", 1)
    samples = parse(render(metrics.collect()))
    assert requests(samples, "http", "query", "success") == 5  # 3 (exited) + 2 (this one)
    # the exited worker's open connection is gone with it; this one's still counts
    assert value(samples, "graphqlwire_open_connections", transport="websocket") == 1
    assert len(list(tmp_path.glob("worker-*.json"))) == 2


def test_an_unwritable_directory_is_logged_not_fatal(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics(directory=str(tmp_path / "gone"))
    metrics.count_request("http", "query", "success")  # (no loop: written at once, and fails)
    assert "cannot write metrics" in caplog.text
    assert requests(parse(render(metrics.samples())), "http", "query", "success") == 1
    assert metrics.collect() == []  # nothing readable: an empty scrape, not an error


async def test_cli_workers_share_one_scrape() -> None:
    process, url = start_cli("--workers", "2", "--metrics")
    sent = 40
    try:
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=20)) as client:
            await _until_up(client, url)

            async def one() -> None:
                response = await client.post(url, json={"query": "{ hello }"})
                assert response.status_code == 200

            await asyncio.gather(*(one() for _ in range(sent)))
            deadline = time.monotonic() + 5
            while True:
                samples = parse((await client.get(url + "/metrics")).text)
                counted = requests(samples, "http", "query", "success")
                if counted == sent or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.1)
            assert counted == sent
    finally:
        stop(process)


async def _until_up(client: httpx.AsyncClient, url: str) -> None:
    deadline = time.monotonic() + 15
    while True:
        try:
            if (await client.get(url + "/health")).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("the server did not start")
        await asyncio.sleep(0.05)
