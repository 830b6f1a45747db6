"""GraphQL over SSE (graphql-sse), single connection mode, on real sockets.

``PUT`` reserves a stream, the stream opens with its token, operations posted with the
token get 202 and stream ``{id, payload}`` events on it, ``DELETE`` stops one. Bad input:
unknown tokens, a second stream, missing and duplicate ids, too many operations, a flood of
reservations, and reservations that expire.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from graphqlwire.asgi.handlers import SSESubscriptionHandler

from . import test_sse
from .servers import run_server
from .test_sse import SSE_SERVERS, STREAM, AppMaker, Recorder, SSEStream

# The fixtures of the distinct connections tests, shared by name.
http = test_sse.http
make_sse_app = test_sse.make_sse_app
recorder = test_sse.recorder

TOKEN = "x-graphql-event-stream-token"


@pytest.fixture(params=SSE_SERVERS)
async def url(request: pytest.FixtureRequest, make_sse_app: AppMaker) -> AsyncIterator[str]:
    async with run_server(str(request.param), make_sse_app()) as base:
        yield base + "/graphql"


@contextlib.asynccontextmanager
async def serve(app: Any) -> AsyncIterator[str]:
    """The endpoint's URL while graphqlwire's server serves `app`."""
    async with run_server("graphqlwire", app) as base:
        yield base + "/graphql"


async def reserve(http: httpx.AsyncClient, url: str) -> str:
    response = await http.put(url, headers={"accept": "*/*"})
    assert response.status_code == 201
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    return response.text


async def post_operation(
    http: httpx.AsyncClient, url: str, token: str, operation_id: Any, query: str
) -> httpx.Response:
    body = {"query": query, "extensions": {"operationId": operation_id}}
    return await http.post(url, json=body, headers={TOKEN: token})


async def test_operations_stream_id_payload_events_on_the_reserved_stream(
    url: str, http: httpx.AsyncClient
) -> None:
    token = await reserve(http, url)
    stream = await SSEStream.open(url, method="GET", headers={**STREAM, TOKEN: token})
    try:
        assert stream.status == 200
        assert stream.headers["content-type"] == "text/event-stream; charset=utf-8"
        assert stream.headers["x-accel-buffering"] == "no"
        assert await stream.block() == b":"
        response = await post_operation(http, url, token, "q1", "{ hello }")
        assert (response.status_code, response.content) == (202, b"")
        assert await stream.event() == (
            "next",
            {"id": "q1", "payload": {"data": {"hello": "Hello!"}}},
        )
        assert await stream.event() == ("complete", {"id": "q1"})
        response = await post_operation(http, url, token, "s1", "subscription { count(to: 2) }")
        assert response.status_code == 202
        assert [await stream.event() for _ in range(3)] == [
            ("next", {"id": "s1", "payload": {"data": {"count": 1}}}),
            ("next", {"id": "s1", "payload": {"data": {"count": 2}}}),
            ("complete", {"id": "s1"}),
        ]
    finally:
        await stream.close()


async def test_the_token_may_be_a_url_parameter_and_events_wait_for_the_stream(
    url: str, http: httpx.AsyncClient
) -> None:
    token = await reserve(http, url)
    # posted before the stream connects: the events wait for it
    response = await http.post(
        f"{url}?token={token}",
        json={"query": "subscription { count(to: 2) }", "extensions": {"operationId": 7}},
    )
    assert response.status_code == 202
    stream = await SSEStream.open(f"{url}?token={token}", method="GET", headers=STREAM)
    events = [await stream.event() for _ in range(3)]
    await stream.close()
    assert events == [
        ("next", {"id": "7", "payload": {"data": {"count": 1}}}),
        ("next", {"id": "7", "payload": {"data": {"count": 2}}}),
        ("complete", {"id": "7"}),
    ]


async def test_delete_stops_an_operation_and_closes_its_generator(
    url: str, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    token = await reserve(http, url)
    stream = await SSEStream.open(url, method="GET", headers={**STREAM, TOKEN: token})
    query = 'subscription { waitForever(tag: "del") }'
    assert (await post_operation(http, url, token, "w", query)).status_code == 202
    assert await stream.event() == ("next", {"id": "w", "payload": {"data": {"waitForever": 0}}})
    await asyncio.wait_for(recorder.event(recorder.started, "del").wait(), 5)
    response = await http.delete(f"{url}?operationId=w", headers={TOKEN: token})
    assert response.status_code == 200
    await recorder.wait_closed("del")
    # the id is free again, and the stream goes on
    assert (await post_operation(http, url, token, "w", "{ hello }")).status_code == 202
    assert await stream.event() == ("next", {"id": "w", "payload": {"data": {"hello": "Hello!"}}})
    # stopping what already ended is no error
    assert (await http.delete(f"{url}?operationId=gone", headers={TOKEN: token})).status_code == 200
    await stream.close()


async def test_closing_the_stream_stops_every_operation_and_ends_the_reservation(
    url: str, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    token = await reserve(http, url)
    stream = await SSEStream.open(url, method="GET", headers={**STREAM, TOKEN: token})
    for tag in ("a", "b"):
        query = f'subscription {{ waitForever(tag: "{tag}") }}'
        assert (await post_operation(http, url, token, tag, query)).status_code == 202
    for tag in ("a", "b"):
        await asyncio.wait_for(recorder.event(recorder.started, tag).wait(), 5)
    await stream.close()
    await recorder.wait_closed("a")
    await recorder.wait_closed("b")
    response = await post_operation(http, url, token, "c", "{ hello }")
    assert response.status_code == 404


async def test_bad_single_connection_requests(url: str, http: httpx.AsyncClient) -> None:
    def message(response: httpx.Response) -> str:
        assert response.headers["content-type"] == "application/json; charset=utf-8"
        return str(response.json()["errors"][0]["message"])

    unknown = await SSEStream.open(url, method="GET", headers={**STREAM, TOKEN: "nope"})
    assert unknown.status == 404
    assert "Stream not found" in (await unknown.body()).decode()
    await unknown.close()
    assert (await post_operation(http, url, "nope", "1", "{ hello }")).status_code == 404
    deleted = await http.delete(f"{url}?operationId=1", headers={TOKEN: "nope"})
    assert deleted.status_code == 404

    token = await reserve(http, url)
    stream = await SSEStream.open(url, method="GET", headers={**STREAM, TOKEN: token})
    second = await SSEStream.open(url, method="GET", headers={**STREAM, TOKEN: token})
    assert second.status == 409
    assert "Stream already open" in (await second.body()).decode()
    await second.close()

    missing = await http.post(url, json={"query": "{ hello }"}, headers={TOKEN: token})
    assert missing.status_code == 400
    assert "Operation ID is missing" in message(missing)
    no_id = await http.delete(url, headers={TOKEN: token})
    assert (no_id.status_code, "Operation ID is missing" in message(no_id)) == (400, True)

    query = 'subscription { waitForever(tag: "dup") }'
    assert (await post_operation(http, url, token, "d", query)).status_code == 202
    duplicate = await post_operation(http, url, token, "d", "{ hello }")
    assert duplicate.status_code == 409
    assert "already exists" in message(duplicate)

    bad_json = await http.post(
        url, content=b"{", headers={TOKEN: token, "content-type": "application/json"}
    )
    assert bad_json.status_code == 400
    invalid = await post_operation(http, url, token, "v", "{ nope }")
    assert invalid.status_code == 400
    assert "Cannot query field 'nope'" in message(invalid)
    wrong_accept = await http.post(
        url,
        json={"query": "{ hello }", "extensions": {"operationId": "x"}},
        headers={TOKEN: token, "accept": "text/html"},
    )
    assert wrong_accept.status_code == 406
    assert (await http.put(url, headers={"accept": "text/html"})).status_code == 406
    # none of this disturbed the stream
    assert (await post_operation(http, url, token, "ok", "{ hello }")).status_code == 202
    events = [await stream.event() for _ in range(3)]
    assert ("next", {"id": "ok", "payload": {"data": {"hello": "Hello!"}}}) in events
    await stream.close()


async def test_too_many_operations_and_reservations_are_refused(
    make_sse_app: AppMaker, http: httpx.AsyncClient
) -> None:
    sse = SSESubscriptionHandler(max_operations=2, max_reservations=2)
    async with serve(make_sse_app(sse)) as base:
        token = await reserve(http, base)
        query = 'subscription { waitForever(tag: "many") }'
        for operation_id in ("1", "2"):
            assert (await post_operation(http, base, token, operation_id, query)).status_code == 202
        third = await post_operation(http, base, token, "3", query)
        assert third.status_code == 429
        assert "Too many operations" in third.json()["errors"][0]["message"]
        await reserve(http, base)
        flood = await http.put(base, headers={"accept": "*/*"})
        assert flood.status_code == 503
        assert "Too many event stream reservations" in flood.json()["errors"][0]["message"]


async def test_reservations_expire_and_their_operations_stop(
    make_sse_app: AppMaker, http: httpx.AsyncClient, recorder: Recorder
) -> None:
    sse = SSESubscriptionHandler(reservation_ttl=0.2, max_reservations=1)
    async with serve(make_sse_app(sse)) as base:
        token = await reserve(http, base)
        query = 'subscription { waitForever(tag: "exp") }'
        assert (await post_operation(http, base, token, "1", query)).status_code == 202
        await recorder.wait_closed("exp", within=2.0)
        assert len(sse.reservations) == 0
        stream = await SSEStream.open(base, method="GET", headers={**STREAM, TOKEN: token})
        assert stream.status == 404
        await stream.close()
        await reserve(http, base)  # the expired one no longer counts against the limit


async def test_put_with_a_graphql_body_and_other_methods_keep_their_405(
    url: str, http: httpx.AsyncClient
) -> None:
    put = await http.put(url, json={"query": "{ hello }"})
    assert put.status_code == 405
    delete = await http.delete(url)
    assert delete.status_code == 405
    patch = await http.patch(url, headers={TOKEN: "x"})
    assert patch.status_code == 405


async def test_an_operation_stopped_while_it_is_prepared_gets_204(
    make_sse_app: AppMaker, http: httpx.AsyncClient
) -> None:
    release = asyncio.Event()
    entered = asyncio.Event()
    completed: list[str] = []

    async def slow_context(request: Any) -> dict[str, Any]:
        entered.set()
        await release.wait()
        return {"request": request}

    sse = SSESubscriptionHandler(on_complete=lambda _, op: completed.append(op.id))
    async with serve(make_sse_app(sse, context_value=slow_context)) as base:
        token = await reserve(http, base)
        query = "subscription { count(to: 2) }"
        posting = asyncio.ensure_future(post_operation(http, base, token, "slow", query))
        await asyncio.wait_for(entered.wait(), 5)
        deleted = await http.delete(f"{base}?operationId=slow", headers={TOKEN: token})
        assert deleted.status_code == 200
        release.set()
        response = await posting
    assert (response.status_code, response.content) == (204, b"")
    assert completed == ["slow"]
