"""The HTTP protocol `opentim serve` runs (opentim/protocol.py): answers framed by Content-Length
and written in one piece, as uvicorn would write them, and one deadline per request for headers
and body, kept by a sweep."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import msgspec
import pytest
import uvicorn
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.server import ServerState

from conftest import account_check_scope, new_app
from opentim import settings as settings_mod
from opentim.app import create_app
from opentim.http import _HEADERS, _write_answer
from opentim.protocol import CYCLE, guarded_protocol, whole_body
from opentim.storage import Storage
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


async def test_pipelined_requests_are_answered_in_order(servers: Servers, tmp_path: Path) -> None:
    """Two requests in one write: the second starts when the first is answered."""
    server = await servers.start(f"sqlite:///{tmp_path / 'pipe.sqlite3'}")
    remote = Remote(server)
    known = _request(remote, msgspec.json.encode(CHECK)).replace(b"Connection: close\r\n", b"")
    unknown = _request(remote, msgspec.json.encode({"CheckItem": [{"UserID": "nobody"}]}))
    _, body = await _exchange(server.port, known + unknown)
    first, _, rest = body.partition(b"HTTP/1.1 200 OK")
    answers = [msgspec.json.decode(first), msgspec.json.decode(rest.partition(b"\r\n\r\n")[2])]
    assert [a["ResultItem"][0]["AccountStatus"] for a in answers] == ["Imported", "NotImported"]
    await remote.close()


async def test_an_idle_keep_alive_connection_is_closed_after_its_timeout(
    servers: Servers, tmp_path: Path
) -> None:
    """OPENTIM_KEEP_ALIVE_TIMEOUT=0.5: a connection idle for 0.2 s serves its next request; one
    idle after that is closed, well before uvicorn's default of 5 s."""
    server = await servers.start(
        f"sqlite:///{tmp_path / 'ka.sqlite3'}", OPENTIM_KEEP_ALIVE_TIMEOUT="0.5"
    )
    remote = Remote(server)
    request = _request(remote, msgspec.json.encode(CHECK)).replace(b"Connection: close\r\n", b"")
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    for _ in range(2):
        writer.write(request)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
        length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
        assert msgspec.json.decode(await reader.readexactly(length))["ErrorCode"] == 0
        await asyncio.sleep(0.2)
    assert await asyncio.wait_for(reader.read(), timeout=3) == b""  # closed by the server
    writer.close()
    await remote.close()


async def test_the_body_limit_holds_when_served(servers: Servers, tmp_path: Path) -> None:
    """A request sent in one write, its body at and one byte over 1 MiB: 0, then 60008."""
    server = await servers.start(f"sqlite:///{tmp_path / 'big.sqlite3'}")
    remote = Remote(server)
    head, tail = b'{"CheckItem":[{"UserID":"a"}],"Pad":"', b'"}'
    for extra, code in ((0, 0), (1, 60008)):
        body = head + b"a" * ((1 << 20) - len(head) - len(tail) + extra) + tail
        _, answer = await _exchange(server.port, _request(remote, body))
        assert msgspec.json.decode(answer)["ErrorCode"] == code
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


_DEFAULTS = [(b"date", b"Mon, 07 Dec 2026 10:00:00 GMT"), (b"server", b"uvicorn")]


def _cycle(method: str = "POST", keep_alive: bool = True) -> tuple[Any, _Recorder, list[str]]:
    """A uvicorn request cycle writing to a recorder, and the calls of its on_response."""
    sink = _Recorder()
    done: list[str] = []
    cycle = RequestResponseCycle(
        scope={"type": "http", "method": method},  # type: ignore[typeddict-item]
        transport=sink,  # type: ignore[arg-type]
        flow=FlowControl(sink),  # type: ignore[arg-type]
        logger=logging.getLogger("test"),
        access_logger=logging.getLogger("test"),
        access_log=False,
        default_headers=_DEFAULTS,
        message_event=asyncio.Event(),
        expect_100_continue=False,
        keep_alive=keep_alive,
        on_response=lambda: done.append("done"),
    )
    return cycle, sink, done


@pytest.mark.parametrize("keep_alive", [True, False])
async def test_an_answer_is_the_bytes_uvicorn_would_send_in_one_write(keep_alive: bool) -> None:
    body = b'{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}'
    cycle, sink, done = _cycle(keep_alive=keep_alive)
    assert _write_answer(cycle, body)
    assert len(sink.writes) == 1 and done == ["done"]
    assert cycle.response_complete and cycle.message_event.is_set()
    assert sink.closed is not keep_alive

    asgi, asgi_sink, _ = _cycle(keep_alive=keep_alive)
    headers = [*_HEADERS, (b"content-length", b"%d" % len(body))]
    await asgi.send({"type": "http.response.start", "status": 200, "headers": headers})
    await asgi.send({"type": "http.response.body", "body": body})
    assert sink.writes == [b"".join(asgi_sink.writes)]


async def test_uvicorn_renewing_its_date_header_renews_the_head() -> None:
    cycle, sink, _ = _cycle()
    assert _write_answer(cycle, b"{}")
    later, later_sink, _ = _cycle()
    later.default_headers = [(b"date", b"Mon, 07 Dec 2026 10:00:01 GMT"), (b"server", b"uvicorn")]
    assert _write_answer(later, b"{}")
    assert b"10:00:00" in sink.writes[0] and b"10:00:01" in later_sink.writes[0]


async def test_what_the_answer_path_cannot_write_is_left_to_asgi_send() -> None:
    head, sink, _ = _cycle(method="HEAD")  # uvicorn's send drops the body of a HEAD answer
    assert not _write_answer(head, b"{}") and sink.writes == []
    started, sink, _ = _cycle()
    started.response_started = True
    assert not _write_answer(started, b"{}") and sink.writes == []
    paused, sink, _ = _cycle()
    paused.flow.write_paused = True  # the client is not reading: wait in send's drain
    assert not _write_answer(paused, b"{}") and sink.writes == []
    gone, sink, _ = _cycle()
    gone.disconnected = True
    assert not _write_answer(gone, b"{}") and sink.writes == []


async def test_a_whole_body_is_what_receive_would_answer() -> None:
    taken, _, _ = _cycle()
    asked, _, _ = _cycle()
    for cycle in (taken, asked):
        cycle.body += b'{"CheckItem":[]}'
        cycle.more_body = False
        cycle.message_event.set()
    message = await asked.receive()
    assert whole_body(taken) == message["body"] and not message["more_body"]
    assert (taken.body, asked.body) == (bytearray(), bytearray())
    partial, _, _ = _cycle()
    partial.body += b'{"CheckItem":'  # more to come: receive() waits for it
    assert whole_body(partial) is None
    gone, _, _ = _cycle()
    gone.more_body, gone.disconnected = False, True
    assert whole_body(gone) is None


async def test_a_body_taken_whole_keeps_the_size_limit(storage: Storage) -> None:
    """Through the app with the protocol's cycle in the scope: the body is read from the cycle,
    never from ``receive``, and a body over ``max_body_bytes`` is still 60008."""
    app = new_app()
    settings_obj = settings_mod.build(apps=(app,), data_dir=Path("unused"), max_body_bytes=80)
    application = create_app(settings_obj, storage)

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was in the cycle")

    async def send(message: dict[str, Any]) -> None:
        raise AssertionError("the answer is written by the protocol")

    for pad, code in ((0, 0), (64, 60008)):
        cycle, sink, _ = _cycle()
        cycle.body += b'{"CheckItem":[{"UserID":"a"}],"Pad":"%s"}' % (b"a" * pad)
        cycle.more_body = False
        scope = {**account_check_scope(app), CYCLE: cycle}
        await application(scope, receive, send)
        answer = sink.writes[0].partition(b"\r\n\r\n")[2]
        assert msgspec.json.decode(answer)["ErrorCode"] == code, answer


class _Socket(_Recorder):
    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 5555), "sockname": ("127.0.0.1", 8080)}.get(name)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def _scope_made_by(protocol_class: type[HttpToolsProtocol], target: bytes) -> dict[str, Any]:
    """The scope the protocol hands the app for ``POST target``; its "in flight" entry is
    the number of request tasks in flight while the app ran and after the answer."""
    scopes: list[dict[str, Any]] = []
    tasks: set[asyncio.Task[None]] = set()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        scopes.append({**scope, "in flight": [len(tasks)]})
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    config = uvicorn.Config(app, proxy_headers=False, access_log=False, log_level="warning")
    config.load()
    protocol = protocol_class(  # type: ignore[call-arg]
        config=config, server_state=ServerState(), app_state={}, _loop=asyncio.get_running_loop()
    )
    protocol.connection_made(_Socket())  # type: ignore[arg-type]
    tasks = protocol.tasks
    protocol.data_received(b"POST %s HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\n\r\n" % target)
    for _ in range(10):
        await asyncio.sleep(0)
    protocol.connection_lost(None)
    scopes[0]["in flight"].append(len(tasks))
    return scopes[0]


@pytest.mark.parametrize(
    "target",
    [
        b"/v4/svc/cmd?sdkappid=1&identifier=admin&usersig=eJx1j0-rgkAUxfd9&random=1",
        b"/v4/svc/cmd",
        b"/v4/svc/cmd?",
        b"/v4/svc/cmd?a=1?b=2",
        b"/v4/svc/cmd?a=%2F+1&b",
        b"/v4/sv%63/cmd?a=1",
        b"http://example.com:8080/v4/svc/cmd?a=1",
        b"/v4/svc/cmd?a=1#fragment",
        b"/v4/svc/cmd#fragment?a=1",
    ],
)
async def test_the_path_and_query_are_what_uvicorn_makes_of_them(target: bytes) -> None:
    """OpenTIM's protocol cuts the query off before uvicorn parses the URL: same scope. And
    its request task leaves the set of tasks in flight when it ends, without a callback."""
    ours = await _scope_made_by(guarded_protocol(10.0, 5.0), target)
    theirs = await _scope_made_by(HttpToolsProtocol, target)
    for key in ("path", "raw_path", "query_string"):
        assert ours[key] == theirs[key], key
    assert ours["in flight"] == [1, 0]  # a finished request leaves the set the engine reads
