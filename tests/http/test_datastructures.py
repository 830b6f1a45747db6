"""Headers, QueryParams, URL, FormData and UploadFile."""

from __future__ import annotations

import io

import pytest

from graphqlwire.http import URL, FormData, Headers, MutableHeaders, QueryParams, UploadFile


def test_headers_from_raw_pairs_are_case_insensitive_and_keep_repeats():
    headers = Headers(raw=[(b"content-type", b"text/plain"), (b"x-a", b"1"), (b"x-a", b"2")])
    assert headers["Content-Type"] == "text/plain"
    assert headers.get("X-A") == "1"
    assert headers.getlist("x-a") == ["1", "2"]
    assert headers.getlist("missing") == []
    assert "CONTENT-TYPE" in headers
    assert "missing" not in headers
    assert 3 not in headers
    assert headers.keys() == ["content-type", "x-a", "x-a"]
    assert headers.items() == [("content-type", "text/plain"), ("x-a", "1"), ("x-a", "2")]
    assert list(headers) == headers.keys()
    assert len(headers) == 3
    assert headers.raw[0] == (b"content-type", b"text/plain")


def test_headers_missing_key_raises_key_error_and_get_returns_default():
    headers = Headers({"Host": "example.org"})
    assert headers["host"] == "example.org"
    with pytest.raises(KeyError):
        headers["accept"]
    assert headers.get("accept", "*/*") == "*/*"
    assert headers.get("host", "") == "example.org"
    assert headers.get("snowman-\u2603") is None
    assert "snowman-\u2603" not in headers


def test_headers_decode_values_as_latin1_and_compare_by_content():
    headers = Headers(scope={"headers": [(b"x-name", "caf\u00e9".encode("latin-1"))]})
    assert headers["x-name"] == "caf\u00e9"
    assert headers == Headers({"X-Name": "caf\u00e9"})
    assert headers != Headers()
    assert headers.__eq__(object()) is NotImplemented
    assert "x-name" in repr(headers)


def test_mutable_headers_write_through_to_the_raw_list():
    raw: list[tuple[bytes, bytes]] = [(b"vary", b"a"), (b"x", b"1"), (b"vary", b"b")]
    headers = MutableHeaders(raw=raw)
    headers["Vary"] = "accept"
    assert raw == [(b"vary", b"accept"), (b"x", b"1")]
    headers.append("Vary", "origin")
    assert headers.getlist("vary") == ["accept", "origin"]
    assert headers.setdefault("x", "2") == "1"
    assert headers.setdefault("y", "3") == "3"
    headers["x"] = "9"
    assert headers["x"] == "9"
    del headers["vary"]
    assert "vary" not in headers
    with pytest.raises(KeyError):
        del headers["vary"]
    copy = Headers(raw=raw).mutablecopy()
    copy["z"] = "1"
    assert "z" not in Headers(raw=raw)


def test_query_params_multi_values_and_first_value_wins():
    params = QueryParams(b"query=%7Bme%7D&tag=a&tag=b")
    assert params["query"] == "{me}"
    assert params["tag"] == "a"
    assert params.getlist("tag") == ["a", "b"]
    assert params.get("missing") is None
    assert "tag" in params
    assert len(params) == 2
    assert list(params) == ["query", "tag"]
    assert params.multi_items() == [("query", "{me}"), ("tag", "a"), ("tag", "b")]
    assert str(params) == "query=%7Bme%7D&tag=a&tag=b"
    assert QueryParams({"a": "1"}) == QueryParams("a=1")
    assert QueryParams([("a", "1")]) != QueryParams("a=2")
    assert QueryParams("").multi_items() == []
    assert repr(QueryParams("a=1")) == "QueryParams([('a', '1')])"


def test_url_from_scope_uses_host_header_and_includes_query():
    scope = {
        "type": "http",
        "scheme": "https",
        "path": "/api/graph ql",
        "query_string": b"a=1",
        "headers": [(b"host", b"example.org:8443")],
        "server": ("10.0.0.1", 443),
    }
    url = URL(scope=scope)
    assert str(url) == "https://example.org:8443/api/graph%20ql?a=1"
    assert url.scheme == "https"
    assert url.netloc == "example.org:8443"
    assert url.hostname == "example.org"
    assert url.port == 8443
    assert url.path == "/api/graph%20ql"
    assert url.query == "a=1"
    assert url.fragment == ""
    assert url.is_secure
    assert url.replace(scheme="wss") == "wss://example.org:8443/api/graph%20ql?a=1"


def test_url_from_scope_falls_back_to_server_and_omits_default_port():
    base = {"type": "http", "path": "/", "query_string": b"", "headers": []}
    assert str(URL(scope={**base, "scheme": "http", "server": ("127.0.0.1", 80)})) == (
        "http://127.0.0.1/"
    )
    assert str(URL(scope={**base, "scheme": "ws", "server": ("::1", 8000)})) == ("ws://[::1]:8000/")
    # a unix socket server has no port; with no Host either, the URL is path-only
    assert str(URL(scope={**base, "server": ("/tmp/sock", None)})) == "/"
    # a Host header that cannot be an authority is ignored
    evil = {**base, "headers": [(b"host", b"evil.org/x?")], "server": ("1.2.3.4", 8000)}
    assert str(URL(scope=evil)) == "http://1.2.3.4:8000/"


def test_url_from_string_and_bad_port():
    url = URL("http://h:notaport/p#frag")
    assert url.port is None
    assert url.fragment == "frag"
    assert not url.is_secure
    assert url == URL("http://h:notaport/p#frag")
    assert url != 3
    assert hash(url) == hash("http://h:notaport/p#frag")
    assert repr(url) == "URL('http://h:notaport/p#frag')"


async def test_upload_file_in_memory_and_on_disk():
    upload = UploadFile.spooled("a.txt", Headers({"content-type": "text/plain"}), spool_size=4)
    assert upload.content_type == "text/plain"
    assert upload.size == 0
    await upload.write(b"ab")
    assert not upload._on_disk
    await upload.write(b"cdef")  # crosses the spool size: rolls over to disk
    assert upload._on_disk
    assert upload.size == 6
    await upload.seek(0)
    assert await upload.read(2) == b"ab"
    assert await upload.read() == b"cdef"
    upload.file.seek(1)
    assert upload.file.read(1) == b"b"
    await upload.close()
    assert upload.file.closed
    assert "a.txt" in repr(upload)


async def test_upload_file_over_plain_bytes_io():
    upload = UploadFile(io.BytesIO(b"xyz"), filename="x")
    assert upload.content_type is None
    assert upload.size is None
    upload.file.seek(0, io.SEEK_END)
    upload.write_sync(b"!")  # size stays unknown when it was not given
    assert upload.size is None
    await upload.seek(0)
    assert await upload.read() == b"xyz!"


async def test_form_data_holds_fields_and_files_and_closes_files():
    upload = UploadFile.spooled("f.bin")
    other = UploadFile.spooled("g.bin")
    form = FormData([("a", "1"), ("file", upload), ("a", "2"), ("file", other)])
    assert form["a"] == "1"
    assert form.getlist("a") == ["1", "2"]
    assert form["file"] is upload
    assert form.uploads() == [upload, other]
    await form.close()
    assert upload.file.closed
    assert other.file.closed
    assert form == FormData([("a", "2"), ("a", "1"), ("file", upload), ("file", other)])
    assert form != FormData([("a", "1")])
    assert form != {"a": "1"}


def test_form_data_close_sync():
    upload = UploadFile.spooled("f.bin")
    FormData([("file", upload)]).close_sync()
    assert upload.file.closed
