"""send_group_msg over the admin API, on both engines: seqs, sender rules, content rules,
de-duplication, online-only messages, mutes, group state after a send."""

from __future__ import annotations

import asyncio

import pytest

from conftest import Client, engine_uses
from group_msg_helpers import (
    PULL,
    SEND,
    fetch,
    group_state,
    make_group,
    member_state,
    pull,
    send,
    seqs,
    sql,
    text,
    texts,
)
from opentim.storage import Storage


async def test_send_group_msg_assigns_consecutive_seqs_from_1(api: Client) -> None:
    await make_group(api)
    assert [await send(api, "g", "alice", f"m{i}") for i in range(3)] == [1, 2, 3]
    data = await pull(api, "g")
    assert seqs(data) == [3, 2, 1] and texts(data) == ["m2", "m1", "m0"]


async def test_send_group_msg_answers_msg_time_and_empty_drop_reason(api: Client) -> None:
    await make_group(api)
    data = await api.ok(SEND, {"GroupId": "g", "Random": 1, "MsgBody": text("x")})
    assert data["MsgSeq"] == 1 and data["MsgDropReason"] == ""
    assert (await pull(api, "g"))["RspMsgList"][0]["MsgTimeStamp"] == data["MsgTime"]


async def test_send_group_msg_without_from_account_sends_as_the_admin(api: Client) -> None:
    await make_group(api)
    await send(api, "g", None, "from admin")
    assert (await pull(api, "g"))["RspMsgList"][0]["From_Account"] == api.admin


async def test_send_group_msg_sender_need_not_be_a_member(api: Client) -> None:
    await make_group(api)
    await api.accounts("outsider")
    assert await send(api, "g", "outsider", "hello") == 1
    assert (await pull(api, "g"))["RspMsgList"][0]["From_Account"] == "outsider"


async def test_send_group_msg_unknown_sender_is_10019(api: Client) -> None:
    await make_group(api)
    data = await api(SEND, {"GroupId": "g", "From_Account": "ghost", "MsgBody": text("x")})
    assert data["ErrorCode"] == 10019


async def test_send_group_msg_missing_random_gets_one(api: Client) -> None:
    await make_group(api)
    await api.ok(SEND, {"GroupId": "g", "MsgBody": text("x")})
    await api.ok(SEND, {"GroupId": "g", "MsgBody": text("x")})  # not a duplicate of the first
    items = (await pull(api, "g"))["RspMsgList"]
    assert [i["MsgSeq"] for i in items] == [2, 1]
    assert all(0 <= i["MsgRandom"] < 2**32 for i in items)


async def test_send_group_msg_bad_fields_are_10004(api: Client) -> None:
    await make_group(api)
    good = {"GroupId": "g", "Random": 1, "MsgBody": text("x")}
    custom = {"MsgType": "TIMCustomElem", "MsgContent": {"Data": "d"}}
    cases = [
        {"GroupId": "g", "Random": 1},
        {**good, "MsgBody": None},
        {**good, "MsgBody": {"MsgType": "TIMTextElem"}},
        {**good, "MsgBody": []},
        {**good, "MsgBody": [{"MsgType": "TIMNope", "MsgContent": {}}]},
        {**good, "MsgBody": [{"MsgType": "TIMTextElem"}]},
        {**good, "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": 5}}]},
        {**good, "MsgBody": [custom, custom]},
        {**good, "Random": -1},
        {**good, "Random": 2**32},
        {**good, "MsgPriority": "high"},
        {**good, "MsgPriority": "Lowest"},
        {**good, "OnlineOnlyFlag": 2},
        {**good, "OnlineOnlyFlag": 1, "SendMsgControl": ["NoUnread"]},
        {**good, "To_Account": [f"u{i}" for i in range(51)]},
        {**good, "GroupAtInfo": [{"GroupAtAllFlag": 2}]},
        {**good, "GroupAtInfo": [{"GroupAtAllFlag": 0}]},
        {**good, "TopicId": "other@TOPIC#_t"},
        {**good, "OfflinePushInfo": "push"},
        {**good, "GroupAtInfo": ["bob"]},
    ]
    for body in cases:
        assert (await api(SEND, body))["ErrorCode"] == 10004, body
    assert (await pull(api, "g"))["RspMsgList"] == []


async def test_send_group_msg_group_errors(api: Client) -> None:
    await make_group(api)
    body = {"Random": 1, "MsgBody": text("x")}
    assert (await api(SEND, {**body, "GroupId": "nope"}))["ErrorCode"] == 10010
    assert (await api(SEND, {**body, "GroupId": ""}))["ErrorCode"] == 10015
    assert (await api(SEND, {**body, "GroupId": "x" * 49}))["ErrorCode"] == 10015


async def test_send_group_msg_over_12_kb_is_80002(api: Client) -> None:
    await make_group(api)
    overhead = len(b'[{"MsgType":"TIMTextElem","MsgContent":{"Text":""}}]')
    fits = {"GroupId": "g", "MsgBody": text("a" * (12 * 1024 - overhead - 10))}
    assert (await api(SEND, {**fits, "CloudCustomData": "c" * 10}))["ErrorCode"] == 0
    assert (await api(SEND, {**fits, "CloudCustomData": "c" * 11}))["ErrorCode"] == 80002
    too_big = {"GroupId": "g", "MsgBody": text("界" * 4100)}  # 12,300 UTF-8 bytes
    assert (await api(SEND, too_big))["ErrorCode"] == 80002
    assert seqs(await pull(api, "g")) == [1]


async def test_send_group_msg_priority_strings_come_back_as_integers(api: Client) -> None:
    await make_group(api)
    for priority in ("High", "Normal", "Low"):
        await send(api, "g", "alice", priority, MsgPriority=priority)
    await send(api, "g", "alice", "default")
    data = await pull(api, "g")
    assert [i["MsgPriority"] for i in data["RspMsgList"]] == [2, 3, 2, 1]


async def test_send_group_msg_duplicate_random_and_content_returns_the_original(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    body = {"GroupId": "g", "From_Account": "alice", "Random": 77, "MsgBody": text("once")}
    first = await api.ok(SEND, body)
    again = await api.ok(SEND, body)
    assert (again["MsgSeq"], again["MsgTime"]) == (first["MsgSeq"], first["MsgTime"])
    assert (await group_state(storage, api, "g"))["next"] == 2  # no seq consumed
    assert await send(api, "g", "alice", "next") == 2
    assert seqs(await pull(api, "g")) == [2, 1]


async def test_send_group_msg_same_random_other_content_or_sender_is_new(api: Client) -> None:
    await make_group(api)
    body = {"GroupId": "g", "From_Account": "alice", "Random": 77, "MsgBody": text("a")}
    assert (await api.ok(SEND, body))["MsgSeq"] == 1
    assert (await api.ok(SEND, {**body, "MsgBody": text("b")}))["MsgSeq"] == 2
    assert (await api.ok(SEND, {**body, "CloudCustomData": "c"}))["MsgSeq"] == 3
    assert (await api.ok(SEND, {**body, "From_Account": "bob"}))["MsgSeq"] == 4


async def test_send_group_msg_duplicate_after_5_minutes_is_new(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    body = {"GroupId": "g", "Random": 5, "MsgBody": text("again")}
    await api.ok(SEND, body)
    await sql(
        storage,
        "UPDATE group_messages SET msg_time = msg_time - 301 WHERE sdkappid = $1",
        api.sdkappid,
    )
    assert (await api.ok(SEND, body))["MsgSeq"] == 2


async def test_send_group_msg_online_only_is_not_stored_and_consumes_no_seq(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    data = await api.ok(SEND, {"GroupId": "g", "OnlineOnlyFlag": 1, "MsgBody": text("typing")})
    assert data["MsgSeq"] == 0 and data["MsgTime"] > 0
    assert (await pull(api, "g"))["RspMsgList"] == []
    assert (await group_state(storage, api, "g"))["next"] == 1
    assert await send(api, "g", "alice", "stored") == 1


async def test_send_group_msg_muted_member_is_10017(api: Client, storage: Storage) -> None:
    await make_group(api)
    await sql(
        storage,
        "UPDATE group_members SET mute_until = $3 WHERE sdkappid = $1 AND member_account = $2",
        api.sdkappid,
        "bob",
        2**40,
    )
    data = await api(SEND, {"GroupId": "g", "From_Account": "bob", "MsgBody": text("x")})
    assert data["ErrorCode"] == 10017
    assert await send(api, "g", "alice", "alice may") == 1
    assert await send(api, "g", None, "the admin may") == 2


async def test_send_group_msg_expired_mute_allows_sending(api: Client, storage: Storage) -> None:
    await make_group(api)
    await sql(
        storage,
        "UPDATE group_members SET mute_until = 5 WHERE sdkappid = $1 AND member_account = $2",
        api.sdkappid,
        "bob",
    )
    assert await send(api, "g", "bob", "free again") == 1


async def test_send_group_msg_mute_all_lets_only_owner_admins_and_app_admin_speak(
    api: Client, storage: Storage
) -> None:
    await make_group(api, members=("bob", "carol"))
    await api.accounts("outsider")
    await sql(
        storage,
        "UPDATE group_members SET role = 'Admin' WHERE sdkappid = $1 AND member_account = $2",
        api.sdkappid,
        "carol",
    )
    await sql(
        storage,
        "UPDATE groups SET mute_all_member = 'On' WHERE sdkappid = $1",
        api.sdkappid,
    )
    for sender in ("bob", "outsider"):
        body = {"GroupId": "g", "From_Account": sender, "MsgBody": text("x")}
        assert (await api(SEND, body))["ErrorCode"] == 10017, sender
    assert [await send(api, "g", s, "x") for s in ("alice", "carol", None)] == [1, 2, 3]


async def test_send_group_msg_more_than_30_at_targets_is_10053(api: Client) -> None:
    await make_group(api)
    at = [{"GroupAtAllFlag": 0, "GroupAt_Account": f"u{i}"} for i in range(31)]
    data = await api(SEND, {"GroupId": "g", "MsgBody": text("@"), "GroupAtInfo": at})
    assert data["ErrorCode"] == 10053
    assert await send(api, "g", None, "@", GroupAtInfo=at[:30]) == 1
    assert await send(api, "g", None, "@all", GroupAtInfo=[{"GroupAtAllFlag": 1}]) == 2


async def test_send_group_msg_type_restrictions(api: Client) -> None:
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await make_group(api, "m", "ChatRoom")
    await make_group(api, "@TGS#_c", "Community", members=())
    base = {"MsgBody": text("x")}
    cases = [
        ({"GroupId": "av", "OnlineOnlyFlag": 1}, 10004),
        ({"GroupId": "av", "SendMsgControl": ["NoUnread"]}, 10004),
        ({"GroupId": "m", "SendMsgControl": ["NoUnread"]}, 10004),
        ({"GroupId": "av", "To_Account": ["bob"]}, 10007),
        ({"GroupId": "@TGS#_c", "To_Account": ["bob"]}, 10007),
        ({"GroupId": "av", "GroupAtInfo": [{"GroupAtAllFlag": 1}]}, 10007),
        ({"GroupId": "@TGS#_c", "TopicId": "@TGS#_c@TOPIC#_t"}, 11000),
    ]
    for body, code in cases:
        assert (await api(SEND, {**base, **body}))["ErrorCode"] == code, body
    assert await send(api, "m", "alice", "meeting", SendMsgControl=["NoLastMsg"]) == 1


async def test_send_group_msg_to_avchatroom_numbers_messages_but_stores_none(
    api: Client, storage: Storage
) -> None:
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    assert [await send(api, "av", None, "live") for _ in range(2)] == [1, 2]
    rows = await fetch(
        storage, "SELECT COUNT(*) FROM group_messages WHERE sdkappid = $1", api.sdkappid
    )
    assert rows == [(0,)]
    assert (await api(PULL, {"GroupId": "av", "ReqMsgNumber": 5}))["ErrorCode"] == 10044


async def test_send_group_msg_updates_the_group_and_the_sender(
    api: Client, storage: Storage
) -> None:
    await make_group(api, "w", "Work")
    assert (await group_state(storage, api, "w"))["active"] == 0
    data = await api.ok(SEND, {"GroupId": "w", "From_Account": "bob", "MsgBody": text("hi")})
    state = await group_state(storage, api, "w")
    assert state["active"] == 1 and state["last_msg_time"] == data["MsgTime"]
    assert (state["next"], state["conv_seq"], state["conv_time"]) == (2, 1, data["MsgTime"])
    bob = await member_state(storage, api, "w", "bob")
    assert (bob["msg_seq"], bob["last_send"]) == (1, data["MsgTime"])
    assert (await member_state(storage, api, "w", "alice"))["msg_seq"] == 0


async def test_send_group_msg_no_last_msg_leaves_the_conversation(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    await send(api, "g", "alice", "counted")
    await send(api, "g", "alice", "quiet", SendMsgControl=["NoLastMsg"])
    await send(api, "g", "alice", "targeted", To_Account=["bob"])
    state = await group_state(storage, api, "g")
    assert (state["next"], state["conv_seq"]) == (4, 1)


async def test_send_group_msg_no_unread_and_targeted_are_flagged(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    await send(api, "g", "alice", "a")
    await send(api, "g", "alice", "b", SendMsgControl=["NoUnread"])
    await send(api, "g", "alice", "c", To_Account=["bob", "bob"])
    rows = await fetch(
        storage,
        "SELECT seq, no_unread, to_accounts FROM group_messages WHERE sdkappid = $1 ORDER BY seq",
        api.sdkappid,
    )
    assert rows == [(1, 0, None), (2, 1, None), (3, 1, '["bob"]')]


async def test_no_unread_and_targeted_messages_are_left_out_of_unread_counts(api: Client) -> None:
    await make_group(api)
    await send(api, "g", "alice", "a")
    await send(api, "g", "alice", "b", SendMsgControl=["NoUnread"])
    await send(api, "g", "alice", "c", To_Account=["bob"])
    await send(api, "g", "alice", "d")
    data = await api.ok(
        "group_open_http_svc/get_joined_group_list",
        {"Member_Account": "bob", "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum"]}},
    )
    assert [g["SelfInfo"]["UnreadMsgNum"] for g in data["GroupIdList"]] == [2]


async def test_send_group_msg_concurrent_senders_get_distinct_gap_free_seqs(api: Client) -> None:
    await make_group(api)
    got = await asyncio.gather(*(send(api, "g", "alice", f"m{i}") for i in range(30)))
    assert sorted(got) == list(range(1, 31))
    assert len(seqs(await pull(api, "g", ReqMsgNumber=30))) == 20


async def test_send_group_msg_body_comes_back_byte_identical(api: Client) -> None:
    await make_group(api)
    body = b'[ {"MsgType":"TIMTextElem", "MsgContent":{"Text":"\\u00e9 caf\xc3\xa9", "X": 1.50}} ]'
    content = b'{"GroupId":"g","Random":3,"MsgBody":' + body + b"}"
    data = await api.post(f"/v4/{SEND}", params=api.query(), content=content)
    assert data["ErrorCode"] == 0, data
    response = await api.http.post(
        f"/v4/{PULL}", params=api.query(), content=b'{"GroupId":"g","ReqMsgNumber":1}'
    )
    assert body.strip() in response.content


async def test_send_group_msg_accepts_the_fields_it_does_not_use(api: Client) -> None:
    await make_group(api)
    body = {
        "GroupId": "g",
        "From_Account": "alice",
        "Random": 8,
        "MsgBody": text("x"),
        "OfflinePushInfo": {"PushFlag": 0, "Desc": "d", "ApnsInfo": {"Sound": "s"}},
        "ForbidCallbackControl": ["ForbidBeforeSendMsgCallback"],
        "SendMsgControl": ["WithMuteNotifications"],
        "SupportMessageExtension": 1,
        "NeedReadReceipt": 1,
    }
    assert (await api.ok(SEND, body))["MsgSeq"] == 1


async def test_send_group_msg_writes_atomically_in_the_fewest_round_trips(
    api: Client, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A send is one read of the group, then its writes as one unit: one transaction on
    SQLite; one statement on PostgreSQL (migration 010's function), where each statement of a
    transaction, its BEGIN and its COMMIT would be a round trip of their own."""
    await make_group(api)
    engine = storage.engine
    opened = engine_uses(engine, monkeypatch)
    assert await send(api, "g", "alice", "one") == 1
    write = "single" if engine.name == "postgres" else "transaction"
    assert opened == ["reader", write]  # the group and the sender's membership, then the send
    assert await send(api, "g", "alice", "one", Random=77) == 2
    assert await send(api, "g", "alice", "one", Random=77) == 2  # a duplicate: the original
    assert seqs(await pull(api, "g")) == [2, 1]
