"""Differential fuzzing of the head cache: a client never sees whether it was used.

Every example is one byte-level conversation on one keep-alive connection (requests that
repeat exactly, near-repeats one byte apart, odd framing, malformed heads, pipelining and
arbitrary write boundaries). It runs against two servers with the same echo app: the normal
one, twice (the first run fills the cache, the second is served from it wherever a whole
request arrives in one read), and one whose cache never answers, so every request goes
through h11 (the reference). The bytes received (``date`` aside) and whether the server
closed the connection must be the same in all three runs.

A conversation ends when the server closes the connection, or when the server sits waiting
for client input (checked in-process: no request being served, nothing unread in its
socket), so no example waits on a timer. ``GRAPHQLWIRE_FUZZ_EXAMPLES=2500`` searches deeper
(with ``-o timeout=600``: about 25 s per 1000 examples and variant).
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import itertools
import json
import os
import re
import struct
import termios
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from graphqlwire.server import Config, Server
from graphqlwire.server.connection import HttpProtocol
from graphqlwire.server.head import RequestHead
from graphqlwire.server.headcache import MAX_CACHED_HEAD, HeadCache
from graphqlwire.types import Receive, Scope, Send

from .helpers import FAST

EXAMPLES = int(os.environ.get("GRAPHQLWIRE_FUZZ_EXAMPLES", "200"))
#: The two server configurations fuzzed: the defaults, and tight limits that many generated
#: requests cross (431, 414 and 413 are answered before a head is cached), with a root path
#: and proxy headers (applied to every request's scope, cached head or not).
CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "tight": {
        "max_header_size": 1024,
        "max_url_length": 24,
        "max_body_size": 16,
        "root_path": "/root",
        "proxy_headers": True,
    },
}
#: Hard cap for one conversation (a healthy one takes milliseconds): reaching it is a failure.
CONVERSATION_TIMEOUT = 5.0
#: How long the client waits for more bytes before asking whether the server is idle.
IDLE_POLL = 0.01


# --- the application ----------------------------------------------------------------------
async def echo_app(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers everything it saw of the request; ``/stream`` answers in two pieces."""
    assert scope["type"] == "http"
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    client = scope["client"]
    seen = {
        "method": scope["method"],
        "http_version": scope["http_version"],
        "scheme": scope["scheme"],
        "client": client and client[0],  # (its port varies)
        "root_path": scope["root_path"],
        "path": scope["path"],
        "raw_path": scope["raw_path"].decode("latin-1"),
        "query": scope["query_string"].decode("latin-1"),
        "body": body.decode("latin-1"),
        "headers": [
            [name.decode("latin-1"), value.decode("latin-1")] for name, value in scope["headers"]
        ],
    }
    # Edits of the scope must not leak into a later request served from the same head.
    scope["headers"].append((b"x-added-by-app", b"1"))
    if scope["headers"][0:1]:
        scope["headers"][0] = (b"x-replaced-by-app", b"1")
    payload = json.dumps(seen).encode()
    if scope["path"] == "/stream":  # no content-length: chunked, or close-delimited on 1.0
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": payload, "more_body": True})
        await send({"type": "http.response.body", "body": b"!"})
        return
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(payload))]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": payload})


# --- the two servers ------------------------------------------------------------------------
class NoHeadCache(HeadCache):
    """A cache that never answers (and keeps nothing): every request goes through h11."""

    __slots__ = ()

    def get(self, raw: bytes) -> RequestHead | None:
        """Never a hit."""
        return None

    def put(self, raw: bytes, head: RequestHead) -> None:
        """Keep nothing."""


@dataclass
class Pair:
    """The server under test, the reference without a cache, and cache statistics."""

    normal: Server
    reference: Server
    #: Requests served from the cache, per server (counted in `HttpProtocol._serve_cached`).
    served: dict[int, int] = field(default_factory=dict)
    examples: int = 0
    failed: bool = False

    def served_by(self, server: Server) -> int:
        return self.served.get(id(server.state), 0)


@contextlib.asynccontextmanager
async def server_pair(
    monkeypatch: pytest.MonkeyPatch, options: dict[str, Any]
) -> AsyncIterator[Pair]:
    """Start the two servers; count the requests each serves from its head cache."""
    config = {"port": 0, **FAST, "shutdown_timeout": 1.0, **options}
    pair = Pair(Server(echo_app, Config(**config)), Server(echo_app, Config(**config)))
    original = HttpProtocol._serve_cached

    def counting(self: HttpProtocol, data: bytes) -> bool:
        served = original(self, data)
        if served:
            pair.served[id(self.state)] = pair.served.get(id(self.state), 0) + 1
        return served

    monkeypatch.setattr(HttpProtocol, "_serve_cached", counting)
    await pair.normal.start()
    await pair.reference.start()
    assert pair.reference.state is not None
    pair.reference.state.heads = NoHeadCache()
    try:
        yield pair
    finally:
        await pair.normal.shutdown()
        await pair.reference.shutdown()


# --- the client -------------------------------------------------------------------------------
class Client(asyncio.Protocol):
    """Records every byte received and whether the server closed (EOF or reset alike)."""

    def __init__(self) -> None:
        self.received = bytearray()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def data_received(self, data: bytes) -> None:
        self.received += data

    def eof_received(self) -> bool:
        self._closed()
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._closed()

    def _closed(self) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


def unread_bytes(protocol: HttpProtocol) -> int:
    """Bytes the kernel holds for `protocol`'s socket that the server has not read yet."""
    sock = protocol.transport.get_extra_info("socket")
    if sock is None:
        return 0
    with contextlib.suppress(OSError, ValueError):
        answer = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0")
        return int(struct.unpack("i", answer)[0])
    return 0


def waiting_for_client(server: Server, client: tuple[str, int]) -> bool:
    """True when the server's side of `client`'s connection can only go on with more input:
    no request being answered (or its app waiting for body), nothing unread."""
    assert server.state is not None
    protocol = next((p for p in server.state.connections if p.client == client), None)
    if protocol is None or protocol._closed or protocol._read_paused:
        return False  # (not accepted yet, closing, or busy with a request)
    cycle = protocol.cycle
    if cycle is not None and (cycle.waiter is None or cycle.body_complete):
        return False  # the app is running
    return unread_bytes(protocol) == 0


async def settle() -> None:
    """Let the loop run a few rounds: the server reads what was written and answers it."""
    for _ in range(4):
        await asyncio.sleep(0)


@dataclass(frozen=True)
class Outcome:
    """What a client observed: the responses (``date`` removed) and how the exchange ended."""

    responses: tuple[bytes, ...]
    end: str  # "closed" by the server, still "open" (server waits for input), or "timeout"


DATE = re.compile(rb"\r\ndate: [^\r\n]*")
RESPONSE_START = re.compile(rb"(?=HTTP/1\.1 \d{3} )")


def outcome(received: bytes, end: str) -> Outcome:
    """Split the byte stream at status lines (for readable diffs) after dropping dates."""
    stream = DATE.sub(b"", received)
    return Outcome(tuple(part for part in RESPONSE_START.split(stream) if part), end)


async def converse(server: Server, pieces: list[bytes]) -> Outcome:
    """Send `pieces` (one write each) on a new connection; read until the exchange ends."""
    loop = asyncio.get_running_loop()
    transport, client = await loop.create_connection(Client, "127.0.0.1", server.port)
    sockname = transport.get_extra_info("sockname")
    address = (str(sockname[0]), int(sockname[1]))
    try:
        for piece in pieces:
            if client.closed.done():
                break
            transport.write(piece)
            await settle()
        deadline = loop.time() + CONVERSATION_TIMEOUT
        quiet = 0
        while not client.closed.done():
            if loop.time() > deadline:
                return outcome(bytes(client.received), "timeout")
            before = len(client.received)
            await asyncio.wait([client.closed], timeout=IDLE_POLL)
            idle = (
                len(client.received) == before
                and not transport.get_write_buffer_size()
                and waiting_for_client(server, address)
            )
            quiet = quiet + 1 if idle else 0
            if quiet >= 2:  # twice in a row, nothing new: the server waits for us
                return outcome(bytes(client.received), "open")
        return outcome(bytes(client.received), "closed")
    finally:
        transport.abort()


async def differential(pair: Pair, pieces: list[bytes]) -> tuple[Outcome, Outcome, Outcome]:
    """Run the conversation on the reference and (twice) on the normal server, whose cache
    starts empty: ``(reference, normal filling the cache, normal using it)``."""
    assert pair.normal.state is not None
    pair.normal.state.heads = HeadCache()  # each example on its own: shrinking stays exact
    reference, first = await asyncio.gather(
        converse(pair.reference, pieces), converse(pair.normal, pieces)
    )
    second = await converse(pair.normal, pieces)
    return reference, first, second


# --- conversations ------------------------------------------------------------------------------
CLOSE_REQUEST = b"GET /end HTTP/1.1\r\nHost: fin\r\nConnection: close\r\n\r\n"
# Each field: common values first, odd ones after; `pick` takes an odd one now and then.
METHODS = ([b"GET", b"POST"], [b"HEAD", b"PUT", b"OPTIONS", b"G@T", b"get", b""])
TARGETS = (
    [b"/", b"/a", b"/q?x=1&y", b"/stream"],
    [
        b"/%7e%20x",
        b"*",
        b"http://h/abs?z",
        b"//double",
        b"nopath",
        b"/sp ace",
        b"/" + b"u" * 30,
        b"/\xff",
    ],
)
VERSIONS = (
    [b"HTTP/1.1"],
    [b"HTTP/1.0", b"HTTP/0.9", b"HTTP/1.2", b"HTTP/2.0", b"HTTP/1.x", b"http/1.1", b"HTTP/1.1 "],
)
EOLS = ([b"\r\n"], [b"\n"])
SEPARATORS = ([b": "], [b":", b":", b":   ", b" : ", b":\t"])
HOSTS = ([b"Host"], [b"host", b"HOST", b""])
EXTRA_HEADERS = (
    [
        (b"X-Dup", b"1"),
        (b"x-dup", b"2"),
        (b"X-MiXeD-CaSe", b"v"),
        (b"Content-Type", b"text/plain"),
        (b"Connection", b"keep-alive"),
        (b"Accept", b"*/*"),
        (b"X-Forwarded-For", b"10.1.2.3"),
        (b"X-Forwarded-Proto", b"https"),
    ],
    [
        (b"Connection", b"close"),
        (b"connection", b"Keep-Alive, Close"),
        (b"Connection", b"closed"),
        (b"Expect", b"100-continue"),
        (b"Expect", b"200-ok"),
        (b"Upgrade", b"h2c"),
        (b"Host", b"second-host"),
        (b"X-Latin", b"\xe9t\xe9"),
        (b"X-Nul", b"a\x00b"),
        (b"X-Del", b"\x7f"),
        (b"X-Cr", b"a\rb"),
        (b"X-Trail", b"value   "),
        (b"Bad Name", b"x"),
        (b"", b"empty-name"),
        (b"Content-Length", b"0"),
        (b"Content-Length", b"x"),
        (b"Content-Length", b"1, 1"),
        (b"Transfer-Encoding", b"gzip"),
        (b"X-Empty", b""),
    ],
)
FRAMINGS = (["none", "length"], ["short", "long", "chunked", "bad chunked", "length and chunked"])
BODY_PIECES = (
    [b"a", b"body", b"{}"],
    [
        b"\r\n",
        b"\r\n\r\n",
        b"\n",
        b"0\r\n\r\n",
        b"GET / HTTP/1.1\r\n",
        b"Host: x\r\n\r\n",
        b"\x00",
        b"\xff",
        b"B" * 70_000,
    ],
)  # (past BODY_HIGH_WATER)


T = TypeVar("T")


def pick(draw: st.DrawFn, choices: tuple[list[T], list[T]], odds: int) -> T:
    """A common value, or (one time in `odds`; never if 0) an odd one."""
    common, odd = choices
    rare = odds > 0 and draw(st.sampled_from([False] * (odds - 1) + [True]))  # (shrinks to common)
    return draw(st.sampled_from(odd if rare else common))


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    """One request's bytes: half of them plain, the others odd in places (often malformed)."""
    odds = draw(st.sampled_from([0, 6]))  # a plain request, or each part odd one time in 6
    eol = pick(draw, EOLS, odds)
    line = b"%s %s %s" % (
        pick(draw, METHODS, odds),
        pick(draw, TARGETS, odds),
        pick(draw, VERSIONS, odds),
    )
    headers = [(pick(draw, HOSTS, odds), b"example")]
    for _ in range(draw(st.integers(0, 3))):
        headers.append(pick(draw, EXTRA_HEADERS, odds))
    body = b"".join(pick(draw, BODY_PIECES, odds) for _ in range(draw(st.integers(0, 3))))
    framing = pick(draw, FRAMINGS, odds)
    if framing in ("length", "short", "long", "length and chunked"):
        declared = len(body) + {"short": -1, "long": 2}.get(framing, 0)
        headers.append((b"Content-Length", b"%d" % max(declared, 0)))
    if "chunked" in framing:
        headers.append((b"Transfer-Encoding", b"chunked"))
        body = (
            b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:3], body[3:]) if part)
            + b"0\r\n\r\n"
        )
        if framing == "bad chunked":
            body = body.replace(b"\r\n", b"\n", 1)
    headers = draw(st.permutations(headers))
    separator = pick(draw, SEPARATORS, odds)
    lines = [line] + [name + separator + value for name, value in headers]
    if odds and draw(st.sampled_from([False] * 9 + [True])):  # an obs-fold continuation
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from([b" folded", b"\t"])))
    head = eol.join(lines) + eol + eol
    pad = draw(st.sampled_from([None] * 10 + [1000, 1024, 1024, MAX_CACHED_HEAD]))
    if pad is not None:  # a long head, a few bytes either side of a limit
        name = b"X-Pad" + separator
        size = pad + draw(st.integers(-2, 2)) - len(head) - len(name + eol)
        head = (
            head[: len(line) + len(eol)]
            + name
            + b"p" * max(size, 1)
            + eol
            + head[len(line) + len(eol) :]
        )
    return head + body


def mutate(request: bytes, position: int, operation: int, byte: bytes) -> bytes:
    """`request` one byte apart: `byte` replacing, inserted before, or instead of nothing."""
    position %= max(len(request), 1)
    if operation == 0:
        return request[:position] + byte + request[position + 1 :]
    if operation == 1:
        return request[:position] + byte + request[position:]
    return request[:position] + request[position + 1 :]


@st.composite
def conversations(draw: st.DrawFn) -> list[bytes]:
    """The writes of one conversation: requests from a small pool, repeated (exactly, or one
    byte apart), usually closed by a ``Connection: close`` request, cut into writes."""
    pool = draw(st.lists(requests(), min_size=1, max_size=3))
    sequence: list[bytes] = []
    for _ in range(draw(st.integers(1, 6))):
        request = pool[draw(st.integers(0, len(pool) - 1))]
        if draw(st.sampled_from([False] * 4 + [True])):  # a near-repeat
            request = mutate(
                request,
                draw(st.integers(0, 10_000)),
                draw(st.integers(0, 2)),
                draw(st.sampled_from([b"\n", b"\r", b" ", b":", b"\x00", b"a", b"9"])),
            )
        sequence.append(request)
    if draw(st.sampled_from([True] * 9 + [False])):
        sequence.append(CLOSE_REQUEST)
    split = draw(
        st.sampled_from(
            ["per request"] * 4 + ["heads apart"] * 2 + ["whole", "random", "per request+random"]
        )
    )
    if split == "whole":
        return [b"".join(sequence)]
    if split == "per request":
        return sequence
    if split == "heads apart":  # some requests written as head, then body
        writes = []
        for request in sequence:
            end = request.find(b"\r\n\r\n") + 4
            if 4 <= end < len(request) and draw(st.booleans()):
                writes += [request[:end], request[end:]]
            else:
                writes.append(request)
        return writes
    stream = b"".join(sequence)
    cuts = set(draw(st.lists(st.integers(1, max(len(stream) - 1, 1)), max_size=5)))
    if split == "per request+random":
        offset = 0
        for request in sequence:
            offset += len(request)
            cuts.add(offset)
    bounds = [0, *sorted(cut for cut in cuts if 0 < cut < len(stream)), len(stream)]
    return [stream[start:end] for start, end in itertools.pairwise(bounds)]


# --- the tests ------------------------------------------------------------------------------------
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@pytest.fixture(params=sorted(CONFIGS))
async def pair(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Pair]:
    """The two servers, shared by all the examples of a test; checks the cache was used."""
    async with server_pair(monkeypatch, CONFIGS[request.param]) as servers:
        yield servers
        assert servers.served_by(servers.reference) == 0  # the reference never used a cache
        if not servers.failed:  # the examples really used the cache (about once each, on average)
            assert servers.served_by(servers.normal) >= servers.examples // 2 > 0


@FUZZ
@given(pieces=conversations())
async def test_the_head_cache_changes_nothing_a_client_sees(
    pair: Pair, pieces: list[bytes]
) -> None:
    note(f"writes: {pieces!r}")
    pair.examples += 1
    before = pair.served_by(pair.normal)
    reference, first, second = await differential(pair, pieces)
    event(f"served from the cache: {min(pair.served_by(pair.normal) - before, 3)}+")
    event(f"end: {reference.end}")
    pair.failed = pair.failed or reference.end == "timeout" or not first == second == reference
    assert reference.end != "timeout"
    assert first == reference
    assert second == reference


async def test_the_harness_sees_cache_hits_and_no_difference(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A plain keep-alive conversation: the normal server serves repeats from its cache."""
    request = (
        b"POST /a?b HTTP/1.1\r\nHost: h\r\nX-Dup: 1\r\nx-dup: 2\r\nContent-Length: 2\r\n\r\n{}"
    )
    async with server_pair(monkeypatch, {}) as pair:
        reference, first, second = await differential(pair, [request] * 3 + [CLOSE_REQUEST])
        # First run: 2 repeats from the cache; second run: all 4 requests (cached by the first).
        assert pair.served_by(pair.normal) == 6
        assert pair.served_by(pair.reference) == 0
    assert first == second == reference
    assert (len(reference.responses), reference.end) == (4, "closed")
    assert all(b'"x-added-by-app"' not in response for response in reference.responses)


# --- what the fuzzing found, pinned ------------------------------------------------------------
async def test_an_http_0_9_head_is_refused_alike_cached_or_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``HTTP/0.9`` (h11 accepts any ``HTTP/d.d``) gets 505 and a closed connection on both
    paths. The cache used to map it to 1.1 and keep the connection alive where h11 closed it."""
    async with server_pair(monkeypatch, {}) as pair:
        reference, first, second = await differential(
            pair, [b"GET / HTTP/0.9\r\n\r\n", CLOSE_REQUEST]
        )
    assert (len(reference.responses), reference.end) == (1, "closed")
    assert reference.responses[0].startswith(b"HTTP/1.1 505 ")
    assert first == second == reference


async def test_the_head_limit_does_not_depend_on_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64-byte head under ``max_header_size=64`` is served however its body arrives. The
    limit used to be checked on an estimate (``": "`` per header) only when the read was over
    the limit, so the head's body in the same read turned 200 into 431, unless cached."""
    head = b"POST / HTTP/1.1\r\nHost:h\r\nContent-Length:1\r\nX:"
    head += b"p" * (64 - 4 - len(head)) + b"\r\n\r\n"
    assert len(head) == 64
    async with server_pair(monkeypatch, {"max_header_size": 64}) as pair:
        reference, first, second = await differential(
            pair, [head, b"x", head + b"x", CLOSE_REQUEST]
        )
    assert first == second == reference
    # (two POSTs, then the closing GET)
    assert [response[:13] for response in reference.responses] == [b"HTTP/1.1 200 "] * 3
