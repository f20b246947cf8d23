"""openim/sendmsg, batchsendmsg, importmsg over the wire, on both engines."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from c2c_helpers import (
    BATCH,
    IMPORT,
    SEND,
    T0,
    entries,
    history,
    import_msg,
    roam,
    send,
    text,
    unread,
)
from conftest import Client, engine_uses
from opentim.storage import Storage


def base(**extra: Any) -> dict[str, Any]:
    return {
        "From_Account": "alice",
        "To_Account": "bob",
        "MsgRandom": 1,
        "MsgBody": text("hi"),
        **extra,
    }


async def test_sendmsg_msg_key_is_seq_random_time(api: Client) -> None:
    await api.accounts("alice", "bob")
    before = int(time.time())
    data = await api.ok(SEND, base(MsgSeq=549396494, MsgRandom=2578554))
    assert before <= data["MsgTime"] <= int(time.time())
    assert data["MsgKey"] == f"549396494_2578554_{data['MsgTime']}"
    assert isinstance(data["MsgId"], str) and 0 < len(data["MsgId"]) <= 50
    [message] = (await roam(api, "bob", "alice"))["MsgList"]
    assert message["MsgKey"] == data["MsgKey"]
    assert (message["MsgSeq"], message["MsgRandom"]) == (549396494, 2578554)
    assert message["MsgTimeStamp"] == data["MsgTime"]
    assert (message["From_Account"], message["To_Account"]) == ("alice", "bob")
    assert (message["MsgFlagBits"], message["IsPeerRead"]) == (0, 0)


async def test_sendmsg_body_and_custom_data_come_back_byte_identical(api: Client) -> None:
    await api.accounts("alice", "bob")
    raw = (
        b'{"From_Account":"alice","To_Account":"bob","MsgRandom":1,"CloudCustomData":"cc",'
        b'"MsgBody":[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"d","Desc":"x y"}},'
        b'{"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"f"}}]}'
    )
    await api.post(f"/v4/{SEND}", params=api.query(), content=raw)
    response = await api.http.post(
        "/v4/openim/admin_getroammsg",
        params=api.query(),
        content=b'{"Operator_Account":"bob","Peer_Account":"alice","MaxCnt":5,'
        b'"MinTime":0,"MaxTime":4294967295}',
    )
    assert (
        b'"MsgBody":[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"d","Desc":"x y"}},'
        b'{"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"f"}}]' in response.content
    )
    assert b'"CloudCustomData":"cc"' in response.content


async def test_sendmsg_without_msg_seq_gets_a_random_one(api: Client) -> None:
    await api.accounts("alice", "bob")
    data = await api.ok(SEND, base())
    seq, random, msg_time = (int(p) for p in data["MsgKey"].split("_"))
    assert 0 < seq < 2**32 and random == 1 and msg_time == data["MsgTime"]


async def test_sendmsg_from_account_defaults_to_the_admin(api: Client) -> None:
    await api.accounts("bob")
    body = base()
    del body["From_Account"]
    await api.ok(SEND, body)
    [message] = (await roam(api, "bob", api.admin))["MsgList"]
    assert message["From_Account"] == api.admin


@pytest.mark.parametrize(
    "change,code",
    [
        ({"To_Account": None}, 90003),
        ({"To_Account": ""}, 90003),
        ({"To_Account": 5}, 90003),
        ({"To_Account": "ghost"}, 90012),
        ({"From_Account": "ghost"}, 90008),
        ({"MsgRandom": None}, 90005),
        ({"MsgRandom": "1"}, 90005),
        ({"MsgRandom": -1}, 90005),
        ({"MsgRandom": 2**32}, 90005),
        ({"MsgSeq": "1"}, 90004),
        ({"MsgSeq": 2**32}, 90004),
        ({"SyncOtherMachine": "1"}, 90031),
        ({"SyncOtherMachine": 3}, 90031),
        ({"MsgLifeTime": "60"}, 90044),
        ({"MsgLifeTime": -1}, 90044),
        ({"MsgBody": None}, 90007),
        ({"MsgBody": {"MsgType": "TIMTextElem"}}, 90007),
        ({"MsgBody": []}, 90002),
        ({"MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": 5}}]}, 90002),
        ({"MsgBody": [{"MsgType": "TIMBogusElem", "MsgContent": {}}]}, 90010),
        ({"MsgBody": [{"MsgType": "TIMCustomElem", "MsgContent": {}}] * 2}, 90010),
        ({"MsgBody": text("x" * 9000)}, 80002),
        ({"MsgBody": text("x" * 13000)}, 93000),
    ],
)
async def test_sendmsg_failure_codes(api: Client, change: dict[str, Any], code: int) -> None:
    await api.accounts("alice", "bob")
    body = {k: v for k, v in {**base(), **change}.items() if v is not None}
    data = await api(SEND, body)
    assert data["ErrorCode"] == code, data
    assert await history(api, "bob", "alice") == []


async def test_sendmsg_malformed_json_is_90001(api: Client) -> None:
    data = await api(SEND, content=b'{"To_Account":"bob",')
    assert data["ErrorCode"] == 90001


async def test_sync_other_machine_2_keeps_the_message_from_the_senders_view(api: Client) -> None:
    await api.accounts("alice", "bob")
    await send(api, "alice", "bob", "quiet", SyncOtherMachine=2)
    assert await history(api, "alice", "bob") == []
    assert await history(api, "bob", "alice") == ["quiet"]
    assert await entries(api, "alice") == []
    assert await entries(api, "bob") == [(1, "alice")]


@pytest.mark.parametrize("sync", [1, None])
async def test_sync_other_machine_1_or_absent_stores_it_for_the_sender(
    api: Client, sync: int | None
) -> None:
    await api.accounts("alice", "bob")
    extra = {} if sync is None else {"SyncOtherMachine": sync}
    await send(api, "alice", "bob", "both", **extra)
    assert await history(api, "alice", "bob") == ["both"]
    assert await entries(api, "alice") == [(1, "bob")]


async def test_no_last_msg_leaves_both_conversation_lists_alone(api: Client) -> None:
    await api.accounts("alice", "bob")
    await send(api, "alice", "bob", "silent", SendMsgControl=["NoLastMsg"])
    assert await entries(api, "alice") == [] and await entries(api, "bob") == []
    assert await history(api, "bob", "alice") == ["silent"]
    assert await unread(api, "bob", "alice") == 1


async def test_no_unread_is_not_counted(api: Client) -> None:
    await api.accounts("alice", "bob")
    await send(api, "alice", "bob", "a", SendMsgControl=["NoUnread"])
    await send(api, "alice", "bob", "b")
    assert await unread(api, "bob", "alice") == 1
    assert await entries(api, "bob") == [(1, "alice")]


@pytest.mark.parametrize("extra", [{"OnlineOnlyFlag": 1}, {"MsgLifeTime": 0}])
async def test_online_only_message_is_not_stored(api: Client, extra: dict[str, Any]) -> None:
    await api.accounts("alice", "bob")
    data = await api.ok(SEND, base(**extra))
    assert data["MsgKey"].endswith(f"_1_{data['MsgTime']}")
    assert await history(api, "bob", "alice") == []
    assert await entries(api, "bob") == []
    assert await unread(api, "bob", "alice") == 0


async def test_msg_life_time_above_seven_days_is_accepted(api: Client) -> None:
    await api.accounts("alice", "bob")
    await api.ok(SEND, base(MsgLifeTime=10 * 86400))
    assert await history(api, "bob", "alice") == ["hi"]


async def test_same_message_resent_within_120s_is_stored_once(api: Client) -> None:
    await api.accounts("alice", "bob")
    first = await api.ok(SEND, base(MsgSeq=5))
    again = await api.ok(SEND, base(MsgSeq=5))
    assert (again["MsgKey"], again["MsgId"]) == (first["MsgKey"], first["MsgId"])
    assert await history(api, "bob", "alice") == ["hi"]
    assert await unread(api, "bob", "alice") == 1
    await api.ok(SEND, base(MsgSeq=5, MsgBody=text("other")))  # other content: a new message
    await api.ok(SEND, base(MsgSeq=6))  # other MsgSeq: a new message
    assert sorted(await history(api, "bob", "alice")) == ["hi", "hi", "other"]


async def test_sendmsg_on_the_client_api_is_bound_to_the_caller(api: Client) -> None:
    await api.accounts("alice", "bob")
    body = base()
    del body["From_Account"]
    assert (await api.as_user("alice", SEND, body))["ErrorCode"] == 0
    assert (await roam(api, "bob", "alice"))["MsgList"][0]["From_Account"] == "alice"
    assert (await api.as_user("alice", SEND, {**body, "From_Account": "bob"}))["ErrorCode"] == 20001


# --- batchsendmsg ---------------------------------------------------------------------------


def batch(*recipients: str, **extra: Any) -> dict[str, Any]:
    return {
        "From_Account": "dave",
        "To_Account": list(recipients),
        "MsgRandom": 19901224,
        "MsgBody": text("hello"),
        **extra,
    }


async def test_batchsendmsg_delivers_one_message_key_to_everyone(api: Client) -> None:
    await api.accounts("dave", "bonnie", "rong")
    data = await api.ok(BATCH, batch("bonnie", "rong", MsgSeq=4852))
    assert "ErrorList" not in data
    assert data["MsgKey"].startswith("4852_19901224_") and data["MsgId"]
    for user in ("bonnie", "rong"):
        [message] = (await roam(api, user, "dave"))["MsgList"]
        assert message["MsgKey"] == data["MsgKey"]
        assert await entries(api, user) == [(1, "dave")]
        assert await unread(api, user, "dave") == 1
    assert sorted(await entries(api, "dave")) == [(1, "bonnie"), (1, "rong")]


async def test_batchsendmsg_some_unknown_recipients_is_some_error(api: Client) -> None:
    await api.accounts("dave", "bonnie")
    data = await api(BATCH, batch("bonnie", "rong"))
    assert (data["ActionStatus"], data["ErrorCode"]) == ("SomeError", 0)
    assert data["ErrorList"] == [{"To_Account": "rong", "ErrorCode": 70107}]
    assert await history(api, "bonnie", "dave") == ["hello"]


async def test_batchsendmsg_all_unknown_recipients_fails_with_90012(api: Client) -> None:
    await api.accounts("dave")
    data = await api(BATCH, batch("rong", "ghost"))
    assert (data["ActionStatus"], data["ErrorCode"]) == ("FAIL", 90012)


async def test_batchsendmsg_recipient_named_twice_gets_it_once(api: Client) -> None:
    await api.accounts("dave", "bonnie")
    await api.ok(BATCH, batch("bonnie", "bonnie"))
    assert await history(api, "bonnie", "dave") == ["hello"]
    assert await unread(api, "bonnie", "dave") == 1


async def test_batchsendmsg_sync_other_machine_2_keeps_it_from_the_sender(api: Client) -> None:
    await api.accounts("dave", "bonnie")
    await api.ok(BATCH, batch("bonnie", SyncOtherMachine=2))
    assert await history(api, "dave", "bonnie") == []
    assert await entries(api, "dave") == []
    assert await history(api, "bonnie", "dave") == ["hello"]


@pytest.mark.parametrize(
    "change,code",
    [
        ({"To_Account": []}, 90003),
        ({"To_Account": None}, 90003),
        ({"To_Account": "bonnie"}, 90003),
        ({"To_Account": [f"u{i}" for i in range(501)]}, 90011),
        ({"From_Account": "ghost"}, 90008),
        ({"MsgRandom": None}, 90005),
        ({"MsgSeq": -5}, 90004),
        ({"MsgBody": "hello"}, 90007),
        ({"SyncOtherMachine": 9}, 90031),
    ],
)
async def test_batchsendmsg_failure_codes(api: Client, change: dict[str, Any], code: int) -> None:
    await api.accounts("dave", "bonnie")
    body = {k: v for k, v in {**batch("bonnie"), **change}.items() if v is not None}
    assert (await api(BATCH, body))["ErrorCode"] == code
    assert await history(api, "bonnie", "dave") == []


# --- importmsg ------------------------------------------------------------------------------


async def test_importmsg_stores_at_the_given_time_and_updates_both_lists(api: Client) -> None:
    await api.accounts("u1", "u2")
    key = await import_msg(api, "u1", "u2", "old", T0)
    [message] = (await roam(api, "u2", "u1"))["MsgList"]
    assert (message["MsgKey"], message["MsgTimeStamp"]) == (key, T0)
    for owner, peer in (("u1", "u2"), ("u2", "u1")):
        data = await api.ok("recentcontact/get_list", {"From_Account": owner})
        assert data["SessionItem"] == [{"Type": 1, "To_Account": peer, "MsgTime": T0, "TopFlag": 0}]


async def test_importmsg_historical_is_read_and_real_time_is_unread(api: Client) -> None:
    await api.accounts("u1", "u2")
    await import_msg(api, "u1", "u2", "history", T0, SyncFromOldSystem=2)
    assert await unread(api, "u2", "u1") == 0
    await import_msg(api, "u1", "u2", "live", T0 + 1, SyncFromOldSystem=5)
    assert await unread(api, "u2", "u1") == 1


async def test_importmsg_same_seq_random_time_is_one_message_whatever_the_content(
    api: Client,
) -> None:
    await api.accounts("u1", "u2")
    body = {
        "SyncFromOldSystem": 2,
        "From_Account": "u1",
        "To_Account": "u2",
        "MsgSeq": 827092,
        "MsgRandom": 1287657,
        "MsgTimeStamp": T0,
        "MsgBody": text("first"),
    }
    await api.ok(IMPORT, body)
    await api.ok(IMPORT, {**body, "MsgBody": text("second")})
    await api.ok(IMPORT, {**body, "From_Account": "u2", "To_Account": "u1"})
    assert await history(api, "u1", "u2") == ["first"]
    await api.ok(IMPORT, {**body, "MsgTimeStamp": T0 + 1})
    assert await history(api, "u1", "u2") == ["first", "first"]


async def test_importing_an_older_message_does_not_move_the_conversation_back(
    api: Client,
) -> None:
    await api.accounts("u1", "u2")
    await import_msg(api, "u1", "u2", "new", T0 + 100)
    await import_msg(api, "u1", "u2", "older", T0)
    data = await api.ok("recentcontact/get_list", {"From_Account": "u2"})
    assert data["SessionItem"][0]["MsgTime"] == T0 + 100
    assert await history(api, "u2", "u1") == ["older", "new"]


@pytest.mark.parametrize(
    "change,code",
    [
        ({"SyncFromOldSystem": None}, 90030),
        ({"SyncFromOldSystem": "2"}, 90030),
        ({"SyncFromOldSystem": 1}, 90030),
        ({"From_Account": None}, 90008),
        ({"From_Account": "ghost"}, 90008),
        ({"To_Account": None}, 90003),
        ({"To_Account": "ghost"}, 90012),
        ({"MsgRandom": None}, 90005),
        ({"MsgTimeStamp": None}, 90006),
        ({"MsgTimeStamp": "1600000000"}, 90006),
        ({"MsgTimeStamp": 0}, 90006),
        ({"MsgBody": None}, 90007),
        ({"MsgBody": [{"MsgType": "TIMTextElem"}]}, 90002),
    ],
)
async def test_importmsg_failure_codes(api: Client, change: dict[str, Any], code: int) -> None:
    await api.accounts("u1", "u2")
    body = {
        "SyncFromOldSystem": 2,
        "From_Account": "u1",
        "To_Account": "u2",
        "MsgRandom": 1,
        "MsgTimeStamp": T0,
        "MsgBody": text("x"),
        **change,
    }
    data = await api(IMPORT, {k: v for k, v in body.items() if v is not None})
    assert data["ErrorCode"] == code, data
    assert await history(api, "u2", "u1") == []


async def test_concurrent_identical_sends_store_one_message(api: Client) -> None:
    await api.accounts("alice", "bob")
    answers = await asyncio.gather(*(api.ok(SEND, base(MsgSeq=77)) for _ in range(8)))
    assert len({a["MsgKey"] for a in answers}) == 1
    assert await history(api, "bob", "alice") == ["hi"]
    assert await unread(api, "bob", "alice") == 1


async def test_concurrent_sends_both_ways_keep_every_message(api: Client) -> None:
    await api.accounts("alice", "bob")
    sends = [send(api, "alice", "bob", f"a{i}") for i in range(10)]
    sends += [send(api, "bob", "alice", f"b{i}") for i in range(10)]
    await asyncio.gather(*sends)
    assert len(await history(api, "alice", "bob")) == 20
    assert await unread(api, "alice", "bob") == 10 and await unread(api, "bob", "alice") == 10


async def test_sendmsg_writes_atomically_in_the_fewest_round_trips(
    api: Client, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A message is stored as one unit: one transaction on SQLite; one statement on
    PostgreSQL (migration 011's function), where each statement of a transaction, its BEGIN
    and its COMMIT would be a round trip of their own."""
    await api.accounts("alice", "bob")
    engine = storage.engine
    opened = engine_uses(engine, monkeypatch)
    body = {"From_Account": "alice", "To_Account": "bob", "MsgSeq": 5, "MsgRandom": 9}
    first = await api.ok(SEND, {**body, "MsgBody": text("hi")})
    write = "single" if engine.name == "postgres" else "transaction"
    assert opened == ["reader", write]  # both accounts in one read, then the message
    again = await api.ok(SEND, {**body, "MsgBody": text("hi")})  # a duplicate: the original
    assert again["MsgKey"] == first["MsgKey"]
    assert await history(api, "alice", "bob") == ["hi"]
    assert await unread(api, "bob", "alice") == 1
