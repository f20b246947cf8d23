"""group_open_http_svc: group and member management."""

from __future__ import annotations

from msgspec import Struct

from opentim.wire.common import UNSET, Envelope, Request, UnsetType, field


class KeyValue(Struct, kw_only=True):
    key: str = field(name="Key")
    value: str = field(name="Value")


class NewMember(Struct, kw_only=True):
    member_account: str = field(name="Member_Account")
    role: str | UnsetType = field(default=UNSET, name="Role")
    app_member_defined_data: list[KeyValue] | UnsetType = field(
        default=UNSET, name="AppMemberDefinedData"
    )


class GroupProfile(Request, kw_only=True):
    """The fields create_group and import_group share."""

    owner_account: str | UnsetType = field(default=UNSET, name="Owner_Account")
    type: str = field(name="Type")
    group_id: str | UnsetType = field(default=UNSET, name="GroupId")
    name: str = field(name="Name")
    introduction: str = field(default="", name="Introduction")
    notification: str = field(default="", name="Notification")
    face_url: str = field(default="", name="FaceUrl")
    max_member_count: int | UnsetType = field(default=UNSET, name="MaxMemberCount")
    apply_join_option: str | UnsetType = field(default=UNSET, name="ApplyJoinOption")
    invite_join_option: str | UnsetType = field(default=UNSET, name="InviteJoinOption")
    app_defined_data: list[KeyValue] = field(default_factory=list, name="AppDefinedData")
    support_topic: int = field(default=0, name="SupportTopic")


class CreateGroupRequest(GroupProfile, kw_only=True):
    member_list: list[NewMember] = field(default_factory=list, name="MemberList")


class ImportGroupRequest(GroupProfile, kw_only=True):
    """No ``MemberList``: members are imported with import_group_member."""

    create_time: int | None = field(default=None, name="CreateTime")


class ImportGroupResponse(Envelope, kw_only=True):
    group_id: str = field(name="GroupId")


class CreateGroupResponse(Envelope, kw_only=True):
    group_id: str = field(name="GroupId")
    type: str | UnsetType = field(default=UNSET, name="Type")
    huge_group_flag: int | UnsetType = field(default=UNSET, name="HugeGroupFlag")


class DestroyGroupRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")


class DestroyGroupResponse(Envelope, kw_only=True):
    pass


class MemberAccount(Struct, kw_only=True):
    member_account: str = field(name="Member_Account")


class AddGroupMemberRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    silence: int = field(default=0, name="Silence")
    member_list: list[MemberAccount] = field(name="MemberList")


class MemberResult(Struct, kw_only=True):
    member_account: str = field(name="Member_Account")
    result: int = field(name="Result")


class AddGroupMemberResponse(Envelope, kw_only=True):
    member_list: list[MemberResult] = field(name="MemberList")


# --- get_group_info / get_joined_group_list ---------------------------------------------------


class GroupInfoFilter(Struct, kw_only=True):
    group_base_info_filter: list[str] | None = field(default=None, name="GroupBaseInfoFilter")
    member_info_filter: list[str] | None = field(default=None, name="MemberInfoFilter")
    app_defined_data_filter_group: list[str] | None = field(
        default=None, name="AppDefinedDataFilter_Group"
    )
    app_defined_data_filter_group_member: list[str] | None = field(
        default=None, name="AppDefinedDataFilter_GroupMember"
    )


class GetGroupInfoRequest(Request, kw_only=True):
    group_id_list: list[str] = field(name="GroupIdList")
    response_filter: GroupInfoFilter | None = field(default=None, name="ResponseFilter")


class MemberInfo(Struct, kw_only=True):
    """A member as listed by get_group_info / get_group_member_info; unrequested fields omitted."""

    member_account: str = field(name="Member_Account")
    role: str | UnsetType = field(default=UNSET, name="Role")
    join_time: int | UnsetType = field(default=UNSET, name="JoinTime")
    msg_seq: int | UnsetType = field(default=UNSET, name="MsgSeq")
    msg_flag: str | UnsetType = field(default=UNSET, name="MsgFlag")
    last_send_msg_time: int | UnsetType = field(default=UNSET, name="LastSendMsgTime")
    mute_until: int | UnsetType = field(default=UNSET, name="MuteUntil")
    name_card: str | UnsetType = field(default=UNSET, name="NameCard")
    app_member_defined_data: list[KeyValue] | UnsetType = field(
        default=UNSET, name="AppMemberDefinedData"
    )


class SelfInfo(Struct, kw_only=True):
    role: str | UnsetType = field(default=UNSET, name="Role")
    join_time: int | UnsetType = field(default=UNSET, name="JoinTime")
    msg_seq: int | UnsetType = field(default=UNSET, name="MsgSeq")
    msg_flag: str | UnsetType = field(default=UNSET, name="MsgFlag")
    unread_msg_num: int | UnsetType = field(default=UNSET, name="UnreadMsgNum")
    last_send_msg_time: int | UnsetType = field(default=UNSET, name="LastSendMsgTime")
    mute_until: int | UnsetType = field(default=UNSET, name="MuteUntil")
    name_card: str | UnsetType = field(default=UNSET, name="NameCard")


class GroupBase(Struct, kw_only=True):
    """``GroupId`` and the base fields a ``GroupBaseInfoFilter`` may name."""

    group_id: str = field(name="GroupId")
    type: str | UnsetType = field(default=UNSET, name="Type")
    name: str | UnsetType = field(default=UNSET, name="Name")
    appid: int | UnsetType = field(default=UNSET, name="Appid")
    introduction: str | UnsetType = field(default=UNSET, name="Introduction")
    notification: str | UnsetType = field(default=UNSET, name="Notification")
    face_url: str | UnsetType = field(default=UNSET, name="FaceUrl")
    owner_account: str | UnsetType = field(default=UNSET, name="Owner_Account")
    create_time: int | UnsetType = field(default=UNSET, name="CreateTime")
    info_seq: int | UnsetType = field(default=UNSET, name="InfoSeq")
    last_info_time: int | UnsetType = field(default=UNSET, name="LastInfoTime")
    last_msg_time: int | UnsetType = field(default=UNSET, name="LastMsgTime")
    next_msg_seq: int | UnsetType = field(default=UNSET, name="NextMsgSeq")
    member_num: int | UnsetType = field(default=UNSET, name="MemberNum")
    max_member_num: int | UnsetType = field(default=UNSET, name="MaxMemberNum")
    apply_join_option: str | UnsetType = field(default=UNSET, name="ApplyJoinOption")
    mute_all_member: str | UnsetType = field(default=UNSET, name="MuteAllMember")


class GroupInfoItem(GroupBase, kw_only=True):
    error_code: int = field(default=0, name="ErrorCode")
    error_info: str = field(default="", name="ErrorInfo")
    app_defined_data: list[KeyValue] | UnsetType = field(default=UNSET, name="AppDefinedData")
    member_list: list[MemberInfo] | UnsetType = field(default=UNSET, name="MemberList")


class GetGroupInfoResponse(Envelope, kw_only=True):
    group_info: list[GroupInfoItem] = field(name="GroupInfo")


class JoinedGroupFilter(Struct, kw_only=True):
    group_base_info_filter: list[str] | None = field(default=None, name="GroupBaseInfoFilter")
    self_info_filter: list[str] | None = field(default=None, name="SelfInfoFilter")


class GetJoinedGroupListRequest(Request, kw_only=True):
    member_account: str | UnsetType = field(default=UNSET, name="Member_Account")
    with_huge_groups: int | None = field(default=None, name="WithHugeGroups")
    with_no_active_groups: int | None = field(default=None, name="WithNoActiveGroups")
    limit: int | None = field(default=None, name="Limit")
    offset: int | None = field(default=None, name="Offset")
    group_type: str | None = field(default=None, name="GroupType")
    response_filter: JoinedGroupFilter | None = field(default=None, name="ResponseFilter")
    support_topic: int | None = field(default=None, name="SupportTopic")


class JoinedGroupItem(GroupBase, kw_only=True):
    self_info: SelfInfo | UnsetType = field(default=UNSET, name="SelfInfo")


class GetJoinedGroupListResponse(Envelope, kw_only=True):
    total_count: int = field(name="TotalCount")
    group_id_list: list[JoinedGroupItem] = field(name="GroupIdList")


# --- get_appid_group_list ---------------------------------------------------------------------


class GetAppidGroupListRequest(Request, kw_only=True):
    limit: int | None = field(default=None, name="Limit")
    next: int | None = field(default=None, name="Next")
    group_type: str | None = field(default=None, name="GroupType")


class GroupIdItem(Struct, kw_only=True):
    group_id: str = field(name="GroupId")


class GetAppidGroupListResponse(Envelope, kw_only=True):
    total_count: int = field(name="TotalCount")
    group_id_list: list[GroupIdItem] = field(name="GroupIdList")
    next: int = field(name="Next")


# --- modify_group_base_info / change_group_owner ----------------------------------------------


class ModifyGroupBaseInfoRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    name: str | UnsetType = field(default=UNSET, name="Name")
    introduction: str | UnsetType = field(default=UNSET, name="Introduction")
    notification: str | UnsetType = field(default=UNSET, name="Notification")
    face_url: str | UnsetType = field(default=UNSET, name="FaceUrl")
    max_member_num: int | UnsetType = field(default=UNSET, name="MaxMemberNum")
    apply_join_option: str | UnsetType = field(default=UNSET, name="ApplyJoinOption")
    app_defined_data: list[KeyValue] | UnsetType = field(default=UNSET, name="AppDefinedData")
    mute_all_member: str | UnsetType = field(default=UNSET, name="MuteAllMember")
    shut_up_all_member: str | UnsetType = field(default=UNSET, name="ShutUpAllMember")  # legacy


class ModifyGroupBaseInfoResponse(Envelope, kw_only=True):
    pass


class ChangeGroupOwnerRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    new_owner_account: str = field(name="NewOwner_Account")


class ChangeGroupOwnerResponse(Envelope, kw_only=True):
    pass


# --- members ----------------------------------------------------------------------------------


class DeleteGroupMemberRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    silence: int | None = field(default=None, name="Silence")
    reason: str | None = field(default=None, name="Reason")
    member_to_del_account: list[str] = field(name="MemberToDel_Account")


class DeleteGroupMemberResponse(Envelope, kw_only=True):
    pass


class GetGroupMemberInfoRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    member_info_filter: list[str] | None = field(default=None, name="MemberInfoFilter")
    member_role_filter: list[str] | None = field(default=None, name="MemberRoleFilter")
    app_defined_data_filter_group_member: list[str] | None = field(
        default=None, name="AppDefinedDataFilter_GroupMember"
    )
    limit: int | None = field(default=None, name="Limit")
    offset: int | None = field(default=None, name="Offset")
    next: str | None = field(default=None, name="Next")


class GetGroupMemberInfoResponse(Envelope, kw_only=True):
    member_num: int = field(name="MemberNum")
    member_list: list[MemberInfo] = field(name="MemberList")
    next: str | UnsetType = field(default=UNSET, name="Next")


class ImportMember(Struct, kw_only=True):
    member_account: str = field(name="Member_Account")
    role: str | None = field(default=None, name="Role")
    join_time: int | None = field(default=None, name="JoinTime")
    unread_msg_num: int | None = field(default=None, name="UnreadMsgNum")


class ImportGroupMemberRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    member_list: list[ImportMember] = field(name="MemberList")


class ImportGroupMemberResponse(Envelope, kw_only=True):
    member_list: list[MemberResult] = field(name="MemberList")
