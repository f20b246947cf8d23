"""Managing stored group history: clear_group_msg, delete_group_msg_by_sender, modify_group_msg.

Marks and watermarks, never deletes (DESIGN.md "State model"): clearing moves the group's
watermark (O(1)), the by-sender recall flags at most the last 1,000 messages, modifying
overwrites one message in place.
"""

from __future__ import annotations

from msgspec import UNSET

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.group_msg_rules import (
    body_text,
    check_group_id,
    load_target,
    too_long,
    topic_part,
)
from opentim.services.group_rules import AVCHATROOM, COMMUNITY
from opentim.storage.group_history import ModifyOutcome
from opentim.wire.group_messages import (
    ClearGroupMsgRequest,
    ClearGroupMsgResponse,
    DeleteGroupMsgBySenderRequest,
    DeleteGroupMsgBySenderResponse,
    ModifyGroupMsgRequest,
    ModifyGroupMsgResponse,
)

INVALID = Code.GROUP_INVALID_PARAM


async def clear_group_msg(ctx: Ctx, req: ClearGroupMsgRequest) -> ClearGroupMsgResponse:
    """group_open_http_svc/clear_group_msg: members can no longer pull seqs <= MsgSeq (all so
    far without MsgSeq); the admin still can. Community 10007; AVChatRoom accepted, no effect.

    A MsgSeq beyond the last message clears up to the last message only.
    """
    check_group_id(req.group_id)
    if req.msg_seq is not UNSET and req.msg_seq < 0:
        raise ApiError(INVALID, "MsgSeq must not be negative")
    target = await load_target(ctx, req.group_id, "")
    if target.type == COMMUNITY:
        raise ApiError(Code.GROUP_NO_PERMISSION, "clear_group_msg does not support Community")
    if target.type == AVCHATROOM:
        return ClearGroupMsgResponse()
    upto = None if req.msg_seq is UNSET else req.msg_seq
    if not await ctx.storage.group_history.clear_history(ctx.sdkappid, req.group_id, upto):
        raise ApiError(Code.GROUP_NOT_FOUND)
    return ClearGroupMsgResponse()


async def delete_group_msg_by_sender(
    ctx: Ctx, req: DeleteGroupMsgBySenderRequest
) -> DeleteGroupMsgBySenderResponse:
    """group_open_http_svc/delete_group_msg_by_sender: silently recall Sender_Account's
    messages among the last 1,000 seqs of the group (or of TopicId). An unknown or silent
    sender is no error; AVChatRoom is accepted with no effect."""
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, INVALID)
    if not req.sender_account:
        raise ApiError(INVALID, "Sender_Account is required")
    target = await load_target(ctx, req.group_id, topic)
    if target.type != AVCHATROOM:
        await ctx.storage.group_history.recall_by_sender(
            ctx.sdkappid, req.group_id, topic, req.sender_account
        )
    return DeleteGroupMsgBySenderResponse()


async def modify_group_msg(ctx: Ctx, req: ModifyGroupMsgRequest) -> ModifyGroupMsgResponse:
    """openim/modify_group_msg: replace MsgBody and/or CloudCustomData of one stored message.

    openim codes: 90007 MsgBody not an array, 90002 malformed, 20001 nothing to change or a
    bad MsgSeq/TopicId, 20022 no such message, 20023 recalled. Group codes where openim has
    none: 10015 invalid GroupId, 10010 no such group or topic, 10007 AVChatRoom. A failed call
    changes nothing.
    """
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, Code.IM_INVALID_REQUEST)
    if req.msg_seq <= 0:
        raise ApiError(Code.IM_INVALID_REQUEST, "MsgSeq must be positive")
    if req.msg_body is UNSET and req.cloud_custom_data is UNSET:
        raise ApiError(Code.IM_INVALID_REQUEST, "send MsgBody and/or CloudCustomData")
    body = None
    if req.msg_body is not UNSET:
        body = body_text(req.msg_body, Code.IM_MSGBODY_FORMAT, Code.IM_MSGBODY_NOT_ARRAY)
    custom = None if req.cloud_custom_data is UNSET else req.cloud_custom_data
    if too_long(body or "", custom or ""):
        raise ApiError(Code.MSG_TOO_LONG, "MsgBody and CloudCustomData exceed 12 KB")
    target = await load_target(ctx, req.group_id, topic)
    if target.type == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom stores no messages to modify")
    outcome = await ctx.storage.group_history.modify(
        ctx.sdkappid, req.group_id, topic, req.msg_seq, body, custom
    )
    if outcome is ModifyOutcome.MISSING:
        raise ApiError(Code.IM_MSG_NOT_FOUND)
    if outcome is ModifyOutcome.RECALLED:
        raise ApiError(Code.IM_MSG_RECALLED)
    return ModifyGroupMsgResponse()
