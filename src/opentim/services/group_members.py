"""Members: delete_group_member, get_group_member_info, import_group_member."""

from __future__ import annotations

import base64
import binascii

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.group_info import MemberView, ensure_fits
from opentim.services.group_rules import AVCHATROOM, COMMUNITY, MEETING, ROLES, WORK, load_group
from opentim.storage.group_members import ImportItem
from opentim.storage.groups import MemberRow, Outcome
from opentim.wire.groups import (
    DeleteGroupMemberRequest,
    DeleteGroupMemberResponse,
    GetGroupMemberInfoRequest,
    GetGroupMemberInfoResponse,
    ImportGroupMemberRequest,
    ImportGroupMemberResponse,
    MemberResult,
)

MAX_MEMBERS_PER_DELETE = 100
MAX_MEMBERS_PER_IMPORT = 300
MAX_MEMBER_PAGE = 6000
MAX_COMMUNITY_MEMBER_PAGE = 100


async def delete_group_member(ctx: Ctx, req: DeleteGroupMemberRequest) -> DeleteGroupMemberResponse:
    """group_open_http_svc/delete_group_member: non-members are ignored.

    Removing the owner is 10007 (transfer ownership first), except in Work groups, whose owner
    may leave: the group is then without an owner. No member-left tip is stored.
    """
    group = await load_group(ctx, req.group_id)
    if group.type == AVCHATROOM:
        raise ApiError(Code.GROUP_INVALID_PARAM, "AVChatRoom groups have no member list")
    accounts = req.member_to_del_account
    if not accounts or len(accounts) > MAX_MEMBERS_PER_DELETE:
        raise ApiError(
            Code.GROUP_INVALID_PARAM, f"MemberToDel_Account must name 1-{MAX_MEMBERS_PER_DELETE}"
        )
    outcome = await ctx.storage.members.remove_members(
        ctx.sdkappid, group.group_id, accounts, owner_may_leave=group.type == WORK
    )
    if outcome is Outcome.GONE:
        raise ApiError(Code.GROUP_NOT_FOUND)
    if outcome is Outcome.REFUSED:
        raise ApiError(Code.GROUP_NO_PERMISSION, "the owner cannot be removed; transfer it first")
    return DeleteGroupMemberResponse()


async def get_group_member_info(
    ctx: Ctx, req: GetGroupMemberInfoRequest
) -> GetGroupMemberInfoResponse:
    """group_open_http_svc/get_group_member_info.

    Join order with ``Limit``/``Offset`` (absent or 0 ``Limit``: all, up to 6,000); Community
    groups page with the opaque ``Next`` cursor instead (``Limit`` ≤ 100, default 100) in
    account order, ``""`` when done. Custom member data comes back for the keys of
    ``AppDefinedDataFilter_GroupMember``, or all of it when no ``MemberInfoFilter`` is sent.
    """
    group = await load_group(ctx, req.group_id)
    if group.type == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom groups have no member list")
    roles = list(dict.fromkeys(req.member_role_filter or ()))
    if any(r not in ROLES for r in roles):
        raise ApiError(Code.GROUP_INVALID_PARAM, "MemberRoleFilter names an unknown role")
    offset = req.offset or 0
    if (req.limit or 0) < 0 or offset < 0:
        raise ApiError(Code.GROUP_INVALID_PARAM, "Limit and Offset must not be negative")
    view = MemberView.of(
        req.member_info_filter,
        req.app_defined_data_filter_group_member,
        full=req.member_info_filter is None,
    )
    now = ctx.now()
    if group.type == COMMUNITY:
        limit = req.limit or MAX_COMMUNITY_MEMBER_PAGE
        if limit > MAX_COMMUNITY_MEMBER_PAGE:
            raise ApiError(Code.GROUP_INVALID_PARAM, f"Limit must be 1-{MAX_COMMUNITY_MEMBER_PAGE}")
        total, rows = await ctx.storage.members.member_page(
            ctx.sdkappid, group.group_id, roles, limit + 1, after=_cursor_account(req.next or "")
        )
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = _cursor(rows[-1].member_account) if more else ""
        return GetGroupMemberInfoResponse(
            member_num=total, member_list=[view.render(m, now) for m in rows], next=cursor
        )
    if (req.limit or 0) > MAX_MEMBER_PAGE:
        raise ApiError(Code.GROUP_INVALID_PARAM, f"Limit must be 1-{MAX_MEMBER_PAGE}")
    total, rows = await ctx.storage.members.member_page(
        ctx.sdkappid, group.group_id, roles, req.limit or None, offset
    )
    reply = GetGroupMemberInfoResponse(
        member_num=total, member_list=[view.render(m, now) for m in rows]
    )
    ensure_fits(reply, len(rows))
    return reply


def _cursor(account: str) -> str:
    return base64.urlsafe_b64encode(account.encode()).decode()


def _cursor_account(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        raise ApiError(Code.GROUP_INVALID_PARAM, "Next is not a cursor this server gave") from None


async def import_group_member(ctx: Ctx, req: ImportGroupMemberRequest) -> ImportGroupMemberResponse:
    """group_open_http_svc/import_group_member: Result 1 imported, 2 already a member, 0 not
    imported (account not imported, JoinTime outside [group creation, now], or group full).

    ``UnreadMsgNum`` is clamped to the group's message count; imported members see the whole
    history.
    """
    group = await load_group(ctx, req.group_id)
    if group.type == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom groups cannot import members")
    if not req.member_list:
        raise ApiError(Code.GROUP_INVALID_PARAM, "MemberList is empty")
    if len(req.member_list) > MAX_MEMBERS_PER_IMPORT:
        raise ApiError(Code.GROUP_TOO_MANY_ACCOUNTS)
    for m in req.member_list:
        if m.role not in (None, "", "Member", "Admin"):
            raise ApiError(Code.GROUP_INVALID_PARAM, "Role may only be Admin")
        if (m.unread_msg_num or 0) < 0 or (m.join_time or 0) < 0:
            raise ApiError(Code.GROUP_INVALID_PARAM, "UnreadMsgNum and JoinTime must be positive")
    accounts = list(dict.fromkeys(m.member_account for m in req.member_list))
    wanted = [a for a in accounts if not ctx.app.is_admin(a)]
    known = await ctx.storage.accounts.existing(ctx.sdkappid, wanted) if wanted else set()
    now = ctx.now()
    flag = "AcceptNotNotify" if group.type == MEETING else "AcceptAndNotify"
    items = []
    for m in req.member_list:
        join_time = m.join_time or now
        if not (ctx.app.is_admin(m.member_account) or m.member_account in known):
            continue
        if not group.create_time <= join_time <= now:
            continue
        role = "Admin" if m.role == "Admin" else "Member"
        row = MemberRow(
            ctx.sdkappid, group.group_id, m.member_account, join_time, role=role, msg_flag=flag
        )
        items.append(ImportItem(row, m.unread_msg_num or 0))
    results: dict[str, int] = {}
    if items:
        stored = await ctx.storage.members.import_members(
            ctx.sdkappid, group.group_id, items, group.max_member_num
        )
        if stored is None:
            raise ApiError(Code.GROUP_NOT_FOUND)
        results = stored
    return ImportGroupMemberResponse(
        member_list=[MemberResult(member_account=a, result=results.get(a, 0)) for a in accounts]
    )
