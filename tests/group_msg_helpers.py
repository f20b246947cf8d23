"""Helpers for the group message tests: groups, sends, pulls, and direct looks at storage."""

from __future__ import annotations

from typing import Any

from conftest import Client
from opentim.storage import Storage

SEND = "group_open_http_svc/send_group_msg"
PULL = "group_open_http_svc/group_msg_get_simple"
RECALL = "group_open_http_svc/group_msg_recall"
IMPORT = "group_open_http_svc/import_group_msg"
CLEAR = "group_open_http_svc/clear_group_msg"
BY_SENDER = "group_open_http_svc/delete_group_msg_by_sender"
MODIFY = "openim/modify_group_msg"
NOTIFY = "group_open_http_svc/send_group_system_notification"
UNREAD = "group_open_http_svc/set_unread_msg_num"


def text(value: str) -> list[dict[str, Any]]:
    return [{"MsgType": "TIMTextElem", "MsgContent": {"Text": value}}]


async def make_group(
    api: Client,
    group_id: str = "g",
    kind: str = "Public",
    owner: str | None = "alice",
    members: tuple[str, ...] = ("bob",),
    **extra: Any,
) -> str:
    """Create the accounts and a group owned by ``owner`` with ``members``; its ID."""
    accounts = [a for a in (owner, *members) if a]
    if accounts:
        await api.accounts(*accounts)
    body: dict[str, Any] = {"Type": kind, "Name": "n", "GroupId": group_id, **extra}
    if owner:
        body["Owner_Account"] = owner
    if members:
        body["MemberList"] = [{"Member_Account": m} for m in members]
    data = await api.ok("group_open_http_svc/create_group", body)
    created: str = data["GroupId"]
    return created


async def send(api: Client, group_id: str, sender: str | None, content: str, **extra: Any) -> int:
    """Send a text message through the admin API; its MsgSeq."""
    body: dict[str, Any] = {"GroupId": group_id, "MsgBody": text(content), **extra}
    if sender is not None:
        body["From_Account"] = sender
    data = await api.ok(SEND, body)
    seq: int = data["MsgSeq"]
    return seq


async def pull(api: Client, group_id: str, user: str | None = None, **extra: Any) -> dict[str, Any]:
    """group_msg_get_simple as the admin (``user`` None) or as that user; must succeed."""
    body = {"GroupId": group_id, "ReqMsgNumber": 20, **extra}
    data = await (api.as_user(user, PULL, body) if user else api(PULL, body))
    assert data["ErrorCode"] == 0, data
    return data


def seqs(data: dict[str, Any]) -> list[int]:
    return [item["MsgSeq"] for item in data["RspMsgList"]]


def texts(data: dict[str, Any]) -> list[str]:
    """The text of each returned item ('' for placeholders)."""
    return [
        item["MsgBody"][0]["MsgContent"]["Text"] if item["MsgBody"] else ""
        for item in data["RspMsgList"]
    ]


async def sql(storage: Storage, statement: str, *args: Any) -> int:
    """Run a write directly (to set up states no API of this area produces); rows changed."""
    async with storage.engine.transaction() as tx:
        return await tx.execute(statement, *args)


async def fetch(storage: Storage, statement: str, *args: Any) -> list[tuple[Any, ...]]:
    async with storage.engine.reader() as tx:
        return [tuple(r) for r in await tx.fetch(statement, *args)]


async def group_state(storage: Storage, api: Client, group_id: str) -> dict[str, int]:
    rows = await fetch(
        storage,
        "SELECT next_msg_seq, last_msg_time, active, cleared_upto_seq, conv_msg_seq,"
        " conv_msg_time FROM groups WHERE sdkappid = $1 AND group_id = $2",
        api.sdkappid,
        group_id,
    )
    names = ("next", "last_msg_time", "active", "cleared", "conv_seq", "conv_time")
    return dict(zip(names, rows[0], strict=True))


async def member_state(storage: Storage, api: Client, group_id: str, user: str) -> dict[str, int]:
    rows = await fetch(
        storage,
        "SELECT msg_seq, last_send_msg_time, join_seq FROM group_members"
        " WHERE sdkappid = $1 AND group_id = $2 AND member_account = $3",
        api.sdkappid,
        group_id,
        user,
    )
    return dict(zip(("msg_seq", "last_send", "join_seq"), rows[0], strict=True))


async def make_topic(storage: Storage, api: Client, group_id: str, part: str) -> str:
    """A topic of a topic-enabled community: through create_topic when the server has it,
    else inserted directly."""
    topic_id = f"{group_id}@TOPIC#_{part}"
    data = await api(
        "million_group_open_http_svc/create_topic",
        {"GroupId": group_id, "TopicId": topic_id, "TopicName": part},
    )
    if data["ErrorCode"] == 60009:
        await sql(
            storage,
            "INSERT INTO topics (sdkappid, group_id, topic_id, topic_name, create_time)"
            " VALUES ($1, $2, $3, $4, $5)",
            api.sdkappid,
            group_id,
            topic_id,
            part,
            1,
        )
    else:
        assert data["ErrorCode"] == 0, data
    return topic_id
