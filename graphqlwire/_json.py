"""JSON for everything graphqlwire reads and sends: strict decoding, compact encoding.

``loads`` refuses the non-standard ``NaN`` / ``Infinity`` tokens that ``json.loads``
accepts: they would come back out of a response as invalid JSON, or fail to encode.


``json.JSONEncoder.encode`` builds a new C encoder object on every call (with a dict to
detect circular references); results are trees fresh from execution, so graphqlwire builds
the C encoder once. Text is the same as ``json.dumps(value, separators=(",", ":"),
ensure_ascii=False, allow_nan=...)``. A circular structure (only a buggy custom scalar can
produce one) raises ``RecursionError`` instead of ``ValueError``. Without the C accelerator
(other Python implementations) the standard encoder is used as is.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

__all__ = ["compact_encoder", "loads"]


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


# (``json.loads`` with any option builds a new decoder per call: build it once.)
_strict_decoder = json.JSONDecoder(parse_constant=_refuse_constant)


def loads(text: str | bytes) -> Any:
    """``json.loads`` refusing ``NaN``, ``Infinity`` and ``-Infinity`` (a ``ValueError``)."""
    if not isinstance(text, str):
        text = text.decode(json.detect_encoding(text), "surrogatepass")
    return _strict_decoder.decode(text)


def compact_encoder(*, allow_nan: bool) -> Callable[[Any], str]:
    """A function encoding a value as compact JSON (non-ASCII text kept as is).

    # Required arguments

    `allow_nan`: encode NaN and infinities as ``NaN``/``Infinity`` (True) or raise
    ``ValueError`` (False, strict JSON).
    """
    standard = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=allow_nan)
    if c_make_encoder is None:
        return standard.encode
    chunks = c_make_encoder(
        None, standard.default, encode_basestring, None, ":", ",", False, False, allow_nan
    )

    def encode(value: Any) -> str:
        return "".join(chunks(value, 0))

    return encode


def json_type(value: Any) -> str:
    """How a JSON value is called in error messages: ``an array``, ``a string``, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
