"""Group lifecycle: create, import, destroy, list the app's groups, add members, change owner."""

from __future__ import annotations

import msgspec

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.group_rules import (
    AVCHATROOM,
    COMMUNITY,
    LIST_FILTER_TYPES,
    MEETING,
    TYPE_NAMES,
    WORK,
    check_custom_group_id,
    load_group,
    new_group_id,
    printable,
)
from opentim.storage.engine import Conflict
from opentim.storage.groups import MAX_GROUP_KEYS, GroupRow, MemberRow, Outcome
from opentim.wire.common import UNSET
from opentim.wire.groups import (
    AddGroupMemberRequest,
    AddGroupMemberResponse,
    ChangeGroupOwnerRequest,
    ChangeGroupOwnerResponse,
    CreateGroupRequest,
    CreateGroupResponse,
    DestroyGroupRequest,
    DestroyGroupResponse,
    GetAppidGroupListRequest,
    GetAppidGroupListResponse,
    GroupIdItem,
    GroupProfile,
    ImportGroupRequest,
    ImportGroupResponse,
    KeyValue,
    MemberResult,
)

MAX_MEMBERS_AT_CREATE = 100
MAX_MEMBERS_PER_ADD = 300
DEFAULT_MAX_MEMBERS = 6000
IMPORT_DEFAULT_MAX_MEMBERS = 2000
MAX_APP_VALUE_BYTES = 512
MAX_APP_GROUP_PAGE = 10_000
COMMUNITY_MAX_MEMBERS = 100_000
LIMITS = {"Name": 30, "Introduction": 240, "Notification": 300, "FaceUrl": 100}
JOIN_OPTIONS = ("FreeAccess", "NeedPermission", "DisableApply")
INVITE_OPTIONS = ("FreeAccess", "NeedPermission", "DisableInvite")


def check_lengths(**values: str | object) -> None:
    """Profile fields within Tencent's byte limits (10004 otherwise)."""
    for name, value in values.items():
        if isinstance(value, str) and len(value.encode()) > LIMITS[name]:
            raise ApiError(Code.GROUP_INVALID_PARAM, f"{name} longer than {LIMITS[name]} bytes")


def encode_kv(items: list[KeyValue]) -> str:
    return msgspec.json.encode([{"Key": i.key, "Value": i.value} for i in items]).decode()


def check_app_data(items: list[KeyValue]) -> None:
    """Group custom data: at most 10 keys, non-empty, values of at most 512 bytes (10004)."""
    if len(items) > MAX_GROUP_KEYS:
        raise ApiError(Code.GROUP_INVALID_PARAM, f"more than {MAX_GROUP_KEYS} AppDefinedData keys")
    for item in items:
        if not item.key or len(item.value.encode()) > MAX_APP_VALUE_BYTES:
            raise ApiError(Code.GROUP_INVALID_PARAM, f"AppDefinedData {item.key!r} invalid")


def group_type_of(name: str) -> str:
    """The stored type for a ``Type`` spelling; 10004 for an unknown one."""
    group_type = TYPE_NAMES.get(name)
    if group_type is None:
        raise ApiError(Code.GROUP_INVALID_PARAM, f"unknown group Type {name!r}")
    return group_type


def list_filter_type(name: str | None) -> str:
    """A list command's ``GroupType`` filter as a stored type name ('' = every type)."""
    if not name:
        return ""
    if name in LIST_FILTER_TYPES:
        return name
    return group_type_of(name)


async def require_accounts(ctx: Ctx, accounts: list[str]) -> None:
    """Every named account exists (App Admins always do); 10019 otherwise."""
    wanted = [a for a in dict.fromkeys(accounts) if not ctx.app.is_admin(a)]
    found = await ctx.storage.accounts.existing(ctx.sdkappid, wanted)
    missing = [a for a in wanted if a not in found]
    if missing:
        raise ApiError(Code.GROUP_ACCOUNT_NOT_FOUND, f"accounts not imported: {missing[:5]}")


def new_group_row(
    ctx: Ctx, req: GroupProfile, create_time: int, default_max: int
) -> tuple[GroupRow, str]:
    """Validate the profile fields create_group and import_group share; the row and its owner."""
    group_type = group_type_of(req.type)
    if not req.name:
        raise ApiError(Code.GROUP_INVALID_PARAM, "Name is required")
    check_lengths(
        Name=req.name,
        Introduction=req.introduction,
        Notification=req.notification,
        FaceUrl=req.face_url,
    )
    if req.apply_join_option is not UNSET and req.apply_join_option not in JOIN_OPTIONS:
        raise ApiError(Code.GROUP_INVALID_PARAM, "ApplyJoinOption invalid")
    if req.invite_join_option is not UNSET and req.invite_join_option not in INVITE_OPTIONS:
        raise ApiError(Code.GROUP_INVALID_PARAM, "InviteJoinOption invalid")
    if req.support_topic not in (0, 1) or (req.support_topic and group_type != COMMUNITY):
        raise ApiError(Code.GROUP_INVALID_PARAM, "SupportTopic is for Community groups only")
    check_app_data(req.app_defined_data)
    if req.group_id is UNSET:
        group_id = new_group_id(group_type)
    else:
        check_custom_group_id(req.group_id, group_type)
        group_id = req.group_id
    owner = "" if req.owner_account is UNSET else req.owner_account
    if owner and not printable(owner):
        raise ApiError(Code.GROUP_INVALID_PARAM, "Owner_Account invalid")
    max_members = COMMUNITY_MAX_MEMBERS if group_type == COMMUNITY else DEFAULT_MAX_MEMBERS
    if req.max_member_count is not UNSET:
        if not 0 < req.max_member_count <= max_members:
            raise ApiError(Code.GROUP_INVALID_PARAM, f"MaxMemberCount must be 1-{max_members}")
        max_members = req.max_member_count
    elif group_type != COMMUNITY:
        max_members = default_max
    group = GroupRow(
        sdkappid=ctx.sdkappid,
        group_id=group_id,
        type=group_type,
        name=req.name,
        create_time=create_time,
        max_member_num=max_members,
        introduction=req.introduction,
        notification=req.notification,
        face_url=req.face_url,
        owner_account=owner,
        last_info_time=create_time,
        apply_join_option="NeedPermission"
        if req.apply_join_option is UNSET
        else req.apply_join_option,
        invite_join_option="" if req.invite_join_option is UNSET else req.invite_join_option,
        support_topic=req.support_topic,
        app_defined_data=encode_kv(req.app_defined_data),
        active=0 if group_type == WORK else 1,
    )
    return group, owner


async def create_group(ctx: Ctx, req: CreateGroupRequest) -> CreateGroupResponse:
    """group_open_http_svc/create_group. No 'group created' tip: the first message gets seq 1."""
    now = ctx.now()
    group, owner = new_group_row(ctx, req, now, DEFAULT_MAX_MEMBERS)
    group_type, group_id = group.type, group.group_id
    if group_type == AVCHATROOM and req.member_list:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom groups take no MemberList")
    if len(req.member_list) > MAX_MEMBERS_AT_CREATE:
        raise ApiError(Code.GROUP_TOO_MANY_ACCOUNTS)
    if any(m.role is not UNSET and m.role != "Admin" for m in req.member_list):
        raise ApiError(Code.GROUP_INVALID_PARAM, "only Role Admin may be set at creation")
    await require_accounts(ctx, [owner] * bool(owner) + [m.member_account for m in req.member_list])
    members: list[MemberRow] = []
    if group_type != AVCHATROOM:
        if owner:
            members.append(MemberRow(ctx.sdkappid, group_id, owner, now, role="Owner"))
        for m in req.member_list:
            if m.member_account == owner or any(
                x.member_account == m.member_account for x in members
            ):
                continue
            members.append(
                MemberRow(
                    ctx.sdkappid,
                    group_id,
                    m.member_account,
                    now,
                    role="Admin" if m.role == "Admin" else "Member",
                    msg_flag="AcceptNotNotify" if group_type == MEETING else "AcceptAndNotify",
                    app_member_defined_data=encode_kv(
                        [] if m.app_member_defined_data is UNSET else m.app_member_defined_data
                    ),
                )
            )
    if len(members) > group.max_member_num:
        raise ApiError(Code.GROUP_FULL)
    try:
        await ctx.storage.groups.create_group(group, members)
    except Conflict:
        existing = await ctx.storage.groups.get_group(ctx.sdkappid, group_id)
        mine = existing is not None and bool(owner) and existing.owner_account == owner
        raise ApiError(Code.GROUP_ID_USED_BY_YOU if mine else Code.GROUP_ID_USED) from None
    if req.support_topic:
        return CreateGroupResponse(group_id=group_id, type=group_type, huge_group_flag=0)
    return CreateGroupResponse(group_id=group_id)


async def import_group(ctx: Ctx, req: ImportGroupRequest) -> ImportGroupResponse:
    """group_open_http_svc/import_group: a group with a historical CreateTime, no members but
    its owner (import those with import_group_member). A taken ID is always 10021."""
    if group_type_of(req.type) == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom groups cannot be imported")
    now = ctx.now()
    create_time = req.create_time or now
    if not 0 < create_time <= now:
        raise ApiError(Code.GROUP_INVALID_PARAM, "CreateTime must lie in the past")
    group, owner = new_group_row(ctx, req, create_time, IMPORT_DEFAULT_MAX_MEMBERS)
    group.active = 1  # a migrated group has been in use: Work groups need no activation
    await require_accounts(ctx, [owner] * bool(owner))
    members = [MemberRow(ctx.sdkappid, group.group_id, owner, create_time, role="Owner")]
    try:
        await ctx.storage.groups.create_group(group, members[: bool(owner)])
    except Conflict:
        raise ApiError(Code.GROUP_ID_USED) from None
    return ImportGroupResponse(group_id=group.group_id)


async def destroy_group(ctx: Ctx, req: DestroyGroupRequest) -> DestroyGroupResponse:
    """group_open_http_svc/destroy_group: the group, its members and history are gone."""
    await load_group(ctx, req.group_id)
    if not await ctx.storage.groups.destroy_group(ctx.sdkappid, req.group_id):
        raise ApiError(Code.GROUP_NOT_FOUND)
    return DestroyGroupResponse()


async def add_group_member(ctx: Ctx, req: AddGroupMemberRequest) -> AddGroupMemberResponse:
    """group_open_http_svc/add_group_member: Result 1 added, 2 already a member.

    No member-joined tip is stored (docs/decisions.md), so adding members consumes no seq.
    """
    group = await load_group(ctx, req.group_id)
    if group.type == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom members join through the client SDK")
    if not req.member_list:
        raise ApiError(Code.GROUP_INVALID_PARAM, "MemberList is empty")
    if len(req.member_list) > MAX_MEMBERS_PER_ADD:
        raise ApiError(Code.GROUP_TOO_MANY_ACCOUNTS)
    accounts = [m.member_account for m in req.member_list]
    await require_accounts(ctx, accounts)
    now = ctx.now()
    flag = "AcceptNotNotify" if group.type == MEETING else "AcceptAndNotify"
    rows = [MemberRow(ctx.sdkappid, group.group_id, a, now, msg_flag=flag) for a in accounts]
    try:
        result = await ctx.storage.groups.add_members(
            ctx.sdkappid, group.group_id, rows, group.max_member_num
        )
    except OverflowError:
        raise ApiError(Code.GROUP_FULL) from None
    if result is None:
        raise ApiError(Code.GROUP_NOT_FOUND)
    already = set(result.already)
    return AddGroupMemberResponse(
        member_list=[
            MemberResult(member_account=a, result=2 if a in already else 1)
            for a in dict.fromkeys(accounts)
        ]
    )


async def get_appid_group_list(
    ctx: Ctx, req: GetAppidGroupListRequest
) -> GetAppidGroupListResponse:
    """group_open_http_svc/get_appid_group_list: ``Next`` is the last row's creation key.

    ``Limit`` absent or 0 means 10,000; outside 0-10,000 it is 10004, as is an unknown
    ``GroupType``.
    """
    limit = req.limit or MAX_APP_GROUP_PAGE
    if not 0 < limit <= MAX_APP_GROUP_PAGE:
        raise ApiError(Code.GROUP_INVALID_PARAM, f"Limit must be 1-{MAX_APP_GROUP_PAGE}")
    after = req.next or 0
    if after < 0:
        raise ApiError(Code.GROUP_INVALID_PARAM, "Next invalid")
    group_type = list_filter_type(req.group_type)
    total, ids, next_key = await ctx.storage.groups.list_app_groups(
        ctx.sdkappid, after, limit, group_type
    )
    return GetAppidGroupListResponse(
        total_count=total, group_id_list=[GroupIdItem(group_id=g) for g in ids], next=next_key
    )


async def change_group_owner(ctx: Ctx, req: ChangeGroupOwnerRequest) -> ChangeGroupOwnerResponse:
    """group_open_http_svc/change_group_owner: the new owner must be a member (10004 if not);
    the previous owner becomes a Member. Also gives an ownerless group an owner."""
    group = await load_group(ctx, req.group_id)
    if group.type == AVCHATROOM:
        raise ApiError(Code.GROUP_NO_PERMISSION, "AVChatRoom groups have no owner to change")
    if not req.new_owner_account:
        raise ApiError(Code.GROUP_INVALID_PARAM, "NewOwner_Account is required")
    outcome = await ctx.storage.members.change_owner(
        ctx.sdkappid, group.group_id, req.new_owner_account, ctx.now()
    )
    if outcome is Outcome.GONE:
        raise ApiError(Code.GROUP_NOT_FOUND)
    if outcome is Outcome.REFUSED:
        raise ApiError(Code.GROUP_INVALID_PARAM, "NewOwner_Account is not a member of the group")
    return ChangeGroupOwnerResponse()
