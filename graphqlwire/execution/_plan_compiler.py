"""A plain selection plan compiled into one Python function.

A plan whose fields all complete without graphql-core (``_tree_plans.ObjectPlan.plain``)
completes a ``dict`` field after field, calling each field's completer. Compiled, the same
work is one function: each value read with ``dict.get``, the common case of a built-in
scalar (a value that completes to itself) tested inline, the completer called only for
the rest, and the object built as one dict display. The results are those of the
completers, so the compiled function gives ``SLOW`` exactly when they would.

The source holds nothing but ``repr`` of names (GraphQL names, which are plain
identifiers), generated names and the tests of ``_plain_values``; the completers and
constants are passed in the function's namespace.
"""

from __future__ import annotations

from math import isfinite
from typing import Any, NamedTuple

from ._plain_values import SLOW, Completer


class PlainField(NamedTuple):
    """One field of a plain plan: its response name and how its value is made.

    ``constant`` (for ``__typename``) is the value when ``complete`` is None; otherwise the
    field's value is read at ``field_name`` and completed by ``complete``, with ``itself``
    the inline test for a value that completes to itself (or None: always call it).
    """

    response_name: str
    field_name: str
    complete: Completer | None
    itself: str | None
    constant: Any = None


def compile_plain(fields: list[PlainField]) -> Completer:
    """One function completing a ``dict`` as the fields' completers do, or ``SLOW``."""
    namespace: dict[str, Any] = {"SLOW": SLOW, "isfinite": isfinite}
    lines = [
        "def complete_plain(source):",
        "    if type(source) is not dict:",
        "        return SLOW",
        "    get = source.get",
    ]
    for number, field in enumerate(fields):
        value, complete = f"v{number}", f"c{number}"
        if field.complete is None:
            namespace[value] = field.constant  # (read from the namespace: any value)
            continue
        namespace[complete] = field.complete
        read = f"get({field.field_name!r})"
        if field.itself is None:
            lines.append(f"    {value} = {complete}({read})")
            indent = "    "
        else:
            lines.append(f"    {value} = {read}")
            lines.append(f"    if not ({field.itself.format(v=value)}):")
            lines.append(f"        {value} = {complete}({value})")
            indent = "        "
        lines.append(f"{indent}if {value} is SLOW:")
        lines.append(f"{indent}    return SLOW")
    body = ", ".join(f"{field.response_name!r}: v{n}" for n, field in enumerate(fields))
    lines.append(f"    return {{{body}}}")
    exec("\n".join(lines), namespace)  # (see the module docstring)
    return namespace["complete_plain"]  # type: ignore[no-any-return]
