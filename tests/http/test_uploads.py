"""Multipart bodies into FormData (sync and async drivers) and the GraphQL multipart spec."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from graphqlwire.http import FormData, HttpBadRequestError, HttpPayloadTooLargeError, UploadFile
from graphqlwire.http._multipart import MultipartLimits, MultipartParseError, MultipartTooLargeError
from graphqlwire.http._uploads import (
    combine_multipart_data,
    multipart_operations,
    parse_form,
    parse_form_async,
    read_chunks,
)


def part(name: str, content: bytes, filename: str | None = None, ctype: str | None = None) -> bytes:
    disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
    head = f"--B\r\nContent-Disposition: {disposition}\r\n"
    if ctype:
        head += f"Content-Type: {ctype}\r\n"
    return head.encode() + b"\r\n" + content + b"\r\n"


def body(*parts: bytes) -> bytes:
    return b"".join(parts) + b"--B--\r\n"


SPEC_BODY = body(
    part("operations", b'{"query": "m", "variables": {"file": null, "files": [null, null]}}'),
    part("map", b'{"0": ["variables.file", "variables.files.1"], "1": ["variables.files.0"]}'),
    part("0", b"zero" * 1000, "zero.txt", "text/plain"),
    part("1", b"\x00\x01", "one.bin", "application/octet-stream"),
)


def chunks_of(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def achunks_of(data: bytes, size: int) -> AsyncIterator[bytes]:
    for chunk in chunks_of(data, size):
        yield chunk


def test_parse_form_sync_from_a_wsgi_style_stream():
    stream = io.BytesIO(SPEC_BODY + b"bytes past Content-Length must not be read")
    form = parse_form(read_chunks(stream.read, len(SPEC_BODY), chunk_size=100), "B", spool_size=64)
    assert form["operations"].startswith('{"query"')
    zero = form["0"]
    assert isinstance(zero, UploadFile)
    assert (zero.filename, zero.content_type, zero.size) == ("zero.txt", "text/plain", 4000)
    assert zero._on_disk  # spilled past spool_size
    assert zero.file.read() == b"zero" * 1000
    one = form["1"]
    assert isinstance(one, UploadFile)
    assert not one._on_disk
    assert one.file.read() == b"\x00\x01"
    assert stream.read() == b"bytes past Content-Length must not be read"
    form.close_sync()


async def test_parse_form_async_gives_the_same_form():
    form = await parse_form_async(achunks_of(SPEC_BODY, 33), "B", spool_size=64)
    zero = form["0"]
    assert isinstance(zero, UploadFile)
    assert await zero.read() == b"zero" * 1000
    assert [name for name, _ in form.multi_items()] == ["operations", "map", "0", "1"]
    await form.close()


def test_read_chunks_stops_at_an_empty_read_or_the_length():
    assert list(read_chunks(io.BytesIO(b"abcdef").read, None, chunk_size=4)) == [b"abcd", b"ef"]
    assert list(read_chunks(io.BytesIO(b"abc").read, 10)) == [b"abc"]
    assert list(read_chunks(io.BytesIO(b"abc").read, 0)) == []


def test_non_utf8_field_is_a_400_naming_the_field():
    with pytest.raises(MultipartParseError, match=r"Multipart field 'bad' is not valid UTF-8\."):
        parse_form([body(part("bad", b"\xff"))], "B")


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> list[UploadFile]:
    """Every UploadFile the drivers create."""
    made: list[UploadFile] = []
    original = UploadFile.spooled

    def spy(*args: Any, **kwargs: Any) -> UploadFile:
        made.append(original(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(UploadFile, "spooled", spy)
    return made


def test_files_are_closed_when_parsing_fails(created: list[UploadFile]):
    with pytest.raises(MultipartTooLargeError):
        parse_form(chunks_of(SPEC_BODY, 64), "B", MultipartLimits(max_files=1))
    assert len(created) == 1
    assert created[0].file.closed


async def test_files_are_closed_when_async_parsing_fails(created: list[UploadFile]):
    with pytest.raises(MultipartParseError, match="ends inside part '1'"):
        await parse_form_async(achunks_of(SPEC_BODY[:-9], 50), "B")
    assert len(created) == 2
    assert all(upload.file.closed for upload in created)


def upload(name: str) -> UploadFile:
    return UploadFile(io.BytesIO(), filename=name)


def test_combine_places_files_at_every_mapped_path():
    first, second = upload("a"), upload("b")
    operations: dict[str, Any] = {"query": "q", "variables": {"file": None, "files": [None, None]}}
    result = combine_multipart_data(
        operations,
        {"0": ["variables.file", "variables.files.1"], "1": ["variables.files.0"]},
        {"0": first, "1": second},
    )
    assert result is operations
    assert operations["variables"] == {"file": first, "files": [second, first]}


def test_combine_handles_batches():
    file = upload("a")
    operations: list[Any] = [{"variables": {"f": None}}, {"variables": {"f": None}}]
    combine_multipart_data(operations, {"x": ["0.variables.f", "1.variables.f"]}, {"x": file})
    assert operations[0]["variables"]["f"] is file
    assert operations[1]["variables"]["f"] is file


def test_combine_accepts_an_empty_map_without_files():
    assert combine_multipart_data({"query": "q"}, {}, {}) == {"query": "q"}


OPS: dict[str, Any] = {"variables": {"file": None, "n": 1, "list": [None]}}


@pytest.mark.parametrize(
    ("operations", "files_map", "files", "message"),
    [
        ("x", {}, {}, "The multipart 'operations' field must be a JSON object or an array of them."),
        (OPS, ["variables.file"], {}, "The multipart 'map' field must be a JSON object whose values are arrays of paths."),
        (OPS, {"0": []}, {"0": "f"}, "The multipart 'map' entry '0' must be a non-empty array of path strings."),
        ([None], {"0": ["²"]}, {"0": "f"}, "The path '²' of the multipart 'map' entry '0' does not exist in 'operations'."),
        (OPS, {"0": "variables.file"}, {"0": 1}, "The multipart 'map' entry '0' must be a non-empty array of path strings."),
        (OPS, {"0": [1]}, {"0": 1}, "The multipart 'map' entry '0' must be a non-empty array of path strings."),
        (OPS, {"0": ["variables.file"]}, {"0": 1, "1": 2}, "The multipart file '1' is not named in the 'map' field."),
        (OPS, {"0": ["variables.file"]}, {}, "The file '0' named in the multipart 'map' field was not received."),
        (OPS, {"0": ["variables.nope"]}, {"0": 1}, "The path 'variables.nope' of the multipart 'map' entry '0' does not exist in 'operations'."),
        (OPS, {"0": ["variables.list.1"]}, {"0": 1}, "The path 'variables.list.1' of the multipart 'map' entry '0' does not exist in 'operations'."),
        (OPS, {"0": ["variables.list.x"]}, {"0": 1}, "The path 'variables.list.x' of the multipart 'map' entry '0' does not exist in 'operations'."),
        (OPS, {"0": ["variables.n.x"]}, {"0": 1}, "The path 'variables.n.x' of the multipart 'map' entry '0' does not exist in 'operations'."),
        (OPS, {"0": ["variables.n"]}, {"0": 1}, "The path 'variables.n' of the multipart 'map' entry '0' must point at null in 'operations'."),
        (OPS, {"0": ["variables"]}, {"0": 1}, "The path 'variables' of the multipart 'map' entry '0' must point at null in 'operations'."),
        (OPS, {"0": [""]}, {"0": 1}, "The path '' of the multipart 'map' entry '0' does not exist in 'operations'."),
        ([None], {"0": ["-1"]}, {"0": 1}, "The path '-1' of the multipart 'map' entry '0' does not exist in 'operations'."),
    ],
)  # fmt: skip
def test_combine_errors_say_which_rule_is_broken(
    operations: Any, files_map: Any, files: dict[str, Any], message: str
):
    with pytest.raises(HttpBadRequestError) as info:
        combine_multipart_data(operations, files_map, files)
    assert info.value.message == message
    assert info.value.status_code == 400


def form(*items: tuple[str, str | UploadFile]) -> FormData:
    return FormData(list(items))


def test_multipart_operations_from_a_parsed_form():
    parsed = parse_form([SPEC_BODY], "B")
    data = multipart_operations(parsed)
    assert isinstance(data, dict)
    assert data["variables"]["file"] is parsed["0"]
    assert data["variables"]["files"] == [parsed["1"], parsed["0"]]
    parsed.close_sync()


def test_multipart_operations_reads_json_sent_as_a_file_part():
    blob = UploadFile(io.BytesIO(b'{"query": "q"}'), filename="blob")
    assert multipart_operations(form(("operations", blob), ("map", "{}"))) == {"query": "q"}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ((("map", "{}"),), "The multipart request has no 'operations' field."),
        ((("operations", "{}"),), "The multipart request has no 'map' field."),
        ((("operations", "{nope"), ("map", "{}")), "The multipart 'operations' field is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)."),
        ((("operations", "{}"), ("map", "")), "The multipart 'map' field is not valid JSON: Expecting value: line 1 column 1 (char 0)."),
        ((("operations", "{}"), ("map", "[" * 100_000)), "The multipart 'map' field is not valid JSON: maximum recursion depth exceeded while decoding a JSON array from a unicode string."),
        ((("operations", '{"v": null}'), ("map", '{"x": ["v"]}'), ("x", "not a file")), "The multipart field 'x' named in 'map' is not a file."),
        ((("operations", '{"v": null}'), ("map", '{"operations": ["v"]}')), "The multipart field 'operations' named in 'map' is not a file."),
        ((("operations", '{"v": null}'), ("map", '{"x": ["v"]}'), ("x", UploadFile(io.BytesIO(b"1"))), ("x", UploadFile(io.BytesIO(b"2")))), "The multipart file field 'x' was sent twice."),
        ((("operations", '{"v": NaN}'), ("map", "{}")), "The multipart 'operations' field is not valid JSON: NaN is not valid JSON."),
    ],
)  # fmt: skip
def test_multipart_operations_errors_name_the_field(items: Any, message: str):
    with pytest.raises(HttpBadRequestError) as info:
        multipart_operations(form(*items))
    assert info.value.message == message


class _UnreadableFile(io.BytesIO):
    def read(self, size: int | None = -1) -> bytes:
        raise AssertionError("an oversized JSON file part was read")


@pytest.mark.parametrize("name", ["operations", "map"])
def test_json_file_part_over_the_field_limit_is_413_before_reading(name: str):
    big = UploadFile(_UnreadableFile(b" " * 2000), filename="blob")  # size from the file
    items = {"operations": '{"query": "q"}', "map": "{}", name: big}
    with pytest.raises(HttpPayloadTooLargeError) as info:
        multipart_operations(form(*items.items()), max_field_size=1000)
    assert info.value.status_code == 413
    assert info.value.message == (
        f"The multipart {name!r} field was sent as a file of 2000 bytes, "
        "over the limit of 1000 bytes for a field."
    )


def test_json_file_part_default_limit_is_the_field_limit():
    spooled = UploadFile.spooled("blob")
    spooled.write_sync(b'{"query": "q"}' + b" " * (MultipartLimits().max_field_size or 0))
    with pytest.raises(HttpPayloadTooLargeError, match="over the limit of 1048576 bytes"):
        multipart_operations(form(("operations", spooled), ("map", "{}")))
    spooled.file.close()
    at_limit = UploadFile(io.BytesIO(b'{"query": "q"}'.ljust(1024 * 1024)), filename="blob")
    assert multipart_operations(form(("operations", at_limit), ("map", "{}"))) == {"query": "q"}


def test_multipart_operations_rejects_non_utf8_json_file_part():
    blob = UploadFile(io.BytesIO(b'{"q": "\xff"}'), filename="blob")
    with pytest.raises(
        HttpBadRequestError,
        match="The multipart 'operations' field is not valid JSON: 'utf-8' codec",
    ):
        multipart_operations(form(("operations", blob), ("map", "{}")))


# --- property-based fuzzing ---------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from graphqlwire.http._multipart import MultipartError  # noqa: E402

FUZZ = settings(max_examples=100, deadline=None, database=None)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["0", "1", "variables", "file", "x"]), children, max_size=3
        )
    ),
    max_leaves=10,
)
paths = st.lists(
    st.sampled_from(["0", "1", "variables", "file", "files", "x", "-1", ""]), max_size=4
)


@FUZZ
@given(
    json_values,
    st.dictionaries(st.sampled_from(["0", "1", "2"]), st.lists(paths.map(".".join)) | json_values),
    st.sets(st.sampled_from(["0", "1", "2"])),
)
def test_fuzz_combine_only_raises_400(operations: Any, files_map: Any, names: set[str]):
    error: HttpBadRequestError | None = None
    try:
        combine_multipart_data(operations, files_map, {name: upload(name) for name in names})
    except HttpBadRequestError as raised:
        error = raised
    assert error is None or (error.status_code == 400 and error.message)


@FUZZ
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["operations", "map", "0", "1"]),
            st.sampled_from([b"{}", b'{"v": null}', b'{"0": ["v"]}', b"[", b"\xff", b"null"]),
            st.none() | st.just("f.txt"),
        ),
        max_size=5,
    ),
    st.lists(st.tuples(st.integers(0), st.integers(0, 3), st.binary(max_size=3)), max_size=3),
)
def test_fuzz_forms_from_broken_bodies_only_raise_http_errors(
    parts: list[tuple[str, bytes, str | None]], edits: list[tuple[int, int, bytes]]
):
    data = body(*(part(name, content, filename) for name, content, filename in parts))
    for position, delete, insert in edits:
        at = position % (len(data) + 1)
        data = data[:at] + insert + data[at + delete :]
    error: HttpBadRequestError | MultipartError | None = None
    try:
        parsed = parse_form(chunks_of(data, 7), "B", MultipartLimits(max_field_size=64))
        try:
            multipart_operations(parsed)
        finally:
            parsed.close_sync()
    except (HttpBadRequestError, MultipartError) as raised:
        error = raised
    assert error is None or (error.status_code in (400, 413) and error.message)
