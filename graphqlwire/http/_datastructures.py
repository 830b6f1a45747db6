"""Request-side data types shared by the ASGI and WSGI layers.

``Headers`` and ``QueryParams`` are read-only views over what the ASGI scope carries (raw
``(bytes, bytes)`` header pairs, the raw query string). ``FormData`` and ``UploadFile`` hold
what the form parsers (``graphqlwire.uploads``) produce; ``UploadFile``'s async methods move
disk access off the event loop once its spooled file has rolled over to disk.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import lru_cache
from typing import IO, Any, TypeVar, overload
from urllib.parse import quote, urlencode, urlsplit

from ..types import Scope
from ._mediatypes import parse_urlencoded

V = TypeVar("V")
T = TypeVar("T")

#: Uploads stay in memory up to this many bytes, then spill to a temporary file on disk.
DEFAULT_SPOOL_SIZE = 1024 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


class ImmutableMultiDict(Mapping[str, V]):
    """A read-only mapping that keeps every value of a repeated key, in arrival order.

    ``md[key]`` and ``md.get(key)`` give the *first* value (as WHATWG ``URLSearchParams.get``
    does), ``getlist(key)`` all of them and ``multi_items()`` every pair.
    """

    __slots__ = ("_dict", "_list")

    def __init__(self, items: Iterable[tuple[str, V]] | Mapping[str, V] = ()) -> None:
        pairs = list(items.items()) if isinstance(items, Mapping) else list(items)
        first: dict[str, V] = {}
        for key, value in pairs:
            first.setdefault(key, value)
        self._list, self._dict = pairs, first

    def __getitem__(self, key: str) -> V:
        return self._dict[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict)

    def __len__(self) -> int:
        return len(self._dict)

    def __contains__(self, key: object) -> bool:
        return key in self._dict

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ImmutableMultiDict):
            return Counter(self._list) == Counter(other._list)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def getlist(self, key: str) -> list[V]:
        """Every value given for ``key`` (an empty list when there is none)."""
        return [value for name, value in self._list if name == key]

    def multi_items(self) -> list[tuple[str, V]]:
        """Every ``(key, value)`` pair, repeated keys included, in arrival order."""
        return list(self._list)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._list!r})"


class QueryParams(ImmutableMultiDict[str]):
    """The URL query of a request, decoded per the WHATWG urlencoded rules."""

    __slots__ = ()

    def __init__(
        self, query: str | bytes | Iterable[tuple[str, str]] | Mapping[str, str] = ""
    ) -> None:
        if isinstance(query, (str, bytes)):
            query = parse_urlencoded(query)
        super().__init__(query)

    def __str__(self) -> str:
        return urlencode(self._list)


class Headers:
    """Case-insensitive, multi-valued, read-only HTTP headers.

    Backed by the ASGI raw header list (``[(name, value), ...]``, names lowercase bytes, as
    ASGI servers send them); names and values are decoded as latin-1, as HTTP defines them.
    ``items()``, ``keys()`` and ``values()`` keep repeated headers; ``headers[name]`` and
    ``get(name)`` give the first value, ``getlist(name)`` every value.
    """

    __slots__ = ("_raw",)

    def __init__(
        self,
        headers: Mapping[str, str] | None = None,
        *,
        raw: list[tuple[bytes, bytes]] | None = None,
        scope: Scope | None = None,
    ) -> None:
        if raw is not None:
            self._raw = raw
        elif scope is not None:
            self._raw = list(scope.get("headers") or ())
        else:
            self._raw = [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in (headers or {}).items()
            ]

    @property
    def raw(self) -> list[tuple[bytes, bytes]]:
        """The underlying ``(name, value)`` byte pairs (for ``http.response.start``)."""
        return self._raw

    @staticmethod
    @lru_cache(maxsize=256)  # names come from code (a few dozen at most) and repeat constantly
    def _key(name: str) -> bytes | None:
        try:
            return name.lower().encode("latin-1")
        except UnicodeEncodeError:
            return None

    @overload
    def get(self, name: str) -> str | None: ...
    @overload
    def get(self, name: str, default: T) -> str | T: ...
    def get(self, name: str, default: Any = None) -> Any:
        """The first value of header ``name``, or ``default``."""
        key = self._key(name)
        for raw_name, raw_value in self._raw:
            if raw_name == key:
                return raw_value.decode("latin-1")
        return default

    def __getitem__(self, name: str) -> str:
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def getlist(self, name: str) -> list[str]:
        """Every value of header ``name``, in order."""
        key = self._key(name)
        return [value.decode("latin-1") for raw_name, value in self._raw if raw_name == key]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def keys(self) -> list[str]:
        """Header names (lowercase), repeated names included."""
        return [name.decode("latin-1") for name, _ in self._raw]

    def items(self) -> list[tuple[str, str]]:
        """``(name, value)`` pairs, repeated names included, in order."""
        return [(name.decode("latin-1"), value.decode("latin-1")) for name, value in self._raw]

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self._raw)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return sorted(self._raw) == sorted(other._raw)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def mutablecopy(self) -> MutableHeaders:
        """A ``MutableHeaders`` holding a copy of these headers."""
        return MutableHeaders(raw=list(self._raw))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.items()!r})"


class MutableHeaders(Headers):
    """Headers that can be changed in place; edits write through to the raw list.

    ``Response.headers`` returns one of these over the response's own raw header list, so
    ``response.headers["x-thing"] = "1"`` changes what is sent.
    """

    __slots__ = ()

    def __setitem__(self, name: str, value: str) -> None:
        """Set ``name`` to the single ``value``, replacing every earlier value."""
        key = name.lower().encode("latin-1")
        pair, raw = (key, value.encode("latin-1")), self._raw
        index = next((i for i, (raw_name, _) in enumerate(raw) if raw_name == key), None)
        if index is None:
            raw.append(pair)
        else:
            raw[index:] = [pair, *(other for other in raw[index + 1 :] if other[0] != key)]

    def __delitem__(self, name: str) -> None:
        key = self._key(name)
        if not any(raw_name == key for raw_name, _ in self._raw):
            raise KeyError(name)
        self._raw[:] = [pair for pair in self._raw if pair[0] != key]

    def append(self, name: str, value: str) -> None:
        """Add a value for ``name``, keeping earlier ones (for ``vary``, ``set-cookie``...)."""
        self._raw.append((name.lower().encode("latin-1"), value.encode("latin-1")))

    def setdefault(self, name: str, value: str) -> str:
        """Set ``name`` to ``value`` unless it is already set; return its (first) value."""
        if (current := self.get(name)) is not None:
            return current
        self.append(name, value)
        return value


def _url_from_scope(scope: Scope) -> str:
    scheme = scope.get("scheme") or "http"
    host = None
    for name, value in scope.get("headers") or ():
        if name == b"host":
            host = value.decode("latin-1")
            break
    # A Host header that cannot be an authority would make urlsplit misread the URL.
    if host is not None and any(char in host for char in "/?#@\\ "):
        host = None
    server = scope.get("server")
    if host is None and server is not None and server[1] is not None:
        server_host, port = server
        if ":" in server_host:
            server_host = f"[{server_host}]"
        default = _DEFAULT_PORTS.get(scheme)
        host = server_host if port == default else f"{server_host}:{port}"
    # ASGI: ``path`` is already decoded and includes ``root_path``.
    path = quote(scope.get("path") or "/", safe="/:@!$&'()*+,;=~")
    query = scope.get("query_string") or b""
    url = f"{scheme}://{host}{path}" if host else path
    return f"{url}?{query.decode('latin-1')}" if query else url


class URL:
    """An absolute (or, without a host, path-only) URL with its parts as properties.

    Build it from a string, or with ``URL(scope=scope)`` from an ASGI scope: scheme from
    ``scope["scheme"]``, host from the ``Host`` header (else ``scope["server"]``, default ports
    omitted), ``path`` (which includes ``root_path``) percent-encoded, and the query string.
    """

    __slots__ = ("_url", "components", "fragment", "netloc", "path", "query", "scheme")

    def __init__(self, url: str = "", *, scope: Scope | None = None) -> None:
        self._url = _url_from_scope(scope) if scope is not None else url
        self.components = urlsplit(self._url)  # the ``urllib.parse.urlsplit`` result
        self.scheme, self.netloc, self.path, self.query, self.fragment = self.components

    @property
    def hostname(self) -> str | None:
        """The host, lowercase, without brackets or port (None when there is no host)."""
        return self.components.hostname

    @property
    def port(self) -> int | None:
        """The explicit port, or None (also when the port is not a valid number)."""
        try:
            return self.components.port
        except ValueError:
            return None

    @property
    def is_secure(self) -> bool:
        """True for ``https`` and ``wss``."""
        return self.scheme in ("https", "wss")

    def replace(self, **parts: str) -> URL:
        """A new URL with some of ``scheme``, ``netloc``, ``path``, ``query``, ``fragment``."""
        return URL(self.components._replace(**parts).geturl())

    def __str__(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"URL({self._url!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (URL, str)):
            return str(self) == str(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._url)


class UploadFile:
    """One uploaded file: its name, type, part headers, size and contents.

    ``file`` is a plain binary file object for synchronous code (WSGI); the async methods are
    for ASGI code and run in a worker thread once a spooled file has rolled over to disk, so a
    big upload never blocks the event loop. ``size`` counts the bytes written so far.
    """

    __slots__ = ("file", "filename", "headers", "size")

    def __init__(
        self,
        file: IO[bytes],
        *,
        size: int | None = None,
        filename: str | None = None,
        headers: Headers | None = None,
    ) -> None:
        self.file = file
        self.size = size
        self.filename = filename
        self.headers = headers if headers is not None else Headers()

    @classmethod
    def spooled(
        cls,
        filename: str | None = None,
        headers: Headers | None = None,
        spool_size: int = DEFAULT_SPOOL_SIZE,
    ) -> UploadFile:
        """An empty upload backed by a ``SpooledTemporaryFile`` that spills past ``spool_size``."""
        import tempfile  # (loaded with the first upload: queries never need it)

        file: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=spool_size)  # noqa: SIM115
        return cls(file, size=0, filename=filename, headers=headers)

    @property
    def content_type(self) -> str | None:
        """The part's ``Content-Type`` header, if it had one."""
        return self.headers.get("content-type")

    @property
    def _on_disk(self) -> bool:
        # SpooledTemporaryFile sets _rolled once it has moved to a real file; any other file
        # object is assumed to be on disk.
        return bool(getattr(self.file, "_rolled", True))

    async def _io(self, method: Callable[..., T], *args: Any) -> T:
        # In memory, file calls are instant; on disk they may block, so use a thread.
        if self._on_disk:
            return await asyncio.to_thread(method, *args)
        return method(*args)

    def write_sync(self, data: bytes) -> None:
        """Append ``data`` and count it in ``size`` (for synchronous parsers)."""
        if self.size is not None:
            self.size += len(data)
        self.file.write(data)

    async def write(self, data: bytes) -> None:
        """Append ``data`` and count it in ``size``."""
        await self._io(self.write_sync, data)

    async def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` bytes (everything left by default)."""
        return await self._io(self.file.read, size)

    async def seek(self, offset: int) -> None:
        """Move to byte ``offset``."""
        await self._io(self.file.seek, offset)

    async def close(self) -> None:
        """Close the file (a rolled-over temporary file is deleted)."""
        await self._io(self.file.close)

    def __repr__(self) -> str:
        return (
            f"UploadFile(filename={self.filename!r}, size={self.size!r}, "
            f"content_type={self.content_type!r})"
        )


class FormData(ImmutableMultiDict["str | UploadFile"]):
    """Parsed form fields: strings for plain fields, ``UploadFile`` for files."""

    __slots__ = ()

    def uploads(self) -> list[UploadFile]:
        """Every ``UploadFile`` in the form."""
        return [value for _, value in self._list if isinstance(value, UploadFile)]

    async def close(self) -> None:
        """Close every uploaded file."""
        for upload in self.uploads():
            await upload.close()

    def close_sync(self) -> None:
        """Close every uploaded file, without an event loop (WSGI)."""
        for upload in self.uploads():
            upload.file.close()
