"""import_group_msg, send_group_system_notification and set_unread_msg_num, on both engines."""

from __future__ import annotations

import time
from typing import Any

from conftest import Client
from group_msg_helpers import (
    IMPORT,
    NOTIFY,
    UNREAD,
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

DAY = 86_400


async def old_group(
    api: Client, storage: Storage, kind: str = "Public", group_id: str = "g", age: int = 30 * DAY
) -> int:
    """A group created ``age`` seconds ago (as import_group would make it); its creation time."""
    await make_group(api, group_id, kind)
    created = int(time.time()) - age
    await sql(
        storage,
        "UPDATE groups SET create_time = $3 WHERE sdkappid = $1 AND group_id = $2",
        api.sdkappid,
        group_id,
        created,
    )
    return created


def item(sender: str, at: int, content: str, **extra: Any) -> dict[str, Any]:
    return {"From_Account": sender, "SendTime": at, "MsgBody": text(content), **extra}


async def test_import_group_msg_assigns_seqs_and_keeps_send_times(
    api: Client, storage: Storage
) -> None:
    created = await old_group(api, storage)
    msgs = [item("alice", created + 10, "old 1", Random=11), item("bob", created + 20, "old 2")]
    data = await api.ok(IMPORT, {"GroupId": "g", "MsgList": msgs})
    assert data["ImportMsgResult"] == [
        {"MsgSeq": 1, "MsgTime": created + 10, "Result": 0},
        {"MsgSeq": 2, "MsgTime": created + 20, "Result": 0},
    ]
    pulled = await pull(api, "g")
    assert texts(pulled) == ["old 2", "old 1"]
    assert [i["MsgTimeStamp"] for i in pulled["RspMsgList"]] == [created + 20, created + 10]
    assert pulled["RspMsgList"][1]["MsgRandom"] == 11
    assert await send(api, "g", "alice", "live") == 3


async def test_import_group_msg_send_time_rules_are_per_item_10004(
    api: Client, storage: Storage
) -> None:
    created = await old_group(api, storage)
    future = int(time.time()) + 3600
    msgs = [
        item("alice", created - 1, "before the group"),
        item("alice", created + 100, "ok"),
        item("alice", created + 50, "out of order"),
        item("alice", future, "future"),
        item("alice", created + 100, "same second is fine"),
    ]
    data = await api.ok(IMPORT, {"GroupId": "g", "MsgList": msgs})
    assert [r["Result"] for r in data["ImportMsgResult"]] == [10004, 0, 10004, 10004, 0]
    assert [r["MsgSeq"] for r in data["ImportMsgResult"]] == [0, 1, 0, 0, 2]
    late = await api.ok(IMPORT, {"GroupId": "g", "MsgList": [item("bob", created + 99, "older")]})
    assert late["ImportMsgResult"][0]["Result"] == 10004  # older than the newest message
    assert seqs(await pull(api, "g")) == [2, 1]


async def test_import_group_msg_after_a_live_message_must_be_newer(
    api: Client, storage: Storage
) -> None:
    created = await old_group(api, storage)
    await send(api, "g", "alice", "live")
    data = await api.ok(IMPORT, {"GroupId": "g", "MsgList": [item("bob", created + 5, "x")]})
    assert data["ImportMsgResult"][0]["Result"] == 10004


async def test_import_group_msg_content_rules_are_per_item(api: Client, storage: Storage) -> None:
    created = await old_group(api, storage)
    too_long = item("alice", created + 2, "a" * 12_000)
    msgs = [
        item("alice", created + 1, "fine"),
        too_long,
        {"From_Account": "alice", "SendTime": created + 3, "MsgBody": "not an array"},
        {"From_Account": "alice", "SendTime": created + 4},
        item("alice", created + 5, "bad random", Random=-1),
    ]
    data = await api.ok(IMPORT, {"GroupId": "g", "MsgList": msgs})
    assert [r["Result"] for r in data["ImportMsgResult"]] == [0, 80002, 10004, 10004, 10004]


async def test_import_group_msg_duplicate_random_returns_the_original(
    api: Client, storage: Storage
) -> None:
    created = await old_group(api, storage)
    msg = item("alice", created + 1, "once", Random=9)
    await api.ok(IMPORT, {"GroupId": "g", "MsgList": [msg]})
    again = await api.ok(IMPORT, {"GroupId": "g", "MsgList": [msg]})
    assert again["ImportMsgResult"] == [{"MsgSeq": 1, "MsgTime": created + 1, "Result": 0}]
    assert seqs(await pull(api, "g")) == [1]


async def test_import_group_msg_resets_every_members_unread(api: Client, storage: Storage) -> None:
    created = await old_group(api, storage)
    msgs = [item("alice", created + i, f"m{i}") for i in range(1, 4)]
    await api.ok(IMPORT, {"GroupId": "g", "MsgList": msgs})
    for user in ("alice", "bob"):
        assert (await member_state(storage, api, "g", user))["msg_seq"] == 3
    state = await group_state(storage, api, "g")
    assert (state["next"], state["last_msg_time"], state["conv_seq"]) == (4, created + 3, 0)


async def test_import_group_msg_storing_nothing_leaves_unread_alone(
    api: Client, storage: Storage
) -> None:
    created = await old_group(api, storage)
    await send(api, "g", "alice", "unread by bob")
    data = await api.ok(IMPORT, {"GroupId": "g", "MsgList": [item("alice", created + 1, "old")]})
    assert data["ImportMsgResult"][0]["Result"] == 10004  # older than the live message
    assert (await member_state(storage, api, "g", "bob"))["msg_seq"] == 0


async def test_import_group_msg_recent_contact_flag_moves_the_conversation(
    api: Client, storage: Storage
) -> None:
    created = await old_group(api, storage)
    msgs = [item("alice", created + 1, "a"), item("bob", created + 2, "b")]
    await api.ok(IMPORT, {"GroupId": "g", "RecentContactFlag": 1, "MsgList": msgs})
    state = await group_state(storage, api, "g")
    assert (state["conv_seq"], state["conv_time"]) == (2, created + 2)


async def test_import_group_msg_work_group_becomes_active(api: Client, storage: Storage) -> None:
    created = await old_group(api, storage, "Work", "w")
    await api.ok(IMPORT, {"GroupId": "w", "MsgList": [item("alice", created + 1, "a")]})
    assert (await group_state(storage, api, "w"))["active"] == 1


async def test_import_group_msg_errors(api: Client, storage: Storage) -> None:
    created = await old_group(api, storage)
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    one = [item("alice", created + 1, "x")]
    cases = [
        ({"GroupId": "g", "MsgList": []}, 10004),
        ({"GroupId": "g", "MsgList": ["message"]}, 10004),
        ({"GroupId": "g", "MsgList": one * 8}, 10004),
        ({"GroupId": "g", "MsgList": [item("ghost", created + 1, "x")]}, 10019),
        ({"GroupId": "g", "MsgList": [item("", created + 1, "x")]}, 10004),
        ({"GroupId": "av", "MsgList": one}, 10007),
        ({"GroupId": "nope", "MsgList": one}, 10010),
        ({"GroupId": "", "MsgList": one}, 10015),
    ]
    for body, code in cases:
        assert (await api(IMPORT, body))["ErrorCode"] == code, body
    assert (await group_state(storage, api, "g"))["next"] == 1
    seven = [item("alice", created + i, f"m{i}") for i in range(1, 8)]
    assert len((await api.ok(IMPORT, {"GroupId": "g", "MsgList": seven}))["ImportMsgResult"]) == 7


async def test_send_group_system_notification_is_not_stored_and_takes_no_seq(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    await api.ok(NOTIFY, {"GroupId": "g", "Content": "maintenance at 22:00"})
    await api.ok(NOTIFY, {"GroupId": "g", "ToMembers_Account": ["bob"], "Content": "hi bob"})
    assert (await pull(api, "g"))["RspMsgList"] == []
    assert (await group_state(storage, api, "g"))["next"] == 1


async def test_send_group_system_notification_errors(api: Client) -> None:
    await make_group(api)
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await api.ok(NOTIFY, {"GroupId": "av", "Content": "to everyone"})
    cases = [
        ({"GroupId": "g", "Content": ""}, 10004),
        ({"GroupId": "g"}, 10004),
        ({"GroupId": "g", "Content": "x", "ToMembers_Account": ["u"] * 501}, 10004),
        ({"GroupId": "av", "Content": "x", "ToMembers_Account": ["bob"]}, 10007),
        ({"GroupId": "nope", "Content": "x"}, 10010),
        ({"GroupId": "", "Content": "x"}, 10015),
    ]
    for body, code in cases:
        assert (await api(NOTIFY, body))["ErrorCode"] == code, body


async def test_set_unread_msg_num_sets_the_read_seq_and_clamps(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    for i in range(5):
        await send(api, "g", "alice", f"m{i}")
    await api.ok(UNREAD, {"GroupId": "g", "Member_Account": "bob", "UnreadMsgNum": 2})
    assert (await member_state(storage, api, "g", "bob"))["msg_seq"] == 3
    await api.ok(UNREAD, {"GroupId": "g", "Member_Account": "bob", "UnreadMsgNum": 0})
    assert (await member_state(storage, api, "g", "bob"))["msg_seq"] == 5
    await api.ok(UNREAD, {"GroupId": "g", "Member_Account": "bob", "UnreadMsgNum": 99})
    assert (await member_state(storage, api, "g", "bob"))["msg_seq"] == 0


async def test_set_unread_msg_num_meeting_and_avchatroom_are_accepted_no_ops(
    api: Client, storage: Storage
) -> None:
    await make_group(api, "m", "ChatRoom")
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await send(api, "m", "alice", "x")
    await api.ok(UNREAD, {"GroupId": "m", "Member_Account": "bob", "UnreadMsgNum": 1})
    await api.ok(UNREAD, {"GroupId": "av", "Member_Account": "bob", "UnreadMsgNum": 1})
    assert (await member_state(storage, api, "m", "bob"))["msg_seq"] == 0


async def test_set_unread_msg_num_errors(api: Client) -> None:
    await make_group(api)
    await api.accounts("outsider")
    cases = [
        ({"GroupId": "g", "Member_Account": "outsider", "UnreadMsgNum": 1}, 10007),
        ({"GroupId": "g", "Member_Account": "bob", "UnreadMsgNum": -1}, 10004),
        ({"GroupId": "g", "Member_Account": "", "UnreadMsgNum": 1}, 10004),
        ({"GroupId": "g", "Member_Account": "bob"}, 10004),
        ({"GroupId": "nope", "Member_Account": "bob", "UnreadMsgNum": 1}, 10010),
        ({"GroupId": "", "Member_Account": "bob", "UnreadMsgNum": 1}, 10015),
    ]
    for body, code in cases:
        assert (await api(UNREAD, body))["ErrorCode"] == code, body
