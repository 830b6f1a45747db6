"""The sans-IO multipart/form-data parser: framing, part headers, limits, every error message.

No event loop and no sockets: bytes in, events out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pytest

from graphqlwire.http import HttpBadRequestError, HttpPayloadTooLargeError
from graphqlwire.http._multipart import (
    MultipartEnd,
    MultipartLimits,
    MultipartParseError,
    MultipartParser,
    MultipartTooLargeError,
    PartData,
    PartEnd,
    PartStart,
)

BODY = (
    b"--b0undary\r\n"
    b'Content-Disposition: form-data; name="operations"\r\n'
    b"\r\n"
    b'{"query": "mutation($f: Upload!) { up(file: $f) }"}\r\n'
    b"--b0undary\r\n"
    b'Content-Disposition: form-data; name="0"; filename="a b.txt"\r\n'
    b"Content-Type: text/plain\r\n"
    b"\r\n"
    b"line one\r\n--b0undar not a boundary\r\n\r\r\n"
    b"--b0undary--\r\n"
)

EXPECTED = [
    ("start", "operations", None, None),
    ("data", b'{"query": "mutation($f: Upload!) { up(file: $f) }"}'),
    ("end",),
    ("start", "0", "a b.txt", "text/plain"),
    ("data", b"line one\r\n--b0undar not a boundary\r\n\r"),
    ("end",),
    ("done",),
]


def summarize(events: Iterable[Any]) -> list[tuple[Any, ...]]:
    """Events as tuples, with consecutive data chunks joined (chunking is not meaningful)."""
    out: list[tuple[Any, ...]] = []
    for event in events:
        if isinstance(event, PartStart):
            out.append(("start", event.name, event.filename, event.content_type))
        elif isinstance(event, PartData):
            assert event.data, "the parser never emits empty data chunks"
            if out and out[-1][0] == "data":
                out[-1] = ("data", out[-1][1] + event.data)
            else:
                out.append(("data", event.data))
        elif isinstance(event, PartEnd):
            out.append(("end",))
        else:
            assert isinstance(event, MultipartEnd)
            out.append(("done",))
    return out


def parse(
    body: bytes,
    boundary: str | bytes = "b0undary",
    chunk: int | None = None,
    **limits: Any,
) -> list[tuple[Any, ...]]:
    parser = MultipartParser(boundary, MultipartLimits(**limits))
    size = chunk or max(len(body), 1)
    events = []
    for start in range(0, len(body), size):
        events.extend(parser.feed(body[start : start + size]))
    parser.finish()
    return summarize(events)


def test_parses_fields_and_files():
    assert parse(BODY) == EXPECTED


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 11, 13, 64])
def test_any_chunking_gives_the_same_result(chunk: int):
    assert parse(BODY, chunk=chunk) == EXPECTED


def test_part_start_carries_the_part_headers():
    parser = MultipartParser("b0undary")
    start = parser.feed(BODY)[3]
    assert isinstance(start, PartStart)
    assert start.headers.getlist("content-type") == ["text/plain"]
    assert start.headers["Content-Disposition"] == 'form-data; name="0"; filename="a b.txt"'


def test_preamble_epilogue_and_padding_are_ignored():
    body = (
        b"preamble --b0undary-ish\r\nmore preamble\r\n"
        b"--b0undary \t\r\n"
        b'content-disposition: form-data; name="a"\r\n\r\n'
        b"1\r\n--b0undary--  trailing epilogue\r\n--b0undary\r\nignored"
    )
    assert parse(body) == [("start", "a", None, None), ("data", b"1"), ("end",), ("done",)]


def test_empty_part_body_and_close_delimiter_without_crlf():
    body = b'--b0undary\r\nContent-Disposition: form-data; name="e"\r\n\r\n\r\n--b0undary--'
    assert parse(body) == [("start", "e", None, None), ("end",), ("done",)]


def test_feeding_after_the_end_is_ignored():
    parser = MultipartParser(b"b0undary")
    parser.feed(BODY)
    assert parser.complete
    assert parser.feed(b"--b0undary\r\ngarbage") == []
    parser.finish()


@pytest.mark.parametrize(
    ("disposition", "name", "filename"),
    [
        (b'form-data; name="a\\"b"; filename="C:\\fakepath\\x.png"', 'a"b', "C:\\fakepath\\x.png"),
        (b"form-data; name=plain; filename=x.txt", "plain", "x.txt"),
        (b'FORM-DATA; NAME="n"; filename=""', "n", ""),
        ('form-data; name="f"; filename="\u20ac.txt"'.encode(), "f", "\u20ac.txt"),
        (b'form-data; name="f"; filename="caf\xe9.txt"', "f", "caf\u00e9.txt"),  # latin-1 fallback
        (
            b'form-data; name="f"; filename="fallback.txt"; filename*=UTF-8\'\'%E2%82%AC.txt',
            "f",
            "\u20ac.txt",
        ),
        (b"form-data; name=f; filename*=iso-8859-1'en'caf%E9", "f", "caf\u00e9"),
        (b"form-data; name=f; filename*=no-such-charset''%E2%82%AC", "f", "\u20ac"),
        (b'form-data; name=f; filename="ok"; filename*=malformed', "f", "ok"),
        (b'form-data; name="semi;colon"', "semi;colon", None),
    ],
)
def test_content_disposition_parameters(disposition: bytes, name: str, filename: str | None):
    body = b"--b0undary\r\nContent-Disposition: " + disposition + b"\r\n\r\nx\r\n--b0undary--"
    assert parse(body)[0] == ("start", name, filename, None)


def test_folded_header_lines_are_joined():
    body = (
        b'--b0undary\r\nContent-Disposition: form-data;\r\n name="folded"\r\n\r\nx\r\n--b0undary--'
    )
    assert parse(body)[0] == ("start", "folded", None, None)


def test_boundary_may_be_given_as_str_or_bytes():
    body = b"--a-b'()+_,\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--a-b'()+_,--"
    assert parse(body, boundary="a-b'()+_,") == parse(body, boundary=b"a-b'()+_,")


PART = b'--b0undary\r\nContent-Disposition: form-data; name="x"\r\n\r\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "Multipart body is empty."),
        (b"no boundary here", "Malformed multipart body: no boundary line '--b0undary' found."),
        (PART + b"value", "Malformed multipart body: it ends inside part 'x' before the closing boundary."),
        (PART + b"value\r\n--b0undary\r\n", "Malformed multipart body: it ends after a boundary, before the closing boundary."),
        (b"--b0undary\r\nContent-Disposition: form-data", "Malformed multipart body: it ends after a boundary, before the closing boundary."),
        (b"--b0undary-", "Malformed multipart body: it ends after a boundary, before the closing boundary."),
        (b"--b0undaryX\r\n", "Malformed multipart body: unexpected characters after a boundary (expected CRLF or '--')."),
        (b"--b0undary" + b" " * 1025, "Malformed multipart body: a boundary line is too long."),
        (b"--b0undary\r\nno colon here\r\n\r\n", "Malformed multipart body: part 1 has an invalid header line 'no colon here'."),
        (b"--b0undary\r\nbad name: x\r\n\r\n", "Malformed multipart body: part 1 has an invalid header line 'bad name: x'."),
        (b"--b0undary\r\n\r\nvalue", "Malformed multipart body: part 1 has no Content-Disposition header."),
        (b"--b0undary\r\nContent-Type: text/plain\r\n\r\n", "Malformed multipart body: part 1 has no Content-Disposition header."),
        (b"--b0undary\r\nContent-Disposition: attachment; name=x\r\n\r\n", "Malformed multipart body: part 1 has Content-Disposition 'attachment'; expected 'form-data'."),
        (b"--b0undary\r\nContent-Disposition: form-data; filename=x\r\n\r\n", "Malformed multipart body: part 1 has no name in its Content-Disposition header."),
        (PART + b"1\r\n--b0undary\r\nContent-Disposition: form-data\r\n\r\n", "Malformed multipart body: part 2 has no name in its Content-Disposition header."),
    ],
)  # fmt: skip
def test_malformed_bodies_are_400_with_a_precise_message(body: bytes, message: str):
    with pytest.raises(MultipartParseError) as info:
        parse(body)
    assert info.value.message == message
    assert info.value.status_code == 400
    assert isinstance(info.value, HttpBadRequestError)


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        (None, "multipart/form-data Content-Type has no boundary parameter."),
        ("", "multipart/form-data Content-Type has no boundary parameter."),
        ("x" * 201, "multipart/form-data boundary is invalid: it must be 1 to 200 printable ASCII characters."),
        ("a\r\nb", "multipart/form-data boundary is invalid: it must be 1 to 200 printable ASCII characters."),
        ("\u20ac", "multipart/form-data boundary is invalid: it must be 1 to 200 printable ASCII characters."),
    ],
)  # fmt: skip
def test_bad_boundaries_are_400(boundary: str | None, message: str):
    with pytest.raises(MultipartParseError) as info:
        MultipartParser(boundary)
    assert info.value.message == message


FILE = b'--b0undary\r\nContent-Disposition: form-data; name="f"; filename="f.bin"\r\n\r\n'


@pytest.mark.parametrize(
    ("body", "limits", "message"),
    [
        (PART + b"12345\r\n--b0undary--", {"max_field_size": 4}, "Field 'x' is larger than the limit of 4 bytes."),
        (FILE + b"12345\r\n--b0undary--", {"max_file_size": 4}, "File 'f' is larger than the limit of 4 bytes."),
        (PART + b"1\r\n" + PART + b"2\r\n--b0undary--", {"max_fields": 1}, "Too many fields in the multipart body: the limit is 1."),
        (FILE + b"1\r\n" + FILE + b"2\r\n--b0undary--", {"max_files": 1}, "Too many files in the multipart body: the limit is 1."),
        (PART + b"1\r\n--b0undary--", {"max_total_size": 20}, "Multipart body is larger than the limit of 20 bytes."),
        (b"--b0undary\r\nX-Long: " + b"a" * 100 + b"\r\n\r\n", {"max_header_size": 64}, "Multipart part headers are larger than the limit of 64 bytes."),
        (b"--b0undary\r\nX-Long: " + b"a" * 100, {"max_header_size": 64}, "Multipart part headers are larger than the limit of 64 bytes."),
    ],
)  # fmt: skip
@pytest.mark.parametrize("chunk", [None, 1])
def test_limits_are_413_with_a_precise_message(
    body: bytes, limits: dict[str, int], message: str, chunk: int | None
):
    with pytest.raises(MultipartTooLargeError) as info:
        parse(body, chunk=chunk, **limits)
    assert info.value.message == message
    assert info.value.status_code == 413
    assert isinstance(info.value, HttpPayloadTooLargeError)


def test_limits_at_exactly_the_limit_pass():
    body = PART + b"1234\r\n--b0undary--"
    assert parse(body, max_field_size=4, max_total_size=len(body), max_fields=1)[1] == (
        "data",
        b"1234",
    )
    assert parse(FILE + b"x" * 10_000 + b"\r\n--b0undary--", max_file_size=None)[1][1] == (
        b"x" * 10_000
    )


def test_memory_stays_bounded_for_a_big_file_fed_in_chunks():
    parser = MultipartParser("b0undary")
    parser.feed(FILE)
    for _ in range(100):
        parser.feed(b"\r" + b"y" * 4095)
        assert len(parser._buffer) < 64
    assert not parser.complete


# --- property-based fuzzing ---------------------------------------------------------------
# GRAPHQLWIRE_FUZZ_EXAMPLES=5000 runs a deeper search than the default 150 examples.
import os  # noqa: E402
from collections.abc import Callable  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from graphqlwire.http._multipart import MultipartError  # noqa: E402

FUZZ = settings(
    max_examples=int(os.environ.get("GRAPHQLWIRE_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
# Boundaries end with "=", which content never contains, so content can hold every prefix
# of the delimiter ("\r", "\r\n-", "\r\n--abc"...) without ever holding the delimiter.
boundaries = st.text(st.sampled_from("abcXYZ019'()+_,-./:? "), min_size=0, max_size=20).map(
    lambda text: text.strip() + "="
)
header_text = st.text(
    st.characters(blacklist_characters='"\\\r\n', blacklist_categories=("Cs",)), max_size=12
)


@st.composite
def multipart_bodies(draw: st.DrawFn) -> tuple[str, bytes, list[tuple[Any, ...]]]:
    """A valid body, its boundary, and the events it must produce."""
    boundary = draw(boundaries)
    tricky = [b"\r", b"\n", b"\r\n", b"-", b"--", b"\r\n--", b"\r\n--" + boundary[:-1].encode()]
    pieces = st.one_of(st.sampled_from(tricky), st.binary(max_size=6))
    content = st.lists(pieces, max_size=8).map(lambda p: b"".join(p).replace(b"=", b"x"))
    body = draw(st.sampled_from([b"", b"preamble\r\n", b"\r\n"]))
    # A preamble without "--" cannot hold a delimiter or open with a boundary line.
    body += draw(content).replace(b"--", b"")
    expected: list[tuple[Any, ...]] = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        name = draw(header_text)
        filename = draw(st.none() | header_text)
        ctype = draw(st.sampled_from([None, "text/plain", "application/octet-stream"]))
        data = draw(content)
        head = f'Content-Disposition: form-data; name="{name}"'
        head += f'; filename="{filename}"' if filename is not None else ""
        head += f"\r\nContent-Type: {ctype}" if ctype else ""
        body += f"\r\n--{boundary}\r\n{head}\r\n\r\n".encode() + data
        expected.append(("start", name, filename, ctype))
        expected.extend([("data", data)] if data else [])
        expected.append(("end",))
    body += f"\r\n--{boundary}--".encode() + draw(st.sampled_from([b"", b"\r\n", b"\r\nepi"]))
    if body.startswith(b"\r\n--"):
        body = body[2:]  # the first boundary may open the body directly
    return boundary, body, [*expected, ("done",)]


def split(body: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({cut % (len(body) + 1) for cut in cuts})
    return [body[start:end] for start, end in zip([0, *points], [*points, len(body)], strict=True)]


@FUZZ
@given(multipart_bodies(), st.lists(st.integers(min_value=0), max_size=12))
def test_fuzz_valid_bodies_parse_the_same_however_they_are_split(
    case: tuple[str, bytes, list[tuple[Any, ...]]], cuts: list[int]
):
    boundary, body, expected = case
    parser = MultipartParser(boundary, MultipartLimits(max_files=None, max_fields=None))
    events = [event for chunk in split(body, cuts) for event in parser.feed(chunk)]
    parser.finish()
    assert summarize(events) == expected


def assert_only_typed_errors(run: Callable[[], None]) -> None:
    """Run ``run``; anything it raises must be a MultipartError with a 400/413 and a message."""
    error: MultipartError | None = None
    try:
        run()
    except MultipartError as raised:
        error = raised
    assert error is None or (error.status_code in (400, 413) and error.message)


def mutate(body: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    for position, delete, insert in edits:
        at = position % (len(body) + 1)
        body = body[:at] + insert + body[at + delete :]
    return body


@FUZZ
@given(
    multipart_bodies(),
    st.lists(st.tuples(st.integers(0), st.integers(0, 4), st.binary(max_size=4)), max_size=4),
    st.lists(st.integers(min_value=0), max_size=8),
    st.builds(
        MultipartLimits,
        max_files=st.none() | st.integers(0, 3),
        max_fields=st.none() | st.integers(0, 3),
        max_header_size=st.integers(0, 200),
        max_field_size=st.none() | st.integers(0, 20),
        max_file_size=st.none() | st.integers(0, 20),
        max_total_size=st.none() | st.integers(0, 400),
    ),
)
def test_fuzz_broken_bodies_only_raise_typed_errors(
    case: tuple[str, bytes, list[tuple[Any, ...]]],
    edits: list[tuple[int, int, bytes]],
    cuts: list[int],
    limits: MultipartLimits,
):
    boundary, body, _ = case
    parser = MultipartParser(boundary, limits)

    def run() -> None:
        for chunk in split(mutate(body, edits), cuts):
            parser.feed(chunk)
        parser.finish()

    assert_only_typed_errors(run)


@FUZZ
@given(st.binary(max_size=300), st.binary(min_size=1, max_size=8) | st.none())
def test_fuzz_random_bytes_only_raise_typed_errors(body: bytes, boundary: bytes | None):

    def run() -> None:
        parser = MultipartParser(boundary)
        parser.feed(body)
        parser.finish()

    assert_only_typed_errors(run)
