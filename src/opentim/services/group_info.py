"""Group profiles: get_group_info, modify_group_base_info, get_joined_group_list.

Also how group and member fields are picked by the ``...Filter`` lists of the read commands.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from opentim.context import Ctx
from opentim.errors import TEXTS, ApiError, Code
from opentim.services.group_rules import (
    AVCHATROOM,
    COMMUNITY,
    MEETING,
    load_group,
    well_formed_group_id,
)
from opentim.services.groups import (
    COMMUNITY_MAX_MEMBERS,
    DEFAULT_MAX_MEMBERS,
    JOIN_OPTIONS,
    check_app_data,
    check_lengths,
    list_filter_type,
)
from opentim.storage.group_members import JoinedFilter
from opentim.storage.groups import GroupRow, MemberRow, Outcome
from opentim.wire.common import UNSET
from opentim.wire.groups import (
    GetGroupInfoRequest,
    GetGroupInfoResponse,
    GetJoinedGroupListRequest,
    GetJoinedGroupListResponse,
    GroupInfoItem,
    JoinedGroupItem,
    KeyValue,
    MemberInfo,
    ModifyGroupBaseInfoRequest,
    ModifyGroupBaseInfoResponse,
    SelfInfo,
)

MAX_GROUPS_PER_INFO = 50
MAX_REPLY_BYTES = 1 << 20
CHECK_SIZE_FROM_MEMBERS = 1000
"""Answers listing more members than this are measured against the 1 MB limit (10018)."""

_BASE_ATTRS = {
    "Type": "type",
    "Name": "name",
    "Introduction": "introduction",
    "Notification": "notification",
    "FaceUrl": "face_url",
    "Owner_Account": "owner_account",
    "CreateTime": "create_time",
    "InfoSeq": "info_seq",
    "LastInfoTime": "last_info_time",
    "LastMsgTime": "last_msg_time",
    "NextMsgSeq": "next_msg_seq",
    "MaxMemberNum": "max_member_num",
    "ApplyJoinOption": "apply_join_option",
    "MuteAllMember": "mute_all_member",
}
"""``GroupBaseInfoFilter`` names → the attribute of both ``GroupRow`` and the wire struct."""
ALL_BASE = (*_BASE_ATTRS, "Appid", "MemberNum")
_MEMBER_ATTRS = {
    "Role": "role",
    "JoinTime": "join_time",
    "MsgSeq": "msg_seq",
    "MsgFlag": "msg_flag",
    "LastSendMsgTime": "last_send_msg_time",
    "MuteUntil": "mute_until",
    "NameCard": "name_card",
}
"""``MemberInfoFilter`` / ``SelfInfoFilter`` names → attribute; unknown names are ignored."""
_kv_decoder = msgspec.json.Decoder(list[KeyValue])


def base_fields(group: GroupRow, member_num: int, names: Iterable[str]) -> dict[str, Any]:
    """The base fields ``names`` selects, as keyword arguments of a ``GroupBase`` struct."""
    out: dict[str, Any] = {}
    for name in names:
        attr = _BASE_ATTRS.get(name)
        if attr is not None:
            out[attr] = getattr(group, attr)
        elif name == "MemberNum":
            out["member_num"] = member_num
        elif name == "Appid":
            out["appid"] = group.sdkappid
    return out


def custom_data(stored: str, keys: frozenset[str] | None) -> list[KeyValue]:
    """Stored custom data, all of it (``keys`` None) or only ``keys``."""
    items = _kv_decoder.decode(stored) if stored != "[]" else []
    return items if keys is None else [i for i in items if i.key in keys]


@dataclass(frozen=True, slots=True)
class MemberView:
    """Which member fields a read command returns."""

    attrs: tuple[str, ...]
    custom: bool
    keys: frozenset[str] | None = None
    """Custom keys to return when ``custom``; None for all of them."""

    @classmethod
    def of(cls, names: Sequence[str] | None, keys: Sequence[str] | None, full: bool) -> MemberView:
        """``names`` None = every field; custom data: ``keys`` if given, else all when ``full``."""
        wanted = _MEMBER_ATTRS if names is None else [n for n in names if n in _MEMBER_ATTRS]
        attrs = tuple(_MEMBER_ATTRS[n] for n in wanted)
        if keys is not None:
            return cls(attrs, True, frozenset(keys))
        return cls(attrs, full)

    def render(self, member: MemberRow, now: int) -> MemberInfo:
        fields = {a: getattr(member, a) for a in self.attrs}
        if "mute_until" in fields and member.mute_until <= now:
            fields["mute_until"] = 0
        info = MemberInfo(member_account=member.member_account, **fields)
        if self.custom:
            info.app_member_defined_data = custom_data(member.app_member_defined_data, self.keys)
        return info


def ensure_fits(reply: msgspec.Struct, members: int) -> None:
    """10018 when a reply listing many members would exceed 1 MB."""
    if members > CHECK_SIZE_FROM_MEMBERS and len(msgspec.json.encode(reply)) > MAX_REPLY_BYTES:
        raise ApiError(Code.GROUP_RESPONSE_TOO_LARGE)


def unread_count(group: GroupRow, member: MemberRow, uncounted: int) -> int:
    """Messages after the member's read mark, less the ``uncounted`` ones among them (NoUnread,
    targeted); Meeting and AVChatRoom groups count none."""
    if group.type in (MEETING, AVCHATROOM):
        return 0
    return max(0, group.next_msg_seq - 1 - member.msg_seq - uncounted)


async def get_group_info(ctx: Ctx, req: GetGroupInfoRequest) -> GetGroupInfoResponse:
    """group_open_http_svc/get_group_info: per-group ErrorCode (10015 malformed, 10010 absent).

    With a ``ResponseFilter`` only what its lists name comes back: no list, no such part.
    """
    if not req.group_id_list:
        raise ApiError(Code.GROUP_INVALID_PARAM, "GroupIdList is empty")
    if len(req.group_id_list) > MAX_GROUPS_PER_INFO:
        raise ApiError(Code.GROUP_INVALID_PARAM, f"more than {MAX_GROUPS_PER_INFO} groups")
    rf = req.response_filter
    if rf is None:
        base_names: Sequence[str] = ALL_BASE
        view: MemberView | None = MemberView.of(None, None, full=True)
        group_keys: frozenset[str] | None = None
        with_group_data = True
    else:
        base_names = rf.group_base_info_filter or ()
        wants_members = (
            rf.member_info_filter is not None or rf.app_defined_data_filter_group_member is not None
        )
        view = (
            MemberView.of(
                rf.member_info_filter or [], rf.app_defined_data_filter_group_member, False
            )
            if wants_members
            else None
        )
        with_group_data = rf.app_defined_data_filter_group is not None
        group_keys = frozenset(rf.app_defined_data_filter_group or ())
    valid = [g for g in req.group_id_list if well_formed_group_id(g)]
    found = await ctx.storage.groups.get_groups(ctx.sdkappid, valid, view is not None)
    now = ctx.now()
    items: list[GroupInfoItem] = []
    listed = 0
    for group_id in req.group_id_list:
        info = found.get(group_id)
        if info is None:
            code = Code.GROUP_NOT_FOUND if well_formed_group_id(group_id) else Code.GROUP_INVALID_ID
            items.append(GroupInfoItem(group_id=group_id, error_code=code, error_info=TEXTS[code]))
            continue
        group = info.group
        item = GroupInfoItem(group_id=group_id, **base_fields(group, info.member_num, base_names))
        if with_group_data:
            item.app_defined_data = custom_data(group.app_defined_data, group_keys)
        if view is not None and info.members is not None and group.type != AVCHATROOM:
            item.member_list = [view.render(m, now) for m in info.members]
            listed += len(info.members)
        items.append(item)
    reply = GetGroupInfoResponse(group_info=items)
    ensure_fits(reply, listed)
    return reply


async def modify_group_base_info(
    ctx: Ctx, req: ModifyGroupBaseInfoRequest
) -> ModifyGroupBaseInfoResponse:
    """group_open_http_svc/modify_group_base_info: only the fields sent change.

    An ``AppDefinedData`` entry with an empty ``Value`` deletes that key. Any change bumps
    ``InfoSeq`` and sets ``LastInfoTime``; a request that changes nothing bumps nothing.
    ``ShutUpAllMember`` is accepted as the legacy name of ``MuteAllMember``.
    """
    changes: dict[str, object] = {}
    for name, attr in (
        ("Name", "name"),
        ("Introduction", "introduction"),
        ("Notification", "notification"),
        ("FaceUrl", "face_url"),
    ):
        value = getattr(req, attr)
        if value is not UNSET:
            check_lengths(**{name: value})
            changes[attr] = value
    if changes.get("name") == "":
        raise ApiError(Code.GROUP_INVALID_PARAM, "Name must not be empty")
    mute = req.mute_all_member if req.mute_all_member is not UNSET else req.shut_up_all_member
    if mute is not UNSET:
        if mute not in ("On", "Off"):
            raise ApiError(Code.GROUP_INVALID_PARAM, "MuteAllMember must be On or Off")
        changes["mute_all_member"] = mute
    app_data: dict[str, str] = {}
    if req.app_defined_data is not UNSET:
        check_app_data(req.app_defined_data)
        app_data = {i.key: i.value for i in req.app_defined_data}
    if req.max_member_num is not UNSET or req.apply_join_option is not UNSET:
        await _type_rules(ctx, req, changes)
    elif not well_formed_group_id(req.group_id):
        raise ApiError(Code.GROUP_INVALID_ID)
    if not changes and not app_data:
        if not await ctx.storage.groups.get_group(ctx.sdkappid, req.group_id):
            raise ApiError(Code.GROUP_NOT_FOUND)
        return ModifyGroupBaseInfoResponse()
    outcome = await ctx.storage.groups.modify_group(
        ctx.sdkappid, req.group_id, changes, app_data, ctx.now()
    )
    if outcome is Outcome.GONE:
        raise ApiError(Code.GROUP_NOT_FOUND)
    if outcome is Outcome.REFUSED:
        raise ApiError(
            Code.GROUP_INVALID_PARAM,
            "MaxMemberNum below the member count, or more than 10 AppDefinedData keys",
        )
    return ModifyGroupBaseInfoResponse()


async def _type_rules(
    ctx: Ctx, req: ModifyGroupBaseInfoRequest, changes: dict[str, object]
) -> None:
    """The fields whose rules depend on the group's type: MaxMemberNum, ApplyJoinOption."""
    group = await load_group(ctx, req.group_id)
    if req.apply_join_option is not UNSET:
        if req.apply_join_option not in JOIN_OPTIONS:
            raise ApiError(Code.GROUP_INVALID_PARAM, "ApplyJoinOption invalid")
        if group.type == COMMUNITY:
            raise ApiError(Code.GROUP_NO_PERMISSION, "Community groups take no ApplyJoinOption")
        changes["apply_join_option"] = req.apply_join_option
    if req.max_member_num is not UNSET and group.type != AVCHATROOM:
        limit = COMMUNITY_MAX_MEMBERS if group.type == COMMUNITY else DEFAULT_MAX_MEMBERS
        if not 0 < req.max_member_num <= limit:
            raise ApiError(Code.GROUP_INVALID_PARAM, f"MaxMemberNum must be 1-{limit}")
        changes["max_member_num"] = req.max_member_num


async def get_joined_group_list(
    ctx: Ctx, req: GetJoinedGroupListRequest
) -> GetJoinedGroupListResponse:
    """group_open_http_svc/get_joined_group_list (admin; on the client API, the caller's own).

    Hidden unless asked for: AVChatRoom groups (``WithHugeGroups=1``) and Work groups without
    a message yet (``WithNoActiveGroups=1``). Without ``ResponseFilter`` items carry only
    ``GroupId``. ``Limit`` absent or 0 means all. An unknown account has no groups.
    """
    account = req.member_account
    if account is UNSET or not account:
        raise ApiError(Code.GROUP_INVALID_PARAM, "Member_Account is required")
    group_type = list_filter_type(req.group_type)
    if req.support_topic not in (None, 0, 1):
        raise ApiError(Code.GROUP_INVALID_PARAM, "SupportTopic must be 0 or 1")
    if req.support_topic and group_type != COMMUNITY:
        raise ApiError(Code.GROUP_INVALID_PARAM, "SupportTopic needs GroupType Community")
    limit, offset = req.limit or None, req.offset or 0
    if (limit is not None and limit < 0) or offset < 0:
        raise ApiError(Code.GROUP_INVALID_PARAM, "Limit and Offset must not be negative")
    rf = req.response_filter
    base_names = (rf.group_base_info_filter or ()) if rf else ()
    self_names = rf.self_info_filter if rf else None
    which = JoinedFilter(
        group_type=group_type,
        with_huge_groups=req.with_huge_groups == 1,
        with_inactive=req.with_no_active_groups == 1,
        support_topic_only=req.support_topic == 1,
    )
    total, rows = await ctx.storage.members.joined_groups(
        ctx.sdkappid, account, which, limit, offset, with_member_num="MemberNum" in base_names
    )
    now = ctx.now()
    uncounted: dict[str, int] = {}
    if self_names is not None and "UnreadMsgNum" in self_names:
        uncounted = await ctx.storage.group_messages.uncounted_after(
            ctx.sdkappid, [(group.group_id, member.msg_seq) for group, member, _ in rows]
        )
    items = []
    for group, member, member_num in rows:
        item = JoinedGroupItem(
            group_id=group.group_id, **base_fields(group, member_num, base_names)
        )
        if self_names is not None:
            unread = unread_count(group, member, uncounted.get(group.group_id, 0))
            item.self_info = _self_info(member, self_names, now, unread)
        items.append(item)
    return GetJoinedGroupListResponse(total_count=total, group_id_list=items)


def _self_info(member: MemberRow, names: Sequence[str], now: int, unread: int) -> SelfInfo:
    attrs = [_MEMBER_ATTRS[n] for n in names if n in _MEMBER_ATTRS]
    info = SelfInfo(**{a: getattr(member, a) for a in attrs})
    if info.mute_until is not UNSET and member.mute_until <= now:
        info.mute_until = 0
    if "UnreadMsgNum" in names:
        info.unread_msg_num = unread
    return info
