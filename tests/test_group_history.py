"""The seed APIs on groups (groups.md §4-5): clear_group_msg, delete_group_msg_by_sender and
modify_group_msg, seen through the admin pull and a member's pull, on both engines."""

from __future__ import annotations

import pytest

from conftest import Client, engine_uses
from group_msg_helpers import (
    BY_SENDER,
    CLEAR,
    MODIFY,
    fetch,
    group_state,
    make_group,
    make_topic,
    pull,
    send,
    seqs,
    text,
    texts,
)
from opentim.storage import Storage
from opentim.storage.group_records import NewMessage, rendered
from probe import snapshot


async def fill(api: Client, count: int, sender: str = "alice") -> None:
    for i in range(count):
        await send(api, "g", sender, f"m{i + 1}")


# --- clear_group_msg ------------------------------------------------------------------------


async def test_clear_group_msg_bound_is_inclusive(api: Client) -> None:
    await make_group(api)
    await fill(api, 5)
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 3})
    assert seqs(await pull(api, "g", "bob")) == [5, 4]


async def test_clear_group_msg_without_msg_seq_clears_everything_so_far(api: Client) -> None:
    await make_group(api)
    await fill(api, 4)
    await api.ok(CLEAR, {"GroupId": "g"})
    assert seqs(await pull(api, "g", "bob")) == []
    assert await send(api, "g", "alice", "after") == 5
    assert seqs(await pull(api, "g", "bob")) == [5]


async def test_clear_group_msg_admin_still_pulls_cleared(api: Client) -> None:
    await make_group(api)
    await fill(api, 3)
    await api.ok(CLEAR, {"GroupId": "g"})
    data = await pull(api, "g")
    assert seqs(data) == [3, 2, 1] and texts(data) == ["m3", "m2", "m1"]
    assert {i["IsPlaceMsg"] for i in data["RspMsgList"]} == {0}


async def test_clear_group_msg_member_no_longer_sees_cleared(api: Client) -> None:
    await make_group(api, members=("bob", "carol"))
    await fill(api, 3)
    assert seqs(await pull(api, "g", "bob")) == [3, 2, 1]
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 2})
    for user in ("bob", "carol", "alice"):
        data = await pull(api, "g", user, ReqMsgSeq=2)
        assert data["RspMsgList"] == [] and data["IsFinished"] == 1, user


async def test_clear_group_msg_counter_untouched(api: Client, storage: Storage) -> None:
    await make_group(api)
    await fill(api, 3)
    await api.ok(CLEAR, {"GroupId": "g"})
    assert (await group_state(storage, api, "g"))["next"] == 4
    assert await send(api, "g", "alice", "next") == 4


async def test_clear_group_msg_beyond_the_last_seq_does_not_hide_later_messages(
    api: Client,
) -> None:
    await make_group(api)
    await fill(api, 2)
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 1000})
    assert seqs(await pull(api, "g", "bob")) == []
    await send(api, "g", "alice", "later")
    assert seqs(await pull(api, "g", "bob")) == [3]


async def test_clear_group_msg_is_idempotent_and_never_lowers_the_watermark(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    await fill(api, 5)
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 4})
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 4})
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 2})
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 0})
    assert (await group_state(storage, api, "g"))["cleared"] == 4
    assert seqs(await pull(api, "g", "bob")) == [5]


async def test_clear_group_msg_costs_no_per_message_writes(api: Client, storage: Storage) -> None:
    await make_group(api)
    await fill(api, 30)
    before = await snapshot(storage, api.sdkappid)
    await api.ok(CLEAR, {"GroupId": "g"})
    after = await snapshot(storage, api.sdkappid)
    changed = {table for table in before if before[table] != after[table]}
    assert changed == {"groups"}
    assert (await group_state(storage, api, "g"))["cleared"] == 30


async def test_clear_group_msg_community_rejected(api: Client) -> None:
    await make_group(api, "@TGS#_c", "Community")
    await send(api, "@TGS#_c", "alice", "x")
    assert (await api(CLEAR, {"GroupId": "@TGS#_c"}))["ErrorCode"] == 10007
    assert seqs(await pull(api, "@TGS#_c", "bob")) == [1]


async def test_clear_group_msg_avchatroom_accepted(api: Client) -> None:
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await send(api, "av", None, "live")
    await api.ok(CLEAR, {"GroupId": "av"})
    await api.ok(CLEAR, {"GroupId": "av", "MsgSeq": 1})


async def test_clear_group_msg_errors(api: Client) -> None:
    await make_group(api)
    cases = [
        ({"GroupId": "g", "MsgSeq": -1}, 10004),
        ({"GroupId": "g", "MsgSeq": "3"}, 10004),
        ({"GroupId": "nope"}, 10010),
        ({"GroupId": ""}, 10015),
        ({}, 10004),
    ]
    for body, code in cases:
        assert (await api(CLEAR, body))["ErrorCode"] == code, body


async def test_clear_group_msg_works_for_every_type_with_history(api: Client) -> None:
    for group_id, kind in (("w", "Work"), ("p", "Public"), ("m", "ChatRoom")):
        await make_group(api, group_id, kind)
        await send(api, group_id, "alice", "x")
        await api.ok(CLEAR, {"GroupId": group_id})
        assert seqs(await pull(api, group_id, "bob")) == [], kind


# --- delete_group_msg_by_sender -----------------------------------------------------------------


async def test_delete_by_sender_only_last_1000(api: Client, storage: Storage) -> None:
    await make_group(api)
    await api.accounts("spammer")
    store = storage.group_messages
    for seq in range(1, 1003):  # seqs 1..1002; the window is [3, 1002]
        sender = "spammer" if seq in (1, 2, 3, 500, 1002) else "alice"
        msg = NewMessage(api.sdkappid, "g", "", sender, seq, 1_700_000_000, 2, '[{"x":1}]')
        assert (await store.append(msg)) is not None
    await api.ok(BY_SENDER, {"GroupId": "g", "Sender_Account": "spammer"})
    rows = await fetch(
        storage,
        "SELECT seq FROM group_messages WHERE sdkappid = $1 AND recalled = 1 ORDER BY seq",
        api.sdkappid,
    )
    assert [r[0] for r in rows] == [3, 500, 1002]


async def test_delete_by_sender_hidden_from_admin_pull_flagged_with_recalled(
    api: Client,
) -> None:
    await make_group(api, members=("bob", "spammer"))
    await send(api, "g", "alice", "a1")
    await send(api, "g", "spammer", "s1")
    await send(api, "g", "alice", "a2")
    await send(api, "g", "spammer", "s2")
    await api.ok(BY_SENDER, {"GroupId": "g", "Sender_Account": "spammer"})
    assert seqs(await pull(api, "g")) == [3, 1]
    flagged = (await pull(api, "g", WithRecalledMsg=1))["RspMsgList"]
    assert [(i["MsgSeq"], i["IsPlaceMsg"], i["MsgBody"]) for i in flagged if i["IsPlaceMsg"]] == [
        (4, 2, []),
        (2, 2, []),
    ]


async def test_delete_by_sender_member_sees_placeholders(api: Client) -> None:
    await make_group(api, members=("bob", "spammer"))
    await send(api, "g", "spammer", "spam")
    await send(api, "g", "alice", "real")
    await api.ok(BY_SENDER, {"GroupId": "g", "Sender_Account": "spammer"})
    items = (await pull(api, "g", "bob"))["RspMsgList"]
    assert [(i["MsgSeq"], i["IsPlaceMsg"]) for i in items] == [(2, 0), (1, 2)]
    assert items[1]["MsgBody"] == []


async def test_delete_by_sender_leaves_the_counter_and_other_senders(
    api: Client, storage: Storage
) -> None:
    await make_group(api, members=("bob", "spammer"))
    await send(api, "g", "spammer", "spam")
    await send(api, "g", "bob", "keep")
    await api.ok(BY_SENDER, {"GroupId": "g", "Sender_Account": "spammer"})
    await api.ok(BY_SENDER, {"GroupId": "g", "Sender_Account": "spammer"})  # again: fine
    assert texts(await pull(api, "g")) == ["keep"]
    assert (await group_state(storage, api, "g"))["next"] == 3


async def test_delete_by_sender_unknown_sender_is_ok_with_no_effect(
    api: Client, storage: Storage
) -> None:
    await make_group(api)
    await fill(api, 2)
    before = await snapshot(storage, api.sdkappid)
    await api.ok(BY_SENDER, {"GroupId": "g", "Sender_Account": "never-existed"})
    assert await snapshot(storage, api.sdkappid) == before


async def test_delete_by_sender_avchatroom_noop(api: Client) -> None:
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await send(api, "av", None, "live")
    await api.ok(BY_SENDER, {"GroupId": "av", "Sender_Account": api.admin})


async def test_delete_by_sender_in_a_topic_touches_only_that_topic(
    api: Client, storage: Storage
) -> None:
    group = await make_group(api, "@TGS#_c", "Community", SupportTopic=1)
    one = await make_topic(storage, api, group, "one")
    two = await make_topic(storage, api, group, "two")
    for topic in (one, two):
        await send(api, group, "bob", "spam", TopicId=topic)
    await api.ok(BY_SENDER, {"GroupId": group, "Sender_Account": "bob", "TopicId": one})
    assert seqs(await pull(api, group, TopicId=one)) == []
    assert seqs(await pull(api, group, TopicId=two)) == [1]


async def test_delete_by_sender_errors(api: Client) -> None:
    await make_group(api)
    cases = [
        ({"GroupId": "g", "Sender_Account": ""}, 10004),
        ({"GroupId": "g"}, 10004),
        ({"GroupId": "g", "Sender_Account": "bob", "TopicId": "x@TOPIC#_t"}, 10004),
        ({"GroupId": "g", "Sender_Account": "bob", "TopicId": "g@TOPIC#_t"}, 10007),
        ({"GroupId": "nope", "Sender_Account": "bob"}, 10010),
        ({"GroupId": "", "Sender_Account": "bob"}, 10015),
    ]
    for body, code in cases:
        assert (await api(BY_SENDER, body))["ErrorCode"] == code, body


# --- modify_group_msg ---------------------------------------------------------------------------


async def test_modify_group_msg_replaces_only_sent_fields(api: Client) -> None:
    await make_group(api)
    await send(api, "g", "alice", "original", CloudCustomData="c0", MsgPriority="High")
    body = text("edited by moderator")
    data = await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "MsgBody": body})
    assert data["ErrorInfo"] == "succeed"
    item = (await pull(api, "g"))["RspMsgList"][0]
    assert (item["MsgBody"], item["CloudCustomData"]) == (body, "c0")
    assert (item["From_Account"], item["MsgPriority"], item["MsgSeq"]) == ("alice", 1, 1)
    await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "CloudCustomData": '{"pinned":1}'})
    item = (await pull(api, "g"))["RspMsgList"][0]
    assert (item["MsgBody"], item["CloudCustomData"]) == (body, '{"pinned":1}')
    await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "CloudCustomData": ""})
    assert "CloudCustomData" not in (await pull(api, "g"))["RspMsgList"][0]


async def test_modify_group_msg_stores_the_rendering_the_code_makes(
    api: Client, storage: Storage
) -> None:
    """The stored rendering after a modification, built in SQL, is byte for byte the code's
    ``rendered``, awkward strings included, and it is what a page answers."""
    await make_group(api)
    await send(api, "g", "alice", "original", CloudCustomData="c0")
    awkward = ['quote " and back\\slash', "new\nline\ttab\x01\x1f\x7f", "中文 🙂 \u2028"]
    for custom in ["", "plain", *awkward, "</script>"]:
        body = text(f"edit {custom}")
        await api.ok(
            MODIFY, {"GroupId": "g", "MsgSeq": 1, "MsgBody": body, "CloudCustomData": custom}
        )
        [row] = await fetch(
            storage,
            "SELECT from_account, random, msg_time, priority, body, cloud_custom_data,"
            " is_system, rendered FROM group_messages WHERE sdkappid = $1 AND group_id = 'g'",
            api.sdkappid,
        )
        assert bytes(row[7]) == rendered(1, *row[:7]), custom
        item = (await pull(api, "g"))["RspMsgList"][0]
        assert (item["MsgBody"], item.get("CloudCustomData", "")) == (body, custom)


async def test_modify_group_msg_is_one_statement(
    api: Client, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the group's read, one statement that writes and renders (the row is not read
    back; on PostgreSQL a transaction of two updates was five round trips)."""
    await make_group(api)
    await send(api, "g", "alice", "original")
    opened = engine_uses(storage.engine, monkeypatch)
    await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "MsgBody": text("edited")})
    assert opened == ["reader", "single"]  # the group, then the modification
    assert texts(await pull(api, "g")) == ["edited"]


async def test_modify_group_msg_replaces_the_body_wholesale(api: Client) -> None:
    await make_group(api)
    two = [*text("a"), {"MsgType": "TIMFaceElem", "MsgContent": {"Index": 1, "Data": ""}}]
    await api.ok(
        "group_open_http_svc/send_group_msg", {"GroupId": "g", "Random": 1, "MsgBody": two}
    )
    await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "MsgBody": text("b")})
    assert (await pull(api, "g"))["RspMsgList"][0]["MsgBody"] == text("b")


async def test_modify_group_msg_member_sees_the_new_content(api: Client) -> None:
    await make_group(api)
    await send(api, "g", "alice", "typo")
    await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "MsgBody": text("fixed")})
    assert texts(await pull(api, "g", "bob")) == ["fixed"]


async def test_modify_group_msg_cleared_message_can_still_be_modified(api: Client) -> None:
    await make_group(api)
    await send(api, "g", "alice", "old")
    await api.ok(CLEAR, {"GroupId": "g"})
    await api.ok(MODIFY, {"GroupId": "g", "MsgSeq": 1, "MsgBody": text("new")})
    assert texts(await pull(api, "g")) == ["new"]
    assert seqs(await pull(api, "g", "bob")) == []


async def test_modify_group_msg_failed_call_changes_nothing(api: Client, storage: Storage) -> None:
    await make_group(api)
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await send(api, "g", "alice", "keep", CloudCustomData="c")
    await send(api, "g", "alice", "recalled")
    await api.ok(
        "group_open_http_svc/group_msg_recall", {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 2}]}
    )
    before = await snapshot(storage, api.sdkappid)
    good = text("never stored")
    failing = [
        {"GroupId": "g", "MsgSeq": 1, "MsgBody": {"x": 1}, "CloudCustomData": "new"},
        {"GroupId": "g", "MsgSeq": 1, "MsgBody": [{"MsgType": "Nope"}], "CloudCustomData": "n"},
        {"GroupId": "g", "MsgSeq": 1, "MsgBody": [], "CloudCustomData": "new"},
        {"GroupId": "g", "MsgSeq": 1, "MsgBody": text("a" * 13_000)},
        {"GroupId": "g", "MsgSeq": 1},
        {"GroupId": "g", "MsgSeq": 9, "MsgBody": good},
        {"GroupId": "g", "MsgSeq": 2, "MsgBody": good},
        {"GroupId": "av", "MsgSeq": 1, "MsgBody": good},
    ]
    for body in failing:
        assert (await api(MODIFY, body))["ErrorCode"] != 0, body
    assert await snapshot(storage, api.sdkappid) == before


async def test_modify_group_msg_error_codes(api: Client) -> None:
    await make_group(api)
    await make_group(api, "av", "AVChatRoom", owner=None, members=())
    await send(api, "g", "alice", "x")
    await send(api, "g", "alice", "y")
    await api.ok(
        "group_open_http_svc/group_msg_recall", {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 2}]}
    )
    good = text("new")
    cases = [
        ({"GroupId": "g", "MsgSeq": 1, "MsgBody": {"MsgType": "TIMTextElem"}}, 90007),
        ({"GroupId": "g", "MsgSeq": 1, "MsgBody": "text"}, 90007),
        ({"GroupId": "g", "MsgSeq": 1, "MsgBody": [{"MsgType": "TIMTextElem"}]}, 90002),
        ({"GroupId": "g", "MsgSeq": 1, "MsgBody": [{"MsgType": "Bogus", "MsgContent": {}}]}, 90002),
        ({"GroupId": "g", "MsgSeq": 1}, 20001),
        ({"GroupId": "g", "MsgSeq": 0, "MsgBody": good}, 20001),
        ({"GroupId": "g", "MsgBody": good}, 20001),
        ({"GroupId": "g", "MsgSeq": 1, "MsgBody": good, "TopicId": "x@TOPIC#_t"}, 20001),
        ({"GroupId": "g", "MsgSeq": 7, "MsgBody": good}, 20022),
        ({"GroupId": "g", "MsgSeq": 2, "MsgBody": good}, 20023),
        ({"GroupId": "av", "MsgSeq": 1, "MsgBody": good}, 10007),
        ({"GroupId": "nope", "MsgSeq": 1, "MsgBody": good}, 10010),
        ({"GroupId": "", "MsgSeq": 1, "MsgBody": good}, 10015),
    ]
    for body, code in cases:
        assert (await api(MODIFY, body))["ErrorCode"] == code, body
    bad_json = await api.post(f"/v4/{MODIFY}", params=api.query(), content=b'{"GroupId": "g",')
    assert bad_json["ErrorCode"] == 90001


async def test_modify_group_msg_in_a_topic(api: Client, storage: Storage) -> None:
    group = await make_group(api, "@TGS#_c", "Community", SupportTopic=1)
    topic = await make_topic(storage, api, group, "t")
    await send(api, group, "alice", "in topic", TopicId=topic)
    await api.ok(MODIFY, {"GroupId": group, "TopicId": topic, "MsgSeq": 1, "MsgBody": text("e")})
    assert texts(await pull(api, group, TopicId=topic)) == ["e"]
    missing = {
        "GroupId": group,
        "TopicId": f"{group}@TOPIC#_gone",
        "MsgSeq": 1,
        "MsgBody": text("e"),
    }
    assert (await api(MODIFY, missing))["ErrorCode"] == 10010
