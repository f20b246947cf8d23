"""Conversation groups and conversation marks (recentcontact), on both engines."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

import group_msg_helpers as gm
from c2c_helpers import CREATE, DEL_GROUP, GET_GROUPS, MARK, SEARCH, UPDATE, entries, send
from conftest import Client
from opentim.storage import Storage
from probe import snapshot

C1 = {"Type": 1, "To_Account": "p1"}
C2 = {"Type": 1, "To_Account": "p2"}


async def create(api: Client, name: str, *items: dict[str, Any], owner: str = "me") -> int:
    body = {
        "From_Account": owner,
        "GroupContactItem": [{"GroupName": name, "ContactItem": list(items)}],
    }
    data = await api.ok(CREATE, body)
    group_id: int = data["GroupResultItem"][0]["GroupItem"]["GroupId"]
    return group_id


async def mark(api: Client, owner: str, *items: dict[str, Any]) -> list[int]:
    data = await api.ok(MARK, {"From_Account": owner, "MarkItem": list(items)})
    return [r["ResultCode"] for r in data["ResultItem"]]


async def contacts(api: Client, owner: str = "me") -> dict[str, Any]:
    """get_contact_group's first page: {peer: item} and the groups."""
    data = await api.ok(GET_GROUPS, {"From_Account": owner, "StartIndex": 0})
    found = {i.get("To_Account") or i["ToGroupId"]: i for i in data["ContactItem"]}
    return {"items": found, "groups": data["GroupItem"]}


async def test_create_contact_group_answers_the_group_and_per_item_results(api: Client) -> None:
    await api.accounts("me", "p1")
    body = {"From_Account": "me", "GroupContactItem": [{"GroupName": "work", "ContactItem": [C1]}]}
    data = await api.ok(CREATE, body)
    assert data["GroupResultItem"] == [
        {
            "GroupItem": {"GroupName": "work", "GroupId": 1},
            "ResultItem": [{"ContactItem": C1, "ResultCode": 0, "ResultInfo": ""}],
        }
    ]
    assert data["ErrorDisplay"] == ""
    assert await create(api, "home") == 2
    assert (await contacts(api))["items"]["p1"]["ContactGroupId"] == [1]


async def test_create_contact_group_per_item_codes(api: Client) -> None:
    group = await gm.make_group(api, "real", owner="me", members=())
    await api.accounts("p1")
    items = [
        C1,
        {"Type": 1, "To_Account": "ghost"},
        {"Type": 2, "ToGroupId": group},
        {"Type": 2, "ToGroupId": "@TGS#gone"},
        {"Type": 2, "To_Account": "p1"},
        {"Type": 9, "To_Account": "p1"},
    ]
    body = {"From_Account": "me", "GroupContactItem": [{"GroupName": "w", "ContactItem": items}]}
    data = await api.ok(CREATE, body)
    codes = [r["ResultCode"] for r in data["GroupResultItem"][0]["ResultItem"]]
    assert codes == [0, 50001, 0, 51007, 50002, 50002]
    assert sorted((await contacts(api))["items"]) == ["p1", "real"]


@pytest.mark.parametrize(
    "groups,code",
    [
        ([], 50002),
        ([{"GroupName": "a"}, {"GroupName": "b"}], 50002),
        ([{"GroupName": ""}], 51011),
        ([{"GroupName": "x" * 33}], 51011),
        ([{"GroupName": "é" * 17}], 51011),
    ],
)
async def test_create_contact_group_failure_codes(
    api: Client, storage: Storage, groups: list[dict[str, Any]], code: int
) -> None:
    await api.accounts("me")
    before = await snapshot(storage, api.sdkappid)
    data = await api(CREATE, {"From_Account": "me", "GroupContactItem": groups})
    assert data["ErrorCode"] == code, data
    assert await snapshot(storage, api.sdkappid) == before


async def test_group_name_of_32_bytes_is_accepted_and_names_are_unique(api: Client) -> None:
    await api.accounts("me")
    await create(api, "é" * 16)
    body = {"From_Account": "me", "GroupContactItem": [{"GroupName": "é" * 16}]}
    assert (await api(CREATE, body))["ErrorCode"] == 50002


async def test_at_most_20_conversation_groups(api: Client) -> None:
    await api.accounts("me")
    ids = [await create(api, f"g{i}") for i in range(20)]
    assert ids == list(range(1, 21))
    body = {"From_Account": "me", "GroupContactItem": [{"GroupName": "g20"}]}
    assert (await api(CREATE, body))["ErrorCode"] == 51010
    await api.ok(DEL_GROUP, {"From_Account": "me", "GroupName": ["g5"]})
    assert await create(api, "g20") == 21  # IDs are not reused


async def test_del_contact_group_removes_its_id_from_every_entry(api: Client) -> None:
    await api.accounts("me", "p1", "p2", "p3")
    p3 = {"Type": 1, "To_Account": "p3"}
    await create(api, "gone", C1, C2, p3)
    await create(api, "kept", C2)
    await mark(api, "me", {"OptType": 2, "ContactItem": C1, "CustomMark": "vip"})
    await send(api, "p1", "me", "hello")
    data = await api.ok(DEL_GROUP, {"From_Account": "me", "GroupName": ["gone"]})
    assert await entries(api, "me") == [(1, "p1")]  # the conversation itself stays
    assert data["GroupItem"] == [{"GroupName": "gone", "GroupId": 1}]
    assert "ErrorDisplay" not in data
    found = await contacts(api)
    assert found["groups"] == [{"GroupName": "kept", "GroupId": 2}]
    assert (
        "ContactGroupId" not in found["items"]["p1"] and found["items"]["p1"]["CustomMark"] == "vip"
    )
    assert found["items"]["p2"]["ContactGroupId"] == [2]
    assert "p3" not in found["items"]  # left with no data: no longer counted


async def test_deleting_a_conversation_group_twice_is_51009(api: Client) -> None:
    await api.accounts("me")
    await create(api, "g")
    await api.ok(DEL_GROUP, {"From_Account": "me", "GroupName": ["g"]})
    assert (await api(DEL_GROUP, {"From_Account": "me", "GroupName": ["g"]}))["ErrorCode"] == 51009


@pytest.mark.parametrize(
    "body,code",
    [
        ({"GroupName": ["a", "b"]}, 50002),
        ({"GroupName": []}, 50002),
        ({}, 50002),
        ({"GroupName": ["a"], "From_Account": "ghost"}, 50001),
        ({"GroupName": ["missing"]}, 51009),
    ],
)
async def test_rejected_del_contact_group_deletes_nothing(
    api: Client, storage: Storage, body: dict[str, Any], code: int
) -> None:
    await api.accounts("me", "p1")
    await create(api, "a", C1)
    await create(api, "b", C1)
    before = await snapshot(storage, api.sdkappid)
    assert (await api(DEL_GROUP, {"From_Account": "me", **body}))["ErrorCode"] == code
    assert await snapshot(storage, api.sdkappid) == before


async def test_update_contact_group_renames_and_keeps_the_id(api: Client) -> None:
    await api.accounts("me")
    await create(api, "old")
    await create(api, "other")
    body = {
        "From_Account": "me",
        "UpdateType": 1,
        "UpdateGroup": {"UpdateGroupType": 1, "OldGroupName": "old", "NewGroupName": "new"},
    }
    data = await api.ok(UPDATE, body)
    assert data["UpdateType"] == 1
    assert data["UpdateGroupResult"] == {
        "UpdateGroupType": 1,
        "GroupName": "new",
        "GroupId": 1,
        "OldGroupName": "old",
    }
    assert (await api(UPDATE, body))["ErrorCode"] == 51009  # "old" is gone now
    taken = {**body["UpdateGroup"], "OldGroupName": "new", "NewGroupName": "other"}
    assert (await api(UPDATE, {**body, "UpdateGroup": taken}))["ErrorCode"] == 50002
    long = {**body["UpdateGroup"], "OldGroupName": "new", "NewGroupName": "x" * 33}
    assert (await api(UPDATE, {**body, "UpdateGroup": long}))["ErrorCode"] == 51011


async def test_update_contact_group_adds_and_removes_conversations(api: Client) -> None:
    group = await gm.make_group(api, "team", owner="me", members=())
    await api.accounts("p1", "p2")
    await create(api, "work", C1)
    items = [
        {"ContactOptType": 1, "ContactItem": {"Type": 2, "ToGroupId": group}},
        {"ContactOptType": 1, "ContactItem": C2},
        {"ContactOptType": 2, "ContactItem": C1},
        {"ContactOptType": 1, "ContactItem": {"Type": 1, "To_Account": "ghost"}},
        {"ContactOptType": 3, "ContactItem": C2},
    ]
    body = {
        "From_Account": "me",
        "UpdateType": 1,
        "UpdateGroup": {"UpdateGroupType": 2, "OldGroupName": "work", "ContactUpdateItem": items},
    }
    data = await api.ok(UPDATE, body)
    result = data["UpdateGroupResult"]
    assert (result["GroupName"], result["OldGroupName"], result["GroupId"]) == ("work", "work", 1)
    codes = [r["ResultCode"] for r in result["ContactResultItem"]]
    assert codes == [0, 0, 0, 50001, 50002]
    assert result["ContactResultItem"][0]["ContactItem"] == {"Type": 2, "ToGroupId": group}
    assert sorted((await contacts(api))["items"]) == ["p2", group]


@pytest.mark.parametrize(
    "change,code",
    [
        ({"UpdateType": 2}, 50002),
        ({"UpdateGroup": {"UpdateGroupType": 3, "OldGroupName": "g"}}, 50002),
        ({"UpdateGroup": {"UpdateGroupType": 1, "OldGroupName": "g"}}, 50002),
        ({"UpdateGroup": {"UpdateGroupType": 2, "OldGroupName": "nope"}}, 51009),
        ({"From_Account": "ghost"}, 50001),
    ],
)
async def test_update_contact_group_failure_codes(
    api: Client, storage: Storage, change: dict[str, Any], code: int
) -> None:
    await api.accounts("me")
    await create(api, "g")
    body = {
        "From_Account": "me",
        "UpdateType": 1,
        "UpdateGroup": {"UpdateGroupType": 1, "OldGroupName": "g", "NewGroupName": "h"},
        **change,
    }
    before = await snapshot(storage, api.sdkappid)
    assert (await api(UPDATE, body))["ErrorCode"] == code
    assert await snapshot(storage, api.sdkappid) == before


async def test_mark_contact_sets_and_clears_standard_and_custom_marks(api: Client) -> None:
    await api.accounts("me", "p1")
    item = {"OptType": 3, "ContactItem": C1, "SetMark": [1, 2, 3, 6], "CustomMark": "abcd"}
    data = await api.ok(MARK, {"From_Account": "me", "MarkItem": [item]})
    assert data["ResultItem"] == [
        {"OptType": 3, "ContactItem": C1, "ResultCode": 0, "ResultInfo": ""}
    ]
    entry = (await contacts(api))["items"]["p1"]
    assert (entry["StandardMark"], entry["CustomMark"]) == ("100111", "abcd")
    assert isinstance(entry["Timestamp"], int) and "ContactGroupId" not in entry
    await mark(api, "me", {"OptType": 1, "ContactItem": C1, "ClearMark": [1], "SetMark": [64]})
    entry = (await contacts(api))["items"]["p1"]
    assert entry["StandardMark"] == "1" + "0" * 57 + "100110" and entry["CustomMark"] == "abcd"
    await mark(api, "me", {"OptType": 2, "ContactItem": C1})  # no CustomMark: cleared
    await mark(api, "me", {"OptType": 1, "ContactItem": C1, "ClearMark": [2, 3, 6, 64]})
    assert (await contacts(api))["items"] == {}  # nothing left: the entry stops counting


async def test_mark_contact_per_item_codes(api: Client) -> None:
    await api.accounts("me", "p1")
    codes = await mark(
        api,
        "me",
        {"OptType": 4, "ContactItem": C1},
        {"OptType": 1, "ContactItem": C1, "SetMark": [65]},
        {"OptType": 1, "ContactItem": C1, "SetMark": [0]},
        {"OptType": 2, "ContactItem": C1, "CustomMark": "x" * 257},
        {"OptType": 2, "ContactItem": {"Type": 1, "To_Account": "ghost"}, "CustomMark": "x"},
        {"OptType": 2, "ContactItem": {"Type": 2, "ToGroupId": "@TGS#gone"}, "CustomMark": "x"},
        {"OptType": 2, "ContactItem": {"Type": 1}, "CustomMark": "x"},
        {"OptType": 2, "ContactItem": C1, "CustomMark": "x" * 256},
    )
    assert codes == [50002, 50002, 50002, 50002, 50001, 51007, 50002, 0]


@pytest.mark.parametrize("count", [0, 101])
async def test_mark_contact_takes_1_to_100_items(api: Client, count: int) -> None:
    await api.accounts("me", "p1")
    items = [{"OptType": 2, "ContactItem": C1, "CustomMark": "x"}] * count
    assert (await api(MARK, {"From_Account": "me", "MarkItem": items}))["ErrorCode"] == 51006


async def test_at_most_1000_conversations_carry_data(api: Client) -> None:
    users = [f"u{i:04d}" for i in range(1001)]
    await api.accounts("me")
    for start in range(0, len(users), 100):
        await api.accounts(*users[start : start + 100])
    items = [{"Type": 1, "To_Account": u} for u in users[:1000]]
    await create(api, "all", *items)
    last = {"Type": 1, "To_Account": users[1000]}
    assert await mark(api, "me", {"OptType": 2, "ContactItem": last, "CustomMark": "x"}) == [51008]
    assert await mark(api, "me", {"OptType": 2, "ContactItem": items[0], "CustomMark": "x"}) == [0]
    data = await api.ok(
        CREATE,
        {
            "From_Account": "me",
            "GroupContactItem": [{"GroupName": "more", "ContactItem": [last, items[1]]}],
        },
    )
    assert [r["ResultCode"] for r in data["GroupResultItem"][0]["ResultItem"]] == [51008, 0]
    pages = [await api.ok(GET_GROUPS, {"From_Account": "me", "StartIndex": 0})]
    while not pages[-1]["CompleteFlag"]:
        start = pages[-1]["NextStartIndex"]
        pages.append(await api.ok(GET_GROUPS, {"From_Account": "me", "StartIndex": start}))
    assert [len(p["ContactItem"]) for p in pages] == [100] * 10
    assert pages[-1]["NextStartIndex"] == 0 and pages[0]["NextStartIndex"] == 100


async def test_below_the_top_edition_groups_and_standard_marks_are_51013(make_api: Any) -> None:
    api = await make_api(edition="pro")
    await api.accounts("me", "p1")
    body = {"From_Account": "me", "GroupContactItem": [{"GroupName": "g"}]}
    assert (await api(CREATE, body))["ErrorCode"] == 51013
    update = {"UpdateGroupType": 1, "OldGroupName": "g", "NewGroupName": "h"}
    body = {"From_Account": "me", "UpdateType": 1, "UpdateGroup": update}
    assert (await api(UPDATE, body))["ErrorCode"] == 51013
    assert (await api(DEL_GROUP, {"From_Account": "me", "GroupName": ["g"]}))["ErrorCode"] == 51013
    codes = await mark(
        api,
        "me",
        {"OptType": 1, "ContactItem": C1, "SetMark": [1]},
        {"OptType": 3, "ContactItem": C1, "SetMark": [1], "CustomMark": "c"},
        {"OptType": 2, "ContactItem": C1, "CustomMark": "custom marks work everywhere"},
    )
    assert codes == [51013, 51013, 0]
    data = await api.ok(SEARCH, {"From_Account": "me", "ContactItem": [C1]})
    assert data["ContactResultItem"][0]["CustomMark"] == "custom marks work everywhere"


async def test_search_contact_group_returns_found_entries_and_all_groups(api: Client) -> None:
    await api.accounts("me", "p1", "p2", "p3")
    await create(api, "a", C1)
    await create(api, "b", C1)
    await mark(api, "me", {"OptType": 3, "ContactItem": C2, "SetMark": [2], "CustomMark": "m"})
    body = {"From_Account": "me", "ContactItem": [C2, {"Type": 1, "To_Account": "p3"}, C1]}
    data = await api.ok(SEARCH, body)
    assert [(i["To_Account"], i.get("ContactGroupId")) for i in data["ContactResultItem"]] == [
        ("p2", None),
        ("p1", [1, 2]),
    ]
    assert data["ContactResultItem"][0]["StandardMark"] == "10"
    assert data["GroupItem"] == [{"GroupName": "a", "GroupId": 1}, {"GroupName": "b", "GroupId": 2}]
    assert data["ErrorDisplay"] == ""


@pytest.mark.parametrize(
    "body,code",
    [
        ({"ContactItem": [C1] * 301}, 50002),
        ({"ContactItem": [{"Type": 1}]}, 50002),
        ({"From_Account": "ghost", "ContactItem": [C1]}, 50001),
    ],
)
async def test_search_contact_group_failure_codes(
    api: Client, body: dict[str, Any], code: int
) -> None:
    await api.accounts("me")
    assert (await api(SEARCH, {"From_Account": "me", **body}))["ErrorCode"] == code


@pytest.mark.parametrize(
    "body,code", [({"StartIndex": -1}, 50002), ({"From_Account": "ghost"}, 50001)]
)
async def test_get_contact_group_failure_codes(
    api: Client, body: dict[str, Any], code: int
) -> None:
    await api.accounts("me")
    assert (await api(GET_GROUPS, {"From_Account": "me", **body}))["ErrorCode"] == code


async def test_contact_groups_on_the_client_api_belong_to_the_caller(api: Client) -> None:
    await api.accounts("me", "p1", "other")
    body = {"GroupContactItem": [{"GroupName": "mine", "ContactItem": [C1]}]}
    assert (await api.as_user("me", CREATE, body))["ErrorCode"] == 0
    assert (await contacts(api, "me"))["groups"] == [{"GroupName": "mine", "GroupId": 1}]
    assert (await contacts(api, "other"))["groups"] == []
    denied = await api.as_user("me", DEL_GROUP, {"From_Account": "other", "GroupName": ["mine"]})
    assert denied["ErrorCode"] == 50003
    data = await api.as_user("me", GET_GROUPS, {"StartIndex": 0})
    assert data["GroupItem"] == [{"GroupName": "mine", "GroupId": 1}]


async def test_a_disbanded_groups_marks_go_with_it(api: Client) -> None:
    group = await gm.make_group(api, "g1", owner="me", members=())
    item = {"Type": 2, "ToGroupId": group}
    await create(api, "w", item)
    await mark(api, "me", {"OptType": 2, "ContactItem": item, "CustomMark": "x"})
    await api.ok("group_open_http_svc/destroy_group", {"GroupId": group})
    found = await contacts(api)
    assert found["items"] == {} and found["groups"] == [{"GroupName": "w", "GroupId": 1}]


async def test_concurrent_creates_never_pass_20_groups(api: Client) -> None:
    await api.accounts("me")
    bodies = [
        {"From_Account": "me", "GroupContactItem": [{"GroupName": f"g{i}"}]} for i in range(25)
    ]
    answers = await asyncio.gather(*(api(CREATE, b) for b in bodies))
    assert sorted(a["ErrorCode"] for a in answers) == [0] * 20 + [51010] * 5
    assert len((await contacts(api))["groups"]) == 20
