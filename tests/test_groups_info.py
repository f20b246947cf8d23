"""get_group_info, get_appid_group_list, modify_group_base_info, get_joined_group_list."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from conftest import Client

G = "group_open_http_svc/"


async def make_group(api: Client, group_id: str, **fields: Any) -> None:
    body = {"Type": "Public", "Name": group_id, "GroupId": group_id, **fields}
    await api.ok(G + "create_group", body)


async def code(api: Client, command: str, body: Any) -> int:
    data = await api(G + command, body)
    return int(data["ErrorCode"])


# --- get_group_info -----------------------------------------------------------------------------


async def test_get_group_info_without_filter_returns_everything(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(
        api,
        "g1",
        Owner_Account="alice",
        Introduction="intro",
        AppDefinedData=[{"Key": "k1", "Value": "v1"}],
        MemberList=[
            {"Member_Account": "bob", "AppMemberDefinedData": [{"Key": "mk", "Value": "mv"}]}
        ],
    )
    data = await api.ok(G + "get_group_info", {"GroupIdList": ["g1"]})
    (item,) = data["GroupInfo"]
    assert item["ErrorCode"] == 0 and item["GroupId"] == "g1"
    assert item["Appid"] == api.sdkappid
    assert item["Type"] == "Public" and item["Name"] == "g1" and item["Introduction"] == "intro"
    assert item["Owner_Account"] == "alice" and item["MemberNum"] == 2
    assert item["NextMsgSeq"] == 1 and item["InfoSeq"] == 0 and item["MaxMemberNum"] == 6000
    assert item["ApplyJoinOption"] == "NeedPermission" and item["MuteAllMember"] == "Off"
    assert item["AppDefinedData"] == [{"Key": "k1", "Value": "v1"}]
    members = {m["Member_Account"]: m for m in item["MemberList"]}
    assert members["alice"]["Role"] == "Owner" and members["bob"]["Role"] == "Member"
    assert members["bob"]["AppMemberDefinedData"] == [{"Key": "mk", "Value": "mv"}]
    assert set(members["bob"]) >= {"JoinTime", "MsgSeq", "MsgFlag", "LastSendMsgTime"}
    assert members["bob"]["MuteUntil"] == 0 and members["bob"]["NameCard"] == ""


async def test_get_group_info_filters_pick_fields(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(
        api,
        "g1",
        Owner_Account="alice",
        AppDefinedData=[{"Key": "k1", "Value": "v1"}, {"Key": "k2", "Value": "v2"}],
        MemberList=[
            {
                "Member_Account": "bob",
                "Role": "Admin",
                "AppMemberDefinedData": [
                    {"Key": "m1", "Value": "a"},
                    {"Key": "m2", "Value": "b"},
                ],
            }
        ],
    )
    only_base = {"GroupBaseInfoFilter": ["Type", "MemberNum", "Appid"]}
    data = await api.ok(G + "get_group_info", {"GroupIdList": ["g1"], "ResponseFilter": only_base})
    assert data["GroupInfo"] == [
        {
            "GroupId": "g1",
            "ErrorCode": 0,
            "ErrorInfo": "",
            "Type": "Public",
            "MemberNum": 2,
            "Appid": api.sdkappid,
        }
    ]
    all_filters = {
        "GroupBaseInfoFilter": ["Name"],
        "MemberInfoFilter": ["Role"],
        "AppDefinedDataFilter_Group": ["k2"],
        "AppDefinedDataFilter_GroupMember": ["m1"],
    }
    data = await api.ok(
        G + "get_group_info", {"GroupIdList": ["g1"], "ResponseFilter": all_filters}
    )
    (item,) = data["GroupInfo"]
    assert item["Name"] == "g1" and "Type" not in item
    assert item["AppDefinedData"] == [{"Key": "k2", "Value": "v2"}]
    assert item["MemberList"] == [
        {"Member_Account": "alice", "Role": "Owner", "AppMemberDefinedData": []},
        {
            "Member_Account": "bob",
            "Role": "Admin",
            "AppMemberDefinedData": [{"Key": "m1", "Value": "a"}],
        },
    ]
    members_only = {"MemberInfoFilter": ["JoinTime"]}
    data = await api.ok(
        G + "get_group_info", {"GroupIdList": ["g1"], "ResponseFilter": members_only}
    )
    (item,) = data["GroupInfo"]
    assert "Name" not in item and "AppDefinedData" not in item
    assert set(item["MemberList"][0]) == {"Member_Account", "JoinTime"}


async def test_get_group_info_reports_errors_per_group(api: Client) -> None:
    await make_group(api, "g1")
    await api.ok(G + "create_group", {"Type": "AVChatRoom", "Name": "live", "GroupId": "av"})
    data = await api.ok(G + "get_group_info", {"GroupIdList": ["nope", "g1", "x" * 49, "av"]})
    items = data["GroupInfo"]
    assert [i["ErrorCode"] for i in items] == [10010, 0, 10015, 0]
    assert items[0]["GroupId"] == "nope" and "Type" not in items[0]
    assert items[3]["Type"] == "AVChatRoom" and "MemberList" not in items[3]


async def test_get_group_info_limits(api: Client) -> None:
    assert await code(api, "get_group_info", {"GroupIdList": []}) == 10004
    assert await code(api, "get_group_info", {"GroupIdList": [f"g{i}" for i in range(51)]}) == 10004
    assert await code(api, "get_group_info", {}) == 10004
    data = await api.ok(G + "get_group_info", {"GroupIdList": [f"g{i}" for i in range(50)]})
    assert len(data["GroupInfo"]) == 50


async def test_get_group_info_answer_over_1mb_is_10018(api: Client) -> None:
    users = [f"u{i:03}" for i in range(100)]
    await api.accounts(*users)
    data = [{"Key": f"key{k}", "Value": "v" * 64} for k in range(5)]
    await make_group(
        api, "big", MemberList=[{"Member_Account": u, "AppMemberDefinedData": data} for u in users]
    )
    assert await code(api, "get_group_info", {"GroupIdList": ["big"] * 50}) == 10018
    await api.ok(G + "get_group_info", {"GroupIdList": ["big"] * 10})


# --- get_appid_group_list -----------------------------------------------------------------------


async def test_get_appid_group_list_pages_with_next_cursor(api: Client) -> None:
    for i in range(5):
        await make_group(api, f"g{i}")
    await api.ok(G + "create_group", {"Type": "Work", "Name": "w", "GroupId": "w0"})
    seen: list[str] = []
    cursor = 0
    while True:
        data = await api.ok(G + "get_appid_group_list", {"Limit": 2, "Next": cursor})
        assert data["TotalCount"] == 6
        seen += [g["GroupId"] for g in data["GroupIdList"]]
        cursor = data["Next"]
        if cursor == 0:
            break
    assert seen == ["g0", "g1", "g2", "g3", "g4", "w0"]
    data = await api.ok(G + "get_appid_group_list", {})
    assert data["Next"] == 0 and len(data["GroupIdList"]) == 6


async def test_get_appid_group_list_total_count_ignores_paging(api: Client) -> None:
    for i in range(3):
        await make_group(api, f"g{i}")
    await api.ok(G + "create_group", {"Type": "Work", "Name": "w", "GroupId": "w0"})
    data = await api.ok(G + "get_appid_group_list", {"Limit": 1, "GroupType": "Public"})
    assert data["TotalCount"] == 3 and [g["GroupId"] for g in data["GroupIdList"]] == ["g0"]
    assert data["Next"] != 0
    data = await api.ok(G + "get_appid_group_list", {"GroupType": "Private"})
    assert data["TotalCount"] == 1 and data["GroupIdList"] == [{"GroupId": "w0"}]
    data = await api.ok(G + "get_appid_group_list", {"GroupType": "Work"})
    assert data["TotalCount"] == 1
    data = await api.ok(G + "get_appid_group_list", {"GroupType": "BChatRoom"})
    assert data == {**data, "TotalCount": 0, "GroupIdList": [], "Next": 0}


async def test_get_appid_group_list_errors(api: Client) -> None:
    assert await code(api, "get_appid_group_list", {"GroupType": "Nope"}) == 10004
    assert await code(api, "get_appid_group_list", {"Limit": 10001}) == 10004
    assert await code(api, "get_appid_group_list", {"Limit": -1}) == 10004
    assert await code(api, "get_appid_group_list", {"Next": -5}) == 10004
    await api.ok(G + "get_appid_group_list", {"Limit": 10000})


async def test_get_appid_group_list_is_limited_to_one_call_per_second(make_api: Any) -> None:
    api = await make_api(rate_limit=200)
    # The in-process counter's windows are whole seconds of time.monotonic(): start both calls
    # at the beginning of one, or a window may end between them and admit the second.
    await asyncio.sleep(1.01 - time.monotonic() % 1)
    await api.ok(G + "get_appid_group_list", {})
    assert await code(api, "get_appid_group_list", {}) == 60007


# --- modify_group_base_info ---------------------------------------------------------------------


async def info(api: Client, group_id: str) -> dict[str, Any]:
    data = await api.ok(G + "get_group_info", {"GroupIdList": [group_id]})
    item: dict[str, Any] = data["GroupInfo"][0]
    return item


async def test_modify_group_base_info_changes_only_fields_sent(api: Client) -> None:
    await make_group(api, "g1", Introduction="old intro", Notification="note")
    before = await info(api, "g1")
    await api.ok(
        G + "modify_group_base_info",
        {"GroupId": "g1", "Name": "New", "FaceUrl": "http://f", "MaxMemberNum": 50},
    )
    after = await info(api, "g1")
    assert after["Name"] == "New" and after["FaceUrl"] == "http://f" and after["MaxMemberNum"] == 50
    assert after["Introduction"] == "old intro" and after["Notification"] == "note"
    assert after["InfoSeq"] == before["InfoSeq"] + 1
    assert after["LastInfoTime"] >= before["LastInfoTime"]
    await api.ok(G + "modify_group_base_info", {"GroupId": "g1", "Introduction": ""})
    again = await info(api, "g1")
    assert again["Introduction"] == "" and again["InfoSeq"] == before["InfoSeq"] + 2


async def test_modify_group_base_info_empty_value_deletes_custom_key(api: Client) -> None:
    await make_group(
        api, "g1", AppDefinedData=[{"Key": "theme", "Value": "dark"}, {"Key": "k", "Value": "1"}]
    )
    await api.ok(
        G + "modify_group_base_info",
        {
            "GroupId": "g1",
            "AppDefinedData": [{"Key": "theme", "Value": ""}, {"Key": "new", "Value": "x"}],
        },
    )
    assert (await info(api, "g1"))["AppDefinedData"] == [
        {"Key": "k", "Value": "1"},
        {"Key": "new", "Value": "x"},
    ]


async def test_modify_group_base_info_mute_all_member(api: Client) -> None:
    await make_group(api, "g1")
    await api.ok(G + "modify_group_base_info", {"GroupId": "g1", "MuteAllMember": "On"})
    assert (await info(api, "g1"))["MuteAllMember"] == "On"
    await api.ok(G + "modify_group_base_info", {"GroupId": "g1", "ShutUpAllMember": "Off"})
    assert (await info(api, "g1"))["MuteAllMember"] == "Off"
    await api.ok(G + "modify_group_base_info", {"GroupId": "g1", "ApplyJoinOption": "FreeAccess"})
    assert (await info(api, "g1"))["ApplyJoinOption"] == "FreeAccess"


async def test_modify_group_base_info_without_changes_bumps_nothing(api: Client) -> None:
    await make_group(api, "g1")
    await api.ok(G + "modify_group_base_info", {"GroupId": "g1"})
    assert (await info(api, "g1"))["InfoSeq"] == 0
    assert await code(api, "modify_group_base_info", {"GroupId": "nope"}) == 10010


async def test_modify_group_base_info_errors(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(api, "g1", Owner_Account="alice", MemberList=[{"Member_Account": "bob"}])
    await api.ok(G + "create_group", {"Type": "Community", "Name": "c", "GroupId": "@TGS#_c1"})
    cases: list[tuple[dict[str, Any], int]] = [
        ({"GroupId": "g1", "Name": "x" * 31}, 10004),
        ({"GroupId": "g1", "Name": ""}, 10004),
        ({"GroupId": "g1", "Introduction": "é" * 121}, 10004),
        ({"GroupId": "g1", "Notification": "x" * 301}, 10004),
        ({"GroupId": "g1", "FaceUrl": "x" * 101}, 10004),
        ({"GroupId": "g1", "MuteAllMember": "Maybe"}, 10004),
        ({"GroupId": "g1", "ApplyJoinOption": "Whatever"}, 10004),
        ({"GroupId": "g1", "MaxMemberNum": 6001}, 10004),
        ({"GroupId": "g1", "MaxMemberNum": 1}, 10004),  # below the 2 members
        ({"GroupId": "g1", "AppDefinedData": [{"Key": "k", "Value": "x" * 513}]}, 10004),
        (
            {
                "GroupId": "g1",
                "AppDefinedData": [{"Key": f"k{i}", "Value": "v"} for i in range(11)],
            },
            10004,
        ),
        ({"GroupId": "@TGS#_c1", "ApplyJoinOption": "FreeAccess"}, 10007),
        ({"GroupId": "nope", "Name": "x"}, 10010),
        ({"GroupId": "nope", "MaxMemberNum": 10}, 10010),
        ({"GroupId": "", "Name": "x"}, 10015),
    ]
    for body, expected in cases:
        assert await code(api, "modify_group_base_info", body) == expected, body
    assert (await info(api, "g1"))["InfoSeq"] == 0  # refused changes bump nothing


async def test_modify_group_base_info_caps_custom_keys_after_merge(api: Client) -> None:
    await make_group(api, "g1", AppDefinedData=[{"Key": f"k{i}", "Value": "v"} for i in range(10)])
    body = {"GroupId": "g1", "AppDefinedData": [{"Key": "k11", "Value": "v"}]}
    assert await code(api, "modify_group_base_info", body) == 10004
    body = {
        "GroupId": "g1",
        "AppDefinedData": [{"Key": "k0", "Value": ""}, {"Key": "k11", "Value": "v"}],
    }
    await api.ok(G + "modify_group_base_info", body)


# --- get_joined_group_list ----------------------------------------------------------------------


async def test_get_joined_group_list_hides_inactive_work_and_av_groups(api: Client) -> None:
    await api.accounts("bob")
    await make_group(api, "pub", Owner_Account="bob")
    await api.ok(
        G + "create_group", {"Type": "Work", "Name": "w", "GroupId": "work", "Owner_Account": "bob"}
    )
    data = await api.ok(G + "get_joined_group_list", {"Member_Account": "bob"})
    assert data["TotalCount"] == 1 and data["GroupIdList"] == [{"GroupId": "pub"}]
    data = await api.ok(
        G + "get_joined_group_list", {"Member_Account": "bob", "WithNoActiveGroups": 1}
    )
    assert data["TotalCount"] == 2
    assert [g["GroupId"] for g in data["GroupIdList"]] == ["pub", "work"]
    data = await api.ok(G + "get_joined_group_list", {"Member_Account": "bob", "WithHugeGroups": 1})
    assert data["TotalCount"] == 1


async def test_get_joined_group_list_paging_type_and_filters(api: Client) -> None:
    await api.accounts("alice", "bob")
    for i in range(3):
        await make_group(
            api, f"g{i}", Owner_Account="alice", MemberList=[{"Member_Account": "bob"}]
        )
    await api.ok(
        G + "create_group",
        {
            "Type": "Meeting",
            "Name": "m",
            "GroupId": "m0",
            "MemberList": [{"Member_Account": "bob"}],
        },
    )
    data = await api.ok(
        G + "get_joined_group_list", {"Member_Account": "bob", "Limit": 2, "Offset": 1}
    )
    assert data["TotalCount"] == 4 and [g["GroupId"] for g in data["GroupIdList"]] == ["g1", "g2"]
    data = await api.ok(
        G + "get_joined_group_list", {"Member_Account": "bob", "GroupType": "ChatRoom"}
    )
    assert data["TotalCount"] == 1 and data["GroupIdList"] == [{"GroupId": "m0"}]
    body = {
        "Member_Account": "bob",
        "GroupType": "Public",
        "Limit": 1,
        "ResponseFilter": {
            "GroupBaseInfoFilter": ["Type", "Name", "NextMsgSeq", "MemberNum", "Owner_Account"],
            "SelfInfoFilter": ["Role", "MsgSeq", "UnreadMsgNum", "MsgFlag"],
        },
    }
    data = await api.ok(G + "get_joined_group_list", body)
    assert data["TotalCount"] == 3
    assert data["GroupIdList"] == [
        {
            "GroupId": "g0",
            "Type": "Public",
            "Name": "g0",
            "NextMsgSeq": 1,
            "MemberNum": 2,
            "Owner_Account": "alice",
            "SelfInfo": {
                "Role": "Member",
                "MsgSeq": 0,
                "UnreadMsgNum": 0,
                "MsgFlag": "AcceptAndNotify",
            },
        }
    ]


async def test_get_joined_group_list_unknown_user_has_no_groups(api: Client) -> None:
    data = await api.ok(G + "get_joined_group_list", {"Member_Account": "ghost"})
    assert data["TotalCount"] == 0 and data["GroupIdList"] == []


async def test_get_joined_group_list_errors(api: Client) -> None:
    assert await code(api, "get_joined_group_list", {}) == 10004
    bad = [
        {"Member_Account": "bob", "GroupType": "Nope"},
        {"Member_Account": "bob", "SupportTopic": 1},
        {"Member_Account": "bob", "SupportTopic": 2, "GroupType": "Community"},
        {"Member_Account": "bob", "Limit": -1},
        {"Member_Account": "bob", "Offset": -1},
    ]
    for body in bad:
        assert await code(api, "get_joined_group_list", body) == 10004, body


async def test_get_joined_group_list_support_topic_filter(api: Client) -> None:
    await api.accounts("bob")
    await api.ok(
        G + "create_group",
        {
            "Type": "Community",
            "Name": "c",
            "GroupId": "@TGS#_t",
            "SupportTopic": 1,
            "Owner_Account": "bob",
        },
    )
    await api.ok(
        G + "create_group",
        {"Type": "Community", "Name": "c", "GroupId": "@TGS#_p", "Owner_Account": "bob"},
    )
    body = {"Member_Account": "bob", "GroupType": "Community", "SupportTopic": 1}
    data = await api.ok(G + "get_joined_group_list", body)
    assert data["GroupIdList"] == [{"GroupId": "@TGS#_t"}]


async def test_get_joined_group_list_on_client_api_is_bound_to_caller(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(api, "g1", Owner_Account="alice")
    data = await api.as_user("alice", G + "get_joined_group_list", {})
    assert data["ErrorCode"] == 0 and data["GroupIdList"] == [{"GroupId": "g1"}]
    data = await api.as_user("bob", G + "get_joined_group_list", {"Member_Account": "bob"})
    assert data["ErrorCode"] == 0 and data["TotalCount"] == 0
    data = await api.as_user("bob", G + "get_joined_group_list", {"Member_Account": "alice"})
    assert data["ErrorCode"] == 10007


async def test_self_info_mute_until_in_the_past_reads_zero(api: Client) -> None:
    await api.accounts("bob")
    await make_group(api, "g1", Owner_Account="bob")
    body = {
        "Member_Account": "bob",
        "ResponseFilter": {"SelfInfoFilter": ["MuteUntil", "JoinTime"]},
    }
    data = await api.ok(G + "get_joined_group_list", body)
    self_info = data["GroupIdList"][0]["SelfInfo"]
    assert self_info["MuteUntil"] == 0 and abs(self_info["JoinTime"] - time.time()) < 60
