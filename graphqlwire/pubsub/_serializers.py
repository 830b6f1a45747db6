"""How messages become bytes on the way through a broker, and back (JSON by default)."""

from __future__ import annotations

from typing import Any, Protocol

from .._json import compact_encoder, loads

__all__ = ["JSONSerializer", "Serializer"]


class Serializer(Protocol):
    """Turns a published message into bytes and the bytes back into a message.

    Every process sharing a broker must use the same serializer.
    """

    def dumps(self, message: Any) -> bytes:
        """The bytes sent to the broker for `message` (raise TypeError/ValueError if none)."""
        ...

    def loads(self, data: bytes) -> Any:
        """The message `data` was made from (raise ValueError when it is not one)."""
        ...


class JSONSerializer:
    """Compact UTF-8 JSON: dicts, lists, strings, numbers, booleans and None.

    Strict both ways: NaN and infinities are refused, so every process reads back exactly
    the JSON value that was sent.
    """

    def __init__(self) -> None:
        self._encode = compact_encoder(allow_nan=False)

    def dumps(self, message: Any) -> bytes:
        """`message` as compact JSON bytes."""
        return self._encode(message).encode()

    def loads(self, data: bytes) -> Any:
        """The JSON value in `data`."""
        return loads(data)
