"""Helpers for the C2C, conversation-list and conversation-group tests."""

from __future__ import annotations

import itertools
from typing import Any

from conftest import Client
from opentim.services.c2c_rules import rendered
from opentim.storage import Storage
from opentim.storage.c2c_records import pair

SEND = "openim/sendmsg"
BATCH = "openim/batchsendmsg"
IMPORT = "openim/importmsg"
ROAM = "openim/admin_getroammsg"
WITHDRAW = "openim/admin_msgwithdraw"
MODIFY = "openim/modify_c2c_msg"
READ = "openim/admin_set_msg_read"
UNREAD = "openim/get_c2c_unread_msg_num"
RAMBLE = "openim/delete_c2c_msg_ramble"
LIST = "recentcontact/get_list"
DELETE = "recentcontact/delete"
MARK = "recentcontact/mark_contact"
CREATE = "recentcontact/create_contact_group"
UPDATE = "recentcontact/update_contact_group"
DEL_GROUP = "recentcontact/del_contact_group"
SEARCH = "recentcontact/search_contact_group"
GET_GROUPS = "recentcontact/get_contact_group"

T0 = 1_600_000_000
"""A fixed past time for imported messages."""
_seqs = itertools.count(1000)


def text(value: str) -> list[dict[str, Any]]:
    return [{"MsgType": "TIMTextElem", "MsgContent": {"Text": value}}]


async def send(api: Client, sender: str, recipient: str, content: str, **extra: Any) -> str:
    """sendmsg with an increasing MsgSeq (so same-second messages keep their order); MsgKey."""
    body = {
        "From_Account": sender,
        "To_Account": recipient,
        "MsgSeq": next(_seqs),
        "MsgRandom": 7,
        "MsgBody": text(content),
        **extra,
    }
    data = await api.ok(SEND, body)
    key: str = data["MsgKey"]
    return key


async def import_msg(
    api: Client, sender: str, recipient: str, content: str, at: int, **extra: Any
) -> str:
    """importmsg (historical unless told otherwise) at time ``at``; the expected MsgKey."""
    body = {
        "SyncFromOldSystem": 2,
        "From_Account": sender,
        "To_Account": recipient,
        "MsgSeq": next(_seqs),
        "MsgRandom": 9,
        "MsgTimeStamp": at,
        "MsgBody": text(content),
        **extra,
    }
    await api.ok(IMPORT, body)
    return f"{body['MsgSeq']}_{body['MsgRandom']}_{at}"


async def roam(api: Client, operator: str, peer: str, **extra: Any) -> dict[str, Any]:
    """admin_getroammsg over all time (one page of up to 100); must succeed."""
    body = {
        "Operator_Account": operator,
        "Peer_Account": peer,
        "MaxCnt": 100,
        "MinTime": 0,
        "MaxTime": 2**32 - 1,
        **extra,
    }
    return await api.ok(ROAM, body)


def texts(data: dict[str, Any]) -> list[str]:
    """The text of each message of an admin_getroammsg answer ('' for recalled ones)."""
    return [m["MsgBody"][0]["MsgContent"]["Text"] if m["MsgBody"] else "" for m in data["MsgList"]]


async def history(api: Client, operator: str, peer: str) -> list[str]:
    return texts(await roam(api, operator, peer))


async def entries(api: Client, owner: str, flags: int = 7) -> list[tuple[int, str]]:
    """The owner's conversation list (first page) as (Type, To_Account or GroupId)."""
    data = await api.ok(LIST, {"From_Account": owner, "AssistFlags": flags})
    return [(i["Type"], i.get("To_Account") or i["GroupId"]) for i in data["SessionItem"]]


async def unread(api: Client, user: str, peer: str) -> int:
    data = await api.ok(UNREAD, {"To_Account": user, "Peer_Account": [peer]})
    count: int = data["C2CUnreadMsgNumList"][0]["C2CUnreadMsgNum"]
    return count


async def seed_history(
    storage: Storage, sdkappid: int, sender: str, recipient: str, n: int
) -> None:
    """``n`` messages from ``sender`` to ``recipient``, one a second from ``T0``, written in bulk
    as the bench seeds a long history (no conversation entries, no unread count)."""
    lo, hi = pair(sender, recipient)
    rows = []
    for i in range(1, n + 1):
        body = f'[{{"MsgType":"TIMTextElem","MsgContent":{{"Text":"seeded {i}"}}}}]'
        key = (i, i, T0 + i)
        shown = rendered(sender, recipient, key, body, "")
        rows.append(
            (sdkappid, lo, hi, i, sender, recipient, i, i, T0 + i, f"seed-{i}", body, shown)
        )
    async with storage.engine.transaction() as tx:
        await tx.executemany(
            "INSERT INTO c2c_messages (sdkappid, user_lo, user_hi, id, from_account, to_account,"
            " msg_seq, msg_random, msg_time, msg_id, body, rendered)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            rows,
        )
        await tx.execute(
            "INSERT INTO c2c_pairs (sdkappid, user_lo, user_hi, next_id, max_time)"
            " VALUES ($1, $2, $3, $4, $5)",
            sdkappid,
            lo,
            hi,
            n + 1,
            T0 + n,
        )
