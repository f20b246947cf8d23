"""Who may do what: admin-only commands, and the client API's binding of every user command.

Walks the command table: every client-callable command is called naming another user in its
bound account field (and, for group commands, a group the caller is not in); every such call
fails with the module's permission code and changes nothing that is stored.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Client
from opentim.commands import COMMANDS, Command
from opentim.storage import Storage
from probe import minimal_body, snapshot, url, wire_fields, wire_name

CALLER, VICTIM = "caller_u", "victim_u"
bound_rows = [row for row in COMMANDS if row.users and row.bound]
group_rows = [row for row in COMMANDS if row.users and "GroupId" in wire_fields(row)]
admin_rows = [row for row in COMMANDS if not row.users]

TEXT = [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi"}}]
REALISTIC: dict[str, dict[str, Any]] = {
    # Bodies that would succeed for a member: the refusal must come from the membership rule.
    "group_open_http_svc/send_group_msg": {"Random": 1, "MsgBody": TEXT},
    "group_open_http_svc/group_msg_get_simple": {"ReqMsgNumber": 5},
    "group_open_http_svc/group_msg_recall": {"MsgSeqList": [{"MsgSeq": 1}]},
}


async def setup(api: Client) -> str:
    """Two users; a group of the victim's that the caller is not in, with one message in it."""
    await api.accounts(CALLER, VICTIM)
    created = await api.ok(
        "group_open_http_svc/create_group",
        {"Type": "Public", "Name": "private", "Owner_Account": VICTIM},
    )
    group_id: str = created["GroupId"]
    if any(r.path == "group_open_http_svc/send_group_msg" for r in COMMANDS):
        await api.ok(
            "group_open_http_svc/send_group_msg",
            {"GroupId": group_id, "From_Account": VICTIM, "Random": 7, "MsgBody": TEXT},
        )
    return group_id


@pytest.mark.parametrize("row", bound_rows, ids=[r.path for r in bound_rows])
@pytest.mark.parametrize("caller", ["user", "admin"])
async def test_user_cannot_act_for_another_user(
    api: Client, storage: Storage, row: Command, caller: str
) -> None:
    group_id = await setup(api)
    identity = CALLER if caller == "user" else api.admin  # an admin is a user on /client/v1
    body = {**minimal_body(row), **REALISTIC.get(row.path, {})}
    if "GroupId" in wire_fields(row):
        body["GroupId"] = group_id
    body[wire_name(row, row.bound or "")] = VICTIM
    before = await snapshot(storage, api.sdkappid)
    data = await api.post(url("client", row), body, params=api.query(identity))
    assert data["ErrorCode"] == row.module.user_forbidden, data
    assert await snapshot(storage, api.sdkappid) == before


@pytest.mark.parametrize("row", group_rows, ids=[r.path for r in group_rows])
async def test_user_cannot_touch_a_group_it_is_not_in(
    api: Client, storage: Storage, row: Command
) -> None:
    group_id = await setup(api)
    body = {**minimal_body(row), **REALISTIC.get(row.path, {}), "GroupId": group_id}
    if row.bound:
        body.pop(wire_name(row, row.bound), None)  # acting as itself
    before = await snapshot(storage, api.sdkappid)
    data = await api.as_user(CALLER, row.path, body)
    if row.path in REALISTIC:
        assert data["ErrorCode"] == 10007, data
    else:
        assert data["ErrorCode"] != 0, data
    assert await snapshot(storage, api.sdkappid) == before


@pytest.mark.parametrize("row", admin_rows, ids=[r.path for r in admin_rows])
async def test_admin_commands_refuse_users_on_both_apis(
    api: Client, storage: Storage, row: Command
) -> None:
    await setup(api)
    before = await snapshot(storage, api.sdkappid)
    body = minimal_body(row)
    as_v4 = await api.post(url("v4", row), body, params=api.query(CALLER))
    assert as_v4["ErrorCode"] == 60010, as_v4
    as_client = await api.as_user(CALLER, row.path, body)
    assert as_client["ErrorCode"] == 60009, as_client
    assert await snapshot(storage, api.sdkappid) == before


async def test_group_owner_is_not_an_admin_of_the_app(api: Client, storage: Storage) -> None:
    group_id = await setup(api)
    before = await snapshot(storage, api.sdkappid)
    for path, body in (
        ("group_open_http_svc/destroy_group", {"GroupId": group_id}),
        ("group_open_http_svc/add_group_member", {"GroupId": group_id, "MemberList": []}),
    ):
        data = await api.post(f"/v4/{path}", body, params=api.query(VICTIM))
        assert data["ErrorCode"] == 60010, (path, data)
    assert await snapshot(storage, api.sdkappid) == before


client_rows = [row for row in COMMANDS if row.users]


@pytest.mark.skipif(not client_rows, reason="no client-callable command in the table yet")
async def test_deleted_account_cannot_use_the_client_api(api: Client) -> None:
    row = client_rows[0]
    await api.accounts(CALLER)
    query = api.query(CALLER)
    first = await api.post(url("client", row), minimal_body(row), params=query)
    assert first["ErrorCode"] not in (70107, 60009), first
    await api.ok("im_open_login_svc/account_delete", {"DeleteItem": [{"UserID": CALLER}]})
    after = await api.post(url("client", row), minimal_body(row), params=query)
    assert after["ErrorCode"] == 70107, after


@pytest.mark.skipif(not client_rows, reason="no client-callable command in the table yet")
async def test_unknown_user_cannot_use_the_client_api(api: Client) -> None:
    row = client_rows[0]
    data = await api.post(url("client", row), minimal_body(row), params=api.query("stranger"))
    assert data["ErrorCode"] == 70107, data
