"""im_open_login_svc over the wire, on both engines."""

from __future__ import annotations

import time

from conftest import Client


async def test_account_import_then_check_reports_imported(api: Client) -> None:
    await api.ok("im_open_login_svc/account_import", {"UserID": "alice", "Nick": "Alice"})
    data = await api.ok(
        "im_open_login_svc/account_check", {"CheckItem": [{"UserID": "alice"}, {"UserID": "zed"}]}
    )
    assert data["ResultItem"] == [
        {"UserID": "alice", "ResultCode": 0, "ResultInfo": "", "AccountStatus": "Imported"},
        {"UserID": "zed", "ResultCode": 0, "ResultInfo": "", "AccountStatus": "NotImported"},
    ]


async def test_account_import_accepts_legacy_identifier_field(api: Client) -> None:
    await api.ok("im_open_login_svc/account_import", {"Identifier": "legacy"})
    data = await api.ok("im_open_login_svc/account_check", {"CheckItem": [{"UserID": "legacy"}]})
    assert data["ResultItem"][0]["AccountStatus"] == "Imported"


async def test_account_import_is_idempotent(api: Client) -> None:
    await api.ok("im_open_login_svc/account_import", {"UserID": "alice"})
    await api.ok("im_open_login_svc/account_import", {"UserID": "alice", "Nick": "again"})


async def test_account_import_rejects_bad_user_ids_with_70402(api: Client) -> None:
    for bad in ({}, {"UserID": ""}, {"UserID": "x" * 33}, {"UserID": "tab\there"}):
        data = await api("im_open_login_svc/account_import", bad)
        assert data["ErrorCode"] == 70402, (bad, data)


async def test_account_import_numeric_user_id_is_60015(api: Client) -> None:
    data = await api("im_open_login_svc/account_import", {"UserID": 12345})
    assert data["ErrorCode"] == 60015


async def test_account_import_profile_over_500_bytes_is_40601(api: Client) -> None:
    data = await api("im_open_login_svc/account_import", {"UserID": "a", "Nick": "n" * 501})
    assert data["ErrorCode"] == 40601


async def test_multiaccount_import_reports_fail_accounts(api: Client) -> None:
    data = await api.ok(
        "im_open_login_svc/multiaccount_import", {"Accounts": ["u1", "u2", "x" * 40, "u1"]}
    )
    assert data["FailAccounts"] == ["x" * 40]
    checked = await api.ok(
        "im_open_login_svc/account_check", {"CheckItem": [{"UserID": "u1"}, {"UserID": "u2"}]}
    )
    assert [i["AccountStatus"] for i in checked["ResultItem"]] == ["Imported", "Imported"]


async def test_multiaccount_import_new_account_list_form(api: Client) -> None:
    data = await api.ok(
        "im_open_login_svc/multiaccount_import",
        {"AccountList": [{"UserID": "n1", "Nick": "One"}, {"UserID": "n2"}]},
    )
    assert data["FailAccounts"] == []


async def test_multiaccount_import_over_100_is_rejected(api: Client) -> None:
    data = await api(
        "im_open_login_svc/multiaccount_import", {"Accounts": [f"u{i}" for i in range(101)]}
    )
    assert data["ErrorCode"] == 70402


async def test_account_delete_reports_missing_accounts_per_item(api: Client) -> None:
    await api.accounts("u1")
    data = await api.ok(
        "im_open_login_svc/account_delete", {"DeleteItem": [{"UserID": "u1"}, {"UserID": "ghost"}]}
    )
    assert data["ResultItem"] == [
        {"ResultCode": 0, "ResultInfo": "", "UserID": "u1"},
        {
            "ResultCode": 70107,
            "ResultInfo": "Err_TLS_PT_Open_Login_Account_Not_Exist",
            "UserID": "ghost",
        },
    ]
    checked = await api.ok("im_open_login_svc/account_check", {"CheckItem": [{"UserID": "u1"}]})
    assert checked["ResultItem"][0]["AccountStatus"] == "NotImported"


async def test_account_delete_disabled_app_answers_71000(make_api) -> None:  # type: ignore[no-untyped-def]
    api = await make_api(allow_account_delete=False)
    data = await api("im_open_login_svc/account_delete", {"DeleteItem": [{"UserID": "u1"}]})
    assert data["ErrorCode"] == 71000


async def test_kick_unknown_account_is_70107(api: Client) -> None:
    data = await api("im_open_login_svc/kick", {"UserID": "nobody"})
    assert data["ErrorCode"] == 70107


async def test_kick_invalidates_older_usersigs_but_not_newer(api: Client) -> None:
    await api.accounts("alice")
    before = api.sig("alice", now=int(time.time()) - 10)
    await api.ok("im_open_login_svc/kick", {"UserID": "alice"})
    query = {"sdkappid": api.sdkappid, "identifier": "alice", "usersig": before}
    old = await api.post("/client/v1/group_open_http_svc/get_joined_group_list", {}, params=query)
    assert old["ErrorCode"] == 70001
    query["usersig"] = api.sig("alice", now=int(time.time()) + 2)
    new = await api.post("/client/v1/group_open_http_svc/get_joined_group_list", {}, params=query)
    assert new["ErrorCode"] == 0, new


async def test_accounts_found_recently_are_still_checked_after_a_delete_or_import(
    api: Client,
) -> None:
    # A command trusts an account it found within the last second, but a deletion in this
    # process takes effect at once, and an absent account is always looked up again.
    await api.ok("im_open_login_svc/account_import", {"UserID": "alice"})
    await api.ok("im_open_login_svc/account_import", {"UserID": "bob"})
    msg = {"From_Account": "alice", "To_Account": "bob", "MsgRandom": 1}
    msg["MsgBody"] = [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]
    await api.ok("openim/sendmsg", msg)
    await api.ok("im_open_login_svc/account_delete", {"DeleteItem": [{"UserID": "bob"}]})
    gone = await api("openim/sendmsg", {**msg, "MsgRandom": 2})
    assert gone["ErrorCode"] == 90012, gone
    await api.ok("im_open_login_svc/account_import", {"UserID": "bob"})
    await api.ok("openim/sendmsg", {**msg, "MsgRandom": 3})
