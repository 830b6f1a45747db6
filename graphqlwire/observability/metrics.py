"""`Metrics`: the counters, gauges and histogram of one process, cheap to update.

Updates are plain dict and list arithmetic on the event loop's thread (no locks, no label
objects): one request costs a few hundred nanoseconds. `samples()` turns the current values
into flat `Sample`s that `exposition` renders as Prometheus text.

Across processes (``--workers``) every worker writes its samples, at most once a second
while they change, to its own file in the directory named by ``GRAPHQLWIRE_METRICS_DIR``
(the CLI creates one and sets it before forking); a scrape, whichever worker answers it,
adds up every worker's file (`aggregate`). Counters of workers that exited stay in the sum,
so totals never go down; gauges (open connections) only count workers that are alive.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

__all__ = [
    "DEFAULT_BUCKETS",
    "FAMILIES",
    "FLUSH_INTERVAL",
    "METRICS_DIR_ENV",
    "Metrics",
    "Sample",
    "aggregate",
    "shared_directory",
]

logger = logging.getLogger("graphqlwire.metrics")

#: The environment variable naming the directory workers share their samples through.
METRICS_DIR_ENV = "GRAPHQLWIRE_METRICS_DIR"
#: Seconds a worker waits before writing changed samples to its file.
FLUSH_INTERVAL = 1.0
#: Upper bounds (seconds) of the request duration histogram's buckets.
DEFAULT_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: name -> (type, help) of every metric family, in exposition order.
FAMILIES: dict[str, tuple[str, str]] = {
    "graphqlwire_requests_total": (
        "counter",
        "GraphQL operations by transport, operation type and outcome "
        "(success, error, refused); a batch counts each of its operations.",
    ),
    "graphqlwire_request_duration_seconds": (
        "histogram",
        "Duration of HTTP requests (SSE: of the whole stream), by transport.",
    ),
    "graphqlwire_open_connections": ("gauge", "Open WebSocket connections and SSE streams."),
    "graphqlwire_active_subscriptions": ("gauge", "Subscriptions streaming now, by transport."),
    "graphqlwire_refused_operations_total": (
        "counter",
        "Operations refused for crossing an operation limit, by limit.",
    ),
    "graphqlwire_pubsub_messages_total": (
        "counter",
        "Pub/sub messages published, delivered to subscribers, and dropped (full buffers).",
    ),
    "graphqlwire_pubsub_errors_total": (
        "counter",
        "Pub/sub failures: failed publishes, undecodable messages, lost connections.",
    ),
    "graphqlwire_pubsub_connected": (
        "gauge",
        "Processes whose pub/sub backend is reachable now (1 per worker).",
    ),
}
_GAUGES = frozenset(name for name, (kind, _) in FAMILIES.items() if kind == "gauge")

Labels = tuple[tuple[str, str], ...]


class Sample(NamedTuple):
    """One value: its family, the sample's name (``_bucket``, ``_sum``: histograms), labels."""

    family: str
    name: str
    labels: Labels
    value: float


class _Histogram:
    """Bucket counts (not yet cumulative), their sum and the count of one label set."""

    __slots__ = ("counts", "total")

    def __init__(self, size: int) -> None:
        self.counts = [0] * (size + 1)  # the last one is +Inf
        self.total = 0.0


class Metrics:
    """The metrics of one process (and, with `directory`, the sum over every worker).

    # Optional arguments

    `directory`: where workers share their samples; by default ``GRAPHQLWIRE_METRICS_DIR``,
    or None (this process only).

    `buckets`: the duration histogram's bucket bounds in seconds.

    `pubsub`: returns the pub/sub backend whose counters to show, or None for none.
    """

    def __init__(
        self,
        *,
        directory: str | None = None,
        buckets: Iterable[float] = DEFAULT_BUCKETS,
        pubsub: Callable[[], Any] | None = None,
    ) -> None:
        self.directory = directory if directory is not None else os.environ.get(METRICS_DIR_ENV)
        self.buckets = tuple(sorted(buckets))
        self.pubsub = pubsub
        self.requests: dict[tuple[str, str, str], int] = {}
        self.refused: dict[str, int] = {}
        self.durations: dict[str, _Histogram] = {}
        self.connections: dict[str, int] = {"websocket": 0, "sse": 0}
        self.subscriptions: dict[str, int] = {"websocket": 0, "sse": 0}
        self._flush_pending = False

    # --- updates (hot) ----------------------------------------------------------------------
    def count_request(self, transport: str, operation_type: str, outcome: str) -> None:
        """Count one operation."""
        key = (transport, operation_type, outcome)
        requests = self.requests
        requests[key] = requests.get(key, 0) + 1
        if self.directory is not None and not self._flush_pending:
            self._schedule_flush()

    def count_refused(self, limit: str) -> None:
        """Count one operation refused for crossing `limit`."""
        self.refused[limit] = self.refused.get(limit, 0) + 1

    def observe_duration(self, transport: str, seconds: float) -> None:
        """Record how long one HTTP request took."""
        histogram = self.durations.get(transport)
        if histogram is None:
            histogram = self.durations[transport] = _Histogram(len(self.buckets))
        histogram.counts[bisect_left(self.buckets, seconds)] += 1
        histogram.total += seconds
        if self.directory is not None and not self._flush_pending:
            self._schedule_flush()

    def connection_changed(self, transport: str, delta: int) -> None:
        """A WebSocket connection or SSE stream opened (+1) or closed (-1)."""
        self.connections[transport] = self.connections.get(transport, 0) + delta
        if self.directory is not None and not self._flush_pending:
            self._schedule_flush()

    def subscription_changed(self, transport: str, delta: int) -> None:
        """A subscription started streaming (+1) or ended (-1)."""
        self.subscriptions[transport] = self.subscriptions.get(transport, 0) + delta
        if self.directory is not None and not self._flush_pending:
            self._schedule_flush()

    # --- reading ----------------------------------------------------------------------------
    def samples(self) -> list[Sample]:
        """This process's current values."""
        out = [
            Sample(
                "graphqlwire_requests_total",
                "graphqlwire_requests_total",
                (("transport", t), ("operation_type", o), ("outcome", r)),
                n,
            )
            for (t, o, r), n in self.requests.items()
        ]
        out.extend(self._duration_samples())
        for family, values, label in (
            ("graphqlwire_open_connections", self.connections, "transport"),
            ("graphqlwire_active_subscriptions", self.subscriptions, "transport"),
            ("graphqlwire_refused_operations_total", self.refused, "limit"),
        ):
            out.extend(Sample(family, family, ((label, k),), v) for k, v in values.items())
        out.extend(self._pubsub_samples())
        return out

    def _duration_samples(self) -> list[Sample]:
        family = "graphqlwire_request_duration_seconds"
        out = []
        bounds = [*map(_number, self.buckets), "+Inf"]
        for transport, histogram in self.durations.items():
            cumulative = 0
            for bound, count in zip(bounds, histogram.counts, strict=True):
                cumulative += count
                bucket: Labels = (("transport", transport), ("le", bound))
                out.append(Sample(family, family + "_bucket", bucket, cumulative))
            labels: Labels = (("transport", transport),)
            out.append(Sample(family, family + "_sum", labels, histogram.total))
            out.append(Sample(family, family + "_count", labels, cumulative))
        return out

    def _pubsub_samples(self) -> list[Sample]:
        pubsub = self.pubsub() if self.pubsub is not None else None
        if pubsub is None:
            return []
        stats = pubsub.stats
        messages = "graphqlwire_pubsub_messages_total"
        return [
            *(
                Sample(messages, messages, (("event", event),), getattr(stats, event))
                for event in ("published", "delivered", "dropped")
            ),
            Sample(
                "graphqlwire_pubsub_errors_total",
                "graphqlwire_pubsub_errors_total",
                (),
                stats.errors,
            ),
            Sample(
                "graphqlwire_pubsub_connected",
                "graphqlwire_pubsub_connected",
                (),
                1 if pubsub.connected else 0,
            ),
        ]

    def collect(self) -> list[Sample]:
        """What a scrape shows: this process's values, plus the other workers' with a
        shared directory."""
        if self.directory is None:
            return self.samples()
        self.flush()
        return aggregate(self.directory)

    # --- sharing between workers --------------------------------------------------------------
    def _schedule_flush(self) -> None:
        self._flush_pending = True
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # (updated outside an event loop: write now)
            self.flush()
            return
        loop.call_later(FLUSH_INTERVAL, self.flush)

    def flush(self) -> None:
        """Write this process's samples to its file in the shared directory (atomically)."""
        self._flush_pending = False
        if self.directory is None:
            return
        pid = os.getpid()
        path = os.path.join(self.directory, f"worker-{pid}.json")
        data = {"pid": pid, "samples": [list(sample) for sample in self.samples()]}
        temporary = f"{path}.{pid}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as file:
                json.dump(data, file, separators=(",", ":"))
            os.replace(temporary, path)
        except OSError as error:  # (the directory was removed, a full disk: keep serving)
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            logger.warning("cannot write metrics to %s: %s", path, error)


def aggregate(directory: str) -> list[Sample]:
    """The sum of every worker's samples in `directory`; gauges of live workers only.

    A file that cannot be read or decoded (a worker writing it right now cannot cause that:
    files are replaced atomically) is skipped.
    """
    totals: dict[tuple[str, str, Labels], float] = {}
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    for name in names:
        if not (name.startswith("worker-") and name.endswith(".json")):
            continue
        try:
            with open(os.path.join(directory, name), encoding="utf-8") as file:
                data = json.load(file)
            alive = _alive(int(data["pid"]))
            rows = data["samples"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for family, sample_name, labels, value in rows:
            if family in _GAUGES and not alive:
                continue
            key = (family, sample_name, tuple((str(k), str(v)) for k, v in labels))
            totals[key] = totals.get(key, 0) + value
    return [Sample(family, name, labels, value) for (family, name, labels), value in totals.items()]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _number(value: float) -> str:
    """A bucket bound as Prometheus clients write it (``0.005``, ``1.0``)."""
    return repr(float(value))


@contextlib.contextmanager
def shared_directory(enabled: bool = True) -> Iterator[str | None]:
    """A fresh directory for the workers' samples, named by ``GRAPHQLWIRE_METRICS_DIR``.

    The supervisor enters it before starting workers (they inherit the variable) and
    removes the directory when it is done. A variable already set (the operator's own
    directory) is used as is and left alone; so is everything when `enabled` is False.
    """
    given = os.environ.get(METRICS_DIR_ENV)
    if not enabled or given:
        yield given
        return
    import shutil  # (only a supervisor with --metrics gets here: keep them out of start-up)
    import tempfile

    directory = tempfile.mkdtemp(prefix="graphqlwire-metrics-")
    owner = os.getpid()
    os.environ[METRICS_DIR_ENV] = directory
    try:
        yield directory
    finally:
        if os.getpid() == owner:  # (not in a forked worker leaving through here)
            os.environ.pop(METRICS_DIR_ENV, None)
            shutil.rmtree(directory, ignore_errors=True)
