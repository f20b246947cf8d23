"""Group messages: group_open_http_svc message commands and openim/modify_group_msg."""

from __future__ import annotations

from msgspec import Struct

from opentim.wire.common import UNSET, Envelope, Raw, Request, UnsetType, field

# --- send_group_msg ----------------------------------------------------------------------------


class GroupAtItem(Struct, kw_only=True):
    group_at_all_flag: int = field(default=0, name="GroupAtAllFlag")
    group_at_account: str | UnsetType = field(default=UNSET, name="GroupAt_Account")


class SendGroupMsgRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    random: int | UnsetType = field(default=UNSET, name="Random")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    msg_priority: str | UnsetType = field(default=UNSET, name="MsgPriority")
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    offline_push_info: dict[str, object] | UnsetType = field(default=UNSET, name="OfflinePushInfo")
    forbid_callback_control: list[str] = field(default_factory=list, name="ForbidCallbackControl")
    online_only_flag: int = field(default=0, name="OnlineOnlyFlag")
    send_msg_control: list[str] = field(default_factory=list, name="SendMsgControl")
    cloud_custom_data: str = field(default="", name="CloudCustomData")
    support_message_extension: int = field(default=0, name="SupportMessageExtension")
    to_account: list[str] = field(default_factory=list, name="To_Account")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")
    group_at_info: list[GroupAtItem] = field(default_factory=list, name="GroupAtInfo")
    need_read_receipt: int = field(default=0, name="NeedReadReceipt")


class SendGroupMsgResponse(Envelope, kw_only=True):
    msg_time: int = field(name="MsgTime")
    msg_seq: int = field(name="MsgSeq")
    msg_drop_reason: str = field(default="", name="MsgDropReason")


# --- group_msg_get_simple ----------------------------------------------------------------------


class GroupMsgGetSimpleRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    req_msg_number: int = field(name="ReqMsgNumber")
    req_msg_seq: int | UnsetType = field(default=UNSET, name="ReqMsgSeq")
    with_recalled_msg: int = field(default=0, name="WithRecalledMsg")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")


class RspMsgItem(Struct, kw_only=True):
    from_account: str = field(name="From_Account")
    is_place_msg: int = field(name="IsPlaceMsg")
    is_system_msg: int | UnsetType = field(default=UNSET, name="IsSystemMsg")
    msg_body: Raw = field(name="MsgBody")
    msg_priority: int = field(name="MsgPriority")
    msg_random: int = field(name="MsgRandom")
    msg_seq: int = field(name="MsgSeq")
    msg_time_stamp: int = field(name="MsgTimeStamp")
    cloud_custom_data: str | UnsetType = field(default=UNSET, name="CloudCustomData")


class GroupMsgGetSimpleResponse(Envelope, kw_only=True):
    group_id: str = field(name="GroupId")
    is_finished: int = field(name="IsFinished")
    rsp_msg_list: Raw = field(name="RspMsgList")
    """The JSON array of ``RspMsgItem``: a stored message's item as stored; placeholders and
    recalled ones built."""


# --- group_msg_recall --------------------------------------------------------------------------


class MsgSeqItem(Struct, kw_only=True):
    msg_seq: int = field(name="MsgSeq")


class GroupMsgRecallRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    msg_seq_list: list[MsgSeqItem] = field(name="MsgSeqList")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")
    reason: str = field(default="", name="Reason")


class RecallRetItem(Struct, kw_only=True):
    msg_seq: int = field(name="MsgSeq")
    ret_code: int = field(name="RetCode")


class GroupMsgRecallResponse(Envelope, kw_only=True):
    recall_ret_list: list[RecallRetItem] = field(name="RecallRetList")


# --- import_group_msg --------------------------------------------------------------------------


class ImportMsgItem(Struct, kw_only=True):
    from_account: str = field(name="From_Account")
    send_time: int = field(name="SendTime")
    random: int | UnsetType = field(default=UNSET, name="Random")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    cloud_custom_data: str = field(default="", name="CloudCustomData")


class ImportGroupMsgRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    recent_contact_flag: int = field(default=0, name="RecentContactFlag")
    msg_list: list[ImportMsgItem] = field(name="MsgList")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")


class ImportMsgResult(Struct, kw_only=True):
    msg_seq: int = field(name="MsgSeq")
    msg_time: int = field(name="MsgTime")
    result: int = field(name="Result")


class ImportGroupMsgResponse(Envelope, kw_only=True):
    import_msg_result: list[ImportMsgResult] = field(name="ImportMsgResult")


# --- send_group_system_notification, set_unread_msg_num ----------------------------------------


class SendGroupSystemNotificationRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    to_members_account: list[str] = field(default_factory=list, name="ToMembers_Account")
    content: str = field(name="Content")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")


class SendGroupSystemNotificationResponse(Envelope, kw_only=True):
    pass


class SetUnreadMsgNumRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    member_account: str = field(name="Member_Account")
    unread_msg_num: int = field(name="UnreadMsgNum")


class SetUnreadMsgNumResponse(Envelope, kw_only=True):
    pass


# --- history management: clear_group_msg, delete_group_msg_by_sender, modify_group_msg ---------


class ClearGroupMsgRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    msg_seq: int | UnsetType = field(default=UNSET, name="MsgSeq")


class ClearGroupMsgResponse(Envelope, kw_only=True):
    pass


class DeleteGroupMsgBySenderRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    sender_account: str = field(name="Sender_Account")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")


class DeleteGroupMsgBySenderResponse(Envelope, kw_only=True):
    pass


class ModifyGroupMsgRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    msg_seq: int = field(name="MsgSeq")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    cloud_custom_data: str | UnsetType = field(default=UNSET, name="CloudCustomData")
    topic_id: str | UnsetType = field(default=UNSET, name="TopicId")


class ModifyGroupMsgResponse(Envelope, kw_only=True):
    error_info: str = field(default="succeed", name="ErrorInfo")
