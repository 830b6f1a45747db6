"""``@defer``/``@stream`` in the execution layer: routing, refusals, payloads, cancellation.

In process, through ``run_graphql`` and friends; the transports are tested over real
sockets in ``tests/asgi/test_defer_*.py``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator
from typing import Any

import pytest
from graphql import GraphQLError
from graphql.execution.incremental import IncrementalExecutor

from graphqlwire import graphql, graphql_sync, make_executable_schema, subscribe
from graphqlwire.execution import (
    ExecutionOptions,
    Executor,
    OperationLimits,
    failure_of,
    format_error,
    incremental_delivery,
    run_graphql,
    run_subscription,
    subsequent_payloads,
)
from graphqlwire.execution._cache import document_cache
from graphqlwire.execution._incremental import incremental_class

from .test_defer_schema import SDL, defer_schema, root_value

DEFER_SLOW = "{ hello ... @defer { slow } }"


async def payloads(response: dict[str, Any]) -> list[dict[str, Any]]:
    """The first payload and every later one."""
    later = subsequent_payloads(response)
    return [dict(response)] + ([payload async for payload in later] if later else [])


async def incremental(
    query: str, options: ExecutionOptions | None = None, **data: Any
) -> list[dict[str, Any]]:
    options = options or ExecutionOptions(root_value=root_value())
    _, response = await run_graphql(
        defer_schema(), {"query": query, **data}, options, incremental=True
    )
    return await payloads(response)


async def test_an_operation_without_the_directives_runs_as_on_a_schema_without_them() -> None:
    query = "{ hello person { name age friends { name } } numbers }"
    with_directives = await graphql(defer_schema(), {"query": query}, root_value=root_value())
    without = await graphql(make_executable_schema(SDL), {"query": query}, root_value=root_value())
    assert with_directives == without
    assert with_directives[1]["data"]["person"]["friends"] == [{"name": "Bob"}, {"name": "Cy"}]


class RecordingExecutor(Executor):  # type: ignore[misc]
    """Records which class executes (an incremental one, or the plain one)."""

    classes: list[type[Any]] = []

    def execute_operation(self, serially: bool | None = None) -> Any:
        RecordingExecutor.classes.append(type(self))
        return super().execute_operation(serially)


async def test_plain_operations_keep_the_plain_executor_and_deferred_ones_mix_in_graphql_core() -> (
    None
):
    RecordingExecutor.classes = []
    options = ExecutionOptions(root_value=root_value(), execution_context_class=RecordingExecutor)
    _, plain = await run_graphql(defer_schema(), {"query": "{ hello }"}, options)
    deferred = await incremental(DEFER_SLOW, options)
    assert plain == {"data": {"hello": "world"}}
    assert deferred[-1]["incremental"] == [{"data": {"slow": "slow"}, "id": "0"}]
    plain_class, deferred_class = RecordingExecutor.classes
    assert plain_class is RecordingExecutor
    assert issubclass(deferred_class, RecordingExecutor)
    assert issubclass(deferred_class, IncrementalExecutor)


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        ("{ hello ... @defer(if: false) { numbers } }", None),
        ("query($d: Boolean!) { hello ... @defer(if: $d) { numbers } }", {"d": False}),
        ("query($d: Boolean = false) { hello ... @defer(if: $d) { numbers } }", None),
        ("{ hello numbers @stream(if: false, initialCount: 1) }", None),
    ],
)
async def test_a_directive_that_is_off_gives_the_plain_result_on_any_transport(
    query: str, variables: Any
) -> None:
    data = {"query": query, "variables": variables}
    success, response = await graphql(defer_schema(), data, root_value=root_value())
    assert success
    assert "pending" not in response and subsequent_payloads(response) is None
    assert response["data"]["hello"] == "world"
    assert graphql_sync(defer_schema(), data, root_value=root_value()) == (success, response)


async def test_a_transport_that_delivers_one_result_gets_a_refusal_before_anything_runs() -> None:
    calls: list[str] = []
    schema = make_executable_schema(
        "type Query { a: String } type Mutation { act: Thing } type Thing { b: String }",
        {"Mutation": {"act": lambda *_: calls.append("act") or {"b": "x"}}},
        defer_stream=True,
    )
    success, response = await graphql(schema, {"query": "mutation { act { ... @defer { b } } }"})
    assert not success and calls == []
    assert failure_of(response) == "incremental"
    assert "data" not in response
    [error] = response["errors"]
    assert error["message"].startswith("The operation uses @defer, whose results arrive")
    _, streamed = await graphql(
        defer_schema(), {"query": "{ numbers @stream }"}, root_value=root_value()
    )
    assert "@stream" in streamed["errors"][0]["message"]


def test_synchronous_execution_refuses_incremental_operations_naming_the_directive() -> None:
    success, response = graphql_sync(defer_schema(), {"query": DEFER_SLOW})
    assert not success and failure_of(response) == "incremental"
    message = response["errors"][0]["message"]
    assert "@defer" in message and "graphql_sync()" in message and "WSGI" in message
    assert graphql_sync(defer_schema(), {"query": "{ hello }"}, root_value=root_value()) == (
        True,
        {"data": {"hello": "world"}},
    )


async def test_incremental_delivery_lets_the_enclosed_operations_run_incrementally() -> None:
    with incremental_delivery():
        _, response = await graphql(defer_schema(), {"query": DEFER_SLOW}, root_value=root_value())
    _, refused = await graphql(defer_schema(), {"query": DEFER_SLOW}, root_value=root_value())
    assert await payloads(response) == [
        {"data": {"hello": "world"}, "pending": [{"id": "0", "path": []}], "hasNext": True},
        {
            "incremental": [{"data": {"slow": "slow"}, "id": "0"}],
            "completed": [{"id": "0"}],
            "hasNext": False,
        },
    ]
    assert failure_of(refused) == "incremental"


async def test_errors_in_deferred_parts_are_formatted_and_logged_like_any_other(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def formatter(error: GraphQLError, debug: bool) -> dict[str, Any]:
        return {**format_error(error, debug), "formatted": True}

    options = ExecutionOptions(root_value=root_value(), error_formatter=formatter)
    with caplog.at_level(logging.ERROR, "graphqlwire"):
        first, later = await incremental(
            '{ person { name ... @defer(label: "p") { bad } } }', options
        )
    assert first["pending"] == [{"id": "0", "path": ["person"], "label": "p"}]
    assert later == {
        "completed": [
            {
                "id": "0",
                "errors": [
                    {
                        "message": "Ada is bad",
                        "locations": [{"line": 1, "column": 42}],
                        "path": ["person", "bad"],
                        "formatted": True,
                    }
                ],
            }
        ],
        "hasNext": False,
    }
    assert [record.getMessage().splitlines()[0] for record in caplog.records] == ["Ada is bad"]


async def test_masked_errors_stay_masked_in_later_payloads() -> None:
    options = ExecutionOptions(root_value=root_value(), mask_errors=True)
    _, later = await incremental("{ hello ... @defer { fail } }", options)
    [error] = later["incremental"][0]["errors"]
    assert error["message"] == "Unexpected error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"


async def test_the_document_cache_and_the_operation_limits_still_apply() -> None:
    document_cache.clear()
    for _ in range(3):
        await incremental(DEFER_SLOW)
    assert document_cache.hits >= 2
    deep = "{ person { friends { friends { name ... @defer { age } } } } }"
    options = ExecutionOptions(root_value=root_value(), limits=OperationLimits(max_depth=2))
    _, response = await run_graphql(defer_schema(), {"query": deep}, options, incremental=True)
    assert failure_of(response) == "limit"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            '{ ... @defer(label: "a") { hello } ... @defer(label: "a") { slow } }',
            "Defer/Stream directive label argument must be unique.",
        ),
        ("{ hello @stream }", "Stream directive cannot be used on non-list field 'hello'"),
        (
            "query($l: String) { ... @defer(label: $l) { slow } }",
            "Defer directive label argument must be a static string.",
        ),
    ],
)
async def test_misused_directives_are_validation_errors(query: str, message: str) -> None:
    _, response = await run_graphql(
        defer_schema(), {"query": query}, ExecutionOptions(), incremental=True
    )
    assert failure_of(response) == "validation"
    assert response["errors"][0]["message"].startswith(message)


async def test_defer_on_a_schema_without_the_directive_is_an_unknown_directive() -> None:
    _, response = await graphql(make_executable_schema(SDL), {"query": DEFER_SLOW})
    assert failure_of(response) == "validation"
    assert response["errors"][0]["message"] == "Unknown directive '@defer'."


async def test_a_negative_initial_count_is_a_field_error_as_in_graphql_js(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, "graphqlwire"):
        [response] = await incremental("{ hello numbers @stream(initialCount: -1) }")
    assert caplog.records == []  # (the client's mistake, not a server fault)
    assert response["data"] == {"hello": "world", "numbers": None}
    assert response["errors"][0]["message"] == "initialCount must be a positive integer"
    assert response["errors"][0]["path"] == ["numbers"]


async def test_a_subscription_with_defer_is_refused_by_validation() -> None:
    schema = make_executable_schema(
        "type Query { a: String } type Subscription { tick: Tick } type Tick { n: Int }",
        defer_stream=True,
    )
    success, errors = await subscribe(
        schema, {"query": "subscription { tick { ... @defer { n } } }"}
    )
    assert not success
    assert "Defer directive not supported on subscription operations" in errors[0]["message"]


async def test_run_subscription_yields_every_payload_of_a_deferred_query() -> None:
    success, results = await run_subscription(
        defer_schema(), {"query": DEFER_SLOW}, ExecutionOptions(root_value=root_value())
    )
    assert success and not isinstance(results, list)
    received = [result async for result in results]
    assert [payload["hasNext"] for payload in received] == [True, False]
    assert received[1]["incremental"] == [{"data": {"slow": "slow"}, "id": "0"}]


class Recorder:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.closed = asyncio.Event()
        self.late_started = asyncio.Event()
        self.cancelled = asyncio.Event()


def forever_schema(recorder: Recorder) -> Any:
    async def numbers(*_: Any) -> AsyncGenerator[int, None]:
        try:
            yield 1
            recorder.started.set()
            await asyncio.Event().wait()
            yield 2
        finally:
            recorder.closed.set()

    async def late(*_: Any) -> str:
        recorder.late_started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            recorder.cancelled.set()
            raise
        return "never"

    return make_executable_schema(
        "type Query { numbers: [Int!]!, late: String }",
        {"Query": {"numbers": numbers, "late": late}},
        defer_stream=True,
    )


@pytest.mark.parametrize("started", [False, True])
async def test_closing_the_later_payloads_closes_streams_and_cancels_deferred_work(
    started: bool,
) -> None:
    recorder = Recorder()
    query = "{ numbers @stream(initialCount: 1) ... @defer { late } }"
    _, response = await run_graphql(
        forever_schema(recorder), {"query": query}, ExecutionOptions(), incremental=True
    )
    assert response["data"] == {"numbers": [1]}
    later = subsequent_payloads(response)
    assert later is not None
    if started:
        waiting = asyncio.ensure_future(anext(later))
        await asyncio.wait_for(recorder.started.wait(), 1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    await asyncio.wait_for(later.aclose(), 1)
    await asyncio.wait_for(recorder.closed.wait(), 1)
    if started:  # (deferred work starts once the later payloads are asked for)
        await asyncio.wait_for(recorder.cancelled.wait(), 1)
    else:
        assert not recorder.late_started.is_set()
    with pytest.raises(StopAsyncIteration):
        await anext(later)


async def test_the_execution_timeout_ends_the_later_payloads_with_its_error() -> None:
    recorder = Recorder()
    options = ExecutionOptions(execution_timeout=0.05)
    _, response = await run_graphql(
        forever_schema(recorder), {"query": "{ ... @defer { late } }"}, options, incremental=True
    )
    assert response["pending"] == [{"id": "0", "path": []}]
    _, last = await payloads(response)
    assert last["hasNext"] is False
    [completed] = last["completed"]
    assert completed["id"] == "0"
    assert completed["errors"][0]["extensions"]["code"] == "EXECUTION_TIMEOUT"
    await asyncio.wait_for(recorder.cancelled.wait(), 1)


async def test_subscriptions_and_mutations_on_a_schema_declaring_the_directives_run_as_ever() -> (
    None
):
    async def ticks(*_: Any) -> AsyncGenerator[int, None]:
        for number in (1, 2):
            yield number

    schema = make_executable_schema(
        "type Query { a: String } type Mutation { add(n: Int!): Int! }"
        " type Subscription { tick: Int! }",
        {
            "Mutation": {"add": lambda _obj, _info, n: n + 1},
            "Subscription": {"tick": {"subscribe": ticks}},
        },
        defer_stream=True,
    )
    assert await graphql(schema, {"query": "mutation { add(n: 1) }"}) == (
        True,
        {"data": {"add": 2}},
    )
    success, results = await run_subscription(
        schema, {"query": "subscription { tick }"}, ExecutionOptions()
    )
    assert success and not isinstance(results, list)
    assert [result async for result in results] == [{"data": {"tick": 1}}, {"data": {"tick": 2}}]


def test_an_incremental_executor_class_of_ones_own_is_used_as_it_is() -> None:
    class Mine(IncrementalExecutor):  # type: ignore[misc]
        pass

    assert incremental_class(Mine) is Mine
    mixed = incremental_class(Executor)
    assert mixed.__mro__[1] is Executor  # (its shortcuts run first)
    assert issubclass(mixed, IncrementalExecutor) and incremental_class(Executor) is mixed
