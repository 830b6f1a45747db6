"""A handshake offering no subprotocol the handler speaks is refused with an HTTP status.

Accepting it without a subprotocol and closing at once (4406) is something browsers and the
`ws` library never see: they fail any 101 that lacks the subprotocol they asked for. So
the handshake gets a 400 naming the supported subprotocols (through the ASGI
``websocket.http.response`` extension), or a 403 on servers without that extension.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from graphqlwire.asgi import GraphQL
from graphqlwire.asgi.handlers import (
    GraphQLAutoWSHandler,
    GraphQLTransportWSHandler,
    GraphQLWSHandler,
)
from graphqlwire.types import Receive, Scope, Send
from tests.node import run_node

from .conftest import SCHEMA, ServeFactory, client, wait_until

HANDLERS = {
    "auto": (GraphQLAutoWSHandler, "graphql-transport-ws, graphql-ws"),
    "graphql-transport-ws": (GraphQLTransportWSHandler, "graphql-transport-ws"),
    "graphql-ws": (GraphQLWSHandler, "graphql-ws"),
}
#: What each handler is offered that it does not speak.
UNSPEAKABLE = {
    "auto": [[], ["chat"], ["chat", "mqtt"]],
    "graphql-transport-ws": [[], ["graphql-ws"]],
    "graphql-ws": [[], ["graphql-transport-ws"]],
}
CASES = [(kind, offered) for kind, offers in UNSPEAKABLE.items() for offered in offers]


def reason_phrase(phrase: str, server_kind: str) -> str:
    """The reason phrase a server sends: uvicorn's wsproto server sends none (h11's way)."""
    return "" if server_kind == "uvicorn-wsproto" else phrase


async def refusal(url: str, offered: list[str]) -> Any:
    """The HTTP response refusing the handshake (fails the test if it is accepted)."""
    with pytest.raises(InvalidStatus) as refused:
        async with connect(url, subprotocols=offered or None, open_timeout=2):  # type: ignore[arg-type]
            pass
    return refused.value.response


@pytest.mark.parametrize(("kind", "offered"), CASES)
async def test_the_handshake_is_refused_with_400_naming_the_subprotocols(
    serve: ServeFactory, server_kind: str, kind: str, offered: list[str]
) -> None:
    handler_class, names = HANDLERS[kind]
    async with serve(handler_class()) as url:
        response = await refusal(url, offered)
        assert response.status_code == 400
        assert response.reason_phrase == reason_phrase("Bad Request", server_kind)
        assert response.headers["sec-websocket-protocol"] == names
        assert response.headers["content-type"].startswith("application/json")
        message = json.loads(response.body)["errors"][0]["message"]
        assert f"this endpoint speaks {names}" in message
        assert f"(offered: {', '.join(offered) or 'none'})" in message
        # The endpoint still serves clients that speak its protocol.
        speaks = names.split(", ")[0]
        async with client(url, "chat", speaks) as ws:
            assert ws.subprotocol == speaks


class WithoutDenialResponses:
    """An ASGI wrapper that hides the ``websocket.http.response`` extension from the app."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        extensions = dict(scope.get("extensions") or {})
        extensions.pop("websocket.http.response", None)
        await self.app({**scope, "extensions": extensions}, receive, send)


@pytest.mark.parametrize("kind", list(HANDLERS))
async def test_without_the_extension_the_handshake_is_refused_with_403(
    run_server: Any, server_kind: str, kind: str
) -> None:
    handler_class, _ = HANDLERS[kind]
    app = WithoutDenialResponses(GraphQL(SCHEMA, websocket_handler=handler_class()))
    async with run_server(app) as (url, _):
        response = await refusal(url, ["chat"])
        assert response.status_code == 403
        assert response.reason_phrase == reason_phrase("Forbidden", server_kind)


class ByPath:
    """One endpoint per handler kind: ``/auto``, ``/graphql-transport-ws``, ``/graphql-ws``."""

    def __init__(self) -> None:
        self.apps = {
            f"/{kind}": GraphQL(SCHEMA, websocket_handler=handler_class())
            for kind, (handler_class, _) in HANDLERS.items()
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.apps[scope["path"]](scope, receive, send)


async def test_the_ws_library_sees_the_refusal_not_a_broken_101(run_server: Any) -> None:
    async with run_server(ByPath()) as (url, _):
        attempts = []
        for kind, (_, names) in HANDLERS.items():
            speaks = names.split(", ")[0]
            attempts += [[url + kind, ["chat"]], [url + kind, ["chat", speaks]]]
        results = await run_node("ws-handshake.mjs", json.dumps(attempts))
    for index, (_, names) in enumerate(HANDLERS.values()):
        refused, accepted = results[2 * index : 2 * index + 2]
        assert refused["outcome"] == "refused", refused
        assert refused["status"] == 400
        assert refused["headers"]["sec-websocket-protocol"] == names
        assert names in json.loads(refused["body"])["errors"][0]["message"]
        assert accepted == {"outcome": "open", "protocol": names.split(", ")[0]}


async def test_on_disconnect_runs_and_on_connect_does_not_for_a_refused_handshake(
    serve: ServeFactory,
) -> None:
    calls: list[str] = []
    handler = GraphQLTransportWSHandler(
        on_connect=lambda *_: calls.append("connect"),
        on_disconnect=lambda *_: calls.append("disconnect"),
    )
    async with serve(handler) as url:
        assert (await refusal(url, ["chat"])).status_code == 400
        await wait_until(lambda: bool(calls))
    assert calls == ["disconnect"]
