"""create_group, add_group_member, destroy_group over the wire, on both engines."""

from __future__ import annotations

from conftest import Client


async def test_create_group_with_custom_id_and_members(api: Client) -> None:
    await api.accounts("alice", "bob", "carol")
    data = await api.ok(
        "group_open_http_svc/create_group",
        {
            "Owner_Account": "alice",
            "Type": "Public",
            "GroupId": "book-club",
            "Name": "Book Club",
            "MemberList": [{"Member_Account": "bob", "Role": "Admin"}, {"Member_Account": "carol"}],
        },
    )
    assert data["GroupId"] == "book-club"
    info = await api.ok(
        "group_open_http_svc/get_group_info",
        {"GroupIdList": ["book-club"], "ResponseFilter": {"MemberInfoFilter": ["Role"]}},
    )
    members = {m["Member_Account"]: m["Role"] for m in info["GroupInfo"][0]["MemberList"]}
    assert members == {"alice": "Owner", "bob": "Admin", "carol": "Member"}


async def test_create_group_generates_tgs_ids(api: Client) -> None:
    data = await api.ok("group_open_http_svc/create_group", {"Type": "Work", "Name": "w"})
    assert data["GroupId"].startswith("@TGS#")
    data = await api.ok(
        "group_open_http_svc/create_group", {"Type": "Community", "Name": "c", "SupportTopic": 1}
    )
    assert data["GroupId"].startswith("@TGS#_@TGS#c")
    assert data["Type"] == "Community" and data["HugeGroupFlag"] == 0


async def test_create_group_rejects_bad_input(api: Client) -> None:
    cases = [
        ({"Type": "Nope", "Name": "x"}, 10004),
        ({"Type": "Public", "Name": "x" * 31}, 10004),
        ({"Type": "Public", "Name": "x", "GroupId": "@TGS#mine"}, 10015),
        ({"Type": "Community", "Name": "x", "GroupId": "plain"}, 10015),
        ({"Type": "Public", "Name": "x", "GroupId": "x" * 49}, 10015),
        ({"Type": "Public", "Name": "x", "Owner_Account": "ghost"}, 10019),
        ({"Type": "AVChatRoom", "Name": "x", "MemberList": [{"Member_Account": "a"}]}, 10007),
        ({"Name": "x"}, 10004),
    ]
    for body, code in cases:
        data = await api("group_open_http_svc/create_group", body)
        assert data["ErrorCode"] == code, (body, data)


async def test_create_group_duplicate_id_is_10021_or_10025_for_same_owner(api: Client) -> None:
    await api.accounts("alice", "bob")
    body = {"Type": "Public", "Name": "x", "GroupId": "g1", "Owner_Account": "alice"}
    await api.ok("group_open_http_svc/create_group", body)
    assert (await api("group_open_http_svc/create_group", body))["ErrorCode"] == 10025
    body["Owner_Account"] = "bob"
    assert (await api("group_open_http_svc/create_group", body))["ErrorCode"] == 10021


async def test_add_group_member_reports_added_and_existing(api: Client) -> None:
    await api.accounts("alice", "bob", "dave")
    await api.ok(
        "group_open_http_svc/create_group",
        {
            "Type": "Public",
            "Name": "x",
            "GroupId": "g1",
            "Owner_Account": "alice",
            "MemberList": [{"Member_Account": "bob"}],
        },
    )
    data = await api.ok(
        "group_open_http_svc/add_group_member",
        {"GroupId": "g1", "MemberList": [{"Member_Account": "dave"}, {"Member_Account": "bob"}]},
    )
    assert data["MemberList"] == [
        {"Member_Account": "dave", "Result": 1},
        {"Member_Account": "bob", "Result": 2},
    ]


async def test_add_group_member_errors(api: Client) -> None:
    await api.accounts("alice")
    await api.ok(
        "group_open_http_svc/create_group", {"Type": "AVChatRoom", "Name": "x", "GroupId": "av"}
    )
    member = {"MemberList": [{"Member_Account": "alice"}]}
    assert (await api("group_open_http_svc/add_group_member", {"GroupId": "av", **member}))[
        "ErrorCode"
    ] == 10007
    assert (await api("group_open_http_svc/add_group_member", {"GroupId": "nope", **member}))[
        "ErrorCode"
    ] == 10010
    assert (await api("group_open_http_svc/add_group_member", {"GroupId": "", **member}))[
        "ErrorCode"
    ] == 10015
    await api.ok(
        "group_open_http_svc/create_group", {"Type": "Public", "Name": "x", "GroupId": "g"}
    )
    ghost = {"GroupId": "g", "MemberList": [{"Member_Account": "ghost"}]}
    assert (await api("group_open_http_svc/add_group_member", ghost))["ErrorCode"] == 10019
    many = {"GroupId": "g", "MemberList": [{"Member_Account": f"u{i}"} for i in range(301)]}
    assert (await api("group_open_http_svc/add_group_member", many))["ErrorCode"] == 10005


async def test_destroy_group_then_it_is_gone(api: Client) -> None:
    await api.ok(
        "group_open_http_svc/create_group", {"Type": "Public", "Name": "x", "GroupId": "g"}
    )
    await api.ok("group_open_http_svc/destroy_group", {"GroupId": "g"})
    assert (await api("group_open_http_svc/destroy_group", {"GroupId": "g"}))["ErrorCode"] == 10010
    # the ID becomes reusable
    await api.ok(
        "group_open_http_svc/create_group", {"Type": "Public", "Name": "x", "GroupId": "g"}
    )
