"""Putting messages into groups: send_group_msg, import_group_msg, send_group_system_notification,
and the migration helper set_unread_msg_num."""

from __future__ import annotations

import secrets

import msgspec
from msgspec import UNSET

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.group_msg_rules import (
    MAX_IMPORT_MSG_BYTES,
    NORMAL_PRIORITY,
    PRIORITIES,
    body_text,
    check_group_id,
    digest,
    load_target,
    too_long,
    topic_part,
)
from opentim.services.group_rules import AVCHATROOM, COMMUNITY, MEETING
from opentim.storage.group_records import MsgTarget, NewMessage
from opentim.wire.group_messages import (
    ImportGroupMsgRequest,
    ImportGroupMsgResponse,
    ImportMsgItem,
    ImportMsgResult,
    SendGroupMsgRequest,
    SendGroupMsgResponse,
    SendGroupSystemNotificationRequest,
    SendGroupSystemNotificationResponse,
    SetUnreadMsgNumRequest,
    SetUnreadMsgNumResponse,
)

MAX_TARGETED = 50
MAX_AT = 30
MAX_IMPORT = 7
MAX_NOTIFIED = 500
MAX_RANDOM = 2**32 - 1
NO_LAST_MSG, NO_UNREAD = "NoLastMsg", "NoUnread"
SPEAKERS = ("Owner", "Admin")
"""Roles that may still speak while MuteAllMember is On."""
INVALID = Code.GROUP_INVALID_PARAM


def _random(value: int | msgspec.UnsetType) -> int:
    if value is UNSET:
        return secrets.randbelow(MAX_RANDOM + 1)
    if not 0 <= value <= MAX_RANDOM:
        raise ApiError(INVALID, "Random must be a 32-bit unsigned integer")
    return value


def _targets(req: SendGroupMsgRequest) -> str | None:
    """To_Account as stored: a JSON array of the recipients, None for the whole group."""
    if not req.to_account:
        return None
    recipients = list(dict.fromkeys(req.to_account))
    if len(recipients) > MAX_TARGETED or not all(recipients):
        raise ApiError(INVALID, f"To_Account takes 1-{MAX_TARGETED} UserIDs")
    return msgspec.json.encode(recipients).decode()


def _check_options(req: SendGroupMsgRequest) -> None:
    """Field rules that need no group: flags, @-mentions."""
    if req.online_only_flag not in (0, 1):
        raise ApiError(INVALID, "OnlineOnlyFlag must be 0 or 1")
    if req.online_only_flag and req.send_msg_control:
        raise ApiError(INVALID, "OnlineOnlyFlag cannot be combined with SendMsgControl")
    if len(req.group_at_info) > MAX_AT:
        raise ApiError(Code.GROUP_TOO_MANY_AT)
    for at in req.group_at_info:
        if at.group_at_all_flag not in (0, 1):
            raise ApiError(INVALID, "GroupAtAllFlag must be 0 or 1")
        if at.group_at_all_flag == 0 and not at.group_at_account:
            raise ApiError(INVALID, "GroupAt_Account is required when GroupAtAllFlag is 0")


def _check_group_type(target: MsgTarget, req: SendGroupMsgRequest, topic: str) -> None:
    """What this type of group refuses (docs/decisions.md, Group messages)."""
    kind = target.type
    if NO_UNREAD in req.send_msg_control and kind in (AVCHATROOM, MEETING):
        raise ApiError(INVALID, "NoUnread is not available for this group type")
    if kind == AVCHATROOM:
        if req.online_only_flag:
            raise ApiError(INVALID, "OnlineOnlyFlag is not available for AVChatRoom")
        if any(at.group_at_all_flag for at in req.group_at_info):
            raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom does not support @all")
    if req.to_account and kind in (AVCHATROOM, COMMUNITY):
        raise ApiError(Code.GROUP_NO_PERMISSION, "To_Account is not available for this type")
    if kind == COMMUNITY and target.support_topic and not topic:
        raise ApiError(Code.GROUP_NO_PERMISSION, "send to a topic of this community (TopicId)")


async def _check_sender(ctx: Ctx, target: MsgTarget, sender: str, topic: str) -> None:
    """The sender exists (10019), is a member on the client API (10007), and may speak (10017).

    An App Admin sending through the admin API is never muted; a user is, even an admin one.
    """
    member = target.member
    app_admin = ctx.user is None and ctx.app.is_admin(sender)
    if ctx.user is not None and member is None:
        raise ApiError(Code.GROUP_NO_PERMISSION, "the caller is not a member of this group")
    if (
        member is None
        and not app_admin
        and not await ctx.storage.accounts.existing(ctx.sdkappid, [sender])
    ):
        raise ApiError(Code.GROUP_ACCOUNT_NOT_FOUND, f"From_Account {sender!r} not imported")
    if app_admin:
        return
    if member is not None and member.mute_until > ctx.now():
        raise ApiError(Code.GROUP_SENDER_MUTED)
    muted_all = target.mute_all_member == "On" or (topic and target.topic_mute_all == "On")
    if muted_all and (member is None or member.role not in SPEAKERS):
        raise ApiError(Code.GROUP_SENDER_MUTED, "all members are muted")


async def send_group_msg(ctx: Ctx, req: SendGroupMsgRequest) -> SendGroupMsgResponse:
    """group_open_http_svc/send_group_msg; on the client API the caller sends, as a member.

    OnlineOnlyFlag messages are not stored and consume no seq (MsgSeq 0); AVChatRoom messages
    are numbered but not stored; a duplicate (same Random and content within 5 minutes)
    answers the original's MsgSeq/MsgTime.
    """
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, INVALID)
    sender = req.from_account if req.from_account not in (UNSET, "") else ctx.identifier
    msg = _message(ctx, req, sender, topic)
    _check_options(req)
    target = await load_target(ctx, req.group_id, topic, sender)
    _check_group_type(target, req, topic)
    await _check_sender(ctx, target, sender, topic)
    msg.msg_time = ctx.now()
    if req.online_only_flag:
        return SendGroupMsgResponse(msg_time=msg.msg_time, msg_seq=0)
    appended = await ctx.storage.group_messages.append(
        msg,
        store=target.type != AVCHATROOM,
        update_conv=not topic
        and msg.to_accounts is None
        and NO_LAST_MSG not in req.send_msg_control,
        sender_is_member=target.member is not None,
    )
    if appended is None:
        raise ApiError(Code.GROUP_NOT_FOUND)
    return SendGroupMsgResponse(msg_time=appended.msg_time, msg_seq=appended.seq)


def _message(ctx: Ctx, req: SendGroupMsgRequest, sender: str, topic: str) -> NewMessage:
    """The message a send describes, its content checked (``msg_time`` is set when sent)."""
    if req.msg_body is UNSET:
        raise ApiError(INVALID, "MsgBody is required")
    body = body_text(req.msg_body, INVALID)
    if too_long(body, req.cloud_custom_data):
        raise ApiError(Code.MSG_TOO_LONG, "MsgBody and CloudCustomData exceed 12 KB")
    priority = NORMAL_PRIORITY
    if req.msg_priority is not UNSET:
        if req.msg_priority not in PRIORITIES:
            raise ApiError(INVALID, "MsgPriority must be High, Normal or Low")
        priority = PRIORITIES[req.msg_priority]
    targets = _targets(req)
    return NewMessage(
        sdkappid=ctx.sdkappid,
        group_id=req.group_id,
        topic_id=topic,
        from_account=sender,
        random=_random(req.random),
        msg_time=0,
        priority=priority,
        body=body,
        cloud_custom_data=req.cloud_custom_data,
        digest=digest(sender, body, req.cloud_custom_data),
        to_accounts=targets,
        no_unread=int(NO_UNREAD in req.send_msg_control or targets is not None),
    )


def _import_item(
    ctx: Ctx, item: ImportMsgItem, group_id: str, topic: str, created: int, now: int
) -> tuple[NewMessage | None, int]:
    """One import item as a message to store, or (None, its per-item Result code)."""
    if item.msg_body is UNSET:
        return None, INVALID
    try:
        body = body_text(item.msg_body, INVALID)
    except ApiError as err:
        return None, err.code
    if too_long(body, item.cloud_custom_data, MAX_IMPORT_MSG_BYTES):
        return None, Code.MSG_TOO_LONG
    if not created <= item.send_time <= now:
        return None, INVALID
    try:
        random = _random(item.random)
    except ApiError as err:
        return None, err.code
    message = NewMessage(
        sdkappid=ctx.sdkappid,
        group_id=group_id,
        topic_id=topic,
        from_account=item.from_account,
        random=random,
        msg_time=item.send_time,
        priority=NORMAL_PRIORITY,
        body=body,
        cloud_custom_data=item.cloud_custom_data,
        digest=digest(item.from_account, body, item.cloud_custom_data),
    )
    return message, 0


async def import_group_msg(ctx: Ctx, req: ImportGroupMsgRequest) -> ImportGroupMsgResponse:
    """group_open_http_svc/import_group_msg: up to 7 historical messages, oldest first.

    Per item, Result 10004 for a bad body or a SendTime before the group's creation, in the
    future, or older than the newest message; 80002 above 12,000 bytes. Afterwards every
    member's unread count is 0; RecentContactFlag=1 moves the conversation (not Community).
    """
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, INVALID)
    if not req.msg_list or len(req.msg_list) > MAX_IMPORT:
        raise ApiError(INVALID, f"MsgList takes 1-{MAX_IMPORT} messages")
    if any(not item.from_account for item in req.msg_list):
        raise ApiError(INVALID, "From_Account is required")
    target = await load_target(ctx, req.group_id, topic)
    if target.type == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom stores no history to import into")
    senders = [i.from_account for i in req.msg_list if not ctx.app.is_admin(i.from_account)]
    found = await ctx.storage.accounts.existing(ctx.sdkappid, senders)
    missing = [s for s in dict.fromkeys(senders) if s not in found]
    if missing:
        raise ApiError(Code.GROUP_ACCOUNT_NOT_FOUND, f"From_Account not imported: {missing[:5]}")
    now = ctx.now()
    prepared = [
        _import_item(ctx, item, req.group_id, topic, target.create_time, now)
        for item in req.msg_list
    ]
    stored = await ctx.storage.group_messages.import_messages(
        [message for message, _ in prepared],
        dedup=[item.random is not UNSET for item in req.msg_list],
        update_conv=req.recent_contact_flag == 1 and not topic and target.type != COMMUNITY,
    )
    if stored is None:
        raise ApiError(Code.GROUP_NOT_FOUND)
    results: list[ImportMsgResult] = []
    for item, (message, code), appended in zip(req.msg_list, prepared, stored, strict=True):
        if appended is None:
            code = code if message is None else INVALID
            results.append(ImportMsgResult(msg_seq=0, msg_time=item.send_time, result=code))
        else:
            results.append(
                ImportMsgResult(msg_seq=appended.seq, msg_time=appended.msg_time, result=0)
            )
    return ImportGroupMsgResponse(import_msg_result=results)


async def send_group_system_notification(
    ctx: Ctx, req: SendGroupSystemNotificationRequest
) -> SendGroupSystemNotificationResponse:
    """group_open_http_svc/send_group_system_notification: online-only, so validated and
    delivered to nobody here; never stored, no seq."""
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, INVALID)
    if not req.content:
        raise ApiError(INVALID, "Content is required")
    if len(req.to_members_account) > MAX_NOTIFIED:
        raise ApiError(INVALID, f"ToMembers_Account takes at most {MAX_NOTIFIED} UserIDs")
    target = await load_target(ctx, req.group_id, topic)
    if target.type == AVCHATROOM and req.to_members_account:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom notifications go to all members")
    return SendGroupSystemNotificationResponse()


async def set_unread_msg_num(ctx: Ctx, req: SetUnreadMsgNumRequest) -> SetUnreadMsgNumResponse:
    """group_open_http_svc/set_unread_msg_num: the member's read seq becomes
    NextMsgSeq-1-UnreadMsgNum (clamped at 0). Meeting and AVChatRoom: accepted, no effect."""
    check_group_id(req.group_id)
    if not req.member_account:
        raise ApiError(INVALID, "Member_Account is required")
    if req.unread_msg_num < 0:
        raise ApiError(INVALID, "UnreadMsgNum must not be negative")
    target = await load_target(ctx, req.group_id, "", req.member_account)
    if target.type in (MEETING, AVCHATROOM):
        return SetUnreadMsgNumResponse()
    if target.member is None:
        raise ApiError(Code.GROUP_NO_PERMISSION, f"{req.member_account!r} is not a member")
    if not await ctx.storage.group_history.set_unread(
        ctx.sdkappid, req.group_id, req.member_account, req.unread_msg_num
    ):
        raise ApiError(Code.GROUP_NO_PERMISSION, f"{req.member_account!r} is not a member")
    return SetUnreadMsgNumResponse()
