"""``--reload`` for development: run the server in a child process and restart it whenever a
Python file under the watched folder changes.

The supervising parent never imports the app: it polls the modification times of the
``*.py`` files (the standard library is enough, and a save in any editor changes them),
starts ``python -m graphqlwire`` again with the same arguments, and keeps watching when the
child fails (a syntax error in the file just saved is printed by the child, and the next save
restarts it). Folders that are hidden, ``__pycache__``, ``node_modules`` or a virtualenv are
not watched.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import FrameType

__all__ = ["CHILD_MARKER", "Reloader", "python_files"]

#: Set in the child's environment: the child serves instead of supervising.
CHILD_MARKER = "GRAPHQLWIRE_RELOADER_CHILD"
_SKIPPED = frozenset({"__pycache__", "node_modules", "site-packages"})


def python_files(folder: Path) -> Iterator[Path]:
    """Every ``*.py`` file under `folder`, skipping folders no app's code lives in."""
    for root, folders, files in os.walk(folder):
        folders[:] = [
            name
            for name in folders
            if not name.startswith(".")
            and name not in _SKIPPED
            and not (Path(root, name) / "pyvenv.cfg").exists()
        ]
        for name in files:
            if name.endswith(".py"):
                yield Path(root, name)


def _snapshot(folder: Path) -> dict[Path, int]:
    """Modification time of each Python file (a vanished file just drops out)."""
    times = {}
    for path in python_files(folder):
        try:
            times[path] = path.stat().st_mtime_ns
        except OSError:
            continue
    return times


def _changed(before: dict[Path, int], after: dict[Path, int]) -> Path | None:
    """One file that was added, removed or modified between two snapshots, or None."""
    for path in before.keys() | after.keys():
        if before.get(path) != after.get(path):
            return path
    return None


class Reloader:
    """Supervise ``python -m graphqlwire <arguments>``, restarting it on changes.

    # Required arguments

    `arguments`: the command line for the child (without ``python -m graphqlwire``).

    `folder`: the folder whose Python files are watched.

    # Optional arguments

    `interval`: seconds between two polls of the files.

    `stop_timeout`: seconds the child gets to shut down gracefully before it is killed.
    """

    def __init__(
        self,
        arguments: Sequence[str],
        folder: str | Path,
        *,
        interval: float = 0.3,
        stop_timeout: float = 5.0,
    ) -> None:
        self.arguments = list(arguments)
        self.folder = Path(folder).resolve()
        self.interval = interval
        self.stop_timeout = stop_timeout
        self._stopping = threading.Event()
        self._child: subprocess.Popen[bytes] | None = None

    def run(self) -> int:
        """Watch and restart until SIGINT or SIGTERM; return the exit status (0)."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        _say(f"watching {self.folder} for changes to Python files")
        try:
            self._supervise()
        finally:
            self._stop_child()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return 0

    def _supervise(self) -> None:
        files = _snapshot(self.folder)
        self._start_child()
        reported = False
        while not self._stopping.wait(self.interval):
            child = self._child
            if child is not None and not reported and child.poll() is not None:
                _say(
                    f"the server stopped (exit status {child.returncode}); "
                    "it restarts when a Python file changes"
                )
                reported = True
            current = _snapshot(self.folder)
            changed = _changed(files, current)
            if changed is None:
                continue
            files = current
            _say(f"{_relative(changed, self.folder)} changed: restarting")
            self._stop_child()
            self._start_child()
            reported = False

    def _start_child(self) -> None:
        env = {**os.environ, CHILD_MARKER: "1"}
        command = [sys.executable, "-m", "graphqlwire", *self.arguments]
        # A session of its own: a Ctrl-C in the terminal reaches the parent only, which then
        # stops the child once (a second signal would force the child to exit at once).
        self._child = subprocess.Popen(command, env=env, start_new_session=True)

    def _stop_child(self) -> None:
        child, self._child = self._child, None
        if child is None or child.poll() is not None:
            return
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(self.stop_timeout)
        except subprocess.TimeoutExpired:
            _say(f"the server did not stop within {self.stop_timeout:g} s: killing it")
            child.kill()
            child.wait()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stopping.set()


def _relative(path: Path, folder: Path) -> str:
    try:
        return str(path.relative_to(folder))
    except ValueError:
        return str(path)


def _say(message: str) -> None:
    print(f"graphqlwire --reload: {message}", file=sys.stderr, flush=True)
