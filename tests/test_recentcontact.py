"""recentcontact/get_list and recentcontact/delete (with and without ClearRamble)."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest

import group_msg_helpers as gm
from c2c_helpers import (
    BATCH,
    DELETE,
    LIST,
    MARK,
    T0,
    WITHDRAW,
    entries,
    history,
    import_msg,
    roam,
    seed_history,
    send,
    text,
    unread,
)
from conftest import Client
from opentim.services.c2c_rules import parse_msg_key, tombstone
from opentim.storage import Storage
from probe import snapshot, work_of


async def test_a_message_puts_the_conversation_on_both_lists(api: Client) -> None:
    await api.accounts("id1", "id2")
    await import_msg(api, "id1", "id2", "hi", T0)
    for owner, peer in (("id1", "id2"), ("id2", "id1")):
        data = await api.ok(
            LIST,
            {
                "From_Account": owner,
                "TimeStamp": 0,
                "StartIndex": 0,
                "TopTimeStamp": 0,
                "TopStartIndex": 0,
                "AssistFlags": 7,
            },
        )
        assert data["SessionItem"] == [{"Type": 1, "To_Account": peer, "MsgTime": T0, "TopFlag": 0}]
        assert data["CompleteFlag"] == 1 and data["ErrorDisplay"] == ""


async def test_group_messages_put_a_type_2_entry_on_every_members_list(api: Client) -> None:
    group = await gm.make_group(api, "g1", members=("bob", "carol"))
    assert await entries(api, "bob") == []  # no message yet
    await gm.send(api, group, "alice", "hello")
    for user in ("alice", "bob", "carol"):
        data = await api.ok(LIST, {"From_Account": user, "AssistFlags": 7})
        [item] = data["SessionItem"]
        assert item["Type"] == 2 and item["GroupId"] == group and "To_Account" not in item
        assert item["TopFlag"] == 0 and item["MsgTime"] > 0


async def test_group_message_sent_with_no_last_msg_adds_no_entry(api: Client) -> None:
    group = await gm.make_group(api, "g1")
    await gm.send(api, group, "alice", "quiet", SendMsgControl=["NoLastMsg"])
    assert await entries(api, "bob") == []


async def test_list_is_newest_first_with_c2c_and_group_entries(api: Client) -> None:
    await api.accounts("me", "p1", "p2")
    await import_msg(api, "p1", "me", "old", T0)
    group = await gm.make_group(api, "g1", owner="me", members=())
    await gm.send(api, group, "me", "now")
    await import_msg(api, "p2", "me", "middle", T0 + 10)
    assert await entries(api, "me") == [(2, "g1"), (1, "p2"), (1, "p1")]


# --- recentcontact/delete: the seed behaviours ---------------------------------------------


async def test_delete_removes_the_list_entry(api: Client) -> None:
    await api.accounts("id1", "id2", "id3")
    await send(api, "id2", "id1", "a")
    await send(api, "id3", "id1", "b")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2"})
    assert await entries(api, "id1") == [(1, "id3")]


async def test_delete_leaves_the_peer_untouched(api: Client) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "a")
    await send(api, "id1", "id2", "b")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    assert await entries(api, "id2") == [(1, "id1")]
    assert await history(api, "id2", "id1") == ["a", "b"]
    assert await unread(api, "id2", "id1") == 1


async def test_delete_without_clear_ramble_keeps_the_history(api: Client) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "a")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2"})
    assert await history(api, "id1", "id2") == ["a"]
    assert await unread(api, "id1", "id2") == 0
    await send(api, "id2", "id1", "b")
    assert await entries(api, "id1") == [(1, "id2")]
    assert await history(api, "id1", "id2") == ["a", "b"]


async def test_clear_ramble_clears_only_that_users_copy(api: Client) -> None:
    await api.accounts("id1", "id2")
    for i in range(3):
        await send(api, "id2", "id1", f"to{i}")
        await send(api, "id1", "id2", f"from{i}")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    assert await history(api, "id1", "id2") == []
    assert len(await history(api, "id2", "id1")) == 6
    assert await unread(api, "id1", "id2") == 0


async def test_clear_ramble_writes_a_watermark_and_touches_no_message(
    api: Client, storage: Storage
) -> None:
    await api.accounts("id1", "id2")
    for i in range(5):
        await send(api, "id2", "id1", f"m{i}")
    before = (await snapshot(storage, api.sdkappid))["c2c_messages"]
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    assert (await snapshot(storage, api.sdkappid))["c2c_messages"] == before


async def test_a_new_message_brings_the_conversation_back_with_only_new_history(
    api: Client,
) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "before")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    assert await entries(api, "id1") == []
    await send(api, "id2", "id1", "after")
    assert await entries(api, "id1") == [(1, "id2")]
    assert await history(api, "id1", "id2") == ["after"]
    assert await unread(api, "id1", "id2") == 1
    assert await history(api, "id2", "id1") == ["before", "after"]


async def test_own_message_also_brings_the_conversation_back(api: Client) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "before")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    await send(api, "id1", "id2", "mine")
    assert await entries(api, "id1") == [(1, "id2")]
    assert await history(api, "id1", "id2") == ["mine"]


async def test_a_message_older_than_the_cleared_ones_still_shows_after_clear_ramble(
    api: Client,
) -> None:
    """The read after a ClearRamble stops at the newest cleared message's time unless a later
    message went back in time: an import dated before every cleared message still shows."""
    await api.accounts("id1", "id2")
    await import_msg(api, "id2", "id1", "cleared 1", T0 + 100)
    await import_msg(api, "id1", "id2", "cleared 2", T0 + 200)
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    await import_msg(api, "id2", "id1", "imported late", T0 + 50)
    await send(api, "id2", "id1", "sent after")
    assert await history(api, "id1", "id2") == ["imported late", "sent after"]
    assert len(await history(api, "id2", "id1")) == 4
    newest = (await roam(api, "id2", "id1"))["MsgList"][-1]["MsgTimeStamp"]
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    assert await history(api, "id1", "id2") == []
    await import_msg(api, "id2", "id1", "in the cleared second", newest)
    assert await history(api, "id1", "id2") == ["in the cleared second"]


async def test_a_send_after_clear_ramble_shows_when_a_cleared_message_is_dated_later(
    api: Client,
) -> None:
    """A send's time is the server's: older than a cleared message imported with a time to
    come, it goes back in time, and the send (one statement on PostgreSQL) must say so."""
    await api.accounts("id1", "id2")
    await import_msg(api, "id2", "id1", "dated later", int(time.time()) + 3600)
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    await send(api, "id2", "id1", "sent now")
    await send(api, "id1", "id2", "and a reply")
    assert await history(api, "id1", "id2") == ["sent now", "and a reply"]


async def test_the_bound_hides_nothing_the_watermark_shows_under_concurrent_sends(
    api: Client, storage: Storage
) -> None:
    """ClearRambles among concurrent sends and back-dated imports: whatever the order they
    met in, the read shows exactly the messages above the operator's watermark."""
    await api.accounts("id1", "id2")
    now = int(time.time())

    stored, in_flight = 0, asyncio.Semaphore(4)  # a few at a time: the ClearRambles meet some

    async def store(i: int) -> None:
        nonlocal stored
        for _ in range(i):  # a SQLite request may run to its end in one step: spread them
            await asyncio.sleep(0)
        async with in_flight:
            if i % 3 or i >= 30:  # back-dated ones early on, so that the bound is in use later
                await send(api, "id2", "id1", f"m{i}")
            else:
                await import_msg(api, "id2", "id1", f"m{i}", now - 1000 + i)
        stored += 1

    async def clear() -> None:
        body = {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1}
        for after in (5, 15, 25, 35):  # while other stores are in flight
            while stored < after:
                await asyncio.sleep(0)
            await api.ok(DELETE, body)

    await asyncio.gather(*(store(i) for i in range(60)), clear())
    await asyncio.gather(*(store(i) for i in range(60, 63)))  # at least these show
    async with storage.engine.reader() as tx:
        upto = await tx.fetchval(
            "SELECT cleared_upto FROM conversations WHERE sdkappid = $1 AND owner = 'id1'"
            " AND type = 1 AND peer = 'id2'",
            api.sdkappid,
        )
        above = await tx.fetch(
            "SELECT body FROM c2c_messages WHERE sdkappid = $1 AND user_lo = 'id1'"
            " AND user_hi = 'id2' AND id > $2 ORDER BY msg_time, msg_seq, id",
            api.sdkappid,
            upto,
        )
    expected = [json.loads(body)[0]["MsgContent"]["Text"] for (body,) in above]
    assert {"m60", "m61", "m62"} <= set(expected)
    assert await history(api, "id1", "id2") == expected


async def test_a_read_after_clear_ramble_does_not_walk_the_cleared_messages(
    api: Client, storage: Storage
) -> None:
    await api.accounts("id1", "id2")
    await seed_history(storage, api.sdkappid, "id2", "id1", 5000)
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2", "ClearRamble": 1})
    await send(api, "id2", "id1", "new")
    assert await history(api, "id1", "id2") == ["new"]
    every_time = (0, 2**32 - 1, None)
    cleared = await work_of(
        storage, lambda: storage.c2c.history(api.sdkappid, "id1", "id2", *every_time, 100)
    )
    # The peer's newest two messages: a walk of two rows, as the cleared view's should be (the
    # new message, then the newest cleared one, in the same second as the bound).
    two = await work_of(
        storage, lambda: storage.c2c.history(api.sdkappid, "id2", "id1", *every_time, 2)
    )
    assert cleared <= 2 * two, (cleared, two)


async def test_an_unread_count_after_a_delete_does_not_walk_the_messages_it_read(
    api: Client, storage: Storage
) -> None:
    """recentcontact/delete reads the conversation up to its last message; a later recount
    (here a recall's) starts at that message's time instead of the first message's."""
    await api.accounts("id1", "id2", "id3", "id4")
    await seed_history(storage, api.sdkappid, "id2", "id1", 5000)
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2"})
    read = await send(api, "id2", "id1", "new")
    assert await unread(api, "id1", "id2") == 1
    await send(api, "id4", "id3", "first")
    small = await send(api, "id4", "id3", "second")

    def recall(sender: str, recipient: str, msg_key: str) -> Any:
        key = parse_msg_key(msg_key)
        shown = tombstone(sender, recipient, key)
        return storage.c2c.recall(api.sdkappid, sender, recipient, key, shown)

    after_delete = await work_of(storage, lambda: recall("id2", "id1", read))
    two_messages = await work_of(storage, lambda: recall("id4", "id3", small))
    assert after_delete <= 2 * two_messages, (after_delete, two_messages)
    assert await unread(api, "id1", "id2") == 0


async def test_a_back_dated_unread_message_after_a_delete_still_counts(api: Client) -> None:
    await api.accounts("id1", "id2")
    await import_msg(api, "id2", "id1", "read by the delete", T0 + 100)
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "id2"})
    await import_msg(api, "id2", "id1", "back-dated, unread", T0 + 50, SyncFromOldSystem=5)
    newest = await send(api, "id2", "id1", "new")
    assert await unread(api, "id1", "id2") == 2
    await api.ok(WITHDRAW, {"From_Account": "id2", "To_Account": "id1", "MsgKey": newest})
    assert await unread(api, "id1", "id2") == 1  # recounted from the messages


async def test_group_conversation_cleared_for_that_member_only(api: Client) -> None:
    group = await gm.make_group(api, "g1", members=("bob", "carol"))
    await gm.send(api, group, "alice", "one")
    await gm.send(api, group, "carol", "two")
    body = {"From_Account": "bob", "Type": 2, "ToGroupid": group, "ClearRamble": 1}
    await api.ok(DELETE, body)
    assert await entries(api, "bob") == []
    assert gm.texts(await gm.pull(api, group, "bob")) == []
    assert gm.texts(await gm.pull(api, group, "carol")) == ["two", "one"]
    assert await entries(api, "carol") == [(2, group)]
    assert gm.texts(await gm.pull(api, group)) == ["two", "one"]  # the admin sees all
    await gm.send(api, group, "alice", "three")
    assert await entries(api, "bob") == [(2, group)]
    assert gm.texts(await gm.pull(api, group, "bob")) == ["three"]


async def test_group_conversation_deleted_without_clear_ramble_keeps_history(
    api: Client,
) -> None:
    group = await gm.make_group(api, "g1")
    await gm.send(api, group, "alice", "one")
    await api.ok(DELETE, {"From_Account": "bob", "Type": 2, "ToGroupid": group})
    assert await entries(api, "bob") == []
    assert await entries(api, "alice") == [(2, group)]
    assert gm.texts(await gm.pull(api, group, "bob")) == ["one"]
    await gm.send(api, group, "alice", "two")
    assert await entries(api, "bob") == [(2, group)]
    assert gm.texts(await gm.pull(api, group, "bob")) == ["two", "one"]


async def test_clear_ramble_on_a_community_topic_clears_that_members_topic_view(
    api: Client,
) -> None:
    community, topic = "@TGS#_club", "@TGS#_club@TOPIC#_general"
    await api.accounts("alice", "bob")
    await api.ok(
        "group_open_http_svc/create_group",
        {
            "Type": "Community",
            "Name": "c",
            "GroupId": community,
            "SupportTopic": 1,
            "Owner_Account": "alice",
            "MemberList": [{"Member_Account": "bob"}],
        },
    )
    await api.ok(
        "million_group_open_http_svc/create_topic",
        {"GroupId": community, "TopicId": topic, "TopicName": "general"},
    )
    for content in ("one", "two"):
        await gm.send(api, community, "alice", content, TopicId=topic)
    await api.ok(DELETE, {"From_Account": "bob", "Type": 2, "ToGroupid": topic, "ClearRamble": 1})
    assert gm.texts(await gm.pull(api, community, "bob", TopicId=topic)) == []
    assert gm.texts(await gm.pull(api, community, "alice", TopicId=topic)) == ["two", "one"]
    await gm.send(api, community, "alice", "three", TopicId=topic)
    assert gm.texts(await gm.pull(api, community, "bob", TopicId=topic)) == ["three"]


async def test_a_disbanded_groups_state_does_not_pass_to_a_new_group_of_that_id(
    api: Client,
) -> None:
    group = await gm.make_group(api, "g1")
    await gm.send(api, group, "alice", "one")
    await gm.send(api, group, "alice", "two")
    await api.ok(DELETE, {"From_Account": "bob", "Type": 2, "ToGroupid": group, "ClearRamble": 1})
    await api.ok("group_open_http_svc/destroy_group", {"GroupId": group})
    assert await entries(api, "alice") == []
    await api.ok(
        "group_open_http_svc/create_group",
        {
            "Type": "Public",
            "Name": "n",
            "GroupId": group,
            "Owner_Account": "alice",
            "MemberList": [{"Member_Account": "bob"}],
        },
    )
    await gm.send(api, group, "alice", "fresh")
    assert await entries(api, "bob") == [(2, group)]
    assert gm.texts(await gm.pull(api, group, "bob")) == ["fresh"]


async def test_deleting_an_absent_conversation_succeeds(api: Client) -> None:
    await api.accounts("id1")
    await api.ok(DELETE, {"From_Account": "id1", "Type": 1, "To_Account": "nobody"})
    await api.ok(
        DELETE, {"From_Account": "id1", "Type": 2, "ToGroupid": "@TGS#none", "ClearRamble": 1}
    )
    assert await entries(api, "id1") == []


@pytest.mark.parametrize(
    "body,code",
    [
        ({"Type": 1}, 50002),
        ({"Type": 1, "To_Account": ""}, 50002),
        ({"Type": 2, "ToGroupId": "g1"}, 50002),  # the field is spelled ToGroupid here
        ({"Type": 3, "To_Account": "id2"}, 50002),
        ({"To_Account": "id2"}, 50002),
        ({"Type": 1, "To_Account": "id2", "ClearRamble": 2}, 50002),
        ({"Type": 1, "To_Account": "id2", "From_Account": "ghost"}, 50001),
        ({"Type": 1, "To_Account": "id2", "From_Account": ""}, 50002),
        ({"Type": 1, "To_Account": "id2", "From_Account": 7}, 60015),
    ],
)
async def test_delete_failure_codes_change_nothing(
    api: Client, storage: Storage, body: dict[str, Any], code: int
) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "a")
    before = await snapshot(storage, api.sdkappid)
    data = await api(DELETE, {"From_Account": "id1", **body})
    assert data["ErrorCode"] == code, data
    assert await snapshot(storage, api.sdkappid) == before


async def test_delete_on_the_client_api_acts_for_the_caller(api: Client) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "a")
    body = {"Type": 1, "To_Account": "id2", "ClearRamble": 1}
    assert (await api.as_user("id1", DELETE, body))["ErrorCode"] == 0
    assert await history(api, "id1", "id2") == [] and await history(api, "id2", "id1") == ["a"]
    denied = await api.as_user("id1", DELETE, {**body, "From_Account": "id2"})
    assert denied["ErrorCode"] == 50003


async def test_marks_outlive_the_deleted_conversation(api: Client) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "a")
    item = {"Type": 1, "To_Account": "id2"}
    await api.ok(
        MARK,
        {
            "From_Account": "id1",
            "MarkItem": [{"OptType": 2, "ContactItem": item, "CustomMark": "vip"}],
        },
    )
    await api.ok(DELETE, {"From_Account": "id1", **item})
    data = await api.ok(
        "recentcontact/search_contact_group", {"From_Account": "id1", "ContactItem": [item]}
    )
    assert data["ContactResultItem"][0]["CustomMark"] == "vip"


# --- get_list paging and flags ------------------------------------------------------------


async def _walk(api: Client, owner: str, flags: int = 7) -> list[list[tuple[int, str]]]:
    """Every page of the owner's list, following the cursors."""
    pages = []
    cursor = {"TimeStamp": 0, "StartIndex": 0, "TopTimeStamp": 0, "TopStartIndex": 0}
    while True:
        data = await api.ok(LIST, {"From_Account": owner, "AssistFlags": flags, **cursor})
        pages.append(
            [(i["Type"], i.get("To_Account") or i["GroupId"]) for i in data["SessionItem"]]
        )
        if data["CompleteFlag"]:
            return pages
        cursor = {k: data[k] for k in cursor}


async def test_get_list_pages_of_100_cover_every_entry_once(api: Client) -> None:
    users = [f"u{i:03d}" for i in range(205)]
    for start in range(0, len(users), 100):
        await api.accounts(*users[start : start + 100])
    await api.accounts("hub")
    body = {"From_Account": "hub", "To_Account": users, "MsgRandom": 1, "MsgBody": text("x")}
    await api.ok(BATCH, body)  # 205 entries with the same MsgTime
    pages = await _walk(api, "hub")
    assert [len(p) for p in pages] == [100, 100, 5]
    assert sorted(p for page in pages for _, p in page) == users


async def test_get_list_paging_skips_nothing_when_an_entry_moves_to_the_top(
    api: Client,
) -> None:
    users = [f"p{i:03d}" for i in range(150)]
    await api.accounts("me", *users[:99])
    await api.accounts(*users[99:])
    for i, user in enumerate(users):
        await import_msg(api, user, "me", "x", T0 + i)
    first = await api.ok(LIST, {"From_Account": "me", "AssistFlags": 7})
    assert first["CompleteFlag"] == 0 and len(first["SessionItem"]) == 100
    await import_msg(api, "p000", "me", "bump", T0 + 1000)  # p000 was due on page 2
    cursor = {k: first[k] for k in ("TimeStamp", "StartIndex", "TopTimeStamp", "TopStartIndex")}
    second = await api.ok(LIST, {"From_Account": "me", "AssistFlags": 7, **cursor})
    assert second["CompleteFlag"] == 1
    assert [i["To_Account"] for i in second["SessionItem"]] == [
        f"p{i:03d}" for i in range(49, 0, -1)
    ]


async def test_pinned_conversations_come_first_with_assist_flag_1(
    api: Client, storage: Storage
) -> None:
    await api.accounts("me", "a", "b", "c")
    for i, user in enumerate(("a", "b", "c")):
        await import_msg(api, user, "me", "x", T0 + i)
    await gm.sql(
        storage,
        "UPDATE conversations SET top_flag = 1 WHERE sdkappid = $1 AND owner = $2 AND peer = $3",
        api.sdkappid,
        "me",
        "a",
    )
    data = await api.ok(LIST, {"From_Account": "me", "AssistFlags": 7})
    assert [(i["To_Account"], i["TopFlag"]) for i in data["SessionItem"]] == [
        ("a", 1),
        ("c", 0),
        ("b", 0),
    ]
    assert await entries(api, "me", flags=0) == [(1, "c"), (1, "b"), (1, "a")]


async def test_marks_come_with_the_entries_when_asked_for(api: Client) -> None:
    await api.accounts("me", "a")
    await send(api, "a", "me", "x")
    item = {"Type": 1, "To_Account": "a"}
    mark = {"OptType": 3, "ContactItem": item, "SetMark": [1, 3], "CustomMark": "c"}
    await api.ok(MARK, {"From_Account": "me", "MarkItem": [mark]})
    await api.ok(
        "recentcontact/create_contact_group",
        {"From_Account": "me", "GroupContactItem": [{"GroupName": "w", "ContactItem": [item]}]},
    )
    [plain] = (await api.ok(LIST, {"From_Account": "me", "AssistFlags": 7}))["SessionItem"]
    assert "StandardMark" not in plain and "ContactGroupId" not in plain
    [full] = (await api.ok(LIST, {"From_Account": "me", "AssistFlags": 15}))["SessionItem"]
    assert (full["StandardMark"], full["CustomMark"], full["ContactGroupId"]) == ("101", "c", [1])


@pytest.mark.parametrize(
    "body,code", [({}, 50002), ({"From_Account": "ghost"}, 50001), ({"From_Account": 1}, 60015)]
)
async def test_get_list_failure_codes(api: Client, body: dict[str, Any], code: int) -> None:
    assert (await api(LIST, body))["ErrorCode"] == code


async def test_get_list_on_the_client_api_is_the_callers_list(api: Client) -> None:
    await api.accounts("id1", "id2")
    await send(api, "id2", "id1", "a")
    data = await api.as_user("id1", LIST, {"AssistFlags": 7})
    assert [i["To_Account"] for i in data["SessionItem"]] == ["id2"]
    assert (await api.as_user("id1", LIST, {"From_Account": "id2"}))["ErrorCode"] == 50003


async def test_deleting_an_account_empties_its_list(api: Client) -> None:
    group = await gm.make_group(api, "g1")
    await gm.send(api, group, "alice", "hi")
    await send(api, "alice", "bob", "hi")
    await api.ok("im_open_login_svc/account_delete", {"DeleteItem": [{"UserID": "bob"}]})
    await api.accounts("bob")
    assert await entries(api, "bob") == []
    assert sorted(await entries(api, "alice")) == [(1, "bob"), (2, group)]
