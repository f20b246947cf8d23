"""Faults and concurrency with real server processes: SIGKILL, SIGTERM, several processes on
one PostgreSQL database, the database going away, slow clients, rate limits shared via Redis.

Each test starts ``opentim serve`` children on free loopback ports (killed at teardown) and
speaks HTTP to them. Load is bounded in count and time; the whole file runs in well under a
minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import msgspec
import pytest

from servers import ADMIN, Proxy, Remote, Servers, postgres_database

pytestmark = pytest.mark.slow

USERS = ["p0", "p1", "p2", "p3"]
SEND = "group_open_http_svc/send_group_msg"
HISTORY = "group_open_http_svc/group_msg_get_simple"
SENDMSG = "openim/sendmsg"
ROAM = "openim/admin_getroammsg"


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'opentim.sqlite3'}"
        return
    async with postgres_database() as url:
        yield url


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    async with postgres_database() as url:
        yield url


def dechunk(data: bytes) -> bytes:
    """The payload of an HTTP/1.1 chunked body."""
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line, 16)
        if size == 0:
            return out
        out, data = out + data[:size], data[size + 2 :]
    return out


def text(n: int) -> list[dict[str, Any]]:
    return [{"MsgType": "TIMTextElem", "MsgContent": {"Text": f"message {n}"}}]


async def make_group(remote: Remote) -> str:
    await remote.ok("im_open_login_svc/multiaccount_import", {"Accounts": USERS})
    created = await remote.ok(
        "group_open_http_svc/create_group",
        {
            "Type": "Public",
            "Name": "load",
            "Owner_Account": USERS[0],
            "MemberList": [{"Member_Account": u} for u in USERS[1:]],
        },
    )
    group_id: str = created["GroupId"]
    return group_id


async def group_history(remote: Remote, group_id: str) -> dict[int, int]:
    """Every stored message of the group as seen by the admin: seq → Random."""
    stored: dict[int, int] = {}
    body: dict[str, Any] = {"GroupId": group_id, "ReqMsgNumber": 20}
    while True:
        page = (await remote.ok(HISTORY, body))["RspMsgList"]
        for item in page:
            assert item["MsgSeq"] not in stored, item
            assert item["IsPlaceMsg"] == 0, item  # no hole: every seq holds a message
            stored[item["MsgSeq"]] = item["MsgRandom"]
        lowest = min((item["MsgSeq"] for item in page), default=1)
        if lowest <= 1:
            return stored
        body["ReqMsgSeq"] = lowest - 1


async def c2c_history(remote: Remote, a: str, b: str) -> list[dict[str, Any]]:
    """Every message between ``a`` and ``b`` in ``a``'s roaming view, oldest first."""
    found: list[dict[str, Any]] = []
    body: dict[str, Any] = {
        "Operator_Account": a,
        "Peer_Account": b,
        "MaxCnt": 100,
        "MinTime": 0,
        "MaxTime": int(time.time()) + 60,
    }
    for _ in range(100):
        data = await remote.ok(ROAM, body)
        found = data["MsgList"] + found
        if data["Complete"] == 1:
            return found
        body.update(MaxTime=data["LastMsgTime"], LastMsgKey=data["LastMsgKey"])
    raise AssertionError("admin_getroammsg never completed")


class Load:
    """Concurrent senders: group messages from every user, one-to-one messages p1 → p2.

    ``group_acks`` maps each acknowledged Random to the MsgSeq the server answered;
    ``c2c_acks`` holds the acknowledged MsgKeys. A sender stops at its first transport error
    (the server went away) or when ``stop`` is set.
    """

    def __init__(self, remotes: list[Remote], group_id: str) -> None:
        self.remotes = remotes
        self.group_id = group_id
        self.group_acks: dict[int, int] = {}
        self.c2c_acks: set[str] = set()
        self.failures: list[dict[str, Any]] = []
        self.stop = asyncio.Event()
        self._randoms: Iterator[int] = itertools.count(1000)
        self.tasks: list[asyncio.Task[None]] = []

    def start(self, group_senders: int = 6, c2c_senders: int = 2) -> None:
        for i in range(group_senders):
            self.tasks.append(asyncio.create_task(self._group(i)))
        for i in range(c2c_senders):
            self.tasks.append(asyncio.create_task(self._c2c(i)))

    async def _group(self, i: int) -> None:
        remote = self.remotes[i % len(self.remotes)]
        while not self.stop.is_set():
            random = next(self._randoms)
            body = {
                "GroupId": self.group_id,
                "From_Account": USERS[i % len(USERS)],
                "Random": random,
                "MsgBody": text(random),
            }
            try:
                data = await remote(SEND, body)
            except httpx.HTTPError:
                return
            if data["ErrorCode"] == 0:
                self.group_acks[random] = data["MsgSeq"]
            else:
                self.failures.append(data)

    async def _c2c(self, i: int) -> None:
        remote = self.remotes[i % len(self.remotes)]
        while not self.stop.is_set():
            random = next(self._randoms)
            body = {
                "From_Account": "p1",
                "To_Account": "p2",
                "MsgRandom": random,
                "MsgBody": text(random),
            }
            try:
                data = await remote(SENDMSG, body)
            except httpx.HTTPError:
                return
            if data["ErrorCode"] == 0:
                self.c2c_acks.add(data["MsgKey"])
            else:
                self.failures.append(data)

    async def until(self, acks: int, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.group_acks) < acks and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        assert len(self.group_acks) >= acks, f"only {len(self.group_acks)} acks: {self.failures}"

    async def finish(self) -> None:
        self.stop.set()
        await asyncio.wait_for(asyncio.gather(*self.tasks), timeout=30)
        assert self.failures == []


async def check_everything_acknowledged_is_stored(remote: Remote, load: Load) -> dict[int, int]:
    stored = await group_history(remote, load.group_id)
    for random, seq in load.group_acks.items():
        assert stored.get(seq) == random, (random, seq, stored.get(seq))
    assert sorted(stored) == list(range(1, len(stored) + 1))  # unique and gap-free
    assert len(set(stored.values())) == len(stored)  # no message stored twice
    keys = {m["MsgKey"] for m in await c2c_history(remote, "p1", "p2")}
    assert load.c2c_acks <= keys, load.c2c_acks - keys
    return stored


async def test_sigkill_mid_load_loses_nothing_acknowledged(servers: Servers, database: str) -> None:
    first = await servers.start(database)
    remote = Remote(first)
    group_id = await make_group(remote)
    load = Load([remote], group_id)
    load.start()
    await load.until(150)
    first.signal(signal.SIGKILL)  # mid-load: senders are waiting on answers
    await load.finish()
    await remote.close()

    again = await servers.start(database)
    remote = Remote(again)
    stored = await check_everything_acknowledged_is_stored(remote, load)
    assert len(stored) >= len(load.group_acks) >= 150
    after = await remote.ok(SEND, {"GroupId": group_id, "Random": 1, "MsgBody": text(1)})
    assert after["MsgSeq"] == len(stored) + 1  # serves again, the seq continues
    await remote.close()


async def test_sigterm_finishes_in_flight_requests_and_exits(
    servers: Servers, database: str
) -> None:
    server = await servers.start(database)
    remote = Remote(server)
    group_id = await make_group(remote)
    load = Load([remote], group_id)
    load.start()
    await load.until(50)

    body = msgspec.json.encode(
        {"GroupId": group_id, "From_Account": "p1", "Random": 7, "MsgBody": text(7)}
    )
    query = "&".join(f"{k}={v}" for k, v in remote.query().items())
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    request = f"POST /v4/{SEND}?{query} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
    writer.write(f"{request}Content-Length: {len(body)}\r\n\r\n".encode() + body[:10])
    await writer.drain()
    await asyncio.sleep(0.5)  # the server holds a request whose body is half read

    server.signal(signal.SIGTERM)
    await asyncio.sleep(0.3)
    writer.write(body[10:])
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=10)
    writer.close()
    head, _, payload = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer
    in_flight = msgspec.json.decode(dechunk(payload) if b"chunked" in head else payload)
    assert in_flight["ErrorCode"] == 0, in_flight

    # uvicorn re-raises the signal after its graceful shutdown: -SIGTERM is a clean exit.
    assert await server.wait_exit(15) in (0, -signal.SIGTERM)
    assert "Finished server process" in server.log_text()
    await load.finish()
    await remote.close()

    again = await servers.start(database)
    remote = Remote(again)
    stored = await check_everything_acknowledged_is_stored(remote, load)
    assert stored[in_flight["MsgSeq"]] == 7
    await remote.close()


async def test_two_processes_share_seqs_dedup_and_conversations(
    servers: Servers, pg_database: str
) -> None:
    a, b = await servers.start(pg_database), await servers.start(pg_database)
    ra, rb = Remote(a), Remote(b)
    group_id = await make_group(ra)
    load = Load([ra, rb], group_id)
    load.start(group_senders=8, c2c_senders=4)
    await load.until(300)
    await load.finish()
    acked_seqs = list(load.group_acks.values())
    assert len(set(acked_seqs)) == len(acked_seqs)  # no seq answered twice
    stored = await check_everything_acknowledged_is_stored(rb, load)
    assert len(stored) == len(load.group_acks)  # nothing stored that was not answered

    # The same message sent to both processes at once, and again later: stored once.
    for n in range(10):
        random = 900_000 + n
        msg = {"GroupId": group_id, "From_Account": "p3", "Random": random, "MsgBody": text(n)}
        first, second = await asyncio.gather(ra.ok(SEND, msg), rb.ok(SEND, msg))
        again = await ra.ok(SEND, msg)
        assert first["MsgSeq"] == second["MsgSeq"] == again["MsgSeq"], (first, second, again)
        c2c = {"From_Account": "p2", "To_Account": "p1", "MsgSeq": n + 1, "MsgRandom": random}
        c2c["MsgBody"] = text(n)
        k1, k2 = await asyncio.gather(ra.ok(SENDMSG, c2c), rb.ok(SENDMSG, c2c))
        assert k1["MsgKey"] == k2["MsgKey"], (k1, k2)
    stored = await group_history(ra, group_id)
    assert sorted(stored) == list(range(1, len(stored) + 1))
    assert len(stored) == len(load.group_acks) + 10
    keys = [m["MsgKey"] for m in await c2c_history(rb, "p2", "p1")]
    assert len(keys) == len(set(keys)) == len(load.c2c_acks) + 10

    # Both processes show the same conversation lists.
    for user, peer in (("p1", "p2"), ("p2", "p1")):
        lists = [
            (await r.ok("recentcontact/get_list", {"From_Account": user}))["SessionItem"]
            for r in (ra, rb)
        ]
        assert lists[0] == lists[1]
        assert [i.get("To_Account") for i in lists[0] if i["Type"] == 1] == [peer]
        assert [i.get("GroupId") for i in lists[0] if i["Type"] == 2] == [group_id]

    # A kick handled by one process holds in the other within a second.
    await rb.ok("recentcontact/get_list", {}, user="p3")  # B verifies and caches the UserSig
    await ra.ok("im_open_login_svc/kick", {"UserID": "p3"})
    await asyncio.sleep(1.2)
    kicked = await rb("recentcontact/get_list", {}, user="p3")
    assert kicked["ErrorCode"] == 70001, kicked

    # So does a deletion: B trusts an account it found for at most a second, and
    # account_check always asks the database.
    await rb.ok(
        SENDMSG, {"From_Account": "p2", "To_Account": "p1", "MsgRandom": 99, "MsgBody": text(99)}
    )
    await ra.ok("im_open_login_svc/account_delete", {"DeleteItem": [{"UserID": "p1"}]})
    check = await rb.ok("im_open_login_svc/account_check", {"CheckItem": [{"UserID": "p1"}]})
    assert check["ResultItem"][0]["AccountStatus"] == "NotImported", check
    await asyncio.sleep(1.2)
    gone = await rb(
        SENDMSG, {"From_Account": "p2", "To_Account": "p1", "MsgRandom": 98, "MsgBody": text(98)}
    )
    assert gone["ErrorCode"] == 90012, gone
    await ra.close()
    await rb.close()


async def burst(remotes: list[Remote], calls: int) -> list[int]:
    check = {"CheckItem": [{"UserID": "a"}]}
    answers = await asyncio.gather(
        *(remotes[i % len(remotes)]("im_open_login_svc/account_check", check) for i in range(calls))
    )
    return [a["ErrorCode"] for a in answers]


async def test_a_sqlite_file_is_served_by_one_process(servers: Servers, tmp_path: Path) -> None:
    """A second process on the same SQLite file is refused at start-up with the reason; the
    first goes on serving, and once it has stopped the file can be served again."""
    database = f"sqlite:///{tmp_path / 'one.sqlite3'}"
    first = await servers.start(database)
    remote = Remote(first)
    check = {"CheckItem": [{"UserID": ADMIN}]}
    with pytest.raises(AssertionError, match="in use by another process"):
        await servers.start(database)
    await remote.ok("im_open_login_svc/account_check", check)
    await remote.close()
    first.signal(signal.SIGTERM)
    assert await first.wait_exit(10) in (0, -signal.SIGTERM)
    again = Remote(await servers.start(database))
    await again.ok("im_open_login_svc/account_check", check)
    await again.close()


async def test_rate_limit_holds_across_processes_with_redis(
    servers: Servers, tmp_path: Path, redis_url: str
) -> None:
    env = {"OPENTIM_RATE_LIMIT": "5", "OPENTIM_REDIS_URL": redis_url}
    remotes = [
        Remote(await servers.start(f"sqlite:///{tmp_path / f'rate{i}.sqlite3'}", **env))
        for i in range(2)
    ]
    for remote in remotes:
        await remote.ok("im_open_login_svc/account_check", {"CheckItem": [{"UserID": "warm"}]})
    await asyncio.sleep(1.1)
    for _ in range(3):  # a burst may straddle a second; one clean window is enough
        codes = await burst(remotes, 20)
        if codes.count(0) == 5:
            break
        await asyncio.sleep(1.1)
    assert codes.count(0) == 5 and codes.count(60007) == 15, codes
    for remote in remotes:
        await remote.close()


async def test_rate_limit_without_redis_is_per_process(servers: Servers, tmp_path: Path) -> None:
    """The documented default: each process counts its own calls."""
    remotes = [
        Remote(
            await servers.start(
                f"sqlite:///{tmp_path / f'rate{i}.sqlite3'}", OPENTIM_RATE_LIMIT="5"
            )
        )
        for i in range(2)
    ]
    for _ in range(3):
        codes = await burst(remotes, 20)
        if codes.count(0) == 10:
            break
        await asyncio.sleep(1.1)
    assert codes.count(0) == 10, codes
    for remote in remotes:
        await remote.close()


async def test_database_down_fails_fast_and_recovers_without_restart(
    servers: Servers, pg_database: str
) -> None:
    parts = urlsplit(pg_database)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    await proxy.start()
    user = f"{parts.username}@" if parts.username else ""
    netloc = f"{user}127.0.0.1:{proxy.port}"
    server = await servers.start(urlunsplit(parts._replace(netloc=netloc)))
    remote = Remote(server, timeout=30)
    group_id = await make_group(remote)
    calls: list[tuple[str, dict[str, Any], int]] = [
        ("im_open_login_svc/account_check", {"CheckItem": [{"UserID": "p1"}]}, 70500),
        (SEND, {"GroupId": group_id, "Random": 5, "MsgBody": text(5)}, 10002),
        (
            SENDMSG,
            {"From_Account": "p1", "To_Account": "p2", "MsgRandom": 5, "MsgBody": text(5)},
            91000,
        ),
        ("recentcontact/get_list", {"From_Account": "p1"}, 50004),
    ]
    for api, body, _ in calls:
        await remote.ok(api, body)

    await proxy.cut()
    for api, body, internal in calls * 3:
        started = time.monotonic()
        data = await remote(api, body)  # HTTP 200 with the envelope, asserted by the client
        assert time.monotonic() - started < 3.0, (api, "not fail-fast")
        assert data["ErrorCode"] == internal, (api, data)
        user = await remote(api, body, user="p1") if api != calls[0][0] else None
        if user is not None:
            assert user["ErrorCode"] == internal, (api, user)

    await proxy.start()
    deadline = time.monotonic() + 10
    for api, body, _ in calls:
        while (data := await remote(api, body))["ErrorCode"] != 0:
            assert time.monotonic() < deadline, (api, data)
            await asyncio.sleep(0.1)
    assert server.proc.poll() is None  # the same process, never restarted
    await remote.close()
    await proxy.cut()


async def test_slow_and_half_sent_requests_do_not_exhaust_the_server(
    servers: Servers, tmp_path: Path
) -> None:
    server = await servers.start(f"sqlite:///{tmp_path / 'slow.sqlite3'}", OPENTIM_BODY_TIMEOUT="1")
    remote = Remote(server)
    query = "&".join(f"{k}={v}" for k, v in remote.query().items())
    head = f"POST /v4/im_open_login_svc/account_check?{query} HTTP/1.1\r\nHost: t\r\n"
    half_headers, half_bodies = [], []
    for _ in range(200):
        _, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(head.encode())  # headers never finish
        half_headers.append(writer)
    for _ in range(50):
        reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
        writer.write(f"{head}Content-Length: 100\r\n\r\n{{".encode())  # body never finishes
        half_bodies.append((reader, writer))
    started = time.monotonic()
    await remote.ok("im_open_login_svc/account_check", {"CheckItem": [{"UserID": ADMIN}]})
    assert time.monotonic() - started < 2.0  # still serving at once
    for reader, _ in half_bodies:  # each cut after the body timeout with 60008
        answer = b""
        while b"ErrorCode" not in answer:
            chunk = await asyncio.wait_for(reader.read(65536), timeout=5)
            assert chunk, answer
            answer += chunk
        assert b"HTTP/1.1 200" in answer and b'"ErrorCode":60008' in answer, answer
    for writer in half_headers:
        writer.close()
    for _, writer in half_bodies:
        writer.close()
    with contextlib.suppress(Exception):
        await asyncio.sleep(0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"\x16\x03\x01 not http at all\r\n\r\n")  # e.g. TLS to a plain port
    answer = await asyncio.wait_for(reader.read(), timeout=5)
    assert answer.startswith(b"HTTP/1.1 400"), answer
    writer.close()
    await remote.ok("im_open_login_svc/account_check", {"CheckItem": [{"UserID": ADMIN}]})
    await remote.close()


async def test_half_sent_headers_are_cut_after_the_request_timeout(
    servers: Servers, tmp_path: Path
) -> None:
    server = await servers.start(f"sqlite:///{tmp_path / 'hdr.sqlite3'}", OPENTIM_BODY_TIMEOUT="1")
    silent_reader, silent = await asyncio.open_connection("127.0.0.1", server.port)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"POST /v4/im_open_login_svc/account_check HTTP/1.1\r\nHost: t\r\n")
    try:
        for stream in (reader, silent_reader):
            closed = await asyncio.wait_for(stream.read(65536), timeout=3)
            assert closed == b""  # the server closed the connection
    except TimeoutError:
        pytest.fail("the server kept a half-sent request open")
    finally:
        writer.close()
        silent.close()
