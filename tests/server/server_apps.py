"""Small ASGI applications the server tests run (under graphqlwire's server and uvicorn)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

Scope = dict[str, Any]


class Recorder:
    """What the app saw that a client cannot: disconnects, close codes."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.changed = asyncio.Event()

    def add(self, item: Any) -> None:
        self.events.append(item)
        self.changed.set()

    async def wait_for(self, item: Any, timeout: float = 3.0) -> None:
        async def waiter() -> None:
            while item not in self.events:
                self.changed.clear()
                await self.changed.wait()

        await asyncio.wait_for(waiter(), timeout)


async def read_body(receive: Any) -> bytes:
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise OSError("disconnected")
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body


async def respond(send: Any, status: int, body: bytes, headers: list[Any] | None = None) -> None:
    headers = list(headers or [(b"content-type", b"text/plain")])
    if status not in (204, 304):
        headers.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def make_app(recorder: Recorder | None = None) -> Any:
    """A router over ``scope['path']`` (without the root path)."""
    rec = recorder or Recorder()

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            raise RuntimeError("no lifespan here")
        path = scope["path"][len(scope.get("root_path", "")) :]
        if scope["type"] == "websocket":
            await websocket(path, scope, receive, send)
            return
        if path == "/echo":
            body = await read_body(receive)
            await respond(send, 200, body)
        elif path == "/chunks":
            sizes = []
            while True:
                message = await receive()
                sizes.append(len(message.get("body", b"")))
                if not message.get("more_body"):
                    break
            await respond(send, 200, json.dumps(sum(sizes)).encode())
        elif path == "/bare":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"bare"})
        elif path == "/scope":
            await read_body(receive)
            info = {
                key: scope[key]
                for key in ("type", "http_version", "method", "scheme", "path", "root_path", "asgi")
            }
            info["raw_path"] = scope["raw_path"].decode()
            info["query_string"] = scope["query_string"].decode()
            info["headers"] = [[n.decode(), v.decode()] for n, v in scope["headers"]]
            info["client"] = list(scope["client"]) if scope["client"] else None
            info["state"] = dict(scope.get("state", {}))
            await respond(
                send, 200, json.dumps(info).encode(), [(b"content-type", b"application/json")]
            )
        elif path == "/stream":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for i in range(5):
                await send(
                    {"type": "http.response.body", "body": b"part%d;" % i, "more_body": True}
                )
            await send({"type": "http.response.body", "body": b""})
        elif path == "/forever":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"start", "more_body": True})
            message = await receive()
            while message["type"] != "http.disconnect":
                message = await receive()
            rec.add("http.disconnect")
        elif path == "/slow":
            await read_body(receive)
            await asyncio.sleep(0.3)
            await respond(send, 200, b"slow done")
        elif path == "/raise-before":
            raise RuntimeError("boom before")
        elif path == "/raise-after":
            await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"partial", "more_body": True})
            raise RuntimeError("boom after")
        elif path == "/nothing":
            return
        elif path == "/status":
            status = int(scope["query_string"] or b"200")
            await respond(send, status, b"" if status in (204, 304) else b"status")
        else:
            await respond(send, 200, b"hello " + path.encode())

    async def websocket(path: str, scope: Scope, receive: Any, send: Any) -> None:
        message = await receive()
        assert message["type"] == "websocket.connect"
        if path == "/ws/echo":
            await send({"type": "websocket.accept"})
            while True:
                message = await receive()
                if message["type"] == "websocket.disconnect":
                    rec.add(("ws.disconnect", message["code"]))
                    return
                if message.get("text") is not None:
                    await send({"type": "websocket.send", "text": message["text"]})
                else:
                    await send({"type": "websocket.send", "bytes": message["bytes"]})
        elif path == "/ws/close-before":
            await send({"type": "websocket.close"})
        elif path == "/ws/deny":
            await send(
                {
                    "type": "websocket.http.response.start",
                    "status": 401,
                    "headers": [(b"content-type", b"text/plain"), (b"x-why", b"token")],
                }
            )
            await send({"type": "websocket.http.response.body", "body": b"no ", "more_body": True})
            await send({"type": "websocket.http.response.body", "body": b"entry"})
        elif path == "/ws/subprotocol":
            offered = scope["subprotocols"]
            await send(
                {
                    "type": "websocket.accept",
                    "subprotocol": offered[-1] if offered else None,
                    "headers": [(b"x-extra", b"yes")],
                }
            )
            await send({"type": "websocket.send", "text": json.dumps(offered)})
            await send({"type": "websocket.close", "code": 1000})
        elif path == "/ws/bad-subprotocol":
            await send({"type": "websocket.accept", "subprotocol": "not-offered"})
        elif path == "/ws/return":
            return
        elif path == "/ws/raise":
            await send({"type": "websocket.accept"})
            await receive()
            raise RuntimeError("ws boom")
        elif path == "/ws/close-4000":
            await send({"type": "websocket.accept"})
            await send({"type": "websocket.close", "code": 4000, "reason": "bye"})
        elif path == "/ws/scope":
            await send({"type": "websocket.accept"})
            info = {key: scope[key] for key in ("type", "scheme", "path", "subprotocols")}
            info["http_response"] = "websocket.http.response" in scope.get("extensions", {})
            info["state"] = dict(scope.get("state", {}))
            await send({"type": "websocket.send", "text": json.dumps(info)})
            await send({"type": "websocket.close", "code": 1000})
        else:
            await send({"type": "websocket.close"})

    app.recorder = rec  # type: ignore[attr-defined]
    return app
