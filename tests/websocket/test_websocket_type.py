"""``graphqlwire.websocket.WebSocket`` against in-memory ASGI queues: message order rules."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graphqlwire.http import PlainTextResponse, WebSocket, WebSocketDisconnect, WebSocketState


def make_scope(**extra: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "websocket",
        "scheme": "ws",
        "path": "/graphql",
        "query_string": b"token=a&token=b&x=1",
        "headers": [(b"host", b"example.com"), (b"x-token", b"one"), (b"x-token", b"two")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "subprotocols": ["graphql-transport-ws", "graphql-ws"],
    }
    scope.update(extra)
    return scope


class Peer:
    """The server side of the ASGI interface: queues of messages both ways."""

    def __init__(self, *incoming: dict[str, Any]) -> None:
        self.incoming: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for message in incoming:
            self.incoming.put_nowait(message)
        self.sent: list[dict[str, Any]] = []
        self.fail_send = False

    async def receive(self) -> dict[str, Any]:
        return await self.incoming.get()

    async def send(self, message: dict[str, Any]) -> None:
        if self.fail_send:
            raise ConnectionResetError("gone")
        self.sent.append(message)


def connect(peer: Peer, **extra: Any) -> WebSocket:
    return WebSocket(make_scope(**extra), peer.receive, peer.send)


def test_connection_details_come_from_the_scope() -> None:
    scope = make_scope()
    websocket = WebSocket(scope, Peer().receive, Peer().send)
    assert websocket.scope is scope
    assert websocket.headers.getlist("x-token") == ["one", "two"]
    assert websocket.headers.get("X-TOKEN") == "one"
    assert websocket.query_params.getlist("token") == ["a", "b"]
    assert str(websocket.url) == "ws://example.com/graphql?token=a&token=b&x=1"
    assert websocket.client == ("127.0.0.1", 5000)
    assert websocket.subprotocols == ["graphql-transport-ws", "graphql-ws"]


def test_an_http_scope_is_refused() -> None:
    with pytest.raises(ValueError, match="websocket"):
        WebSocket({"type": "http"}, Peer().receive, Peer().send)


async def test_accept_receive_send_close_in_order() -> None:
    peer = Peer(
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": '{"a": 1}'},
        {"type": "websocket.receive", "bytes": b"\x00"},
        {"type": "websocket.disconnect", "code": 1001, "reason": "bye"},
    )
    websocket = connect(peer)
    await websocket.accept("graphql-ws", headers=[(b"x-a", b"b")])
    assert websocket.client_state is WebSocketState.CONNECTED
    assert websocket.application_state is WebSocketState.CONNECTED
    assert await websocket.receive_json() == {"a": 1}
    assert await websocket.receive_bytes() == b"\x00"
    with pytest.raises(WebSocketDisconnect) as info:
        await websocket.receive_text()
    assert (info.value.code, info.value.reason) == (1001, "bye")
    assert websocket.client_state is WebSocketState.DISCONNECTED
    with pytest.raises(RuntimeError):
        await websocket.receive()
    await websocket.send_json({"b": "é"})
    await websocket.send_bytes(b"x")
    await websocket.close(4400, "bad")
    assert peer.sent == [
        {"type": "websocket.accept", "subprotocol": "graphql-ws", "headers": [(b"x-a", b"b")]},
        {"type": "websocket.send", "text": '{"b":"é"}'},
        {"type": "websocket.send", "bytes": b"x"},
        {"type": "websocket.close", "code": 4400, "reason": "bad"},
    ]
    assert websocket.application_state is WebSocketState.DISCONNECTED
    with pytest.raises(RuntimeError, match="closed"):
        await websocket.send_text("late")


async def test_iter_text_ends_on_disconnect_and_frame_types_are_checked() -> None:
    peer = Peer(
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": "a"},
        {"type": "websocket.receive", "text": "b"},
        {"type": "websocket.receive", "bytes": b"c"},
        {"type": "websocket.receive", "text": "d"},
    )
    websocket = connect(peer)
    await websocket.accept()
    assert peer.sent[0]["subprotocol"] is None
    assert [await websocket.receive_text(), await websocket.receive_text()] == ["a", "b"]
    with pytest.raises(TypeError):
        await websocket.receive_text()
    with pytest.raises(TypeError):
        await websocket.receive_bytes()
    peer.incoming.put_nowait({"type": "websocket.disconnect", "code": 1000})
    assert [text async for text in websocket.iter_text()] == []


async def test_illegal_orders_raise_runtime_error() -> None:
    websocket = connect(Peer({"type": "websocket.receive", "text": "x"}))
    with pytest.raises(RuntimeError, match="accept"):
        await websocket.receive_text()
    with pytest.raises(RuntimeError, match=r"websocket\.connect"):
        await websocket.receive()
    with pytest.raises(RuntimeError, match="accept"):
        await websocket.send_text("before accept")
    peer = Peer({"type": "websocket.connect"}, {"type": "websocket.connect"})
    websocket = connect(peer)
    await websocket.accept()
    with pytest.raises(RuntimeError, match=r"websocket\.receive"):
        await websocket.receive()
    with pytest.raises(RuntimeError):
        await websocket.send({"type": "websocket.accept"})


async def test_accepting_a_subprotocol_the_client_did_not_offer_is_refused() -> None:
    peer = Peer({"type": "websocket.connect"})
    websocket = connect(peer, subprotocols=["graphql-ws"])
    with pytest.raises(ValueError, match="graphql-transport-ws"):
        await websocket.accept("graphql-transport-ws")
    assert peer.sent == []


async def test_close_before_accept_and_a_failed_send_become_disconnected() -> None:
    peer = Peer({"type": "websocket.connect"})
    websocket = connect(peer)
    await websocket.close()
    assert websocket.application_state is WebSocketState.DISCONNECTED
    peer = Peer({"type": "websocket.connect"})
    websocket = connect(peer)
    await websocket.accept()
    peer.fail_send = True
    with pytest.raises(WebSocketDisconnect) as info:
        await websocket.send_text("x")
    assert info.value.code == 1006
    assert websocket.application_state is WebSocketState.DISCONNECTED


async def test_denial_response_uses_the_extension_when_advertised() -> None:
    peer = Peer({"type": "websocket.connect"})
    websocket = connect(peer, extensions={"websocket.http.response": {}})
    await websocket.send_denial_response(PlainTextResponse("no", status_code=401))
    assert [message["type"] for message in peer.sent] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert peer.sent[0]["status"] == 401
    assert peer.sent[1]["body"] == b"no"
    assert websocket.application_state is WebSocketState.DISCONNECTED


async def test_denial_response_without_the_extension_raises() -> None:
    websocket = connect(Peer())
    with pytest.raises(RuntimeError, match="denial"):
        await websocket.send_denial_response(PlainTextResponse("no", status_code=401))


async def test_json_helpers_refuse_nan_and_infinity() -> None:
    peer = Peer(
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "text": '{"a": NaN}'},
        {"type": "websocket.receive", "bytes": b"[Infinity]"},
    )
    websocket = connect(peer)
    await websocket.accept()
    with pytest.raises(ValueError, match="NaN"):
        await websocket.receive_json()
    with pytest.raises(ValueError, match="Infinity"):
        await websocket.receive_json("binary")
    with pytest.raises(ValueError):
        await websocket.send_json({"a": float("nan")})
    await websocket.send_json({"b": [1, "é"]}, "binary")
    assert peer.sent[-1] == {"type": "websocket.send", "bytes": '{"b":[1,"é"]}'.encode()}
