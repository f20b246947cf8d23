"""delete_group_member, get_group_member_info, change_group_owner, import_group,
import_group_member — over the wire, on both engines."""

from __future__ import annotations

import time
from typing import Any

from conftest import Client

G = "group_open_http_svc/"


async def code(api: Client, command: str, body: Any) -> int:
    data = await api(G + command, body)
    return int(data["ErrorCode"])


async def make_group(api: Client, group_id: str, owner: str = "", *members: str, **kw: Any) -> None:
    body: dict[str, Any] = {"Type": kw.pop("Type", "Public"), "Name": group_id, "GroupId": group_id}
    if owner:
        body["Owner_Account"] = owner
    body["MemberList"] = [{"Member_Account": m} for m in members]
    await api.ok(G + "create_group", {**body, **kw})


async def members_of(api: Client, group_id: str) -> dict[str, str]:
    data = await api.ok(G + "get_group_member_info", {"GroupId": group_id})
    return {m["Member_Account"]: m["Role"] for m in data["MemberList"]}


async def group_field(api: Client, group_id: str, name: str) -> Any:
    data = await api.ok(G + "get_group_info", {"GroupIdList": [group_id]})
    return data["GroupInfo"][0][name]


async def send(api: Client, group_id: str, count: int, first: int = 0) -> None:
    for i in range(first, first + count):
        body = {
            "GroupId": group_id,
            "Random": i,
            "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": f"m{i}"}}],
        }
        await api.ok(G + "send_group_msg", body)


# --- delete_group_member ------------------------------------------------------------------------


async def test_delete_group_member_ignores_non_members(api: Client) -> None:
    await api.accounts("alice", "bob", "carol")
    await make_group(api, "g", "alice", "bob", "carol")
    await api.ok(
        G + "delete_group_member",
        {"GroupId": "g", "Reason": "bye", "MemberToDel_Account": ["bob", "not_a_member", "bob"]},
    )
    assert await members_of(api, "g") == {"alice": "Owner", "carol": "Member"}
    assert await group_field(api, "g", "MemberNum") == 2


async def test_delete_group_member_refuses_the_owner_except_in_work_groups(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(api, "g", "alice", "bob")
    body = {"GroupId": "g", "MemberToDel_Account": ["bob", "alice"]}
    assert await code(api, "delete_group_member", body) == 10007
    assert await members_of(api, "g") == {"alice": "Owner", "bob": "Member"}  # nothing removed
    await make_group(api, "w", "alice", "bob", Type="Work")
    await api.ok(G + "delete_group_member", {"GroupId": "w", "MemberToDel_Account": ["alice"]})
    assert await members_of(api, "w") == {"bob": "Member"}
    assert await group_field(api, "w", "Owner_Account") == ""


async def test_delete_group_member_errors(api: Client) -> None:
    await api.ok(G + "create_group", {"Type": "AVChatRoom", "Name": "x", "GroupId": "av"})
    await make_group(api, "g")
    one = {"MemberToDel_Account": ["bob"]}
    assert await code(api, "delete_group_member", {"GroupId": "av", **one}) == 10004
    assert await code(api, "delete_group_member", {"GroupId": "nope", **one}) == 10010
    assert await code(api, "delete_group_member", {"GroupId": "", **one}) == 10015
    empty = {"GroupId": "g", "MemberToDel_Account": []}
    assert await code(api, "delete_group_member", empty) == 10004
    many = {"GroupId": "g", "MemberToDel_Account": [f"u{i}" for i in range(101)]}
    assert await code(api, "delete_group_member", many) == 10004
    hundred = {"GroupId": "g", "MemberToDel_Account": [f"u{i}" for i in range(100)]}
    await api.ok(G + "delete_group_member", hundred)


# --- get_group_member_info ----------------------------------------------------------------------


async def test_get_group_member_info_pages_with_limit_and_offset(api: Client) -> None:
    users = [f"u{i}" for i in range(5)]
    await api.accounts(*users)
    await make_group(api, "g", "u0", *users[1:])
    data = await api.ok(
        G + "get_group_member_info",
        {"GroupId": "g", "Limit": 2, "Offset": 2, "MemberInfoFilter": ["Role", "MsgSeq"]},
    )
    assert data["MemberNum"] == 5 and "Next" not in data
    assert data["MemberList"] == [
        {"Member_Account": "u2", "Role": "Member", "MsgSeq": 0},
        {"Member_Account": "u3", "Role": "Member", "MsgSeq": 0},
    ]
    data = await api.ok(G + "get_group_member_info", {"GroupId": "g", "Offset": 4})
    assert [m["Member_Account"] for m in data["MemberList"]] == ["u4"]


async def test_get_group_member_info_role_and_custom_data_filters(api: Client) -> None:
    await api.accounts("alice", "bob", "carol")
    data = [{"Key": "k1", "Value": "1"}, {"Key": "k2", "Value": "2"}]
    await make_group(
        api,
        "g",
        "alice",
        MemberList=[
            {"Member_Account": "bob", "Role": "Admin", "AppMemberDefinedData": data},
            {"Member_Account": "carol"},
        ],
    )
    body = {"GroupId": "g", "MemberRoleFilter": ["Owner", "Admin"], "MemberInfoFilter": ["Role"]}
    reply = await api.ok(G + "get_group_member_info", body)
    assert reply["MemberNum"] == 3
    assert reply["MemberList"] == [
        {"Member_Account": "alice", "Role": "Owner"},
        {"Member_Account": "bob", "Role": "Admin"},
    ]
    body = {
        "GroupId": "g",
        "MemberRoleFilter": ["Admin"],
        "AppDefinedDataFilter_GroupMember": ["k2"],
    }
    (bob,) = (await api.ok(G + "get_group_member_info", body))["MemberList"]
    assert bob["AppMemberDefinedData"] == [{"Key": "k2", "Value": "2"}]
    assert bob["Role"] == "Admin" and "JoinTime" in bob  # no MemberInfoFilter: every field
    body = {"GroupId": "g", "MemberRoleFilter": ["Admin"]}
    (bob,) = (await api.ok(G + "get_group_member_info", body))["MemberList"]
    assert bob["AppMemberDefinedData"] == data


async def test_get_group_member_info_community_uses_next_cursor(api: Client) -> None:
    users = [f"u{i}" for i in range(5)]
    await api.accounts(*users)
    await make_group(api, "@TGS#_c", "u4", *users[:4], Type="Community")
    seen: list[str] = []
    cursor = ""
    for _ in range(5):
        body = {"GroupId": "@TGS#_c", "Limit": 2, "Next": cursor, "Offset": 3}
        data = await api.ok(G + "get_group_member_info", body)
        assert data["MemberNum"] == 5
        seen += [m["Member_Account"] for m in data["MemberList"]]
        cursor = data["Next"]
        if not cursor:
            break
    assert seen == users  # Offset is ignored for Community groups
    data = await api.ok(G + "get_group_member_info", {"GroupId": "@TGS#_c"})
    assert len(data["MemberList"]) == 5 and data["Next"] == ""


async def test_get_group_member_info_errors(api: Client) -> None:
    await api.ok(G + "create_group", {"Type": "AVChatRoom", "Name": "x", "GroupId": "av"})
    await make_group(api, "g")
    await make_group(api, "@TGS#_c", Type="Community")
    cases: list[tuple[dict[str, Any], int]] = [
        ({"GroupId": "av"}, 10007),
        ({"GroupId": "nope"}, 10010),
        ({"GroupId": ""}, 10015),
        ({"GroupId": "g", "MemberRoleFilter": ["King"]}, 10004),
        ({"GroupId": "g", "Limit": 6001}, 10004),
        ({"GroupId": "g", "Limit": -1}, 10004),
        ({"GroupId": "g", "Offset": -1}, 10004),
        ({"GroupId": "@TGS#_c", "Limit": 101}, 10004),
        ({"GroupId": "@TGS#_c", "Next": "not base64!"}, 10004),
    ]
    for body, expected in cases:
        assert await code(api, "get_group_member_info", body) == expected, body


async def test_get_group_member_info_over_1mb_is_10018(api: Client) -> None:
    users = [f"member-with-a-long-name-{i:05}" for i in range(5500)]
    for i in range(0, len(users), 100):
        await api.accounts(*users[i : i + 100])
    await make_group(api, "big")
    for i in range(0, len(users), 300):
        batch = [{"Member_Account": u} for u in users[i : i + 300]]
        await api.ok(G + "import_group_member", {"GroupId": "big", "MemberList": batch})
    assert await code(api, "get_group_member_info", {"GroupId": "big"}) == 10018
    data = await api.ok(G + "get_group_member_info", {"GroupId": "big", "Limit": 100})
    assert data["MemberNum"] == 5500


# --- change_group_owner -------------------------------------------------------------------------


async def test_change_group_owner_old_owner_becomes_member(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(api, "g", "alice", "bob")
    await api.ok(G + "change_group_owner", {"GroupId": "g", "NewOwner_Account": "bob"})
    assert await members_of(api, "g") == {"alice": "Member", "bob": "Owner"}
    assert await group_field(api, "g", "Owner_Account") == "bob"
    assert await group_field(api, "g", "InfoSeq") == 1
    await api.ok(G + "change_group_owner", {"GroupId": "g", "NewOwner_Account": "bob"})
    assert await members_of(api, "g") == {"alice": "Member", "bob": "Owner"}


async def test_change_group_owner_gives_an_ownerless_group_an_owner(api: Client) -> None:
    await api.accounts("bob")
    await make_group(api, "g", "", "bob")
    await api.ok(G + "change_group_owner", {"GroupId": "g", "NewOwner_Account": "bob"})
    assert await members_of(api, "g") == {"bob": "Owner"}


async def test_change_group_owner_errors(api: Client) -> None:
    await api.accounts("alice", "bob")
    await make_group(api, "g", "alice")
    await api.ok(G + "create_group", {"Type": "AVChatRoom", "Name": "x", "GroupId": "av"})
    cases: list[tuple[dict[str, Any], int]] = [
        ({"GroupId": "g", "NewOwner_Account": "bob"}, 10004),  # not a member
        ({"GroupId": "g", "NewOwner_Account": ""}, 10004),
        ({"GroupId": "av", "NewOwner_Account": "bob"}, 10007),
        ({"GroupId": "nope", "NewOwner_Account": "bob"}, 10010),
        ({"GroupId": "", "NewOwner_Account": "bob"}, 10015),
    ]
    for body, expected in cases:
        assert await code(api, "change_group_owner", body) == expected, body
    assert await members_of(api, "g") == {"alice": "Owner"}


# --- import_group -------------------------------------------------------------------------------


async def test_import_group_keeps_create_time_and_owner(api: Client) -> None:
    await api.accounts("alice")
    body = {
        "Owner_Account": "alice",
        "Type": "Public",
        "GroupId": "old",
        "Name": "Old Forum",
        "CreateTime": 1500000000,
        "MemberList": [{"Member_Account": "ignored"}],
    }
    assert (await api.ok(G + "import_group", body))["GroupId"] == "old"
    data = await api.ok(G + "get_group_info", {"GroupIdList": ["old"]})
    item = data["GroupInfo"][0]
    assert item["CreateTime"] == 1500000000 and item["MaxMemberNum"] == 2000
    assert item["MemberList"] == [
        {
            **item["MemberList"][0],
            "Member_Account": "alice",
            "Role": "Owner",
            "JoinTime": 1500000000,
        }
    ]
    generated = await api.ok(G + "import_group", {"Type": "Community", "Name": "c"})
    assert generated["GroupId"].startswith("@TGS#_@TGS#c")


async def test_imported_work_groups_need_no_activation(api: Client) -> None:
    await api.accounts("alice")
    body = {"Type": "Work", "Name": "w", "GroupId": "w", "Owner_Account": "alice"}
    await api.ok(G + "import_group", body)
    data = await api.ok(G + "get_joined_group_list", {"Member_Account": "alice"})
    assert data["GroupIdList"] == [{"GroupId": "w"}]


async def test_import_group_errors(api: Client) -> None:
    await api.accounts("alice")
    await api.ok(G + "import_group", {"Type": "Public", "Name": "x", "GroupId": "taken"})
    future = int(time.time()) + 3600
    cases: list[tuple[dict[str, Any], int]] = [
        ({"Type": "AVChatRoom", "Name": "x"}, 10007),
        ({"Type": "Public", "Name": "x", "GroupId": "taken"}, 10021),
        ({"Type": "Public", "Name": "x", "GroupId": "taken", "Owner_Account": "alice"}, 10021),
        ({"Type": "Public", "Name": "x", "CreateTime": future}, 10004),
        ({"Type": "Public", "Name": "x", "CreateTime": -1}, 10004),
        ({"Type": "Nope", "Name": "x"}, 10004),
        ({"Type": "Public", "Name": ""}, 10004),
        ({"Type": "Public", "Name": "x", "MaxMemberCount": 6001}, 10004),
        ({"Type": "Public", "Name": "x", "GroupId": "@TGS#x"}, 10015),
        ({"Type": "Public", "Name": "x", "Owner_Account": "ghost"}, 10019),
    ]
    for body, expected in cases:
        assert await code(api, "import_group", body) == expected, body


# --- import_group_member ------------------------------------------------------------------------


async def test_import_group_member_results_and_roles(api: Client) -> None:
    await api.accounts("alice", "bob", "carol", "dave")
    await api.ok(
        G + "import_group",
        {
            "Type": "Public",
            "Name": "x",
            "GroupId": "g",
            "Owner_Account": "alice",
            "CreateTime": 1500000000,
        },
    )
    body = {
        "GroupId": "g",
        "MemberList": [
            {"Member_Account": "bob", "Role": "Admin", "JoinTime": 1500000100},
            {"Member_Account": "carol", "JoinTime": 1400000000},  # before the group existed
            {"Member_Account": "alice"},
            {"Member_Account": "ghost"},
            {"Member_Account": "dave", "JoinTime": int(time.time()) + 3600},  # in the future
        ],
    }
    data = await api.ok(G + "import_group_member", body)
    assert data["MemberList"] == [
        {"Member_Account": "bob", "Result": 1},
        {"Member_Account": "carol", "Result": 0},
        {"Member_Account": "alice", "Result": 2},
        {"Member_Account": "ghost", "Result": 0},
        {"Member_Account": "dave", "Result": 0},
    ]
    info = await api.ok(
        G + "get_group_member_info", {"GroupId": "g", "MemberInfoFilter": ["Role", "JoinTime"]}
    )
    assert info["MemberList"] == [
        {"Member_Account": "alice", "Role": "Owner", "JoinTime": 1500000000},
        {"Member_Account": "bob", "Role": "Admin", "JoinTime": 1500000100},
    ]


async def test_import_group_member_unread_is_clamped_to_message_count(api: Client) -> None:
    await api.accounts("bob", "carol", "dave")
    await api.ok(G + "import_group", {"Type": "Public", "Name": "x", "GroupId": "g"})
    await send(api, "g", 3)
    body = {
        "GroupId": "g",
        "MemberList": [
            {"Member_Account": "bob", "UnreadMsgNum": 2},
            {"Member_Account": "carol", "UnreadMsgNum": 50},
            {"Member_Account": "dave"},
        ],
    }
    await api.ok(G + "import_group_member", body)
    data = await api.ok(
        G + "get_group_member_info", {"GroupId": "g", "MemberInfoFilter": ["MsgSeq"]}
    )
    seqs = {m["Member_Account"]: m["MsgSeq"] for m in data["MemberList"]}
    assert seqs == {"bob": 1, "carol": 0, "dave": 3}
    query = {
        "Member_Account": "carol",
        "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum"]},
    }
    listed = await api.ok(G + "get_joined_group_list", query)
    assert listed["GroupIdList"][0]["SelfInfo"] == {"UnreadMsgNum": 3}


async def test_import_group_member_into_a_full_group_reports_result_0(api: Client) -> None:
    await api.accounts("bob", "carol")
    await api.ok(
        G + "import_group", {"Type": "Public", "Name": "x", "GroupId": "g", "MaxMemberCount": 1}
    )
    body = {"GroupId": "g", "MemberList": [{"Member_Account": "bob"}, {"Member_Account": "carol"}]}
    data = await api.ok(G + "import_group_member", body)
    assert [m["Result"] for m in data["MemberList"]] == [1, 0]


async def test_import_group_member_errors(api: Client) -> None:
    await api.ok(G + "create_group", {"Type": "AVChatRoom", "Name": "x", "GroupId": "av"})
    await make_group(api, "g")
    one = [{"Member_Account": "bob"}]
    cases: list[tuple[dict[str, Any], int]] = [
        ({"GroupId": "av", "MemberList": one}, 10007),
        ({"GroupId": "nope", "MemberList": one}, 10010),
        ({"GroupId": "", "MemberList": one}, 10015),
        ({"GroupId": "g", "MemberList": []}, 10004),
        ({"GroupId": "g", "MemberList": [{"Member_Account": "bob", "Role": "Owner"}]}, 10004),
        ({"GroupId": "g", "MemberList": [{"Member_Account": "bob", "UnreadMsgNum": -1}]}, 10004),
        ({"GroupId": "g", "MemberList": [{"Member_Account": f"u{i}"} for i in range(301)]}, 10005),
    ]
    for body, expected in cases:
        assert await code(api, "import_group_member", body) == expected, body


async def test_added_members_start_with_nothing_unread(api: Client) -> None:
    await api.accounts("bob")
    await make_group(api, "g")
    await send(api, "g", 2)
    await api.ok(
        G + "add_group_member", {"GroupId": "g", "MemberList": [{"Member_Account": "bob"}]}
    )
    query = {
        "Member_Account": "bob",
        "ResponseFilter": {"SelfInfoFilter": ["UnreadMsgNum", "MsgSeq"]},
    }
    listed = await api.ok(G + "get_joined_group_list", query)
    assert listed["GroupIdList"][0]["SelfInfo"] == {"UnreadMsgNum": 0, "MsgSeq": 2}
    await send(api, "g", 1, first=2)
    listed = await api.ok(G + "get_joined_group_list", query)
    assert listed["GroupIdList"][0]["SelfInfo"] == {"UnreadMsgNum": 1, "MsgSeq": 2}
