"""File uploads: multipart bodies into ``FormData``, and the GraphQL multipart request spec.

``parse_form`` (sync, for WSGI) and ``parse_form_async`` (for ASGI ``receive`` streams) run
``graphqlwire.multipart.MultipartParser`` over a body and collect plain fields as strings
and files as spooled ``UploadFile`` objects: a file's bytes go to its ``UploadFile`` as they
arrive, so no upload is ever held whole in memory.

``combine_multipart_data`` and ``multipart_operations`` implement the GraphQL multipart
request spec (https://github.com/jaydenseric/graphql-multipart-request-spec): the
``operations`` field holds the operation (or a batch array) with each file replaced by
``null``, and ``map`` says which ``null`` each file field replaces, e.g.
``{"0": ["variables.file"], "1": ["variables.files.0", "0.variables.other"]}``.
"""

from __future__ import annotations

from collections.abc import AsyncIterable, Callable, Iterable, Iterator, Mapping
from typing import Any

from .. import _json as strict_json
from ._datastructures import DEFAULT_SPOOL_SIZE, FormData, UploadFile
from ._errors import HttpBadRequestError, HttpPayloadTooLargeError
from ._multipart import (
    DEFAULT_MAX_FIELD_SIZE,
    Event,
    MultipartLimits,
    MultipartParseError,
    MultipartParser,
    PartData,
    PartEnd,
    PartStart,
)


class _FormBuilder:
    """Collects parser events into ``FormData``; file bytes are handed back to the driver.

    Returning ``(upload, data)`` instead of writing lets the async driver await
    ``UploadFile.write`` (off the loop once on disk) and the sync driver write directly.
    """

    def __init__(self, spool_size: int) -> None:
        self._spool_size = spool_size
        self._items: list[tuple[str, str | UploadFile]] = []
        self._uploads: list[UploadFile] = []
        self._name = ""
        self._field: bytearray | None = None
        self._upload: UploadFile | None = None

    def handle(self, event: Event) -> tuple[UploadFile, bytes] | None:
        if isinstance(event, PartData):
            if self._upload is not None:
                return self._upload, event.data
            if self._field is not None:
                self._field += event.data
        elif isinstance(event, PartStart):
            self._name = event.name
            if event.filename is None:
                self._field = bytearray()
            else:
                self._upload = UploadFile.spooled(event.filename, event.headers, self._spool_size)
                self._uploads.append(self._upload)
        elif isinstance(event, PartEnd):
            self._end_part()
        return None

    def _end_part(self) -> None:
        if self._upload is not None:
            self._upload.file.seek(0)
            self._items.append((self._name, self._upload))
            self._upload = None
        elif self._field is not None:
            try:
                value = self._field.decode("utf-8")
            except UnicodeDecodeError:
                raise MultipartParseError(
                    f"Multipart field {self._name!r} is not valid UTF-8."
                ) from None
            self._items.append((self._name, value))
            self._field = None

    def form(self) -> FormData:
        return FormData(self._items)

    def discard(self) -> None:
        """Close every file created so far (parsing failed)."""
        for upload in self._uploads:
            upload.file.close()


def parse_form(
    chunks: Iterable[bytes],
    boundary: str | bytes | None,
    limits: MultipartLimits | None = None,
    spool_size: int = DEFAULT_SPOOL_SIZE,
) -> FormData:
    """Parse a whole ``multipart/form-data`` body from ``chunks`` without an event loop.

    For WSGI: pass ``read_chunks(environ["wsgi.input"].read, content_length)``. Files are
    written to ``UploadFile``s spooled to disk past ``spool_size`` bytes. Raises
    ``MultipartParseError`` (400) or ``MultipartTooLargeError`` (413); files already
    created are closed first.
    """
    parser = MultipartParser(boundary, limits)
    builder = _FormBuilder(spool_size)
    try:
        for chunk in chunks:
            for event in parser.feed(chunk):
                write = builder.handle(event)
                if write is not None:
                    write[0].write_sync(write[1])
        parser.finish()
    except BaseException:
        builder.discard()
        raise
    return builder.form()


async def parse_form_async(
    chunks: AsyncIterable[bytes],
    boundary: str | bytes | None,
    limits: MultipartLimits | None = None,
    spool_size: int = DEFAULT_SPOOL_SIZE,
) -> FormData:
    """Like ``parse_form``, reading an async stream of chunks (``Request.stream()``)."""
    parser = MultipartParser(boundary, limits)
    builder = _FormBuilder(spool_size)
    try:
        async for chunk in chunks:
            for event in parser.feed(chunk):
                write = builder.handle(event)
                if write is not None:
                    await write[0].write(write[1])
        parser.finish()
    except BaseException:
        builder.discard()
        raise
    return builder.form()


def read_chunks(
    read: Callable[[int], bytes], content_length: int | None, chunk_size: int = 64 * 1024
) -> Iterator[bytes]:
    """Yield a WSGI-style body in chunks of at most ``chunk_size`` bytes.

    Stops after ``content_length`` bytes (reading past it can block forever on some WSGI
    servers) or at the first empty read; None reads until an empty read.
    """
    remaining = content_length
    while remaining is None or remaining > 0:
        size = chunk_size if remaining is None else min(chunk_size, remaining)
        data = read(size)
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


def _upload_size(upload: UploadFile) -> int:
    if upload.size is not None:
        return upload.size
    position = upload.file.tell()
    size = upload.file.seek(0, 2)
    upload.file.seek(position)
    return size


def _load_json_field(form: FormData, name: str, max_field_size: int | None) -> Any:
    if name not in form:
        raise HttpBadRequestError(f"The multipart request has no {name!r} field.")
    value = form[name]
    if isinstance(value, UploadFile):
        # Some clients append JSON as a Blob, which browsers send as a file part. The
        # field limit applies all the same, checked before reading: within it the file is
        # still in memory (the spool size is larger), so the read below cannot block.
        size = _upload_size(value)
        if max_field_size is not None and size > max_field_size:
            raise HttpPayloadTooLargeError(
                f"The multipart {name!r} field was sent as a file of {size} bytes, over the "
                f"limit of {max_field_size} bytes for a field."
            )
        value.file.seek(0)
        raw: bytes | str = value.file.read()
    else:
        raw = value
    try:
        return strict_json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        raise HttpBadRequestError(
            f"The multipart {name!r} field is not valid JSON: {error}."
        ) from None


def multipart_operations(
    form: FormData, max_field_size: int | None = DEFAULT_MAX_FIELD_SIZE
) -> dict[str, Any] | list[Any]:
    """Build the GraphQL request data from a parsed multipart form.

    Reads the ``operations`` and ``map`` fields as JSON (a missing field or invalid JSON is
    a 400 naming the field), takes every other file part as an upload, and returns
    ``combine_multipart_data(operations, map, files)``. ``operations`` or ``map`` sent as
    a file part larger than ``max_field_size`` bytes (the parser's limit for plain
    fields, 1 MiB by default) is refused with 413 before it is read.
    """
    operations = _load_json_field(form, "operations", max_field_size)
    files_map = _load_json_field(form, "map", max_field_size)
    files: dict[str, Any] = {}
    for name, value in form.multi_items():
        if name not in ("operations", "map") and isinstance(value, UploadFile):
            if name in files:
                raise HttpBadRequestError(f"The multipart file field {name!r} was sent twice.")
            files[name] = value
    for name in files_map if isinstance(files_map, dict) else ():
        if name not in files and isinstance(form.get(name), str):
            raise HttpBadRequestError(f"The multipart field {name!r} named in 'map' is not a file.")
    return combine_multipart_data(operations, files_map, files)


def combine_multipart_data(
    operations: dict[str, Any] | list[Any], files_map: Any, files: Mapping[str, Any]
) -> dict[str, Any] | list[Any]:
    """Put each file of ``files`` in place of the ``null``s that ``files_map`` points at.

    # Required arguments

    `operations`: the decoded ``operations`` field: one operation object or a batch array.
    It is changed in place and returned.

    `files_map`: the decoded ``map`` field: an object whose values are arrays of
    dot-separated paths into ``operations`` (``variables.file``, ``variables.files.0``,
    ``0.variables.file`` in a batch). One file may appear under several paths.

    `files`: the file parts by field name.

    Raises ``HttpBadRequestError`` (400) saying which rule is broken: ``operations`` not an
    object or array; ``map`` not an object of string arrays; a path that does not exist or
    does not point at ``null``; a mapped file that did not arrive; a file not in ``map``.
    """
    if not isinstance(operations, (dict, list)):
        raise HttpBadRequestError(
            "The multipart 'operations' field must be a JSON object or an array of them."
        )
    if not isinstance(files_map, dict):
        raise HttpBadRequestError(
            "The multipart 'map' field must be a JSON object whose values are arrays of paths."
        )
    for name, paths in files_map.items():
        if not isinstance(paths, list) or not paths or not all(isinstance(p, str) for p in paths):
            raise HttpBadRequestError(
                f"The multipart 'map' entry {name!r} must be a non-empty array of path strings."
            )
    unmapped = [name for name in files if name not in files_map]
    if unmapped:
        raise HttpBadRequestError(
            f"The multipart file {unmapped[0]!r} is not named in the 'map' field."
        )
    for name, paths in files_map.items():
        if name not in files:
            raise HttpBadRequestError(
                f"The file {name!r} named in the multipart 'map' field was not received."
            )
        for path in paths:
            _place_file(operations, path, name, files[name])
    return operations


def _place_file(operations: dict[str, Any] | list[Any], path: str, name: str, file: Any) -> None:
    where = f"path {path!r} of the multipart 'map' entry {name!r}"
    container: Any = operations
    keys = path.split(".")
    for depth, key in enumerate(keys):
        if isinstance(container, dict) and key in container:
            slot: str | int = key
        elif isinstance(container, list) and _is_index(key) and int(key) < len(container):
            slot = int(key)
        else:
            raise HttpBadRequestError(f"The {where} does not exist in 'operations'.")
        if depth == len(keys) - 1:
            if container[slot] is not None:
                raise HttpBadRequestError(f"The {where} must point at null in 'operations'.")
            container[slot] = file
        else:
            container = container[slot]


def _is_index(key: str) -> bool:
    """ASCII digits only: ``str.isdigit`` also accepts ``"²"``, which ``int()`` refuses."""
    return key.isascii() and key.isdigit()
