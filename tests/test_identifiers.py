"""Identifiers at and over their limits, non-ASCII, control bytes and SQL metacharacters.

UserIDs (≤ 32 bytes), group IDs (≤ 48) and topic IDs (≤ 96) are printable ASCII: each one is
either stored and returned byte for byte, or refused with the documented code — never
mangled, never matched as a pattern, never an internal error.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Client
from opentim.storage import Storage
from probe import snapshot

SQL_AND_PATTERNS = [
    "o'neil",
    'say "hi"',
    "a;--",
    "x' OR '1'='1",
    "%",
    "_",
    "a%b",
    "a_b",
    "back\\slash",
    "$1",
    "?",
    "[x]",
    "a b",
    " lead",
    "trail ",
    "~!@#^&*()+={}|:<>,./",
]
NOT_PRINTABLE = ["é", "名字", "\U0001f600", "tab\tx", "nl\nx", "nul\x00x", "del\x7fx", "\x1b[31m"]


async def check_accounts(api: Client, user_ids: list[str]) -> list[dict[str, Any]]:
    data = await api.ok(
        "im_open_login_svc/account_check", {"CheckItem": [{"UserID": u} for u in user_ids]}
    )
    items: list[dict[str, Any]] = data["ResultItem"]
    return items


async def test_user_ids_up_to_32_bytes_with_metacharacters_round_trip(api: Client) -> None:
    ids = [*SQL_AND_PATTERNS, "u" * 32, "~" * 32]
    for user_id in ids:
        await api.ok("im_open_login_svc/account_import", {"UserID": user_id})
    items = await check_accounts(api, [*ids, "a"])
    assert [i["UserID"] for i in items] == [*ids, "a"]
    assert [i["AccountStatus"] for i in items] == ["Imported"] * len(ids) + ["NotImported"]


async def test_pattern_characters_match_only_themselves(api: Client) -> None:
    await api.ok("im_open_login_svc/account_import", {"UserID": "a_b"})
    items = await check_accounts(api, ["a_b", "axb", "a%", "%", "_"])
    assert [i["AccountStatus"] for i in items] == ["Imported"] + ["NotImported"] * 4


async def test_bad_user_ids_are_70402_and_store_nothing(api: Client, storage: Storage) -> None:
    before = await snapshot(storage, api.sdkappid)
    for user_id in ["", "u" * 33, *NOT_PRINTABLE]:
        data = await api("im_open_login_svc/account_import", {"UserID": user_id})
        assert data["ErrorCode"] == 70402, (user_id, data)
    data = await api.ok(
        "im_open_login_svc/multiaccount_import", {"Accounts": ["ok1", "u" * 33, *NOT_PRINTABLE]}
    )
    assert data["FailAccounts"] == ["u" * 33, *NOT_PRINTABLE]
    after = await snapshot(storage, api.sdkappid)
    added = [row for row in after["accounts"] if row not in before["accounts"]]
    assert [row[1] for row in added] == ["ok1"]  # (sdkappid, user_id, ...)


async def test_user_id_with_metacharacters_signs_in_on_the_client_api(api: Client) -> None:
    for user_id in ("o'neil", "a b", "x%_y", "~!@#^&*()+={}|:<>,./"):
        await api.accounts(user_id)
        data = await api.as_user(user_id, "recentcontact/get_list", {})
        assert data["ErrorCode"] == 0, (user_id, data)


def group(group_id: str, **extra: Any) -> dict[str, Any]:
    return {"Type": "Public", "Name": "n", "GroupId": group_id, **extra}


async def group_ids(api: Client) -> list[str]:
    data = await api.ok("group_open_http_svc/get_appid_group_list", {"Limit": 10000})
    return [g["GroupId"] for g in data["GroupIdList"]]


async def test_group_ids_up_to_48_bytes_with_metacharacters_round_trip(api: Client) -> None:
    ids = [*SQL_AND_PATTERNS, "g" * 48, "~" * 48]
    for group_id in ids:
        created = await api.ok("group_open_http_svc/create_group", group(group_id))
        assert created["GroupId"] == group_id
    assert sorted(await group_ids(api)) == sorted(ids)
    info = await api.ok("group_open_http_svc/get_group_info", {"GroupIdList": ids})
    assert [g["GroupId"] for g in info["GroupInfo"]] == ids
    assert all(g["ErrorCode"] == 0 for g in info["GroupInfo"]), info


async def test_group_id_pattern_characters_match_only_themselves(api: Client) -> None:
    await api.ok("group_open_http_svc/create_group", group("a_b"))
    for other in ("axb", "a%", "%", "_"):
        data = await api("group_open_http_svc/destroy_group", {"GroupId": other})
        assert data["ErrorCode"] == 10010, (other, data)
    assert await group_ids(api) == ["a_b"]


@pytest.mark.parametrize("group_id", ["g" * 49, *NOT_PRINTABLE, "@TGS#mine"])
async def test_bad_group_ids_are_10015_and_store_nothing(
    api: Client, storage: Storage, group_id: str
) -> None:
    before = await snapshot(storage, api.sdkappid)
    data = await api("group_open_http_svc/create_group", group(group_id))
    assert data["ErrorCode"] == 10015, data
    for path, body in (
        ("group_open_http_svc/destroy_group", {"GroupId": group_id}),
        ("group_open_http_svc/add_group_member", {"GroupId": group_id, "MemberList": []}),
        (
            "group_open_http_svc/send_group_msg",
            {
                "GroupId": group_id,
                "Random": 1,
                "MsgBody": [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "x"}}],
            },
        ),
    ):
        data = await api(path, body)
        assert data["ErrorCode"] in (10015, 10010) and data["ErrorCode"] != 0, (path, data)
    assert await snapshot(storage, api.sdkappid) == before


async def test_topic_ids_up_to_96_bytes_round_trip_and_longer_are_refused(api: Client) -> None:
    community = "@TGS#_community"
    await api.ok(
        "group_open_http_svc/create_group",
        {"Type": "Community", "Name": "c", "GroupId": community, "SupportTopic": 1},
    )
    prefix = f"{community}@TOPIC#_"
    at_limit = prefix + "t" * (96 - len(prefix))
    good = [at_limit, prefix + "o'neil", prefix + "a%_b", prefix + "x' OR '1'='1"]
    for topic_id in good:
        data = await api.ok(
            "million_group_open_http_svc/create_topic",
            {"GroupId": community, "TopicId": topic_id, "TopicName": "t"},
        )
        assert data["TopicId"] == topic_id
    listed = await api.ok("million_group_open_http_svc/get_topic", {"GroupId": community})
    found = sorted(item["TopicInfo"]["TopicId"] for item in listed["TopicAndSelfInfo"])
    assert found == sorted(good)
    for bad in (
        at_limit + "t",
        prefix + "é",
        prefix + "tab\t",
        prefix + "nul\x00",
        "other@TOPIC#_x",
    ):
        data = await api(
            "million_group_open_http_svc/create_topic",
            {"GroupId": community, "TopicId": bad, "TopicName": "t"},
        )
        assert data["ErrorCode"] == 10004, (bad, data)
