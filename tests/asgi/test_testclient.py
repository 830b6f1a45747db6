"""The in-process ASGI test client checks what apps send."""

from __future__ import annotations

from typing import Any

import pytest

from tests.testclient import ASGIClient


async def test_request_scope_and_chunked_body() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        while True:
            message = await receive()
            seen.append(message)
            if not message["more_body"]:
                break
        await send({"type": "http.response.start", "status": 201, "headers": [(b"x", b"1")]})
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        await send({"type": "http.response.body", "body": b"b"})

    client = ASGIClient(app, root_path="/api", scheme="https", host="h.example")
    response = await client.post("/p?a=1", params={"b": "2"}, body=b"12345", chunk_size=2)
    assert (response.status, response.body, response.header("X")) == (201, b"ab", "1")
    scope = seen[0]
    assert (scope["path"], scope["root_path"], scope["query_string"]) == (
        "/api/p",
        "/api",
        b"a=1&b=2",
    )
    assert scope["scheme"] == "https"
    assert (b"host", b"h.example") in scope["headers"]
    assert (b"content-length", b"5") in scope["headers"]
    assert [m["body"] for m in seen[1:]] == [b"12", b"34", b"5"]
    assert [m["more_body"] for m in seen[1:]] == [True, True, False]


@pytest.mark.parametrize(
    ("messages", "error"),
    [
        ([], "without sending a response"),
        ([{"type": "http.response.body", "body": b"x"}], "before http.response.start"),
        ([{"type": "http.response.start", "status": "200"}], "status must be an int"),
        (
            [{"type": "http.response.start", "status": 200, "headers": [(b"X-Up", b"1")]}],
            "not lowercase",
        ),
        ([{"type": "http.response.start", "status": 200}], "before the last body"),
        (
            [
                {"type": "http.response.start", "status": 200},
                {"type": "http.response.body", "body": b""},
                {"type": "http.response.body", "body": b""},
            ],
            "after the response completed",
        ),
        ([{"type": "http.response.push"}], "unexpected message type"),
    ],
)
async def test_invalid_app_messages_fail(messages: list[Any], error: str) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        for message in messages:
            await send(message)

    with pytest.raises(AssertionError, match=error):
        await ASGIClient(app).get("/")


async def test_lifespan_failure_is_reported() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await receive()
        await send({"type": "lifespan.startup.failed", "message": "no"})

    with pytest.raises(AssertionError, match=r"lifespan\.startup\.failed"):
        async with ASGIClient(app).lifespan():
            pass
