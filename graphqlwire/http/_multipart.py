"""A streaming, sans-IO ``multipart/form-data`` parser (RFC 7578 on RFC 2046 framing).

``MultipartParser`` takes bytes in chunks of any size (``feed``) and returns events
(``PartStart``, ``PartData``, ``PartEnd``, ``MultipartEnd``); ``finish`` says the body is
over and raises if it was cut short. It never awaits and never does I/O, so it is tested
without an event loop and shared by the ASGI ``Request.form`` and the WSGI app. Memory use
is bounded by the part header limit plus one boundary, whatever the body size.

Framing (RFC 2046 §5.1.1): the body is a preamble, then parts each opened by a delimiter
line ``--boundary`` (optionally followed by spaces or tabs) and CRLF, then the close
delimiter ``--boundary--`` and an epilogue. The CRLF *before* each delimiter belongs to
the delimiter, not to the part before it. Preamble and epilogue are ignored.

``graphqlwire.uploads`` drives it into a ``FormData`` of strings and ``UploadFile`` objects.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from urllib.parse import unquote

from ._datastructures import Headers
from ._errors import HttpBadRequestError, HttpError, HttpPayloadTooLargeError
from ._mediatypes import parse_header_params

_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_MAX_BOUNDARY = 200  # RFC 2046 says 70; be lenient with clients but keep it bounded
_MAX_DELIMITER_PADDING = 1024


class MultipartError(HttpError):
    """Base of the errors raised for a multipart body; ``status`` is 400 or 413."""


class MultipartParseError(MultipartError, HttpBadRequestError):
    """The body is not valid ``multipart/form-data`` (answered with 400)."""


class MultipartTooLargeError(MultipartError, HttpPayloadTooLargeError):
    """The body breaks one of the ``MultipartLimits`` (answered with 413)."""


#: Default most bytes in one non-file field.
DEFAULT_MAX_FIELD_SIZE = 1024 * 1024


@dataclass(frozen=True)
class MultipartLimits:
    """Limits enforced while parsing; None means unlimited."""

    max_files: int | None = 1000
    max_fields: int | None = 1000
    #: Bytes in the header block of one part.
    max_header_size: int = 16 * 1024
    #: Bytes in one non-file field.
    max_field_size: int | None = DEFAULT_MAX_FIELD_SIZE
    #: Bytes in one file.
    max_file_size: int | None = None
    #: Bytes in the whole body, preamble and epilogue included.
    max_total_size: int | None = None


@dataclass(frozen=True)
class PartStart:
    """A part begins. ``filename`` is None for plain fields (no ``filename`` parameter)."""

    name: str
    filename: str | None
    content_type: str | None
    headers: Headers


@dataclass(frozen=True)
class PartData:
    """The next chunk of the current part's content."""

    data: bytes


@dataclass(frozen=True)
class PartEnd:
    """The current part is complete."""


@dataclass(frozen=True)
class MultipartEnd:
    """The close delimiter was read: the body is complete."""


Event = PartStart | PartData | PartEnd | MultipartEnd


class _State(enum.Enum):
    PREAMBLE = enum.auto()
    AFTER_BOUNDARY = enum.auto()
    HEADERS = enum.auto()
    BODY = enum.auto()
    EPILOGUE = enum.auto()


def _decode_header_text(raw: bytes) -> str:
    # RFC 7578 §5.1: browsers put UTF-8 straight into filename="..."; fall back to latin-1.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _filename(params: dict[str, str]) -> str | None:
    extended = params.get("filename*")
    if extended is not None:
        # RFC 8187 ext-value: charset'language'percent-encoded
        charset, quote1, rest = extended.partition("'")
        _language, quote2, encoded = rest.partition("'")
        if quote1 and quote2:
            try:
                return unquote(encoded, encoding=charset or "utf-8", errors="replace")
            except LookupError:
                return unquote(encoded, encoding="utf-8", errors="replace")
    return params.get("filename")


class MultipartParser:
    """Sans-IO parser for one ``multipart/form-data`` body.

    # Required arguments

    `boundary`: the ``boundary`` parameter of the request's ``Content-Type`` (None or
    empty raises ``MultipartParseError``).

    # Optional arguments

    `limits`: a ``MultipartLimits``; breaking one raises ``MultipartTooLargeError``.
    """

    def __init__(self, boundary: str | bytes | None, limits: MultipartLimits | None = None):
        self.limits = limits or MultipartLimits()
        self._delimiter = b"\r\n--" + _check_boundary(boundary)
        # A virtual CRLF lets a first boundary at offset 0 be found like any other.
        self._buffer = bytearray(b"\r\n")
        self._state = _State.PREAMBLE
        self._total = self._files = self._fields = self._part_size = 0
        self._part: PartStart | None = None

    @property
    def complete(self) -> bool:
        """True once the close delimiter has been read."""
        return self._state is _State.EPILOGUE

    def feed(self, data: bytes) -> list[Event]:
        """Parse the next chunk of the body; return the events it completes."""
        self._total += len(data)
        limit = self.limits.max_total_size
        if limit is not None and self._total > limit:
            raise MultipartTooLargeError(
                f"Multipart body is larger than the limit of {limit} bytes."
            )
        events: list[Event] = []
        if self._state is not _State.EPILOGUE:
            self._buffer += data
            while self._step(events):
                pass
        return events

    def finish(self) -> None:
        """Declare the end of the body; raise ``MultipartParseError`` if it was cut short."""
        state = self._state
        if state is _State.EPILOGUE:
            return
        if state is _State.PREAMBLE:
            if self._total == 0:
                raise MultipartParseError("Multipart body is empty.")
            raise MultipartParseError(
                "Malformed multipart body: no boundary line "
                f"'--{self._delimiter[4:].decode('latin-1')}' found."
            )
        if state is _State.BODY and self._part is not None:
            raise MultipartParseError(
                f"Malformed multipart body: it ends inside part {self._part.name!r} "
                "before the closing boundary."
            )
        raise MultipartParseError(
            "Malformed multipart body: it ends after a boundary, before the closing boundary."
        )

    # --- states ---------------------------------------------------------------------------
    def _step(self, events: list[Event]) -> bool:
        """Advance one state; return whether another step may make progress."""
        state = self._state
        if state is _State.BODY:
            return self._read_body(events)
        if state is _State.HEADERS:
            return self._read_headers(events)
        if state is _State.AFTER_BOUNDARY:
            return self._read_after_boundary(events)
        # PREAMBLE: feed() never steps in EPILOGUE.
        return self._skip_preamble()

    def _skip_preamble(self) -> bool:
        buffer = self._buffer
        index = buffer.find(self._delimiter)
        if index < 0:
            keep = len(self._delimiter) - 1
            if len(buffer) > keep:
                del buffer[:-keep]
            return False
        del buffer[: index + len(self._delimiter)]
        self._state = _State.AFTER_BOUNDARY
        return True

    def _read_after_boundary(self, events: list[Event]) -> bool:
        buffer = self._buffer
        if len(buffer) < 2:
            return False
        if buffer.startswith(b"--"):
            buffer.clear()
            self._state = _State.EPILOGUE
            events.append(MultipartEnd())
            return False
        line_end = buffer.find(b"\r\n")
        if line_end < 0:
            if len(buffer) > _MAX_DELIMITER_PADDING:
                raise MultipartParseError("Malformed multipart body: a boundary line is too long.")
            return False
        if buffer[:line_end].strip(b" \t"):
            raise MultipartParseError(
                "Malformed multipart body: unexpected characters after a boundary "
                "(expected CRLF or '--')."
            )
        del buffer[: line_end + 2]
        self._state = _State.HEADERS
        return True

    def _read_headers(self, events: list[Event]) -> bool:
        buffer = self._buffer
        limit = self.limits.max_header_size
        if buffer.startswith(b"\r\n"):
            block, consumed = b"", 2
        else:
            end = buffer.find(b"\r\n\r\n")
            if end < 0 or end > limit:
                if len(buffer) > limit:
                    raise MultipartTooLargeError(
                        f"Multipart part headers are larger than the limit of {limit} bytes."
                    )
                return False
            block, consumed = bytes(buffer[:end]), end + 4
        del buffer[:consumed]
        events.append(self._start_part(block))
        self._state = _State.BODY
        return True

    def _read_body(self, events: list[Event]) -> bool:
        buffer = self._buffer
        delimiter = self._delimiter
        index = buffer.find(delimiter)
        if index >= 0:
            if index:
                events.append(self._data(bytes(buffer[:index])))
            del buffer[: index + len(delimiter)]
            events.append(PartEnd())
            self._part = None
            self._state = _State.AFTER_BOUNDARY
            return True
        # Everything before the last CR that could begin a delimiter is content.
        safe = buffer.find(b"\r", max(0, len(buffer) - len(delimiter) + 1))
        if safe < 0:
            safe = len(buffer)
        if safe:
            events.append(self._data(bytes(buffer[:safe])))
            del buffer[:safe]
        return False

    # --- parts ----------------------------------------------------------------------------
    def _start_part(self, block: bytes) -> PartStart:
        number = self._files + self._fields + 1
        raw = _parse_header_block(block, number)
        headers = Headers(raw=raw)
        disposition = headers.get("content-disposition")
        if disposition is None:
            raise MultipartParseError(
                f"Malformed multipart body: part {number} has no Content-Disposition header."
            )
        # Headers decodes latin-1, which round-trips to the raw bytes losslessly.
        kind, params = parse_header_params(_decode_header_text(disposition.encode("latin-1")))
        if kind.lower() != "form-data":
            raise MultipartParseError(
                f"Malformed multipart body: part {number} has Content-Disposition "
                f"{kind!r}; expected 'form-data'."
            )
        name = params.get("name")
        if name is None:
            raise MultipartParseError(
                f"Malformed multipart body: part {number} has no name in its "
                "Content-Disposition header."
            )
        filename = _filename(params)
        if filename is None:
            self._fields += 1
            self._check_count(self._fields, self.limits.max_fields, "fields")
        else:
            self._files += 1
            self._check_count(self._files, self.limits.max_files, "files")
        self._part_size = 0
        self._part = PartStart(name, filename, headers.get("content-type"), headers)
        return self._part

    @staticmethod
    def _check_count(count: int, limit: int | None, what: str) -> None:
        if limit is not None and count > limit:
            raise MultipartTooLargeError(
                f"Too many {what} in the multipart body: the limit is {limit}."
            )

    def _data(self, data: bytes) -> PartData:
        part = self._part
        if part is None:
            raise RuntimeError("part data before the part's headers")
        self._part_size += len(data)
        is_file = part.filename is not None
        limit = self.limits.max_file_size if is_file else self.limits.max_field_size
        if limit is not None and self._part_size > limit:
            what = "File" if is_file else "Field"
            raise MultipartTooLargeError(
                f"{what} {part.name!r} is larger than the limit of {limit} bytes."
            )
        return PartData(data)


def _check_boundary(boundary: str | bytes | None) -> bytes:
    if not boundary:
        raise MultipartParseError("multipart/form-data Content-Type has no boundary parameter.")
    if isinstance(boundary, str):
        boundary = boundary.encode("utf-8")
    if len(boundary) > _MAX_BOUNDARY or any(byte < 0x20 or byte > 0x7E for byte in boundary):
        raise MultipartParseError(
            f"multipart/form-data boundary is invalid: it must be 1 to {_MAX_BOUNDARY} "
            "printable ASCII characters."
        )
    return boundary


def _parse_header_block(block: bytes, number: int) -> list[tuple[bytes, bytes]]:
    raw: list[tuple[bytes, bytes]] = []
    for line in block.split(b"\r\n") if block else ():
        if line[:1] in (b" ", b"\t") and raw:
            # Obsolete line folding (RFC 5322 §2.2.3): a continuation of the previous value.
            name, value = raw[-1]
            raw[-1] = (name, value + b" " + line.strip(b" \t"))
            continue
        name, colon, value = line.partition(b":")
        if not colon or not _TOKEN.fullmatch(name):
            raise MultipartParseError(
                f"Malformed multipart body: part {number} has an invalid header line "
                f"{line[:60].decode('latin-1')!r}."
            )
        raw.append((name.lower(), value.strip(b" \t")))
    return raw
