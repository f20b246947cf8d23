"""recentcontact: conversation lists, conversation marks and conversation groups.

Field-name traps kept as on the wire: ``ToGroupid`` in ``delete``, ``ToGroupId`` in contact
items, ``GroupId`` in ``get_list``.
"""

from __future__ import annotations

from msgspec import Struct

from opentim.wire.common import (
    UNSET,
    Envelope,
    EnvelopeWithDisplay,
    Request,
    UnsetType,
    field,
)


class GetListRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    time_stamp: int = field(default=0, name="TimeStamp")
    start_index: int = field(default=0, name="StartIndex")
    top_time_stamp: int = field(default=0, name="TopTimeStamp")
    top_start_index: int = field(default=0, name="TopStartIndex")
    assist_flags: int = field(default=0, name="AssistFlags")


class SessionItem(Struct, kw_only=True):
    type: int = field(name="Type")
    to_account: str | UnsetType = field(default=UNSET, name="To_Account")
    group_id: str | UnsetType = field(default=UNSET, name="GroupId")
    msg_time: int = field(name="MsgTime")
    top_flag: int = field(name="TopFlag")
    standard_mark: str | UnsetType = field(default=UNSET, name="StandardMark")
    custom_mark: str | UnsetType = field(default=UNSET, name="CustomMark")
    contact_group_id: list[int] | UnsetType = field(default=UNSET, name="ContactGroupId")


class GetListResponse(EnvelopeWithDisplay, kw_only=True):
    session_item: list[SessionItem] = field(name="SessionItem")
    complete_flag: int = field(name="CompleteFlag")
    time_stamp: int = field(name="TimeStamp")
    start_index: int = field(name="StartIndex")
    top_time_stamp: int = field(name="TopTimeStamp")
    top_start_index: int = field(name="TopStartIndex")


class DeleteRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    type: int = field(name="Type")
    to_account: str | UnsetType = field(default=UNSET, name="To_Account")
    to_groupid: str | UnsetType = field(default=UNSET, name="ToGroupid")
    clear_ramble: int = field(default=0, name="ClearRamble")


class DeleteResponse(EnvelopeWithDisplay, kw_only=True):
    pass


class ContactItem(Struct, kw_only=True):
    type: int = field(name="Type")
    to_account: str | UnsetType = field(default=UNSET, name="To_Account")
    to_group_id: str | UnsetType = field(default=UNSET, name="ToGroupId")


class MarkItem(Struct, kw_only=True):
    opt_type: int = field(name="OptType")
    contact_item: ContactItem = field(name="ContactItem")
    set_mark: list[int] = field(default_factory=list, name="SetMark")
    clear_mark: list[int] = field(default_factory=list, name="ClearMark")
    custom_mark: str | UnsetType = field(default=UNSET, name="CustomMark")


class MarkContactRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    mark_item: list[MarkItem] = field(default_factory=list, name="MarkItem")


class MarkResult(Struct, kw_only=True):
    opt_type: int = field(name="OptType")
    contact_item: ContactItem = field(name="ContactItem")
    result_code: int = field(name="ResultCode")
    result_info: str = field(name="ResultInfo")


class MarkContactResponse(EnvelopeWithDisplay, kw_only=True):
    result_item: list[MarkResult] = field(name="ResultItem")


class GroupContactItem(Struct, kw_only=True):
    group_name: str = field(name="GroupName")
    contact_item: list[ContactItem] = field(default_factory=list, name="ContactItem")


class CreateContactGroupRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    group_contact_item: list[GroupContactItem] = field(
        default_factory=list, name="GroupContactItem"
    )


class GroupItem(Struct, kw_only=True):
    group_name: str = field(name="GroupName")
    group_id: int = field(name="GroupId")


class ContactResult(Struct, kw_only=True):
    contact_item: ContactItem = field(name="ContactItem")
    result_code: int = field(name="ResultCode")
    result_info: str = field(name="ResultInfo")


class GroupResultItem(Struct, kw_only=True):
    group_item: GroupItem = field(name="GroupItem")
    result_item: list[ContactResult] = field(name="ResultItem")


class CreateContactGroupResponse(EnvelopeWithDisplay, kw_only=True):
    group_result_item: list[GroupResultItem] = field(name="GroupResultItem")


class ContactUpdateItem(Struct, kw_only=True):
    contact_opt_type: int = field(name="ContactOptType")
    contact_item: ContactItem = field(name="ContactItem")


class UpdateGroup(Struct, kw_only=True):
    update_group_type: int = field(name="UpdateGroupType")
    old_group_name: str = field(name="OldGroupName")
    new_group_name: str | UnsetType = field(default=UNSET, name="NewGroupName")
    contact_update_item: list[ContactUpdateItem] = field(
        default_factory=list, name="ContactUpdateItem"
    )


class UpdateContactGroupRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    update_type: int = field(name="UpdateType")
    update_group: UpdateGroup = field(name="UpdateGroup")


class ContactUpdateResult(Struct, kw_only=True):
    contact_opt_type: int = field(name="ContactOptType")
    contact_item: ContactItem = field(name="ContactItem")
    result_code: int = field(name="ResultCode")
    result_info: str = field(name="ResultInfo")


class UpdateGroupResult(Struct, kw_only=True):
    update_group_type: int = field(name="UpdateGroupType")
    group_name: str = field(name="GroupName")
    group_id: int = field(name="GroupId")
    old_group_name: str = field(name="OldGroupName")
    contact_result_item: list[ContactUpdateResult] | UnsetType = field(
        default=UNSET, name="ContactResultItem"
    )


class UpdateContactGroupResponse(EnvelopeWithDisplay, kw_only=True):
    update_type: int = field(name="UpdateType")
    update_group_result: UpdateGroupResult = field(name="UpdateGroupResult")


class DelContactGroupRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    group_name: list[str] = field(default_factory=list, name="GroupName")


class DelContactGroupResponse(Envelope, kw_only=True):
    """The documented answer has no ``ErrorDisplay``."""

    group_item: list[GroupItem] = field(name="GroupItem")


class ContactData(Struct, kw_only=True):
    type: int = field(name="Type")
    to_account: str | UnsetType = field(default=UNSET, name="To_Account")
    to_group_id: str | UnsetType = field(default=UNSET, name="ToGroupId")
    standard_mark: str | UnsetType = field(default=UNSET, name="StandardMark")
    custom_mark: str | UnsetType = field(default=UNSET, name="CustomMark")
    contact_group_id: list[int] | UnsetType = field(default=UNSET, name="ContactGroupId")
    timestamp: int = field(name="Timestamp")


class SearchContactGroupRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    contact_item: list[ContactItem] = field(default_factory=list, name="ContactItem")


class SearchContactGroupResponse(EnvelopeWithDisplay, kw_only=True):
    contact_result_item: list[ContactData] = field(name="ContactResultItem")
    group_item: list[GroupItem] = field(name="GroupItem")


class GetContactGroupRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    start_index: int = field(default=0, name="StartIndex")


class GetContactGroupResponse(EnvelopeWithDisplay, kw_only=True):
    contact_item: list[ContactData] = field(name="ContactItem")
    group_item: list[GroupItem] = field(name="GroupItem")
    complete_flag: int = field(name="CompleteFlag")
    next_start_index: int = field(name="NextStartIndex")
