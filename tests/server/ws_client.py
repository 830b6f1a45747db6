"""A bare wsproto client for the WebSocket cases a polite client library cannot produce."""

from __future__ import annotations

import asyncio
from typing import Any

from wsproto import ConnectionType, WSConnection
from wsproto.events import Event, Request


class RawWebSocket:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.conn = WSConnection(ConnectionType.CLIENT)
        self.pending: list[Event] = []

    @classmethod
    async def connect(cls, url: str, path: str, **request: Any) -> RawWebSocket:
        port = int(url.rsplit(":", 1)[1])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        ws = cls(reader, writer)
        ws.send(Request(host="127.0.0.1", target=path, **request))
        return ws

    def send(self, event: Event) -> None:
        self.writer.write(self.conn.send(event))

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    async def next_event(self, timeout: float = 3.0) -> Event | None:
        """The next event, or None once the server closed the TCP connection."""
        while not self.pending:
            data = await asyncio.wait_for(self.reader.read(65536), timeout)
            self.conn.receive_data(data or None)
            self.pending.extend(self.conn.events())
            if not data and not self.pending:
                return None
        return self.pending.pop(0)

    def close(self) -> None:
        self.writer.close()
