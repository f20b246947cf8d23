"""group_open_http_svc: group and member management."""

from __future__ import annotations

from opentim.wire.common import UNSET, Envelope, Request, Struct, UnsetType, field


class KeyValue(Struct, kw_only=True):
    key: str = field(name="Key")
    value: str = field(name="Value")


class NewMember(Struct, kw_only=True):
    member_account: str = field(name="Member_Account")
    role: str | UnsetType = field(default=UNSET, name="Role")
    app_member_defined_data: list[KeyValue] | UnsetType = field(
        default=UNSET, name="AppMemberDefinedData"
    )


class CreateGroupRequest(Request, kw_only=True):
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
    member_list: list[NewMember] = field(default_factory=list, name="MemberList")
    support_topic: int = field(default=0, name="SupportTopic")


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
