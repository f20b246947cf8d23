"""The HTTP protocol `opentim serve` runs (opentim/protocol.py): answers framed by Content-Length
and written in one piece, one deadline per request for headers and body, kept by a sweep."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest

from opentim.protocol import _CoalescingTransport
from servers import ADMIN, Remote, Servers

pytestmark = pytest.mark.slow
CHECK = {"CheckItem": [{"UserID": ADMIN}]}


async def _exchange(port: int, request: bytes) -> tuple[bytes, bytes]:
    """Send raw bytes, read until the server closes: (head, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def _request(remote: Remote, body: bytes, version: str = "1.1", extra: str = "") -> bytes:
    query = "&".join(f"{k}={v}" for k, v in remote.query().items())
    return (
        f"POST /v4/im_open_login_svc/account_check?{query} HTTP/{version}\r\nHost: t\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
    ).encode() + body


async def test_answers_carry_content_length_not_chunks(servers: Servers, tmp_path: Path) -> None:
    server = await servers.start(f"sqlite:///{tmp_path / 'len.sqlite3'}")
    remote = Remote(server)
    for version in ("1.1", "1.0"):  # an HTTP/1.0 client cannot read chunked answers
        head, body = await _exchange(
            server.port, _request(remote, msgspec.json.encode(CHECK), version)
        )
        lines = head.lower().split(b"\r\n")
        assert lines[0].startswith(b"http/1.1 200"), head
        assert f"content-length: {len(body)}".encode() in lines, head
        assert not any(line.startswith(b"transfer-encoding") for line in lines), head
        assert msgspec.json.decode(body)["ErrorCode"] == 0
    await remote.close()


async def test_expect_100_continue_is_answered_before_the_body(
    servers: Servers, tmp_path: Path
) -> None:
    """The interim 100 is not held back with the answer's head: the client waits for it."""
    server = await servers.start(f"sqlite:///{tmp_path / 'cont.sqlite3'}")
    remote = Remote(server)
    body = msgspec.json.encode(CHECK)
    request = _request(remote, body, extra="Expect: 100-continue\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(request[: -len(body)])
    interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
    assert interim.startswith(b"HTTP/1.1 100"), interim
    writer.write(body)
    answer = await asyncio.wait_for(reader.read(), timeout=5)
    assert b'"ErrorCode":0' in answer, answer
    writer.close()
    await remote.close()


async def test_the_deadline_is_per_request_not_per_connection(
    servers: Servers, tmp_path: Path
) -> None:
    """With a 1 s limit: a body sent in pieces within it is served, and a keep-alive connection
    serves a second request long after the first began."""
    server = await servers.start(f"sqlite:///{tmp_path / 'dl.sqlite3'}", OPENTIM_BODY_TIMEOUT="1")
    remote = Remote(server)
    body = msgspec.json.encode(CHECK)
    request = _request(remote, body).replace(b"Connection: close\r\n", b"")
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    for _ in range(2):
        writer.write(request[:-5])
        await asyncio.sleep(0.5)
        writer.write(request[-5:])
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        answer = await reader.readexactly(length)
        assert msgspec.json.decode(answer)["ErrorCode"] == 0, answer
        await asyncio.sleep(0.8)  # the two requests together span more than the limit
    writer.close()
    await remote.close()


class _Recorder:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


def test_head_and_body_leave_in_one_write() -> None:
    sink = _Recorder()
    transport: Any = _CoalescingTransport(sink)  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    assert sink.writes == []
    transport.write(b"{}")
    assert sink.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}"]
    transport.write(b"HTTP/ looks like a head")  # later writes are body, whatever they hold
    assert sink.writes[-1] == b"HTTP/ looks like a head"
    assert not transport.is_closing()  # everything else is the socket's own


def test_interim_answers_pass_and_close_flushes_a_held_head() -> None:
    sink = _Recorder()
    transport: Any = _CoalescingTransport(sink)  # type: ignore[arg-type]
    transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    assert sink.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    transport.write(b"HTTP/1.1 500 Internal Server Error\r\n\r\n")
    transport.close()
    assert sink.writes[-1] == b"HTTP/1.1 500 Internal Server Error\r\n\r\n" and sink.closed
