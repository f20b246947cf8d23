"""The member's view on the client API (client-api.md): group_msg_get_simple, send_group_msg and
group_msg_recall called as a user, on both engines."""

from __future__ import annotations

from conftest import Client
from group_msg_helpers import (
    BY_SENDER,
    CLEAR,
    PULL,
    RECALL,
    SEND,
    make_group,
    make_topic,
    pull,
    send,
    seqs,
    sql,
    text,
    texts,
)
from opentim.storage import Storage


async def add_member(api: Client, group_id: str, user: str) -> None:
    await api.accounts(user)
    body = {"GroupId": group_id, "MemberList": [{"Member_Account": user}]}
    await api.ok("group_open_http_svc/add_group_member", body)


async def test_member_view_excludes_messages_before_join_except_meeting(api: Client) -> None:
    for group_id, kind in (("p", "Public"), ("w", "Work"), ("m", "ChatRoom")):
        await make_group(api, group_id, kind)
        await send(api, group_id, "alice", "before 1")
        await send(api, group_id, "alice", "before 2")
        await add_member(api, group_id, "carol")
        await send(api, group_id, "alice", "after")
    assert seqs(await pull(api, "p", "carol")) == [3]
    assert seqs(await pull(api, "w", "carol")) == [3]
    assert seqs(await pull(api, "m", "carol")) == [3, 2, 1]
    assert seqs(await pull(api, "p", "bob")) == [3, 2, 1]  # joined at creation
    assert seqs(await pull(api, "p")) == [3, 2, 1]  # the admin sees all


async def test_member_view_excludes_the_clear_ramble_watermark(
    api: Client, storage: Storage
) -> None:
    await make_group(api, members=("bob", "carol"))
    for i in range(4):
        await send(api, "g", "alice", f"m{i + 1}")
    await sql(
        storage,
        "INSERT INTO conversations (sdkappid, owner, type, peer, cleared_upto)"
        " VALUES ($1, $2, 2, $3, $4)",
        api.sdkappid,
        "bob",
        "g",
        3,
    )
    assert seqs(await pull(api, "g", "bob")) == [4]
    assert seqs(await pull(api, "g", "carol")) == [4, 3, 2, 1]  # only bob's view
    assert seqs(await pull(api, "g")) == [4, 3, 2, 1]


async def test_member_view_after_recentcontact_delete_with_clear_ramble(api: Client) -> None:
    await make_group(api)
    await send(api, "g", "alice", "old")
    body = {"From_Account": "bob", "Type": 2, "ToGroupid": "g", "ClearRamble": 1}
    await api.ok("recentcontact/delete", body)
    await send(api, "g", "alice", "new")
    assert texts(await pull(api, "g", "bob")) == ["new"]
    assert texts(await pull(api, "g", "alice")) == ["new", "old"]


async def test_member_view_takes_the_highest_of_clear_join_and_ramble(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    for i in range(6):
        await send(api, "g", "alice", f"m{i + 1}")
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 2})
    await sql(
        storage,
        "INSERT INTO conversations (sdkappid, owner, type, peer, cleared_upto)"
        " VALUES ($1, 'bob', 2, 'g', 4)",
        api.sdkappid,
    )
    assert seqs(await pull(api, "g", "bob")) == [6, 5]
    assert seqs(await pull(api, "g", "alice")) == [6, 5, 4, 3]
    data = await pull(api, "g", "alice", ReqMsgNumber=30, ReqMsgSeq=3)
    assert seqs(data) == [3] and data["IsFinished"] == 1


async def test_member_view_shows_recalled_as_placeholders_and_ignores_with_recalled(
    api: Client,
) -> None:
    await make_group(api)
    await send(api, "g", "alice", "a")
    await send(api, "g", "alice", "b")
    await api.ok(RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]})
    for flag in (0, 1):
        items = (await pull(api, "g", "bob", WithRecalledMsg=flag))["RspMsgList"]
        assert [(i["MsgSeq"], i["IsPlaceMsg"], i["MsgBody"]) for i in items] == [
            (2, 0, text("b")),
            (1, 2, []),
        ]


async def test_member_view_shows_targeted_messages_only_to_recipients_and_sender(
    api: Client,
) -> None:
    await make_group(api, members=("bob", "carol"))
    await send(api, "g", "alice", "all")
    await send(api, "g", "alice", "for bob", To_Account=["bob"])
    assert texts(await pull(api, "g", "bob")) == ["for bob", "all"]
    assert texts(await pull(api, "g", "alice")) == ["for bob", "all"]
    assert texts(await pull(api, "g", "carol")) == ["all"]
    assert texts(await pull(api, "g")) == ["for bob", "all"]


async def test_member_view_of_a_topic(api: Client, storage: Storage) -> None:
    group = await make_group(api, "@TGS#_c", "Community", SupportTopic=1)
    topic = await make_topic(storage, api, group, "general")
    await send(api, group, "alice", "t1", TopicId=topic)
    await send(api, group, "bob", "t2", TopicId=topic)
    data = await pull(api, group, "bob", TopicId=topic)
    assert seqs(data) == [2, 1] and texts(data) == ["t2", "t1"]
    await api.ok(BY_SENDER, {"GroupId": group, "TopicId": topic, "Sender_Account": "alice"})
    items = (await pull(api, group, "bob", TopicId=topic))["RspMsgList"]
    assert [i["IsPlaceMsg"] for i in items] == [0, 2]


async def test_client_pull_by_a_non_member_is_10007(api: Client) -> None:
    await make_group(api)
    await api.accounts("outsider")
    body = {"GroupId": "g", "ReqMsgNumber": 5}
    assert (await api.as_user("outsider", PULL, body))["ErrorCode"] == 10007
    assert (await api.as_user(api.admin, PULL, body))["ErrorCode"] == 10007  # a user there
    assert (await api.as_user("bob", PULL, {**body, "GroupId": "nope"}))["ErrorCode"] == 10010


async def test_client_send_is_bound_to_the_caller(api: Client) -> None:
    await make_group(api)
    data = await api.as_user("bob", SEND, {"GroupId": "g", "MsgBody": text("mine")})
    assert data["ErrorCode"] == 0 and data["MsgSeq"] == 1
    assert (await pull(api, "g"))["RspMsgList"][0]["From_Account"] == "bob"
    same = {"GroupId": "g", "From_Account": "bob", "MsgBody": text("x")}
    assert (await api.as_user("bob", SEND, same))["ErrorCode"] == 0
    other = {"GroupId": "g", "From_Account": "alice", "MsgBody": text("x")}
    assert (await api.as_user("bob", SEND, other))["ErrorCode"] == 10007
    assert seqs(await pull(api, "g")) == [2, 1]


async def test_client_send_needs_membership_and_no_mute(api: Client, storage: Storage) -> None:
    await make_group(api)
    await api.accounts("outsider")
    body = {"GroupId": "g", "MsgBody": text("x")}
    assert (await api.as_user("outsider", SEND, body))["ErrorCode"] == 10007
    assert (await api.as_user(api.admin, SEND, body))["ErrorCode"] == 10007
    await sql(
        storage,
        "UPDATE group_members SET mute_until = $2 WHERE sdkappid = $1 AND member_account = 'bob'",
        api.sdkappid,
        2**40,
    )
    assert (await api.as_user("bob", SEND, body))["ErrorCode"] == 10017
    await sql(
        storage,
        "UPDATE groups SET mute_all_member = 'On' WHERE sdkappid = $1",
        api.sdkappid,
    )
    assert (await api.as_user("alice", SEND, body))["ErrorCode"] == 0  # the owner may speak
    assert seqs(await pull(api, "g")) == [1]


async def test_client_recall_own_messages_only_unless_owner_or_admin(
    api: Client, storage: Storage
) -> None:
    await make_group(api, members=("bob", "carol"))
    await send(api, "g", "bob", "bob 1")
    await send(api, "g", "carol", "carol 1")
    await send(api, "g", "bob", "bob 2")
    items = [{"MsgSeq": 1}, {"MsgSeq": 2}, {"MsgSeq": 9}]
    data = await api.as_user("bob", RECALL, {"GroupId": "g", "MsgSeqList": items})
    assert data["ErrorCode"] == 0
    assert data["RecallRetList"] == [
        {"MsgSeq": 1, "RetCode": 0},
        {"MsgSeq": 2, "RetCode": 10007},
        {"MsgSeq": 9, "RetCode": 10030},
    ]
    owner = await api.as_user("alice", RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 2}]})
    assert owner["RecallRetList"] == [{"MsgSeq": 2, "RetCode": 0}]
    await sql(
        storage,
        "UPDATE group_members SET role = 'Admin' WHERE sdkappid = $1 AND member_account = 'carol'",
        api.sdkappid,
    )
    admin = await api.as_user("carol", RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 3}]})
    assert admin["RecallRetList"] == [{"MsgSeq": 3, "RetCode": 0}]
    assert seqs(await pull(api, "g")) == []


async def test_client_recall_by_a_non_member_is_10007(api: Client) -> None:
    await make_group(api)
    await api.accounts("outsider")
    await send(api, "g", "outsider", "sent by the admin API")
    body = {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 1}]}
    assert (await api.as_user("outsider", RECALL, body))["ErrorCode"] == 10007
    assert seqs(await pull(api, "g")) == [1]
