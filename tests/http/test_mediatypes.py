"""Accept parsing and negotiation, Content-Type and header parameters (pure functions)."""

from __future__ import annotations

import pytest

from graphqlwire.http import HttpPayloadTooLargeError
from graphqlwire.http._mediatypes import (
    MediaRange,
    is_utf8_charset,
    negotiate,
    parse_accept,
    parse_content_type,
    parse_header_params,
    parse_urlencoded,
)

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
OFFERED = [GRAPHQL_RESPONSE, JSON]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('form-data; name="a"; filename="b.txt"', ("form-data", {"name": "a", "filename": "b.txt"})),
        ("text/plain;CHARSET=UTF-8", ("text/plain", {"charset": "UTF-8"})),
        ('x; a="semi;colon, comma"; b=2', ("x", {"a": "semi;colon, comma", "b": "2"})),
        ('x; a="esc\\"aped\\\\"; b="C:\\dir"', ("x", {"a": 'esc"aped\\', "b": "C:\\dir"})),
        ("x; flag; =nameless; a=1; a=2", ("x", {"flag": "", "a": "1"})),
        ('x; a="unterminated', ("x", {"a": '"unterminated'})),
        ("  Mixed/Case  ", ("Mixed/Case", {})),
        ("", ("", {})),
    ],
)  # fmt: skip
def test_parse_header_params(value: str, expected: tuple[str, dict[str, str]]):
    assert parse_header_params(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ("", {})),
        ("", ("", {})),
        ("Application/JSON; Charset=UTF-8", ("application/json", {"charset": "utf-8"})),
        ("multipart/form-data; boundary=AbC", ("multipart/form-data", {"boundary": "AbC"})),
        ('multipart/form-data; boundary="a b"', ("multipart/form-data", {"boundary": "a b"})),
    ],
)
def test_parse_content_type(value: str | None, expected: tuple[str, dict[str, str]]):
    assert parse_content_type(value) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [({}, True), ({"charset": "utf-8"}, True), ({"charset": "utf8"}, True),
     ({"charset": "latin-1"}, False)],
)  # fmt: skip
def test_is_utf8_charset(params: dict[str, str], expected: bool):
    assert is_utf8_charset(params) is expected


def test_parse_accept_orders_by_quality_then_specificity_then_position():
    ranges = parse_accept(
        "*/*;q=0.1, text/*, text/html;level=1, application/json;q=0.9, text/plain"
    )
    assert [(r.type, r.subtype, r.params, r.quality) for r in ranges] == [
        ("text", "html", (("level", "1"),), 1.0),
        ("text", "plain", (), 1.0),
        ("text", "*", (), 1.0),
        ("application", "json", (), 0.9),
        ("*", "*", (), 0.1),
    ]


def test_parse_accept_skips_invalid_entries_and_reads_bare_star():
    ranges = parse_accept("text, */html, /x, a/b;q=2, a/c;q=x, a/d;q=-1, *, A/E;Q=0.5, , ")
    assert [(r.type, r.subtype, r.quality) for r in ranges] == [("*", "*", 1.0), ("a", "e", 0.5)]


def test_parse_accept_is_cached():
    assert parse_accept("application/json") is parse_accept("application/json")


def test_media_range_specificity_and_matching():
    def media_range(text: str) -> MediaRange:
        return parse_accept(text)[0]

    assert media_range("*/*").specificity == 0
    assert media_range("text/*").specificity == 1
    assert media_range("text/html").specificity == 2
    assert media_range("text/html;level=1").specificity == 3
    assert media_range("text/*").matches("text/html", {})
    assert not media_range("text/*").matches("image/png", {})
    assert not media_range("text/html;level=1").matches("text/html", {})
    assert media_range("text/html;level=1").matches("text/html", {"level": "1"})
    assert media_range("application/json;charset=UTF-8").matches(JSON, {})
    assert not media_range("application/json;charset=latin-1").matches(JSON, {})


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, GRAPHQL_RESPONSE),
        ("", GRAPHQL_RESPONSE),
        ("   ", GRAPHQL_RESPONSE),
        ("*/*", GRAPHQL_RESPONSE),
        ("application/*", GRAPHQL_RESPONSE),
        (JSON, JSON),
        (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
        ("application/json, application/graphql-response+json", GRAPHQL_RESPONSE),
        ("application/graphql-response+json;q=0.9, application/json", JSON),
        ("application/json;q=0.5, */*;q=0.6", GRAPHQL_RESPONSE),
        ("application/json, */*", JSON),  # explicit beats wildcard at equal quality
        ("*/*, application/graphql-response+json;q=0", JSON),  # q=0 refuses it
        ("application/*;q=0.2, application/json;q=0", GRAPHQL_RESPONSE),
        ("application/graphql-response+json; charset=utf-8, application/json; charset=utf-8",
         GRAPHQL_RESPONSE),
        ("application/graphql-response+json; charset=latin-1, application/json", JSON),
        ("text/html", None),
        ("text/html, application/xml;q=0.9", None),
        ("*/*;q=0", None),
        ("garbage", None),
    ],
)  # fmt: skip
def test_negotiate(accept: str | None, expected: str | None):
    assert negotiate(accept, OFFERED) == expected


def test_negotiate_with_nothing_offered_or_parameterised_offers():
    assert negotiate("*/*", []) is None
    assert negotiate("text/html;level=1", ["text/html", "text/html;level=1"]) == "text/html;level=1"
    assert negotiate("text/html;level=1, text/html;q=0.5", ["text/html"]) == "text/html"


def test_negotiate_accepts_any_sequence_and_server_order_breaks_ties():
    assert negotiate("text/html, application/json", (JSON, "text/html")) == JSON
    assert negotiate("text/html, application/json", ["text/html", JSON]) == "text/html"


def test_parse_urlencoded_follows_whatwg():
    assert parse_urlencoded(b"a=1&b=x+y&c=%E2%82%AC&&d&e=&=f") == [
        ("a", "1"),
        ("b", "x y"),
        ("c", "\u20ac"),
        ("d", ""),
        ("e", ""),
        ("", "f"),
    ]
    # invalid UTF-8 becomes U+FFFD; '=' after the first belongs to the value; ';' is not a separator
    assert parse_urlencoded("x=%FF&y=a=b&z=1;w=2") == [
        ("x", "\ufffd"),
        ("y", "a=b"),
        ("z", "1;w=2"),
    ]
    # raw (not percent-encoded) UTF-8 bytes are decoded as UTF-8
    assert parse_urlencoded("q=\u00e9".encode()) == [("q", "\u00e9")]


def test_parse_urlencoded_field_limit():
    assert len(parse_urlencoded(b"a=1&b=2", max_fields=2)) == 2
    with pytest.raises(HttpPayloadTooLargeError, match="Too many form fields: the limit is 2"):
        parse_urlencoded(b"a=1&b=2&c=3", max_fields=2)


# --- property-based fuzzing ---------------------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=200, deadline=None, database=None)
header_chars = st.text(st.sampled_from('abj*/;,=q0.1 "\\\t+-éx'), max_size=40)


@FUZZ
@given(header_chars | st.text(max_size=40), st.lists(header_chars, max_size=3))
def test_fuzz_header_parsing_never_raises(value: str, offered: list[str]):
    parse_header_params(value)
    parse_content_type(value)
    for media_range in parse_accept(value):
        assert 0.0 <= media_range.quality <= 1.0
    choice = negotiate(value, offered)
    assert choice is None or choice in offered


@FUZZ
@given(st.binary(max_size=60) | st.text(max_size=30))
def test_fuzz_urlencoded_never_raises(data: bytes | str):
    for name, value in parse_urlencoded(data):
        assert isinstance(name, str)
        assert isinstance(value, str)
