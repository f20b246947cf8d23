"""openim: one-to-one (C2C) messages."""

from __future__ import annotations

from msgspec import Struct

from opentim.wire.common import UNSET, Envelope, Raw, Request, UnsetType, field


class SendMsgRequest(Request, kw_only=True):
    sync_other_machine: int | UnsetType = field(default=UNSET, name="SyncOtherMachine")
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    to_account: str = field(name="To_Account")
    msg_life_time: int | UnsetType = field(default=UNSET, name="MsgLifeTime")
    online_only_flag: int = field(default=0, name="OnlineOnlyFlag")
    msg_seq: int | UnsetType = field(default=UNSET, name="MsgSeq")
    msg_random: int = field(name="MsgRandom")
    msg_time_stamp: int | UnsetType = field(default=UNSET, name="MsgTimeStamp")
    forbid_callback_control: list[str] = field(default_factory=list, name="ForbidCallbackControl")
    send_msg_control: list[str] = field(default_factory=list, name="SendMsgControl")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    cloud_custom_data: str = field(default="", name="CloudCustomData")
    support_message_extension: int = field(default=0, name="SupportMessageExtension")
    offline_push_info: Raw | UnsetType = field(default=UNSET, name="OfflinePushInfo")
    is_need_read_receipt: int = field(default=0, name="IsNeedReadReceipt")


class SendMsgResponse(Envelope, kw_only=True):
    msg_time: int = field(name="MsgTime")
    msg_key: str = field(name="MsgKey")
    msg_id: str = field(name="MsgId")


class BatchSendMsgRequest(Request, kw_only=True):
    sync_other_machine: int | UnsetType = field(default=UNSET, name="SyncOtherMachine")
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    to_account: list[str] = field(name="To_Account")
    msg_life_time: int | UnsetType = field(default=UNSET, name="MsgLifeTime")
    online_only_flag: int = field(default=0, name="OnlineOnlyFlag")
    msg_seq: int | UnsetType = field(default=UNSET, name="MsgSeq")
    msg_random: int = field(name="MsgRandom")
    send_msg_control: list[str] = field(default_factory=list, name="SendMsgControl")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    cloud_custom_data: str = field(default="", name="CloudCustomData")
    offline_push_info: Raw | UnsetType = field(default=UNSET, name="OfflinePushInfo")
    is_need_read_receipt: int = field(default=0, name="IsNeedReadReceipt")


class RecipientError(Struct, kw_only=True):
    to_account: str = field(name="To_Account")
    error_code: int = field(name="ErrorCode")


class BatchSendMsgResponse(Envelope, kw_only=True):
    msg_key: str = field(name="MsgKey")
    msg_id: str = field(name="MsgId")
    error_list: list[RecipientError] | UnsetType = field(default=UNSET, name="ErrorList")


class ImportMsgRequest(Request, kw_only=True):
    sync_from_old_system: int = field(name="SyncFromOldSystem")
    from_account: str = field(name="From_Account")
    to_account: str = field(name="To_Account")
    msg_seq: int | UnsetType = field(default=UNSET, name="MsgSeq")
    msg_random: int = field(name="MsgRandom")
    msg_time_stamp: int = field(name="MsgTimeStamp")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    cloud_custom_data: str = field(default="", name="CloudCustomData")


class ImportMsgResponse(Envelope, kw_only=True):
    pass


class AdminGetRoamMsgRequest(Request, kw_only=True):
    operator_account: str | UnsetType = field(default=UNSET, name="Operator_Account")
    peer_account: str = field(name="Peer_Account")
    max_cnt: int = field(name="MaxCnt")
    min_time: int = field(name="MinTime")
    max_time: int = field(name="MaxTime")
    last_msg_key: str | UnsetType = field(default=UNSET, name="LastMsgKey")


class RoamMsg(Struct, kw_only=True):
    """One message of ``MsgList``: encoded when the message is stored, recalled or modified,
    and answered as those stored bytes."""

    from_account: str = field(name="From_Account")
    to_account: str = field(name="To_Account")
    msg_seq: int = field(name="MsgSeq")
    msg_random: int = field(name="MsgRandom")
    msg_time_stamp: int = field(name="MsgTimeStamp")
    msg_flag_bits: int = field(name="MsgFlagBits")
    is_peer_read: int = field(name="IsPeerRead")
    msg_key: str = field(name="MsgKey")
    msg_body: Raw = field(name="MsgBody")
    cloud_custom_data: str = field(name="CloudCustomData")


class AdminGetRoamMsgResponse(Envelope, kw_only=True):
    complete: int = field(name="Complete")
    msg_cnt: int = field(name="MsgCnt")
    last_msg_time: int = field(name="LastMsgTime")
    last_msg_key: str = field(name="LastMsgKey")
    msg_list: Raw = field(name="MsgList")
    """The JSON array of the messages' ``RoamMsg`` JSON, joined as stored."""


class AdminMsgWithdrawRequest(Request, kw_only=True):
    from_account: str | UnsetType = field(default=UNSET, name="From_Account")
    to_account: str = field(name="To_Account")
    msg_key: str = field(name="MsgKey")


class AdminMsgWithdrawResponse(Envelope, kw_only=True):
    pass


class ModifyC2cMsgRequest(Request, kw_only=True):
    from_account: str = field(name="From_Account")
    to_account: str = field(name="To_Account")
    msg_key: str = field(name="MsgKey")
    msg_body: Raw | UnsetType = field(default=UNSET, name="MsgBody")
    cloud_custom_data: str | UnsetType = field(default=UNSET, name="CloudCustomData")


class ModifyC2cMsgResponse(Envelope, kw_only=True):
    error_info: str = field(default="succeed", name="ErrorInfo")


class AdminSetMsgReadRequest(Request, kw_only=True):
    report_account: str = field(name="Report_Account")
    peer_account: str = field(name="Peer_Account")
    msg_read_time: int | str | UnsetType = field(default=UNSET, name="MsgReadTime")
    msg_readed_time: int | str | UnsetType = field(default=UNSET, name="MsgReadedTime")
    """The misspelling one Rust SDK sends; accepted as an alias."""


class AdminSetMsgReadResponse(Envelope, kw_only=True):
    pass


class GetC2cUnreadMsgNumRequest(Request, kw_only=True):
    to_account: str = field(name="To_Account")
    peer_account: list[str] | UnsetType = field(default=UNSET, name="Peer_Account")


class PeerUnread(Struct, kw_only=True):
    peer_account: str = field(name="Peer_Account")
    c2c_unread_msg_num: int = field(name="C2CUnreadMsgNum")


class PeerError(Struct, kw_only=True):
    peer_account: str = field(name="Peer_Account")
    error_code: int = field(name="ErrorCode")


class GetC2cUnreadMsgNumResponse(Envelope, kw_only=True):
    all_c2c_unread_msg_num: int | UnsetType = field(default=UNSET, name="AllC2CUnreadMsgNum")
    c2c_unread_msg_num_list: list[PeerUnread] | UnsetType = field(
        default=UNSET, name="C2CUnreadMsgNumList"
    )
    error_list: list[PeerError] | UnsetType = field(default=UNSET, name="ErrorList")


class DeleteC2cMsgRambleRequest(Request, kw_only=True):
    operator_account: str = field(name="Operator_Account")
    peer_account: str = field(name="Peer_Account")
    msg_key_list: list[str] = field(name="MsgKeyList")


class DeleteC2cMsgRambleResponse(Envelope, kw_only=True):
    pass
