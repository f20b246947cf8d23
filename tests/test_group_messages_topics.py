"""Group messages in Community topics: each topic is its own seq space (groups.md §2.6)."""

from __future__ import annotations

import time

from conftest import Client
from group_msg_helpers import (
    IMPORT,
    PULL,
    RECALL,
    SEND,
    fetch,
    group_state,
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

C = "@TGS#_c"


async def community(api: Client, storage: Storage) -> tuple[str, str]:
    """A topic-enabled community owned by alice with member bob, and two topics."""
    await make_group(api, C, "Community", SupportTopic=1)
    return await make_topic(storage, api, C, "one"), await make_topic(storage, api, C, "two")


async def test_topic_messages_have_their_own_seq_space(api: Client, storage: Storage) -> None:
    one, two = await community(api, storage)
    assert [await send(api, C, "alice", f"a{i}", TopicId=one) for i in range(2)] == [1, 2]
    assert await send(api, C, "bob", "b0", TopicId=two) == 1
    assert texts(await pull(api, C, TopicId=one)) == ["a1", "a0"]
    assert texts(await pull(api, C, TopicId=two)) == ["b0"]
    assert seqs(await pull(api, C)) == []  # the community's own space is empty
    assert (await group_state(storage, api, C))["next"] == 1


async def test_topic_send_moves_the_topic_and_the_groups_last_message_time(
    api: Client, storage: Storage
) -> None:
    one, _ = await community(api, storage)
    data = await api.ok(
        SEND, {"GroupId": C, "TopicId": one, "From_Account": "bob", "MsgBody": text("x")}
    )
    rows = await fetch(
        storage,
        "SELECT next_msg_seq, last_msg_time FROM topics WHERE sdkappid = $1 AND topic_id = $2",
        api.sdkappid,
        one,
    )
    assert rows == [(2, data["MsgTime"])]
    state = await group_state(storage, api, C)
    assert (state["last_msg_time"], state["conv_seq"]) == (data["MsgTime"], 0)


async def test_send_to_a_topic_enabled_community_without_topic_is_10007(
    api: Client, storage: Storage
) -> None:
    await community(api, storage)
    data = await api(SEND, {"GroupId": C, "From_Account": "alice", "MsgBody": text("x")})
    assert data["ErrorCode"] == 10007


async def test_community_without_topics_takes_messages_itself(api: Client) -> None:
    await make_group(api, "@TGS#_plain", "Community")
    assert await send(api, "@TGS#_plain", "alice", "hello") == 1


async def test_topic_id_errors(api: Client, storage: Storage) -> None:
    await community(api, storage)
    await make_group(api, "pub", "Public", owner=None, members=())
    await make_group(api, "@TGS#_flat", "Community", owner=None, members=())
    body = {"MsgBody": text("x")}
    cases = [
        ({"GroupId": C, "TopicId": "@TGS#_other@TOPIC#_one"}, 10004),
        ({"GroupId": C, "TopicId": f"{C}@TOPIC#_"}, 10004),
        ({"GroupId": C, "TopicId": f"{C}@TOPIC#_" + "x" * 90}, 10004),
        ({"GroupId": C, "TopicId": f"{C}@TOPIC#_nope"}, 10010),
        ({"GroupId": "pub", "TopicId": "pub@TOPIC#_one"}, 10007),
        ({"GroupId": "@TGS#_flat", "TopicId": "@TGS#_flat@TOPIC#_one"}, 11000),
    ]
    for extra, code in cases:
        assert (await api(SEND, {**body, **extra}))["ErrorCode"] == code, extra
        pull_body = {"GroupId": extra["GroupId"], "TopicId": extra["TopicId"], "ReqMsgNumber": 1}
        assert (await api(PULL, pull_body))["ErrorCode"] == code, extra


async def test_destroyed_topic_takes_no_messages(api: Client, storage: Storage) -> None:
    one, _ = await community(api, storage)
    await send(api, C, "alice", "x", TopicId=one)
    destroy = {"GroupId": C, "TopicIdList": [one]}
    await api.ok("million_group_open_http_svc/destroy_topic", destroy)
    data = await api(SEND, {"GroupId": C, "TopicId": one, "MsgBody": text("y")})
    assert data["ErrorCode"] == 10010


async def test_topic_mute_all_applies_to_plain_members(api: Client, storage: Storage) -> None:
    one, two = await community(api, storage)
    await sql(
        storage,
        "UPDATE topics SET mute_all_member = 'On' WHERE sdkappid = $1 AND topic_id = $2",
        api.sdkappid,
        one,
    )
    muted = {"GroupId": C, "TopicId": one, "From_Account": "bob", "MsgBody": text("x")}
    assert (await api(SEND, muted))["ErrorCode"] == 10017
    assert await send(api, C, "alice", "owner speaks", TopicId=one) == 1
    assert await send(api, C, "bob", "other topic", TopicId=two) == 1


async def test_recall_in_a_topic_uses_the_topic_seqs(api: Client, storage: Storage) -> None:
    one, two = await community(api, storage)
    await send(api, C, "alice", "one-1", TopicId=one)
    await send(api, C, "alice", "two-1", TopicId=two)
    await api.ok(RECALL, {"GroupId": C, "TopicId": one, "MsgSeqList": [{"MsgSeq": 1}]})
    assert seqs(await pull(api, C, TopicId=one)) == []
    assert texts(await pull(api, C, TopicId=two)) == ["two-1"]


async def test_import_into_a_topic(api: Client, storage: Storage) -> None:
    one, _ = await community(api, storage)
    created = int(time.time()) - 1000
    await sql(
        storage, "UPDATE groups SET create_time = $2 WHERE sdkappid = $1", api.sdkappid, created
    )
    msgs = [
        {"From_Account": "alice", "SendTime": created + 1, "MsgBody": text("i1")},
        {"From_Account": "bob", "SendTime": created + 2, "MsgBody": text("i2")},
    ]
    data = await api.ok(IMPORT, {"GroupId": C, "TopicId": one, "MsgList": msgs})
    assert [r["MsgSeq"] for r in data["ImportMsgResult"]] == [1, 2]
    assert texts(await pull(api, C, TopicId=one)) == ["i2", "i1"]
    assert await send(api, C, "alice", "live", TopicId=one) == 3
    assert (await group_state(storage, api, C))["next"] == 1
