"""The ``graphqlwire`` command line: argument parsing, app loading, a real subprocess."""

from __future__ import annotations

import asyncio
import gc
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from graphqlwire.__main__ import build_parser, config_from, load_app, main, resolve_app

APP_MODULE = """
import asyncio
import gc
import sys

async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                print("lifespan shutdown", file=sys.stderr, flush=True)
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["path"] == "/gc":  # the collector is back on, the start-up objects frozen
        body = b"%s %s" % (str(gc.isenabled()).encode(), str(gc.get_freeze_count() > 0).encode())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})
        return
    if scope["path"] == "/startup":  # the event loop, and what the start-up left unimported
        loop = type(asyncio.get_running_loop()).__module__
        skipped = [name for name in ("shutil", "encodings.idna") if name not in sys.modules]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": " ".join([loop, *skipped]).encode()})
        return
    if scope["path"] == "/hang":
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"...", "more_body": True})
        while (await receive())["type"] != "http.disconnect":
            pass
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"from the cli"})

not_an_app = 42
"""

SCHEMA_MODULE = """
from graphql import build_schema

schema = build_schema("type Query { hello: String }")
schema.query_type.fields["hello"].resolve = lambda *_: "world"
"""


@pytest.fixture
def app_dir(tmp_path: Path) -> Path:
    (tmp_path / "cli_app.py").write_text(APP_MODULE)
    (tmp_path / "cli_schema.py").write_text(SCHEMA_MODULE)
    return tmp_path


def test_defaults_and_limit_flags() -> None:
    args = build_parser().parse_args(
        [
            "m:app",
            "--port",
            "0",
            "--max-body-size",
            "10",
            "--keep-alive-timeout",
            "1.5",
            "--ws-ping-interval",
            "0",
            "--root-path",
            "/api",
            "--proxy-headers",
            "--forwarded-allow-ips",
            "*",
            "--access-log",
            "--log-level",
            "warning",
            "--lifespan",
            "off",
            "--request-head-timeout",
            "2",
            "--max-connections",
            "7",
        ]
    )
    config = config_from(args)
    assert (config.port, config.max_body_size, config.keep_alive_timeout) == (0, 10, 1.5)
    assert (config.ws_ping_interval, config.root_path, config.proxy_headers) == (0, "/api", True)
    assert config.trusted_networks is None
    assert (config.access_log, config.log_level, config.lifespan) == (True, "warning", "off")
    assert (config.request_head_timeout, config.max_connections) == (2, 7)
    defaults = config_from(build_parser().parse_args(["m:app"]))
    assert (defaults.host, defaults.port, defaults.access_log) == ("127.0.0.1", 8000, False)
    assert defaults.loop == "asyncio"  # (as fast as uvloop here, in 2.3 MiB less)


def test_every_limit_has_a_flag() -> None:
    help_text = build_parser().format_help()
    for name in (
        "max-header-size",
        "max-body-size",
        "max-url-length",
        "max-connections",
        "keep-alive-timeout",
        "request-head-timeout",
        "request-body-timeout",
        "ws-max-message-size",
        "ws-ping-interval",
        "ws-ping-timeout",
        "shutdown-timeout",
        "uds",
        "ssl-certfile",
        "ssl-keyfile",
        "app-dir",
    ):
        assert f"--{name}" in help_text


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["nocolon"], "module:attribute"),
        (["no_such_module_xyz:app"], "cannot import"),
        (["no_such_package_xyz.sub.module:app"], "cannot import"),
        (["cli_app:missing"], "no attribute"),
        (["cli_app:not_an_app"], "neither"),
        (["cli_app:app", "--debug"], "--debug only apply"),
        (["cli_app:app", "--explorer", "nope"], "invalid choice"),
        ([], "the following arguments are required: APP"),
        (["cli_app:app", "--port", "eighty"], "argument --port: invalid int value: 'eighty'"),
        (["cli_app:app", "--nope"], "unrecognized arguments: --nope"),
        (["cli_app:app", "--explorer-assets", "/npm"], "--explorer-assets only apply"),
        (["cli_schema:schema", "--explorer-assets", "ftp://x/"], "assets_url must be an http"),
        (
            ["cli_schema:schema", "--explorer", "none", "--explorer-assets", "/npm"],
            "--explorer-assets has no use with --explorer none",
        ),
    ],
)
def test_bad_arguments_exit_2(
    app_dir: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*argv, "--app-dir", str(app_dir)])
    assert info.value.code == 2
    # One line: what is wrong and where to read more (not the 60-line usage).
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("graphqlwire: error: ")
    assert message in line
    assert line.endswith(" (see graphqlwire --help)")
    assert gc.isenabled()  # main() turns the collector off while starting, and back on


def test_version_needs_no_app(capsys: pytest.CaptureFixture[str]) -> None:
    from graphqlwire import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"graphqlwire {__version__}\n"


def test_every_option_has_help_and_its_default() -> None:
    parser = build_parser()
    for action in parser._actions:
        if not action.option_strings or action.help == "show this help message and exit":
            continue
        assert action.help, f"{action.option_strings[0]} has no help line"
        if action.nargs != 0:  # an option taking a value (flags are off by default)
            assert "default" in action.help, f"{action.option_strings[0]} hides its default"


def test_explorer_assets_flag(app_dir: Path) -> None:
    from graphqlwire.explorers import ExplorerGraphiQL, ExplorerPlayground

    for extra, explorer_class in (
        ([], ExplorerGraphiQL),
        (["--explorer", "playground"], ExplorerPlayground),
    ):
        args = build_parser().parse_args(
            ["cli_schema:schema", "--app-dir", str(app_dir), "--explorer-assets", "/npm", *extra]
        )
        explorer = resolve_app(args).http_handler.explorer
        assert isinstance(explorer, explorer_class)
        page = explorer.html(SimpleNamespace(scope={"type": "http", "path": "/"}))
        assert 'src="/npm/' in page


def test_load_app_missing_parent_package(app_dir: Path) -> None:
    with pytest.raises(ValueError, match=r"cannot import module 'no_such_package_xyz\.sub'"):
        load_app("no_such_package_xyz.sub:app", str(app_dir))
    # A module that exists but fails on an import of its own keeps its traceback.
    (app_dir / "cli_broken.py").write_text("import no_such_dependency_xyz\n")
    with pytest.raises(ImportError) as info:
        load_app("cli_broken:app", str(app_dir))
    assert info.value.name == "no_such_dependency_xyz"
    # ... also when the missing module's name starts like APP's (no false match).
    (app_dir / "cli_pkg").mkdir()
    (app_dir / "cli_pkg" / "__init__.py").write_text("import cli_pk\n")
    with pytest.raises(ImportError):
        load_app("cli_pkg.sub:app", str(app_dir))


def test_load_app_dotted_attribute(app_dir: Path) -> None:
    assert load_app("cli_app:app.__name__", str(app_dir)) == "app"


def test_schema_is_wrapped_in_the_graphql_app(app_dir: Path) -> None:
    from graphqlwire.asgi import GraphQL
    from graphqlwire.asgi.handlers import GraphQLWSHandler

    args = build_parser().parse_args(
        [
            "cli_schema:schema",
            "--app-dir",
            str(app_dir),
            "--ws-protocol",
            "graphql-ws",
            "--explorer",
            "none",
            "--debug",
        ]
    )
    app = resolve_app(args)
    assert isinstance(app, GraphQL)
    assert isinstance(app.websocket_handler, GraphQLWSHandler)


async def test_schema_served_end_to_end(app_dir: Path) -> None:
    from graphqlwire.server import Server

    args = build_parser().parse_args(["cli_schema:schema", "--app-dir", str(app_dir)])
    async with (
        Server(resolve_app(args), port=0, log_level=None) as server,
        httpx.AsyncClient() as client,
    ):
        response = await client.post(server.url + "/", json={"query": "{ hello }"})
    assert response.json() == {"data": {"hello": "world"}}


ADDRESS = re.compile(r"listening on (http://\S+)")


def start_cli(app_dir: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graphqlwire",
            "cli_app:app",
            "--app-dir",
            str(app_dir),
            "--port",
            "0",
            *extra,
        ],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    stderr = process.stderr
    assert stderr is not None
    # A blocking readline() would ignore any deadline: a thread reads, the test waits on a
    # queue with a timeout. The thread stops at the address line (or at end of file, once
    # the process is gone), leaving the rest of stderr to communicate().
    lines: queue.Queue[str] = queue.Queue()

    def read_until_address() -> None:
        for line in iter(stderr.readline, ""):
            lines.put(line)
            if ADDRESS.search(line):
                return
        lines.put("")

    threading.Thread(target=read_until_address, daemon=True).start()
    deadline = time.monotonic() + 10
    while (remaining := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=remaining)
        except queue.Empty:
            break
        match = ADDRESS.search(line)
        if match:
            return process, match.group(1)
        if not line:  # the process ended without listening
            break
    process.kill()
    process.communicate()
    raise AssertionError("the server did not report its address")


async def test_python_m_graphqlwire(app_dir: Path) -> None:
    process, url = start_cli(app_dir)
    try:
        async with httpx.AsyncClient() as client:
            response = await client.get(url + "/")
            gc_state = await client.get(url + "/gc")
            startup = await client.get(url + "/startup")
        assert response.text == "from the cli"
        assert gc_state.text == "True True"
        # asyncio's loop by default; argparse's terminal sizing (shutil, which loads bz2 and
        # lzma) and the IDNA codec for the numeric host (unicodedata) were never imported.
        assert startup.text == "asyncio.unix_events shutil encodings.idna"
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
        assert process.returncode == 0
        assert "lifespan shutdown" in err
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def test_the_command_line_module_imports_no_graphql_core() -> None:
    # main() switches the collector off before importing the server, graphql-core and the
    # app; whatever `import graphqlwire.__main__` already imported was imported with it on.
    probe = (
        "import sys, graphqlwire.__main__; "
        "print(sorted(m for m in sys.modules if m.startswith(('graphql', 'asyncio'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    )
    assert result.stdout.split("\n")[0] == str(
        sorted(
            [
                "graphqlwire",
                "graphqlwire.__main__",
                "graphqlwire._lazy",
                "graphqlwire.server",
                "graphqlwire.server.cliargs",
                "graphqlwire.server.config",
                "graphqlwire.server.loader",
            ]
        )
    )


def test_unknown_names_of_lazy_packages() -> None:
    import graphqlwire.server

    for package in (graphqlwire, graphqlwire.server):
        with pytest.raises(AttributeError, match=f"module '{package.__name__}' has no attribute"):
            package.nope  # noqa: B018
    assert graphqlwire.server.Server is graphqlwire.Server


async def test_second_signal_forces_exit(app_dir: Path) -> None:
    # (--log-level error: the address is still printed.)
    process, url = start_cli(app_dir, "--shutdown-timeout", "30", "--log-level", "error")
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", int(url.rsplit(":", 1)[1]))
        writer.write(b"GET /hang HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(reader.readuntil(b"..."), 5)
        process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
        assert process.poll() is None  # waiting for the hanging request
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=10)
        assert time.monotonic() - started < 5
        writer.close()
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


class StderrLines:
    """Every line a process writes to stderr, read by a thread, awaited with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        assert process.stderr is not None
        self._stream = process.stderr
        self._lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def close(self) -> None:
        """Once the process is gone: the reader reaches the end; close the pipe."""
        self._reader.join(timeout=5)
        self._stream.close()

    def _read(self) -> None:
        for line in iter(self._stream.readline, ""):
            self._lines.put(line)
        self._lines.put("")

    def wait_for(self, pattern: str, timeout: float = 10) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                break
            self.seen.append(line)
            match = re.search(pattern, line)
            if match:
                return match
            if not line:
                break
        raise AssertionError(f"no line matching {pattern!r} in {''.join(self.seen)!r}")


async def body_becomes(url: str, expected: str, timeout: float = 10) -> None:
    """Poll `url` until its body is `expected` (refused connections while restarting)."""
    deadline = time.monotonic() + timeout
    body = None
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            try:
                body = (await client.get(url)).text
            except httpx.TransportError:
                body = None
            if body == expected:
                return
            await asyncio.sleep(0.1)
    raise AssertionError(f"{url} still answers {body!r}, not {expected!r}")


def edit_app(app_dir: Path, source: str) -> None:
    path = app_dir / "cli_app.py"
    before = path.stat().st_mtime_ns
    path.write_text(source)
    # (A coarse file system clock could leave the time unchanged: an editor's save moves it.)
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def start_reloading(app_dir: Path) -> subprocess.Popen[str]:
    arguments = ["cli_app:app", "--app-dir", str(app_dir), "--port", "0", "--reload"]
    return subprocess.Popen(
        [sys.executable, "-m", "graphqlwire", *arguments, "--lifespan", "off"],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


async def test_reload_restarts_on_changes_and_survives_a_syntax_error(app_dir: Path) -> None:
    process = start_reloading(app_dir)
    stderr = StderrLines(process)
    try:
        url = stderr.wait_for(r"listening on (http://\S+)").group(1)
        await body_becomes(url + "/", "from the cli")

        edit_app(app_dir, APP_MODULE.replace('b"from the cli"', 'b"reloaded"'))
        stderr.wait_for(r"--reload: cli_app\.py changed: restarting")
        # The same address after the restart (the parent chose the port for --port 0).
        assert stderr.wait_for(r"listening on (http://\S+)").group(1) == url
        await body_becomes(url + "/", "reloaded")

        edit_app(app_dir, APP_MODULE + "\ndef broken(:\n")
        stderr.wait_for(r"SyntaxError")
        stderr.wait_for(r"server stopped \(exit status 1\); it restarts when a Python file")
        assert process.poll() is None  # still watching

        edit_app(app_dir, APP_MODULE.replace('b"from the cli"', 'b"fixed"'))
        await body_becomes(url + "/", "fixed")

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        # The child went with its parent: nothing listens any more.
        with pytest.raises(httpx.TransportError):
            async with httpx.AsyncClient() as client:
                await client.get(url + "/")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        stderr.close()


def test_reload_watches_python_files_of_the_app_only(tmp_path: Path) -> None:
    from graphqlwire.server.reload import python_files

    for name in ("app.py", "pkg/mod.py", "pkg/data.json", ".git/hook.py", "pkg/__pycache__/x.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "venv" / "lib").mkdir(parents=True)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("")
    (tmp_path / "venv" / "lib" / "site.py").write_text("")
    found = sorted(str(path.relative_to(tmp_path)) for path in python_files(tmp_path))
    assert found == ["app.py", "pkg/mod.py"]
