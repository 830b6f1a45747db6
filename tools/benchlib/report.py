"""Medians, ratios, the printed tables, the issue's target checks, and the saved JSON.

Samples arrive as one list per (server, scenario): one dict of metrics per repetition, or an
error string. A cell with any error in any repetition gets no number: a server that drops or
breaks responses is not ranked.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from servers import CEILING, CEILINGS, REFERENCE, YOGA


@dataclass(frozen=True)
class Column:
    """One reported metric: header, scenario, metric key, and whether higher is better."""

    header: str
    scenario: str
    key: str
    higher_is_better: bool
    digits: int = 0


COLUMNS = [
    Column("hello c32 req/s", "hello-c32", "rps", True),
    Column("c32 min worker %", "hello-c32", "share_min_pct", True, 1),
    Column("APQ hello c32 req/s", "apq-hello-c32", "rps", True),
    Column("distinct heads c32", "hello-c32-distinct", "rps", True),
    Column("hello c1 p50 ms", "hello-c1", "p50_ms", False, 2),
    Column("hello c1 p99 ms", "hello-c1", "p99_ms", False, 2),
    Column("items c32 req/s", "items-c32", "rps", True),
    Column("nested c32 req/s", "nested-c32", "rps", True),
    Column("new docs c32 req/s", "distinct-c32", "rps", True),
    Column("1 sub msgs/s", "sub-one", "msgs_per_s", True),
    Column("200x200 msgs/s", "sub-fanout", "msgs_per_s", True),
    Column("pub/sub 200x200 msgs/s", "pubsub-fanout", "msgs_per_s", True),
    Column("1 SSE sub msgs/s", "sse-one", "msgs_per_s", True),
    Column("@defer 1st part ms", "defer-first", "first_ms", False, 2),
    Column("@defer last part ms", "defer-first", "last_ms", False, 2),
    Column("no @defer ms", "defer-first", "plain_ms", False, 2),
    Column("KiB/idle ws", "ws-idle", "kib_per_conn", False, 1),
    Column("idle RSS MiB", "startup", "idle_rss_mib", False, 1),
    Column("spawn ms", "startup", "spawn_ms", False),
]


HTTP_COLUMNS = (
    "hello-c32",
    "hello-c32-distinct",
    "hello-c1",
    "items-c32",
    "nested-c32",
    "distinct-c32",
)


@dataclass(frozen=True)
class Target:
    """One target of issue 7: `server`'s `column` value, as a ratio or absolute, vs a bound."""

    text: str
    server: str
    header: str
    against: str | None  # a server name for a ratio, None for an absolute value
    bound: float
    #: Divide by this column of `against` instead of the same column (SSE vs WebSocket).
    against_header: str | None = None


TARGETS = [
    Target("{ hello } c32 >= 8x reference", "graphqlwire", "hello c32 req/s", REFERENCE, 8),
    Target("{ hello } c32 >= 0.9x bare h11", "graphqlwire", "hello c32 req/s", CEILING, 0.9),
    Target("{ hello } c1 p99 <= 2 ms", "graphqlwire", "hello c1 p99 ms", None, 2),
    Target("items(n: 100) c32 >= 2x reference", "graphqlwire", "items c32 req/s", REFERENCE, 2),
    Target("one subscription >= 2x reference", "graphqlwire", "1 sub msgs/s", REFERENCE, 2),
    Target("200-socket fan-out >= 2.5x reference", "graphqlwire", "200x200 msgs/s", REFERENCE, 2.5),
    Target(
        "SSE subscription >= 0.8x WebSocket",
        "graphqlwire",
        "1 SSE sub msgs/s",
        "graphqlwire",
        0.8,
        against_header="1 sub msgs/s",
    ),
    Target(
        "2 workers { hello } c32 >= 1x 1 worker",
        "graphqlwire-workers2",
        "hello c32 req/s",
        "graphqlwire",
        1.0,
    ),
    Target(
        "each of 2 workers serves >= 40% (c32)",
        "graphqlwire-workers2",
        "c32 min worker %",
        None,
        40,
    ),
    Target(
        "pub/sub fan-out, 2 workers on Redis >= 0.5x in-process",
        "graphqlwire-pubsub-redis",
        "pub/sub 200x200 msgs/s",
        "graphqlwire-pubsub",
        0.5,
    ),
    Target(
        "{ hello } c32 with --metrics >= 0.95x without",
        "graphqlwire-metrics",
        "hello c32 req/s",
        "graphqlwire",
        0.95,
    ),
    Target("idle RSS <= 28 MiB", "graphqlwire", "idle RSS MiB", None, 28),
    Target("<= 10 KiB per idle ws connection", "graphqlwire", "KiB/idle ws", None, 10),
    Target("spawn to first answer <= 150 ms", "graphqlwire", "spawn ms", None, 150),
    Target(
        "ASGI app { hello } c32 >= 5x reference",
        "graphqlwire-asgi",
        "hello c32 req/s",
        REFERENCE,
        5,
    ),
]

Samples = dict[str, dict[str, list[dict[str, Any] | str]]]  # server -> scenario -> per rep


def summarize(samples: Samples, skipped: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Per server and column: {"median": x} or {"error": text}; skipped servers get their reason."""
    summary: dict[str, dict[str, Any]] = {}
    for server, scenarios in samples.items():
        cells: dict[str, Any] = {}
        for column in COLUMNS:
            reps = scenarios.get(column.scenario)
            if not reps:
                continue
            errors = [rep for rep in reps if isinstance(rep, str)]
            if errors:
                cells[column.header] = {"error": errors[0], "failed_reps": len(errors)}
            else:
                values = [
                    rep[column.key] for rep in reps if isinstance(rep, dict) and column.key in rep
                ]
                if not values:  # (a metric of some servers only: the worker shares)
                    continue
                cells[column.header] = {"median": statistics.median(values), "samples": values}
        summary[server] = cells
    for server, reason in skipped.items():
        summary[server] = {column.header: {"error": reason} for column in COLUMNS}
    return summary


def ratio(
    summary: dict[str, dict[str, Any]],
    server: str,
    header: str,
    against: str,
    against_header: str | None = None,
) -> float | None:
    """`server`'s median divided by `against`'s for one column (None when either is missing).

    With `against_header`, `against`'s median of that column instead.
    """
    mine = summary.get(server, {}).get(header, {}).get("median")
    theirs = summary.get(against, {}).get(against_header or header, {}).get("median")
    if mine is None or not theirs:
        return None
    return float(mine) / float(theirs)


def _cell(value: dict[str, Any] | None, digits: int) -> str:
    """A median, `n/a` (not available), `ERR` (failed) or `-` (not applicable)."""
    if not value:
        return "-"
    if "median" in value:
        return f"{value['median']:,.{digits}f}"
    return "n/a" if str(value["error"]).startswith("not available") else "ERR"


def render(
    summary: dict[str, dict[str, Any]],
    servers: list[str],
    load: tuple[tuple[float, ...], tuple[float, ...]] | None = None,
) -> str:
    """The values table, the ratio tables (to the reference, to the bare h11 ceilings, to Yoga
    when it ran), error details, the target checks, and the `load` averages before and after."""
    columns = [c for c in COLUMNS if any(c.header in summary.get(s, {}) for s in servers)]
    width = max(len(name) for name in servers) + 2
    lines = [
        "Medians (lower is better for ms, MiB, KiB; '-' not applicable):",
        _header(columns, width),
    ]
    for server in servers:
        cells = summary.get(server, {})
        lines.append(
            server.ljust(width)
            + "".join(
                _cell(cells.get(c.header), c.digits).rjust(len(c.header) + 2) for c in columns
            )
        )
    lines += ["", f"Ratios to {REFERENCE} (same run; >1 means better in every column):"]
    lines += _ratio_table(summary, [(s, REFERENCE) for s in servers], columns, width)
    pairs = [(s, bare) for s, bare in CEILINGS.items() if s in servers and bare in servers]
    http = [c for c in columns if c.scenario in HTTP_COLUMNS]
    if pairs and http:
        lines += ["", "Ratios to the bare h11 ceiling on the same event loop (>1 means better):"]
        lines += _ratio_table(summary, pairs, http, width + 20)
    yoga_pairs = [(s, YOGA) for s in servers if s.startswith("graphqlwire") and YOGA in servers]
    yoga_columns = [c for c in columns if c.header in summary.get(YOGA, {})]
    if yoga_pairs and yoga_columns:
        lines += ["", f"Ratios to {YOGA} (GraphQL Yoga on Node, same run; >1 means better):"]
        lines += _ratio_table(summary, yoga_pairs, yoga_columns, width + len(YOGA) + 3)
    failures = _failures(summary, servers)
    if failures:
        lines += ["", "No number (n/a: not available, ERR: failed) for:", *failures]
    lines += ["", "Issue 7 targets:"]
    lines += [f"  {check_target(summary, target)}" for target in TARGETS]
    if load is not None:
        before, after = (" ".join(f"{value:.2f}" for value in each) for each in load)
        lines += ["", f"Load average (1, 5, 15 min): before {before}, after {after}"]
    return "\n".join(lines)


def _ratio_table(
    summary: dict[str, dict[str, Any]],
    pairs: list[tuple[str, str]],
    columns: list[Column],
    width: int,
) -> list[str]:
    """Rows of `server / against` per column, inverted where lower is better."""
    lines = [_header(columns, width)]
    for server, against in pairs:
        row = []
        for column in columns:
            value = ratio(summary, server, column.header, against)
            if value and not column.higher_is_better:
                value = 1 / value
            row.append((f"{value:.2f}x" if value else "-").rjust(len(column.header) + 2))
        label = server if against == REFERENCE else f"{server} / {against}"
        lines.append(label.ljust(width) + "".join(row))
    return lines


def _failures(summary: dict[str, dict[str, Any]], servers: list[str]) -> list[str]:
    """One line per server and distinct reason, naming the columns it cost."""
    lines = []
    for server in servers:
        by_reason: dict[str, list[str]] = {}
        for header, value in summary.get(server, {}).items():
            if "error" in value:
                reason = " ".join(str(value["error"]).split())[:300]
                by_reason.setdefault(reason, []).append(header)
        for reason, headers in by_reason.items():
            where = "all" if len(headers) == len(COLUMNS) else ", ".join(headers)
            lines.append(f"  {server} [{where}]: {reason}")
    return lines


def _header(columns: list[Column], width: int) -> str:
    """The header line of a table."""
    return "server".ljust(width) + "".join(c.header.rjust(len(c.header) + 2) for c in columns)


def check_target(summary: dict[str, dict[str, Any]], target: Target) -> str:
    """One line: PASS/FAIL/---- with the measured figure."""
    column = next(c for c in COLUMNS if c.header == target.header)
    if target.against is None:
        value = summary.get(target.server, {}).get(target.header, {}).get("median")
        figure = f"{value:.{max(column.digits, 1)}f}" if value is not None else None
    else:
        value = ratio(summary, target.server, target.header, target.against, target.against_header)
        figure = f"{value:.2f}x" if value is not None else None
    if value is None:
        return f"----  {target.text}  (not measured)"
    passed = value >= target.bound if column.higher_is_better else value <= target.bound
    return f"{'PASS' if passed else 'FAIL'}  {target.text}  ({target.server}: {figure})"


def compare(before_path: Path, after_path: Path) -> str:
    """A table of after/before medians for every server and column both result files have.

    For before/after notes on an optimisation: >1 means `after` is better, whatever the column.
    Ratios across separate runs carry the machine's run-to-run noise; the reference row shows it.
    """
    before, after = (json.loads(path.read_text())["summary"] for path in (before_path, after_path))
    servers = [server for server in after if server in before]
    columns = [
        c for c in COLUMNS if any(_median(before, s, c) and _median(after, s, c) for s in servers)
    ]
    width = max((len(server) for server in servers), default=6) + 2
    lines = [
        f"{after_path.name} / {before_path.name} (>1 means better now):",
        _header(columns, width),
    ]
    for server in servers:
        row = []
        for column in columns:
            old, new = _median(before, server, column), _median(after, server, column)
            value = (new / old if column.higher_is_better else old / new) if old and new else None
            row.append((f"{value:.2f}x" if value else "-").rjust(len(column.header) + 2))
        lines.append(server.ljust(width) + "".join(row))
    return "\n".join(lines)


def _median(summary: dict[str, dict[str, Any]], server: str, column: Column) -> float | None:
    """The median of one cell, or None when it has none."""
    value = summary.get(server, {}).get(column.header, {}).get("median")
    return float(value) if value is not None else None


def save(
    path: Path, meta: dict[str, Any], samples: Samples, summary: dict[str, dict[str, Any]]
) -> None:
    """Write everything (settings, versions, raw samples, medians, ratios, targets) as JSON."""
    ratios = {
        server: {c.header: ratio(summary, server, c.header, REFERENCE) for c in COLUMNS}
        for server in summary
    }
    targets = {target.text: check_target(summary, target) for target in TARGETS}
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "meta": meta,
        "samples": samples,
        "summary": summary,
        f"ratios_to_{REFERENCE}": ratios,
        "targets": targets,
    }
    if YOGA in summary:
        document[f"ratios_to_{YOGA}"] = {
            server: {c.header: ratio(summary, server, c.header, YOGA) for c in COLUMNS}
            for server in summary
            if server.startswith("graphqlwire")
        }
    path.write_text(json.dumps(document, indent=2, sort_keys=True, default=str) + "\n")
