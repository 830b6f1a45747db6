"""Run the real JavaScript clients in ``tests/js`` with Node (``tools/install-test-deps`` puts them there)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

JS_DIR = Path(__file__).parent / "js"


def node_executable() -> str:
    """The ``node`` binary; the suite needs it, so its absence is an error, not a skip."""
    found = shutil.which("node")
    if found is None or not (JS_DIR / "node_modules").is_dir():
        raise RuntimeError("Node and tests/js/node_modules are needed: run tools/install-test-deps")
    return found


async def run_node(script: str, *args: str, timeout: float = 20.0) -> Any:
    """Run ``tests/js/<script>`` with ``args`` and return the JSON it prints on stdout.

    A non-zero exit or output that is not JSON raises with Node's stderr in the message.
    """
    process = await asyncio.create_subprocess_exec(
        node_executable(),
        str(JS_DIR / script),
        *args,
        cwd=JS_DIR,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        raise AssertionError(f"node {script} exited {process.returncode}: {stderr.decode()}")
    return json.loads(stdout)
