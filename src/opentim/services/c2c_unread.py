"""openim: read state of C2C conversations (admin_set_msg_read, get_c2c_unread_msg_num)."""

from __future__ import annotations

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.c2c_rules import missing_accounts, named, require_accounts
from opentim.wire.c2c import (
    AdminSetMsgReadRequest,
    AdminSetMsgReadResponse,
    GetC2cUnreadMsgNumRequest,
    GetC2cUnreadMsgNumResponse,
    PeerError,
    PeerUnread,
)
from opentim.wire.common import UNSET

MAX_PEERS = 10


def _read_time(value: int | str) -> int:
    """MsgReadTime as a number or a string of digits."""
    if isinstance(value, str):
        if not (value.isdigit() and value.isascii()):
            raise ApiError(Code.IM_INVALID_REQUEST, "MsgReadTime must be Unix seconds")
        return int(value)
    if value < 0:
        raise ApiError(Code.IM_INVALID_REQUEST, "MsgReadTime must be Unix seconds")
    return value


async def admin_set_msg_read(ctx: Ctx, req: AdminSetMsgReadRequest) -> AdminSetMsgReadResponse:
    """openim/admin_set_msg_read: messages from the peer at or before MsgReadTime (default now)
    become read; the alias ``MsgReadedTime`` is accepted. Read times never move back."""
    reader = named(req.report_account, Code.IM_FROM_ACCOUNT, "Report_Account")
    peer = named(req.peer_account, Code.IM_TO_ACCOUNT, "Peer_Account")
    now = ctx.now()
    value = req.msg_read_time if req.msg_read_time is not UNSET else req.msg_readed_time
    read_time = now if value is UNSET else _read_time(value)
    await require_accounts(
        ctx,
        Report_Account=(reader, Code.IM_FROM_ACCOUNT),
        Peer_Account=(peer, Code.IM_TO_ACCOUNT),
    )
    await ctx.storage.conversations.set_read(ctx.sdkappid, reader, peer, read_time)
    return AdminSetMsgReadResponse()


async def get_c2c_unread_msg_num(
    ctx: Ctx, req: GetC2cUnreadMsgNumRequest
) -> GetC2cUnreadMsgNumResponse:
    """openim/get_c2c_unread_msg_num: the total, or per peer (at most 10; more → 90001).

    Counts stop at 250 per conversation and the total covers the 100 latest conversations.
    """
    user = named(req.to_account, Code.IM_TO_ACCOUNT, "To_Account")
    if req.peer_account is not UNSET and len(req.peer_account) > MAX_PEERS:
        raise ApiError(Code.IM_JSON_PARSE, f"Peer_Account names more than {MAX_PEERS} peers")
    await require_accounts(ctx, To_Account=(user, Code.IM_TO_ACCOUNT))
    if req.peer_account is UNSET:
        total = await ctx.storage.conversations.unread_total(ctx.sdkappid, user)
        return GetC2cUnreadMsgNumResponse(all_c2c_unread_msg_num=total)
    missing = await missing_accounts(ctx, req.peer_account)
    peers = [p for p in dict.fromkeys(req.peer_account) if p not in missing]
    counts = await ctx.storage.conversations.unread_by_peer(ctx.sdkappid, user, peers)
    response = GetC2cUnreadMsgNumResponse(
        c2c_unread_msg_num_list=[
            PeerUnread(peer_account=p, c2c_unread_msg_num=counts[p]) for p in peers
        ]
    )
    if missing:
        response.error_list = [
            PeerError(peer_account=p, error_code=Code.ACCOUNT_NOT_FOUND)
            for p in dict.fromkeys(req.peer_account)
            if p in missing
        ]
    return response
