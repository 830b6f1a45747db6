"""The Prometheus text exposition format (version 0.0.4) of a list of `Sample`s.

Written by hand rather than with ``prometheus_client``: the format is a few lines per family,
and the registry behind it (`Metrics`) is cheaper to update than the client's label objects,
keeps the core free of the optional dependency, and shares values between workers through
plain files without the client's ``PROMETHEUS_MULTIPROC_DIR`` set-up before import.
"""

from __future__ import annotations

from collections.abc import Iterable

from .metrics import FAMILIES, Sample

__all__ = ["CONTENT_TYPE", "render"]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def render(samples: Iterable[Sample]) -> str:
    """Each family's ``# HELP`` and ``# TYPE`` lines, then its samples (sorted by labels).

    Families without samples (no pub/sub configured, no refusal yet) are left out.
    """
    by_family: dict[str, list[Sample]] = {name: [] for name in FAMILIES}
    for sample in samples:
        by_family.setdefault(sample.family, []).append(sample)
    lines = []
    for family, rows in by_family.items():
        if not rows:
            continue
        kind, text = FAMILIES.get(family, ("untyped", family))
        lines.append(f"# HELP {family} {_escape_help(text)}")
        lines.append(f"# TYPE {family} {kind}")
        lines.extend(_line(sample) for sample in sorted(rows, key=_order))
    return "\n".join(lines) + "\n"


def _order(sample: Sample) -> tuple[object, ...]:
    labels = [(k, v) for k, v in sample.labels if k != "le"]
    bound = next((float(v) for k, v in sample.labels if k == "le"), 0.0)
    return (labels, sample.name, bound)


def _line(sample: Sample) -> str:
    value = sample.value
    text = str(int(value)) if float(value).is_integer() else repr(float(value))
    if not sample.labels:
        return f"{sample.name} {text}"
    labels = ",".join(f'{key}="{_escape_value(value)}"' for key, value in sample.labels)
    return f"{sample.name}{{{labels}}} {text}"


def _escape_help(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def _escape_value(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
