"""Signals as bytes on a pipe, for a process that waits in ``selectors`` rather than asyncio.

The ``--workers`` supervisor runs no event loop: it selects on its workers' pipes. Python
runs a signal handler only between bytecodes, so a handler would not wake a ``select()``;
`signal.set_wakeup_fd` writes each signal's number to a pipe the loop selects on instead.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from types import FrameType, TracebackType
from typing import Any

__all__ = ["SignalPipe"]


class SignalPipe:
    """While entered, `signals` are caught and their numbers can be read from `fileno`."""

    def __init__(self, signals: Iterable[signal.Signals]) -> None:
        self.signals = tuple(signals)
        self._read, self._write = os.pipe()
        os.set_blocking(self._write, False)
        self._previous: dict[int, Any] = {}
        self._wakeup = -1

    def fileno(self) -> int:
        """The end to select on for reading."""
        return self._read

    def received(self) -> list[int]:
        """The signal numbers written since the last call (call when `fileno` is readable)."""
        return list(os.read(self._read, 512))

    def __enter__(self) -> SignalPipe:
        # (a Python-level handler is needed for the signal to reach the wake-up pipe)
        self._previous = {signum: signal.signal(signum, _ignore) for signum in self.signals}
        self._wakeup = signal.set_wakeup_fd(self._write, warn_on_full_buffer=False)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        signal.set_wakeup_fd(self._wakeup)
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def close(self) -> None:
        """Close both ends (the parent once done; a forked child at once)."""
        os.close(self._read)
        os.close(self._write)


def _ignore(signum: int, frame: FrameType | None) -> None:
    """Does nothing: the signal's number reaches the pipe all the same."""
