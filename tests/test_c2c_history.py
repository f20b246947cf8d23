"""admin_getroammsg, admin_msgwithdraw, modify_c2c_msg, delete_c2c_msg_ramble, read state."""

from __future__ import annotations

from typing import Any

import pytest

from c2c_helpers import (
    MODIFY,
    RAMBLE,
    READ,
    ROAM,
    T0,
    UNREAD,
    WITHDRAW,
    history,
    import_msg,
    roam,
    send,
    text,
    texts,
    unread,
)
from conftest import Client
from opentim.storage import Storage
from probe import snapshot

# --- admin_getroammsg -----------------------------------------------------------------------


async def test_history_pages_walk_backwards_by_last_msg_key(api: Client) -> None:
    await api.accounts("user1", "user2")
    keys = [await import_msg(api, "user1", "user2", f"m{i}", T0 + i) for i in range(5)]
    page = await roam(api, "user2", "user1", MaxCnt=2)
    assert texts(page) == ["m3", "m4"] and page["MsgCnt"] == 2 and page["Complete"] == 0
    assert (page["LastMsgTime"], page["LastMsgKey"]) == (T0 + 3, keys[3])
    page = await roam(
        api, "user2", "user1", MaxCnt=2, MaxTime=page["LastMsgTime"], LastMsgKey=page["LastMsgKey"]
    )
    assert texts(page) == ["m1", "m2"] and page["Complete"] == 0
    page = await roam(
        api, "user2", "user1", MaxCnt=2, MaxTime=page["LastMsgTime"], LastMsgKey=page["LastMsgKey"]
    )
    assert texts(page) == ["m0"] and page["Complete"] == 1 and page["LastMsgKey"] == keys[0]


async def test_same_second_messages_are_ordered_by_msg_seq_and_paged_through(
    api: Client,
) -> None:
    await api.accounts("user1", "user2")
    for seq in (3, 1, 2):
        await api.ok(
            "openim/importmsg",
            {
                "SyncFromOldSystem": 2,
                "From_Account": "user1",
                "To_Account": "user2",
                "MsgSeq": seq,
                "MsgRandom": 5,
                "MsgTimeStamp": T0,
                "MsgBody": text(f"s{seq}"),
            },
        )
    assert await history(api, "user2", "user1") == ["s1", "s2", "s3"]
    seen: list[str] = []
    extra: dict[str, Any] = {"MaxCnt": 1}
    while True:
        page = await roam(api, "user2", "user1", **extra)
        seen = texts(page) + seen
        if page["Complete"]:
            break
        extra.update(MaxTime=page["LastMsgTime"], LastMsgKey=page["LastMsgKey"])
    assert seen == ["s1", "s2", "s3"]


async def test_min_time_and_max_time_are_inclusive(api: Client) -> None:
    await api.accounts("user1", "user2")
    for i in range(4):
        await import_msg(api, "user1", "user2", f"m{i}", T0 + i)
    page = await roam(api, "user1", "user2", MinTime=T0 + 1, MaxTime=T0 + 2)
    assert texts(page) == ["m1", "m2"] and page["Complete"] == 1


async def test_history_page_is_cut_near_13_kb(api: Client) -> None:
    await api.accounts("user1", "user2")
    for i in range(5):
        await import_msg(api, "user1", "user2", str(i) * 4000, T0 + i)
    page = await roam(api, "user1", "user2", MaxCnt=5)
    assert page["MsgCnt"] == 3 and page["Complete"] == 0
    assert [t[0] for t in texts(page)] == ["2", "3", "4"]


@pytest.mark.parametrize(
    "change,code",
    [
        ({"Operator_Account": None}, 90008),
        ({"Operator_Account": "ghost"}, 90008),
        ({"Peer_Account": None}, 90003),
        ({"Peer_Account": "ghost"}, 90003),
        ({"MaxCnt": 0}, 20001),
        ({"MaxCnt": None}, 20001),
        ({"LastMsgKey": "not-a-key"}, 90054),
        ({"LastMsgKey": "1_2_3"}, 90054),
    ],
)
async def test_admin_getroammsg_failure_codes(
    api: Client, change: dict[str, Any], code: int
) -> None:
    await api.accounts("user1", "user2")
    body = {
        "Operator_Account": "user1",
        "Peer_Account": "user2",
        "MaxCnt": 10,
        "MinTime": 0,
        "MaxTime": T0,
        **change,
    }
    data = await api(ROAM, {k: v for k, v in body.items() if v is not None})
    assert data["ErrorCode"] == code, data


async def test_admin_getroammsg_on_the_client_api_is_the_callers_view(api: Client) -> None:
    await api.accounts("alice", "bob")
    await send(api, "alice", "bob", "hi", SyncOtherMachine=2)
    body = {"Peer_Account": "alice", "MaxCnt": 5, "MinTime": 0, "MaxTime": 2**32 - 1}
    assert texts(await api.as_user("bob", ROAM, body)) == ["hi"]
    assert texts(await api.as_user("alice", ROAM, {**body, "Peer_Account": "bob"})) == []
    denied = await api.as_user("bob", ROAM, {**body, "Operator_Account": "alice"})
    assert denied["ErrorCode"] == 20001


# --- admin_msgwithdraw ----------------------------------------------------------------------


async def test_recalled_message_stays_as_a_flagged_tombstone_for_both_sides(
    api: Client,
) -> None:
    await api.accounts("vinson", "dramon")
    key = await send(api, "vinson", "dramon", "oops", CloudCustomData="c")
    await api.ok(WITHDRAW, {"From_Account": "vinson", "To_Account": "dramon", "MsgKey": key})
    for operator, peer in (("vinson", "dramon"), ("dramon", "vinson")):
        [message] = (await roam(api, operator, peer))["MsgList"]
        assert (message["MsgKey"], message["MsgFlagBits"]) == (key, 8)
        assert (message["MsgBody"], message["CloudCustomData"]) == ([], "")
    assert await unread(api, "dramon", "vinson") == 0


@pytest.mark.parametrize(
    "body,code",
    [
        ({"From_Account": "vinson", "To_Account": "dramon", "MsgKey": "1_2_3"}, 20022),
        ({"From_Account": "dramon", "To_Account": "vinson", "MsgKey": "KEY"}, 20022),
        ({"From_Account": "vinson", "To_Account": "dramon", "MsgKey": "1_2"}, 90054),
        ({"From_Account": "vinson", "To_Account": "dramon", "MsgKey": "a_b_c"}, 90054),
        ({"From_Account": "vinson", "To_Account": "dramon", "MsgKey": "1_2_99999999999"}, 90054),
        ({"From_Account": "vinson", "To_Account": "dramon"}, 90054),
        ({"From_Account": "vinson", "MsgKey": "KEY"}, 90003),
        ({"To_Account": "dramon", "MsgKey": "KEY"}, 90008),
    ],
)
async def test_admin_msgwithdraw_failure_codes(
    api: Client, body: dict[str, Any], code: int
) -> None:
    await api.accounts("vinson", "dramon")
    key = await send(api, "vinson", "dramon", "hi")
    if body.get("MsgKey") == "KEY":
        body = {**body, "MsgKey": key}
    assert (await api(WITHDRAW, body))["ErrorCode"] == code
    assert (await roam(api, "dramon", "vinson"))["MsgList"][0]["MsgFlagBits"] == 0


async def test_recalling_twice_is_20023(api: Client) -> None:
    await api.accounts("vinson", "dramon")
    key = await send(api, "vinson", "dramon", "hi")
    body = {"From_Account": "vinson", "To_Account": "dramon", "MsgKey": key}
    await api.ok(WITHDRAW, body)
    assert (await api(WITHDRAW, body))["ErrorCode"] == 20023


async def test_a_user_recalls_only_its_own_messages(api: Client) -> None:
    await api.accounts("vinson", "dramon")
    key = await send(api, "vinson", "dramon", "hi")
    theirs = {"To_Account": "vinson", "MsgKey": key}
    assert (await api.as_user("dramon", WITHDRAW, theirs))["ErrorCode"] == 20022
    as_other = {"From_Account": "vinson", "To_Account": "dramon", "MsgKey": key}
    assert (await api.as_user("dramon", WITHDRAW, as_other))["ErrorCode"] == 20001
    own = {"To_Account": "dramon", "MsgKey": key}
    assert (await api.as_user("vinson", WITHDRAW, own))["ErrorCode"] == 0


# --- modify_c2c_msg -------------------------------------------------------------------------


async def test_modify_overwrites_body_and_custom_data(api: Client) -> None:
    await api.accounts("dramon1", "dramon2")
    key = await send(api, "dramon1", "dramon2", "draft", CloudCustomData="v1")
    body = {"From_Account": "dramon1", "To_Account": "dramon2", "MsgKey": key}
    data = await api.ok(MODIFY, {**body, "MsgBody": text("edited"), "CloudCustomData": "v2"})
    assert data["ErrorInfo"] == "succeed"
    [message] = (await roam(api, "dramon2", "dramon1"))["MsgList"]
    assert (texts({"MsgList": [message]}), message["CloudCustomData"]) == (["edited"], "v2")
    await api.ok(MODIFY, {**body, "CloudCustomData": "v3"})
    [message] = (await roam(api, "dramon1", "dramon2"))["MsgList"]
    assert (message["MsgBody"], message["CloudCustomData"]) == (text("edited"), "v3")
    assert message["MsgKey"] == key


@pytest.mark.parametrize(
    "change,code",
    [
        ({"MsgBody": None, "CloudCustomData": None}, 20001),
        ({"MsgKey": "1_1_1"}, 20022),
        ({"From_Account": "dramon2", "To_Account": "dramon1"}, 20022),
        ({"MsgKey": "x"}, 90054),
        ({"MsgBody": {}}, 90007),
        ({"MsgBody": []}, 90002),
        ({"From_Account": None}, 90008),
        ({"To_Account": None}, 90003),
    ],
)
async def test_modify_c2c_msg_failure_codes(api: Client, change: dict[str, Any], code: int) -> None:
    await api.accounts("dramon1", "dramon2")
    key = await send(api, "dramon1", "dramon2", "draft")
    body = {
        "From_Account": "dramon1",
        "To_Account": "dramon2",
        "MsgKey": key,
        "MsgBody": text("edited"),
        **change,
    }
    data = await api(MODIFY, {k: v for k, v in body.items() if v is not None})
    assert data["ErrorCode"] == code, data
    assert await history(api, "dramon2", "dramon1") == ["draft"]


async def test_modifying_a_recalled_message_is_20023(api: Client) -> None:
    await api.accounts("dramon1", "dramon2")
    key = await send(api, "dramon1", "dramon2", "draft")
    body = {"From_Account": "dramon1", "To_Account": "dramon2", "MsgKey": key}
    await api.ok(WITHDRAW, body)
    assert (await api(MODIFY, {**body, "CloudCustomData": "x"}))["ErrorCode"] == 20023


# --- delete_c2c_msg_ramble ------------------------------------------------------------------


async def test_ramble_deletion_is_one_sided(api: Client) -> None:
    await api.accounts("user0", "user1")
    mine = await send(api, "user0", "user1", "mine")
    theirs = await send(api, "user1", "user0", "theirs")
    await send(api, "user1", "user0", "kept")
    assert await unread(api, "user0", "user1") == 2
    body = {"Operator_Account": "user0", "Peer_Account": "user1", "MsgKeyList": [mine, theirs]}
    await api.ok(RAMBLE, body)
    assert await history(api, "user0", "user1") == ["kept"]
    assert await history(api, "user1", "user0") == ["mine", "theirs", "kept"]
    assert await unread(api, "user0", "user1") == 1
    await api.ok(RAMBLE, {**body, "MsgKeyList": ["7_7_7"]})  # unknown keys are ignored


@pytest.mark.parametrize(
    "keys,code",
    [
        ([], 20001),
        (["KEY"] * 31, 20001),
        (["KEY", "bad"], 90054),
        (["KEY", 5], 90054),
    ],
)
async def test_delete_c2c_msg_ramble_failure_codes_change_nothing(
    api: Client, storage: Storage, keys: list[Any], code: int
) -> None:
    await api.accounts("user0", "user1")
    key = await send(api, "user0", "user1", "hi")
    keys = [key if k == "KEY" else k for k in keys]
    body = {"Operator_Account": "user0", "Peer_Account": "user1", "MsgKeyList": keys}
    before = await snapshot(storage, api.sdkappid)
    assert (await api(RAMBLE, body))["ErrorCode"] == code
    assert await snapshot(storage, api.sdkappid) == before


@pytest.mark.parametrize("missing,code", [("Operator_Account", 90008), ("Peer_Account", 90003)])
async def test_delete_c2c_msg_ramble_needs_both_accounts(
    api: Client, missing: str, code: int
) -> None:
    body = {"Operator_Account": "user0", "Peer_Account": "user1", "MsgKeyList": ["1_1_1"]}
    del body[missing]
    assert (await api(RAMBLE, body))["ErrorCode"] == code


# --- admin_set_msg_read, get_c2c_unread_msg_num ---------------------------------------------


async def test_set_msg_read_up_to_a_time(api: Client) -> None:
    await api.accounts("dramon1", "dramon2")
    for i in range(4):
        await import_msg(api, "dramon2", "dramon1", f"m{i}", T0 + i, SyncFromOldSystem=5)
    assert await unread(api, "dramon1", "dramon2") == 4
    body = {"Report_Account": "dramon1", "Peer_Account": "dramon2"}
    await api.ok(READ, {**body, "MsgReadTime": str(T0 + 1)})
    assert await unread(api, "dramon1", "dramon2") == 2
    await api.ok(READ, {**body, "MsgReadTime": T0})  # never moves back
    assert await unread(api, "dramon1", "dramon2") == 2
    await api.ok(READ, {**body, "MsgReadedTime": str(T0 + 2)})  # the misspelled alias
    assert await unread(api, "dramon1", "dramon2") == 1
    await api.ok(READ, body)  # default: now
    assert await unread(api, "dramon1", "dramon2") == 0
    assert await unread(api, "dramon2", "dramon1") == 0


@pytest.mark.parametrize(
    "change,code",
    [
        ({"Report_Account": None}, 90008),
        ({"Report_Account": "ghost"}, 90008),
        ({"Peer_Account": None}, 90003),
        ({"Peer_Account": "ghost"}, 90003),
        ({"MsgReadTime": "soon"}, 20001),
        ({"MsgReadTime": -1}, 20001),
    ],
)
async def test_admin_set_msg_read_failure_codes(
    api: Client, change: dict[str, Any], code: int
) -> None:
    await api.accounts("dramon1", "dramon2")
    body = {"Report_Account": "dramon1", "Peer_Account": "dramon2", **change}
    data = await api(READ, {k: v for k, v in body.items() if v is not None})
    assert data["ErrorCode"] == code, data


async def test_unread_counts_total_and_per_peer(api: Client) -> None:
    await api.accounts("dramon1", "dramon2", "teacher", "quiet")
    for _ in range(3):
        await send(api, "dramon2", "dramon1", "x")
    await send(api, "teacher", "dramon1", "y")
    await send(api, "dramon1", "dramon2", "sent ones do not count")
    total = await api.ok(UNREAD, {"To_Account": "dramon1"})
    assert total["AllC2CUnreadMsgNum"] == 4 and "C2CUnreadMsgNumList" not in total
    data = await api.ok(UNREAD, {"To_Account": "dramon1", "Peer_Account": ["dramon2", "quiet"]})
    assert data["C2CUnreadMsgNumList"] == [
        {"Peer_Account": "dramon2", "C2CUnreadMsgNum": 3},
        {"Peer_Account": "quiet", "C2CUnreadMsgNum": 0},
    ]
    assert "ErrorList" not in data and "AllC2CUnreadMsgNum" not in data
    data = await api.ok(UNREAD, {"To_Account": "dramon1", "Peer_Account": ["teacher", "ghost"]})
    assert data["C2CUnreadMsgNumList"] == [{"Peer_Account": "teacher", "C2CUnreadMsgNum": 1}]
    assert data["ErrorList"] == [{"Peer_Account": "ghost", "ErrorCode": 70107}]


async def test_unread_count_stops_at_250_per_conversation(api: Client) -> None:
    await api.accounts("a", "b")
    for i in range(252):
        await import_msg(api, "a", "b", "x", T0 + i, SyncFromOldSystem=5)
    assert await unread(api, "b", "a") == 250


@pytest.mark.parametrize(
    "body,code",
    [
        ({}, 90003),
        ({"To_Account": "ghost"}, 90003),
        ({"To_Account": "dramon1", "Peer_Account": [f"p{i}" for i in range(11)]}, 90001),
    ],
)
async def test_get_c2c_unread_msg_num_failure_codes(
    api: Client, body: dict[str, Any], code: int
) -> None:
    await api.accounts("dramon1")
    assert (await api(UNREAD, body))["ErrorCode"] == code
