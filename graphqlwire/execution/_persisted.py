"""Persisted documents: Apollo's automatic persisted queries (APQ) and trusted documents.

A request may name its document instead of sending it, in two ways:

* APQ: ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``. A hash the
  server does not know is answered ``PersistedQueryNotFound``; the client then sends the
  query with the hash, the server checks that the hash is the query's SHA-256 and keeps
  the pair in a `DocumentStore`, and later requests send the hash alone.
* Trusted documents (GraphQL over HTTP, persisted documents appendix): ``documentId``
  (``sha256:<64 hex>`` or a custom id) in place of ``query``, for documents loaded at
  start-up from a manifest (`load_trusted_documents`). With ``only_trusted`` nothing else
  runs: no unknown query text, no APQ registration.

`resolve_persisted` turns such request data into request data with a ``query`` (the very
string the store or manifest holds), so everything after it (the shape check, the document
cache, limits, validation) treats it as the plain query it stands for, at the same cost.
It is idempotent: data it resolved resolves to itself, so a transport may resolve early
(the WebSocket handlers parse before they execute) and the pipeline again. Refusals are
``RequestFailure``s with a stage: ``"persisted"`` (the APQ answers a client retries on),
``"trusted"`` (not a trusted document) or ``"request"`` (malformed, hash mismatch, unknown
``documentId``).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from typing import Any, NoReturn, Protocol, Union

from graphql import GraphQLError

from .. import _json as strict_json
from .._json import json_type
from ._cache import MAX_CACHED_QUERY_LENGTH, LRUCache
from ._failure import RequestFailure, Stage
from ._types import QueryParser

#: The manifest format that Apollo's ``generate-persisted-query-manifest`` writes.
APOLLO_MANIFEST_FORMAT = "apollo-persisted-query-manifest"
SHA256_PREFIX = "sha256:"


class DocumentStore(Protocol):
    """Where APQ keeps registered documents, by the SHA-256 hex digest of their text.

    `MemoryStore` (one per process) by default; a store shared between processes (Redis)
    implements the same two methods. Both run on the request's path, synchronously.
    """

    def get(self, key: str) -> str | None:
        """The document registered under `key`, or None."""

    def set(self, key: str, document: str) -> None:
        """Register `document` under `key` (its SHA-256, already checked)."""


class MemoryStore(LRUCache):
    """A bounded in-process `DocumentStore`: least recently used documents go first.

    Thread-safe (the WSGI app runs requests in threads). Documents longer than
    `max_length` are not kept, so entries cannot pin huge bodies in memory: their clients
    keep sending the full query, which still works.
    """

    def __init__(self, maxsize: int = 1024, max_length: int = MAX_CACHED_QUERY_LENGTH) -> None:
        super().__init__(maxsize)
        self.max_length = max_length

    def get(self, key: str) -> str | None:
        """The document registered under `key` (now the most recently used), or None."""
        return self._get(key)  # type: ignore[no-any-return]

    def set(self, key: str, document: str) -> None:
        """Register `document` under `key`, evicting the least recently used past `maxsize`."""
        if len(document) <= self.max_length:
            self._put(key, document)


#: The store of ``persisted_queries=True``, shared by every app in the process: keys are
#: content hashes, so one app's entry is right for any other (each still validates it).
default_store = MemoryStore()


class TrustedDocuments(Mapping[str, str]):
    """Trusted documents by id (``sha256:`` prefixes removed), and the set of their texts."""

    __slots__ = ("_documents", "texts")

    def __init__(self, documents: Mapping[str, str] | None = None) -> None:
        self._documents = {_key(id_): text for id_, text in (documents or {}).items()}
        self.texts = frozenset(self._documents.values())

    def __getitem__(self, document_id: str) -> str:
        return self._documents[_key(document_id)]

    def __iter__(self) -> Iterator[str]:
        return iter(self._documents)

    def __len__(self) -> int:
        return len(self._documents)

    def __hash__(self) -> int:  # immutable, as the value of a frozen option must be
        return hash(self.texts)

    def __repr__(self) -> str:
        return f"<TrustedDocuments: {len(self)} documents>"


NO_TRUSTED_DOCUMENTS = TrustedDocuments()
#: A manifest file, or its content: ``{"<id>": "<document>"}`` or Apollo's manifest.
TrustedDocumentsSource = Union[str, "os.PathLike[str]", Mapping[str, Any], None]


def load_trusted_documents(source: TrustedDocumentsSource) -> TrustedDocuments:
    """The trusted documents of a manifest file (a path) or of its decoded content.

    Two formats: Apollo's persisted query manifest (``{"format":
    "apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "body", ...}]}``)
    and a plain ``{"<id>": "<document>"}`` map (Relay, GraphQL Code Generator), ids with or
    without ``sha256:``. Raises ``ValueError`` saying what is wrong, so a bad manifest
    stops the start-up.
    """
    if source is None or isinstance(source, TrustedDocuments):
        return source or NO_TRUSTED_DOCUMENTS
    if isinstance(source, Mapping):
        return TrustedDocuments(_manifest_documents(source, "trusted_documents"))
    path = os.fspath(source)
    try:
        with open(path, "rb") as file:
            manifest = strict_json.loads(file.read())
    except OSError as error:
        raise ValueError(f"cannot read trusted documents {path}: {error.strerror}") from None
    except ValueError as error:  # JSON or UTF-8
        raise ValueError(f"trusted documents {path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"trusted documents {path}: expected an object, not {json_type(manifest)}")
    return TrustedDocuments(_manifest_documents(manifest, f"trusted documents {path}"))


def _manifest_documents(manifest: Mapping[str, Any], where: str) -> dict[str, str]:
    documents: dict[str, str] = {}
    for index, (document_id, text) in enumerate(_manifest_entries(manifest, where)):
        if not isinstance(document_id, str) or not isinstance(text, str):
            raise ValueError(f"{where}: entry {index} needs a string id and a string document")
        key = _key(document_id)
        if document_id.startswith(SHA256_PREFIX) and _sha256(text) != key:
            raise ValueError(f"{where}: {document_id!r} is not the SHA-256 of its document")
        if documents.setdefault(key, text) != text:
            raise ValueError(f"{where}: id {document_id!r} names two different documents")
    return documents


def _manifest_entries(manifest: Mapping[str, Any], where: str) -> list[tuple[Any, Any]]:
    """The ``(id, document)`` pairs of a manifest, in either format, not yet checked."""
    if "format" not in manifest:
        return list(manifest.items())
    if manifest["format"] != APOLLO_MANIFEST_FORMAT or manifest.get("version") != 1:
        raise ValueError(
            f"{where}: unsupported manifest format {manifest['format']!r} version "
            f"{manifest.get('version')!r}: expected {APOLLO_MANIFEST_FORMAT!r} version 1, "
            "or a plain {id: document} object"
        )
    operations = manifest.get("operations")
    if not isinstance(operations, list):
        raise ValueError(f"{where}: 'operations' must be an array")
    return [
        (operation.get("id"), operation.get("body"))
        if isinstance(operation, dict)
        else (None, None)
        for operation in operations
    ]


def persisted_document_options(
    persisted_queries: bool | DocumentStore | None,
    trusted_documents: TrustedDocumentsSource,
    only_trusted: bool,
) -> dict[str, Any]:
    """The ``ExecutionOptions`` fields for the app constructors' keywords.

    `persisted_queries`: True for `default_store`, False or None for no APQ, or a
    `DocumentStore`.
    `trusted_documents`: see `load_trusted_documents`. `only_trusted` without trusted
    documents would refuse everything: a ``ValueError``.
    """
    trusted = load_trusted_documents(trusted_documents)
    if only_trusted and not trusted:
        raise ValueError("only_trusted needs trusted_documents: it would refuse every request")
    store: DocumentStore | None
    if persisted_queries is True:
        store = default_store
    else:
        store = None if persisted_queries is False else persisted_queries
    return {"persisted_queries": store, "trusted_documents": trusted, "only_trusted": only_trusted}


class PersistedOptions(Protocol):
    """The options `resolve_persisted` reads (``ExecutionOptions`` fields)."""

    @property
    def persisted_queries(self) -> DocumentStore | None:
        """The APQ store, None when APQ is off."""

    @property
    def trusted_documents(self) -> TrustedDocuments:
        """The documents a ``documentId`` may name."""

    @property
    def only_trusted(self) -> bool:
        """Whether trusted documents are all that may run."""

    @property
    def query_parser(self) -> QueryParser | None:
        """A custom parser, which then handles APQ itself (as Ariadne's users do)."""


def resolve_persisted(data: Any, options: PersistedOptions) -> Any:
    """`data` with the ``query`` its ``documentId`` or APQ hash names (see the module).

    Data that is not an object, or a ``query`` of the wrong type, is left for
    ``check_request_data`` to word. With a custom ``query_parser``, the APQ extension is
    left to it: Ariadne has no APQ of its own, and its users implement it in a parser.
    Raises ``RequestFailure``.
    """
    if not isinstance(data, dict):
        return data
    store, trusted = options.persisted_queries, options.trusted_documents
    only_trusted = options.only_trusted
    document_id = data.get("documentId")
    if document_id is not None:
        return _by_document_id(data, document_id, store, trusted, only_trusted)
    extensions = data.get("extensions")
    persisted = extensions.get("persistedQuery") if isinstance(extensions, dict) else None
    if persisted is not None and options.query_parser is None:
        return _by_hash(data, persisted, store, trusted, only_trusted)
    if only_trusted:
        _check_trusted(data.get("query"), trusted)
    return data


def _by_document_id(
    data: dict[str, Any],
    document_id: Any,
    store: DocumentStore | None,
    trusted: TrustedDocuments,
    only_trusted: bool,
) -> dict[str, Any]:
    if not isinstance(document_id, str):
        _refuse(f"'documentId' must be a string, not {json_type(document_id)}.")
    document = _lookup(_key(document_id), store, trusted, only_trusted)
    if document is None:
        if only_trusted:
            _refuse_untrusted(f"Unknown document id {document_id!r}")
        _refuse(
            f"Unknown document id {document_id!r}: this server has no document with this id.",
            code="PERSISTED_DOCUMENT_NOT_FOUND",
        )
    query = data.get("query") or None
    if query is None:
        return {**data, "query": document}
    if query != document:
        _refuse("The request has a 'documentId' and a different 'query': send only one.")
    return data


def _by_hash(
    data: dict[str, Any],
    persisted: Any,
    store: DocumentStore | None,
    trusted: TrustedDocuments,
    only_trusted: bool,
) -> dict[str, Any]:
    if not isinstance(persisted, dict):
        _refuse(f"'extensions.persistedQuery' must be an object, not {json_type(persisted)}.")
    version = persisted.get("version")
    if version != 1 or isinstance(version, bool):
        _refuse(
            f"Unsupported persisted query version {json.dumps(version)}: "
            "only version 1 is supported."
        )
    key = persisted.get("sha256Hash")
    if not isinstance(key, str):
        _refuse(f"'extensions.persistedQuery.sha256Hash' must be a string, not {json_type(key)}.")
    document = _lookup(key, store, trusted, only_trusted)
    query = data.get("query") or None
    if query is None:
        if document is not None:
            return {**data, "query": document}
        if only_trusted:
            _refuse_untrusted("Unknown persisted query hash")
        if store is None:
            _refuse("PersistedQueryNotSupported", "persisted", "PERSISTED_QUERY_NOT_SUPPORTED")
        _refuse("PersistedQueryNotFound", "persisted", "PERSISTED_QUERY_NOT_FOUND")
    if query == document:  # known already: nothing to check, nothing to keep
        return data
    if only_trusted:
        _check_trusted(query, trusted)
    elif store is not None and isinstance(query, str):  # APQ off: the extension is ignored
        if _sha256(query) != key:
            _refuse(
                "The persisted query's sha256Hash is not the SHA-256 of its 'query': send "
                "the lowercase hex digest of the query text (UTF-8)."
            )
        store.set(key, query)
    return data


def _lookup(
    key: str, store: DocumentStore | None, trusted: TrustedDocuments, only_trusted: bool
) -> str | None:
    """A trusted document, else (unless only trusted ones may run) an APQ-registered one."""
    document = trusted.get(key)
    if document is None and store is not None and not only_trusted:
        document = store.get(key)
    return document


def _check_trusted(query: Any, trusted: TrustedDocuments) -> None:
    """Refuse `query` unless it is the text of a trusted document."""
    if not (isinstance(query, str) and query in trusted.texts):
        _refuse_untrusted("The request is not a trusted document")


def _refuse_untrusted(what: str) -> NoReturn:
    _refuse(
        f"{what}: this server only executes trusted documents; send the 'documentId' of one.",
        "trusted",
        "TRUSTED_DOCUMENT_REQUIRED",
    )


def _refuse(message: str, stage: Stage = "request", code: str | None = None) -> NoReturn:
    extensions = {"code": code} if code else None
    raise RequestFailure(stage, [GraphQLError(message, extensions=extensions)])


def _key(document_id: str) -> str:
    return document_id.removeprefix(SHA256_PREFIX)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
