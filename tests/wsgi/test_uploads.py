"""GraphQL multipart requests through the WSGI app: files reach resolvers as ``UploadFile``."""

from __future__ import annotations

import json
from typing import Any

from graphqlwire.http import UploadFile
from graphqlwire.wsgi import GraphQL
from tests.wsgi.helpers import SCHEMA, UPLOAD, UPLOAD_MANY, call, multipart_body


def post_multipart(app: Any, fields: list[tuple[str, Any]]) -> Any:
    body, content_type = multipart_body(fields)
    return call(app, "POST", body=body, headers={"content-type": content_type})


def test_single_upload_keeps_filename_and_content_type() -> None:
    result = post_multipart(
        GraphQL(SCHEMA),
        [
            ("operations", json.dumps({"query": UPLOAD, "variables": {"file": None}})),
            ("map", json.dumps({"0": ["variables.file"]})),
            ("0", ("notes.txt", b"hello upload", "text/plain")),
        ],
    )
    assert result.status == "200 OK"
    assert result.json() == {
        "data": {
            "upload": {
                "filename": "notes.txt",
                "contentType": "text/plain",
                "content": "hello upload",
            }
        }
    }


def test_multiple_uploads_each_keep_their_own_metadata() -> None:
    result = post_multipart(
        GraphQL(SCHEMA),
        [
            (
                "operations",
                json.dumps({"query": UPLOAD_MANY, "variables": {"files": [None, None]}}),
            ),
            ("map", json.dumps({"a": ["variables.files.0"], "b": ["variables.files.1"]})),
            ("a", ("one.csv", b"1,2", "text/csv")),
            ("b", ("two.json", b"{}", "application/json")),
        ],
    )
    assert result.json() == {
        "data": {
            "uploadMany": [
                {"filename": "one.csv", "contentType": "text/csv", "content": "1,2"},
                {"filename": "two.json", "contentType": "application/json", "content": "{}"},
            ]
        }
    }


def test_one_file_under_several_paths() -> None:
    result = post_multipart(
        GraphQL(SCHEMA),
        [
            (
                "operations",
                json.dumps({"query": UPLOAD_MANY, "variables": {"files": [None, None]}}),
            ),
            ("map", json.dumps({"0": ["variables.files.0", "variables.files.1"]})),
            ("0", ("same.txt", b"x", "text/plain")),
        ],
    )
    assert [f["filename"] for f in result.json()["data"]["uploadMany"]] == ["same.txt", "same.txt"]


def test_batch_operations_get_their_own_files_and_run_in_order() -> None:
    """Files land in the right operation of a multipart batch, each operation runs once,
    in order, and the answer is a JSON array of their results."""
    seen: list[Any] = []

    class Recording(GraphQL):
        def execute_query(self, environ: dict[str, Any], data: Any, **kwargs: Any) -> Any:
            seen.append(data)
            return super().execute_query(environ, data, **kwargs)

    result = post_multipart(
        Recording(SCHEMA, max_batch_size=10),
        [
            (
                "operations",
                json.dumps(
                    [
                        {"query": UPLOAD, "variables": {"file": None}},
                        {"query": UPLOAD, "variables": {"file": None}},
                    ]
                ),
            ),
            ("map", json.dumps({"0": ["0.variables.file"], "1": ["1.variables.file"]})),
            ("0", ("first.txt", b"1", "text/plain")),
            ("1", ("second.png", b"2", "image/png")),
        ],
    )
    files = [operation["variables"]["file"] for operation in seen]
    assert all(isinstance(file, UploadFile) for file in files)
    assert [(f.filename, f.content_type) for f in files] == [
        ("first.txt", "text/plain"),
        ("second.png", "image/png"),
    ]
    assert result.code == 200
    assert [r["data"]["upload"]["filename"] for r in result.json()] == ["first.txt", "second.png"]


def test_uploaded_files_are_closed_after_the_response() -> None:
    kept: list[UploadFile] = []

    def context(environ: dict[str, Any], data: Any) -> Any:
        kept.append(data["variables"]["file"])
        return {}

    result = post_multipart(
        GraphQL(SCHEMA, context_value=context),
        [
            ("operations", json.dumps({"query": UPLOAD, "variables": {"file": None}})),
            ("map", json.dumps({"0": ["variables.file"]})),
            ("0", ("a.txt", b"abc", "text/plain")),
        ],
    )
    assert result.code == 200
    assert kept[0].file.closed


def test_big_upload_is_streamed_to_a_spooled_file() -> None:
    content = bytes(range(256)) * 8192  # 2 MiB: past the 1 MiB spool size
    received: list[tuple[int, bool]] = []

    def context(environ: dict[str, Any], data: Any) -> Any:
        upload = data["variables"]["file"]
        received.append((upload.size, upload.file.read() == content))
        upload.file.seek(0)
        return {}

    result = post_multipart(
        GraphQL(SCHEMA, context_value=context),
        [
            (
                "operations",
                json.dumps(
                    {
                        "query": "mutation($file: Upload!) { upload(file: $file) { filename } }",
                        "variables": {"file": None},
                    }
                ),
            ),
            ("map", json.dumps({"0": ["variables.file"]})),
            ("0", ("big.bin", content, "application/octet-stream")),
        ],
    )
    assert result.json() == {"data": {"upload": {"filename": "big.bin"}}}
    assert received == [(len(content), True)]


def test_operations_sent_as_a_big_file_part_is_413() -> None:
    operations = json.dumps({"query": UPLOAD, "variables": {"file": None}}).encode()
    result = post_multipart(
        GraphQL(SCHEMA),
        [
            ("operations", ("blob", operations.ljust(1024 * 1024 + 1), "application/json")),
            ("map", json.dumps({"0": ["variables.file"]})),
            ("0", ("notes.txt", b"hello upload", "text/plain")),
        ],
    )
    assert result.code == 413
    assert result.json()["errors"][0]["message"] == (
        "The multipart 'operations' field was sent as a file of 1048577 bytes, "
        "over the limit of 1048576 bytes for a field."
    )
