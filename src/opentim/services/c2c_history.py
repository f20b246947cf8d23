"""openim: reading and changing stored C2C messages.

admin_getroammsg, admin_msgwithdraw, modify_c2c_msg, delete_c2c_msg_ramble. Recall, modify and
one-sided deletion find a message by its conversation and MsgKey; they do not require the
accounts to still exist (history outlives accounts).
"""

from __future__ import annotations

import operator
from functools import partial

import msgspec

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.c2c_rules import (
    UINT32_MAX,
    body_text,
    check_size,
    named,
    parse_msg_key,
    rendered,
    require_accounts,
    tombstone,
)
from opentim.storage.c2c_records import Change
from opentim.wire.c2c import (
    AdminGetRoamMsgRequest,
    AdminGetRoamMsgResponse,
    AdminMsgWithdrawRequest,
    AdminMsgWithdrawResponse,
    DeleteC2cMsgRambleRequest,
    DeleteC2cMsgRambleResponse,
    ModifyC2cMsgRequest,
    ModifyC2cMsgResponse,
    RoamMsg,
)
from opentim.wire.common import UNSET, json_array

MAX_PAGE = 1000
PAGE_BYTES = 13 * 1024
"""A history page is cut before its messages' JSON would exceed this (at least one message)."""
MAX_RAMBLE_KEYS = 30
_ROAM_MSG = msgspec.json.Decoder(RoamMsg)
_first = operator.itemgetter(0)


def _page_length(items: list[bytes], max_cnt: int) -> int:
    """How many of the newest ``max_cnt`` items fit in ``PAGE_BYTES`` (at least one)."""
    head = items[:max_cnt]
    if sum(map(len, head)) <= PAGE_BYTES:  # the usual page: no walk in Python
        return len(head)
    size = 0
    for n, item in enumerate(head):
        size += len(item)
        if n and size > PAGE_BYTES:
            return n
    return len(head)


async def admin_getroammsg(ctx: Ctx, req: AdminGetRoamMsgRequest) -> AdminGetRoamMsgResponse:
    """openim/admin_getroammsg: the operator's own view, paged backwards in time.

    Each page is the newest part of what remains, in ascending order; LastMsgTime/LastMsgKey
    name its oldest message; the next request passes them as MaxTime/LastMsgKey.
    """
    operator = named(req.operator_account, Code.IM_FROM_ACCOUNT, "Operator_Account")
    peer = named(req.peer_account, Code.IM_TO_ACCOUNT, "Peer_Account")
    if req.max_cnt <= 0:
        raise ApiError(Code.IM_INVALID_REQUEST, "MaxCnt must be positive")
    before = None
    if req.last_msg_key is not UNSET and req.last_msg_key:
        before = parse_msg_key(req.last_msg_key)
    await require_accounts(
        ctx,
        Operator_Account=(operator, Code.IM_FROM_ACCOUNT),
        Peer_Account=(peer, Code.IM_TO_ACCOUNT),
    )
    max_cnt = min(req.max_cnt, MAX_PAGE)
    min_time = min(max(req.min_time, 0), UINT32_MAX)
    max_time = min(max(req.max_time, -1), UINT32_MAX)
    rows = await ctx.storage.c2c.history(
        ctx.sdkappid, operator, peer, min_time, max_time, before, max_cnt + 1
    )
    if rows is None:
        raise ApiError(Code.IM_INVALID_MSGKEY, "LastMsgKey names no message of this conversation")
    items = list(map(_first, rows))
    count = _page_length(items, max_cnt)
    # The oldest message's MsgKey and time are read back from its stored JSON: decoding one
    # message costs less than reading three more columns of every row.
    oldest = _ROAM_MSG.decode(items[count - 1]) if count else None
    return AdminGetRoamMsgResponse(
        complete=int(count == len(rows)),
        msg_cnt=count,
        last_msg_time=oldest.msg_time_stamp if oldest else 0,
        last_msg_key=oldest.msg_key if oldest else "",
        msg_list=json_array(items[count - 1 :: -1] if count else []),
    )


async def admin_msgwithdraw(ctx: Ctx, req: AdminMsgWithdrawRequest) -> AdminMsgWithdrawResponse:
    """openim/admin_msgwithdraw: no time limit; 20022 no such message, 20023 already recalled.

    On the client API ``From_Account`` is the caller, so a user recalls only its own messages.
    """
    sender = named(req.from_account, Code.IM_FROM_ACCOUNT, "From_Account")
    recipient = named(req.to_account, Code.IM_TO_ACCOUNT, "To_Account")
    key = parse_msg_key(req.msg_key)
    outcome = await ctx.storage.c2c.recall(
        ctx.sdkappid, sender, recipient, key, tombstone(sender, recipient, key)
    )
    if outcome is Change.NOT_FOUND:
        raise ApiError(Code.IM_MSG_NOT_FOUND)
    if outcome is Change.RECALLED:
        raise ApiError(Code.IM_MSG_RECALLED)
    return AdminMsgWithdrawResponse()


async def modify_c2c_msg(ctx: Ctx, req: ModifyC2cMsgRequest) -> ModifyC2cMsgResponse:
    """openim/modify_c2c_msg: overwrite MsgBody and/or CloudCustomData; answers "succeed".

    Neither field → 20001; a missing message 20022; a recalled one 20023.
    """
    sender = named(req.from_account, Code.IM_FROM_ACCOUNT, "From_Account")
    recipient = named(req.to_account, Code.IM_TO_ACCOUNT, "To_Account")
    key = parse_msg_key(req.msg_key)
    if req.msg_body is UNSET and req.cloud_custom_data is UNSET:
        raise ApiError(Code.IM_INVALID_REQUEST, "send MsgBody and/or CloudCustomData")
    body = None if req.msg_body is UNSET else body_text(req.msg_body)
    custom = None if req.cloud_custom_data is UNSET else req.cloud_custom_data
    check_size(req, body or "", custom or "")
    render = partial(rendered, sender, recipient, key)
    outcome = await ctx.storage.c2c.modify(
        ctx.sdkappid, sender, recipient, key, body, custom, render
    )
    if outcome is Change.NOT_FOUND:
        raise ApiError(Code.IM_MSG_NOT_FOUND)
    if outcome is Change.RECALLED:
        raise ApiError(Code.IM_MSG_RECALLED)
    return ModifyC2cMsgResponse()


async def delete_c2c_msg_ramble(
    ctx: Ctx, req: DeleteC2cMsgRambleRequest
) -> DeleteC2cMsgRambleResponse:
    """openim/delete_c2c_msg_ramble: up to 30 messages leave the operator's view only.

    Keys naming no message of the conversation are ignored; a malformed key (90054) or more
    than 30 keys (20001) fail the whole call before anything changes.
    """
    operator = named(req.operator_account, Code.IM_FROM_ACCOUNT, "Operator_Account")
    peer = named(req.peer_account, Code.IM_TO_ACCOUNT, "Peer_Account")
    if not req.msg_key_list:
        raise ApiError(Code.IM_INVALID_REQUEST, "MsgKeyList names no message")
    if len(req.msg_key_list) > MAX_RAMBLE_KEYS:
        raise ApiError(Code.IM_INVALID_REQUEST, f"at most {MAX_RAMBLE_KEYS} MsgKeys per call")
    keys = [parse_msg_key(k) for k in req.msg_key_list]
    await ctx.storage.c2c.hide(ctx.sdkappid, operator, peer, keys)
    return DeleteC2cMsgRambleResponse()
