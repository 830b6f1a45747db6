"""Media type parsing: ``Accept`` negotiation with ``q`` values, ``Content-Type`` and
header parameters, and ``application/x-www-form-urlencoded`` decoding.

Pure functions with no I/O. They run on every request, so parsed ``Accept`` headers are
kept in a small LRU cache (clients send the same few strings over and over).

Negotiation follows RFC 9110 §12.5.1: each offered type takes the quality of the *most
specific* media range that matches it (``type/subtype`` with parameters beats
``type/subtype``, which beats ``type/*``, which beats ``*/*``); ``q=0`` means "not
acceptable". Among offered types of equal quality, one matched by a more specific range
wins (``Accept: application/json, */*`` picks ``application/json`` over anything else), and
then the server's order of preference decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote_to_bytes

from ._errors import HttpPayloadTooLargeError

_UTF8 = ("utf-8", "utf8")


def _split_outside_quotes(value: str, separator: str) -> list[str]:
    """Split ``value`` at ``separator`` except inside double-quoted strings."""
    if '"' not in value:
        return value.split(separator)
    items: list[str] = []
    start = 0
    quoted = escaped = False
    for index, char in enumerate(value):
        if escaped:
            escaped = False
        elif char == "\\" and quoted:
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            items.append(value[start:index])
            start = index + 1
    items.append(value[start:])
    return items


def _unquote(value: str) -> str:
    """Strip the quotes of a quoted-string and undo ``\\"`` and ``\\\\`` escapes.

    Other backslashes are kept as they are: browsers send Windows paths in ``filename``
    unescaped (HTML's multipart/form-data encoding only escapes ``"``, CR and LF).
    """
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
        if "\\" in value:
            value = value.replace('\\"', '"').replace("\\\\", "\\")
    return value


def parse_header_params(value: str) -> tuple[str, dict[str, str]]:
    """Split a header value like ``form-data; name="a"`` into its first item and parameters.

    The first item is stripped (case kept); parameter names are lowercased, values unquoted.
    A parameter without ``=`` gets the empty string; a repeated parameter keeps its first
    value. Never raises: malformed pieces are kept as well as they can be or skipped.
    """
    head, *rest = _split_outside_quotes(value, ";")
    params: dict[str, str] = {}
    for piece in rest:
        name, _, raw = piece.partition("=")
        name = name.strip().lower()
        if name and name not in params:
            params[name] = _unquote(raw.strip())
    return head.strip(), params


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """Parse a ``Content-Type`` value into ``(media type, params)``.

    The media type is lowercased (``""`` when the header is missing or empty); parameter
    names are lowercased; ``charset`` values are lowercased too, since they are
    case-insensitive.
    """
    if not value:
        return "", {}
    media_type, params = parse_header_params(value)
    if "charset" in params:
        params["charset"] = params["charset"].lower()
    return media_type.lower(), params


def is_utf8_charset(params: dict[str, str]) -> bool:
    """True when ``params`` names no charset (GoH: assume UTF-8) or names UTF-8."""
    return params.get("charset", "utf-8") in _UTF8


@dataclass(frozen=True)
class MediaRange:
    """One entry of an ``Accept`` header."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    quality: float
    #: Position in the header, to keep the client's order among equals.
    index: int

    @property
    def specificity(self) -> int:
        """0 for ``*/*``, 1 for ``type/*``, 2 for ``type/subtype``, 3 with parameters."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 3 if self.params else 2

    def matches(self, media_type: str, params: dict[str, str]) -> bool:
        """Whether this range accepts ``media_type`` (lowercase) with ``params``.

        A ``charset`` parameter in the range is satisfied by UTF-8 (graphqlwire only ever
        sends UTF-8); other range parameters must be present with the same value.
        """
        type_, _, subtype = media_type.partition("/")
        if self.type != "*" and (self.type != type_ or self.subtype not in ("*", subtype)):
            return False
        for name, value in self.params:
            if name == "charset":
                if value.lower() not in _UTF8:
                    return False
            elif params.get(name) != value:
                return False
        return True


def _parse_quality(value: str) -> float | None:
    try:
        quality = float(value)
    except ValueError:
        return None
    return quality if 0.0 <= quality <= 1.0 else None


@lru_cache(maxsize=128)
def parse_accept(header: str) -> tuple[MediaRange, ...]:
    """Parse an ``Accept`` header into media ranges, best first.

    Order: by ``q`` (highest first), then by specificity, then by position. Entries that
    are not ``type/subtype`` or have an invalid ``q`` are skipped; a bare ``*`` (sent by
    some old clients) means ``*/*``. Cached: the same few header values repeat constantly.
    """
    ranges: list[MediaRange] = []
    for index, item in enumerate(_split_outside_quotes(header, ",")):
        media_type, params = parse_header_params(item)
        media_type = media_type.lower()
        if media_type == "*":
            media_type = "*/*"
        type_, slash, subtype = media_type.partition("/")
        if not slash or not type_ or not subtype or (type_ == "*" and subtype != "*"):
            continue
        quality = _parse_quality(params.pop("q", "1"))
        if quality is None:
            continue
        ranges.append(MediaRange(type_, subtype, tuple(sorted(params.items())), quality, index))
    ranges.sort(key=lambda r: (-r.quality, -r.specificity, r.index))
    return tuple(ranges)


@lru_cache(maxsize=256)
def _negotiate(header: str, offered: tuple[str, ...]) -> str | None:
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    choice = None
    for position, offer in enumerate(offered):
        media_type, params = parse_content_type(offer)
        match = max(
            (r for r in ranges if r.matches(media_type, params)),
            key=lambda r: r.specificity,
            default=None,
        )
        if match is None or match.quality <= 0:
            continue
        rank = (match.quality, match.specificity, -position)
        if best is None or rank > best:
            best, choice = rank, offer
    return choice


def negotiate(accept_header: str | None, offered: Sequence[str]) -> str | None:
    """Pick the entry of ``offered`` (server preference order) the client likes best.

    Returns None when nothing offered is acceptable (the caller answers 406 or falls back).
    A missing or blank ``Accept`` header accepts anything: the first offered type wins.
    """
    if not offered:
        return None
    if accept_header is None or not accept_header.strip():
        return offered[0]
    return _negotiate(accept_header, tuple(offered))


def _decode_component(raw: bytes) -> str:
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if b"%" in raw:
        raw = unquote_to_bytes(raw)
    return raw.decode("utf-8", "replace")


def parse_urlencoded(data: bytes | str, max_fields: int | None = None) -> list[tuple[str, str]]:
    """Parse ``application/x-www-form-urlencoded`` data the WHATWG URL standard way.

    Split on ``&`` (empty sequences skipped), split each at the first ``=`` (a name without
    ``=`` gets the empty value), turn ``+`` into a space, percent-decode to bytes, then decode
    UTF-8 with U+FFFD for invalid sequences. More than ``max_fields`` pairs raises
    ``HttpPayloadTooLargeError``.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    pairs: list[tuple[str, str]] = []
    for sequence in data.split(b"&"):
        if not sequence:
            continue
        if max_fields is not None and len(pairs) >= max_fields:
            raise HttpPayloadTooLargeError(f"Too many form fields: the limit is {max_fields}.")
        name, _, value = sequence.partition(b"=")
        pairs.append((_decode_component(name), _decode_component(value)))
    return pairs
