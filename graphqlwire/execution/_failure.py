"""How a request that fails before execution says so: its stage and its errors.

A module of its own, below every other execution module, so that any of them can refuse a
request without importing the result machinery.
"""

from __future__ import annotations

from typing import Literal

from graphql import GraphQLError

__all__ = ["RequestFailure", "Stage"]

Stage = Literal[
    "request",
    "persisted",
    "trusted",
    "parse",
    "limit",
    "validation",
    "operation",
    "incremental",
    "execution",
]


class RequestFailure(Exception):
    """Internal: the request failed at ``stage`` before execution with ``errors``."""

    def __init__(self, stage: Stage, errors: list[GraphQLError]) -> None:
        super().__init__(stage)
        self.stage: Stage = stage
        self.errors = errors
