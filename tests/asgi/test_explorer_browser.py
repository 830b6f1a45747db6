"""GraphiQL in a real browser: Debian's headless Chromium (through playwright-core) loads the
page from graphqlwire's embedded server and its files from a local static server filled from
the npm packages in tests/js/node_modules, exactly as the README tells operators to self-host
them; then once with the asset server unreachable."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema

from graphqlwire.asgi import GraphQL
from graphqlwire.explorers import (
    Explorer,
    ExplorerApolloSandbox,
    ExplorerGraphiQL,
    ExplorerPlayground,
)
from graphqlwire.explorers.graphiql import GRAPHIQL_ASSETS
from graphqlwire.server import Config, Server
from tests.node import JS_DIR, run_node

NODE_MODULES = JS_DIR / "node_modules"
PACKAGE_DIR = re.compile(r"^((?:@[^/]+/)?[^/@]+)@([^/]+)/")


def npm_layout(target: Path, tampered: str | None = None) -> Path:
    """Fill `target` with one ``<package>@<version>`` link per package GraphiQL's page
    loads, each pointing at the package in node_modules (whose version must match); the
    file at `tampered` (an asset path) is a modified copy instead."""
    for asset in GRAPHIQL_ASSETS:
        match = PACKAGE_DIR.match(asset.path)
        assert match is not None, asset.path
        name, version = match.groups()
        package = NODE_MODULES / name
        assert json.loads((package / "package.json").read_text())["version"] == version
        folder = target / f"{name}@{version}"
        if asset.path == tampered:
            original = package / asset.path[match.end() :]
            copy = target / asset.path
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(original.read_bytes() + b"\n/* changed on the way */\n")
        elif not folder.exists():
            folder.parent.mkdir(parents=True, exist_ok=True)
            folder.symlink_to(package, target_is_directory=True)
    return target


class CorsFileHandler(SimpleHTTPRequestHandler):
    """Static files with the CORS header that ``crossorigin`` + ``integrity`` tags need."""

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def static_server(folder: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(CorsFileHandler, directory=folder))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextlib.asynccontextmanager
async def explorer_server(explorer: Explorer) -> AsyncIterator[str]:
    schema = build_schema("type Query { hello: String }")
    schema.query_type.fields["hello"].resolve = lambda *_: "world"  # type: ignore[union-attr]
    server = Server(GraphQL(schema, explorer=explorer), Config(port=0, log_level=None))
    await server.start()
    try:
        yield server.url + "/graphql"
    finally:
        await server.shutdown()


@contextlib.contextmanager
def silent_server() -> Iterator[str]:
    """A port that takes connections (the kernel completes them) but never answers, as a
    firewall that drops packets or a hung proxy looks to a browser."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/explorer"


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_graphiql_in_chromium(tmp_path: Path) -> None:
    react = "react@18.3.1/umd/react.production.min.js"
    npm_layout(tmp_path / "npm")
    npm_layout(tmp_path / "tampered", tampered=react)
    unreachable = f"http://127.0.0.1:{closed_port()}/explorer"
    with static_server(tmp_path) as static_url, silent_server() as silent:
        async with contextlib.AsyncExitStack() as stack:
            explorers = [
                ExplorerGraphiQL(default_query="{ hello }", assets_url=static_url + "npm"),
                ExplorerGraphiQL(assets_url=static_url + "tampered/"),
                ExplorerGraphiQL(assets_url=unreachable),
                ExplorerPlayground(assets_url=unreachable),
                ExplorerApolloSandbox(assets_url=unreachable),
                ExplorerGraphiQL(assets_url=silent),
            ]
            pages = [
                await stack.enter_async_context(explorer_server(explorer)) for explorer in explorers
            ]
            jobs = [{"url": pages[0], "mode": "run"}] + [
                {"url": url, "mode": "failure"} for url in pages[1:]
            ]
            shown = await run_node("explorer-browser.mjs", json.dumps(jobs), timeout=50)
            self_hosted, tampered, offline, playground, apollo, hanging = shown

    # Self-hosted files (another origin: CORS, integrity) and { hello } through the page.
    assert re.search(r'"hello":\s*"world"', self_hosted["result"]), self_hosted
    assert self_hosted["statusShown"] is False  # the loading line went once GraphiQL started
    assert self_hosted["failedRequests"] == []
    assert self_hosted["consoleErrors"] == []

    # A file that is not the npm file fails its integrity check; the page names it.
    assert tampered["message"].startswith(
        f"GraphiQL could not load {static_url}tampered/{react}: "
    ), tampered
    assert "does not match its integrity hash" in tampered["message"]

    # Unreachable assets: reported as soon as the connection is refused, with the way out.
    message = offline["message"]
    tried = re.match(r"GraphiQL could not load (\S+): ", message)
    assert tried is not None, message
    assert tried.group(1) in {f"{unreachable}/{asset.path}" for asset in GRAPHIQL_ASSETS}
    assert "--explorer-assets URL" in message
    assert "ExplorerGraphiQL(assets_url=URL)" in message
    assert offline["role"] == "alert"
    # ("could not load": the browser's error event, not the guard's 5 s timer, which says
    # "still waiting"; wall-clock bounds would make the test depend on the machine's load.)

    # The other explorers say the same about their own files.
    assert playground["message"].startswith(
        f"GraphQL Playground could not load {unreachable}/graphql-playground-react@1.7.28/"
    )
    assert "ExplorerPlayground(assets_url=URL)" in playground["message"]
    assert apollo["message"].startswith(
        f"Apollo Sandbox could not load {unreachable}/v2/embeddable-sandbox.umd.production.min.js"
    )
    assert "needs internet access" in apollo["message"]

    # Files that never arrive: said after the guard's 5 seconds, naming the first one.
    assert hanging["message"].startswith(
        f"GraphiQL is still waiting for {silent}/graphiql@3.8.3/graphiql.min.css after 5 "
        "seconds. Without internet access, serve the explorer's files yourself"
    ), hanging


@pytest.fixture(autouse=True)
def _node_modules_present() -> None:
    # The suite needs the npm packages: their absence is an error, never a skip.
    assert (NODE_MODULES / "playwright-core").is_dir(), "run tools/install-test-deps"
