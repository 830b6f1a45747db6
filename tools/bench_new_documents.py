"""Cost of a document the cache has never seen: ``{ hN: hello }`` with a new alias each time.

Run under callgrind, whose instruction counts do not depend on what else the machine does;
the difference between two request counts is the cost of the extra requests::

    for n in 100 300; do
        valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.$n \\
            .venv/bin/python tools/bench_new_documents.py pruned $n 2>&1 | grep Collected
    done

``full`` validates with every specified rule (as before `execution/_rule_selection`),
``pruned`` with only the rules that can fire. Without valgrind it prints microseconds per
request, which on a busy machine say less.
"""

from __future__ import annotations

import itertools
import sys
import time

import graphqlwire.execution._limits as limits
from graphqlwire import graphql_sync
from graphqlwire.demo import schema


def main() -> None:
    mode, count = sys.argv[1], int(sys.argv[2])
    if mode == "full":
        limits.rules_that_can_fire = lambda document, rules: rules
    elif mode != "pruned":
        raise SystemExit("usage: bench_new_documents.py full|pruned REQUESTS")
    aliases = itertools.count()

    def run(requests: int) -> None:
        for _ in range(requests):
            graphql_sync(schema, {"query": f"{{ h{next(aliases)}: hello }}"})

    run(50)  # (imports, first-call set-up)
    start = time.perf_counter()
    run(count)
    print(f"{mode}: {(time.perf_counter() - start) / count * 1e6:.1f} us per request")


if __name__ == "__main__":
    main()
