"""million_group_open_http_svc: Community topics (create_topic, get_topic, destroy_topic)."""

from __future__ import annotations

from msgspec import Struct

from opentim.wire.common import UNSET, Envelope, Request, UnsetType, field


class CreateTopicRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    topic_id: str | None = field(default=None, name="TopicId")
    topic_name: str = field(name="TopicName")
    from_account: str | None = field(default=None, name="From_Account")
    custom_string: str = field(default="", name="CustomString")
    face_url: str = field(default="", name="FaceUrl")
    notification: str = field(default="", name="Notification")
    introduction: str = field(default="", name="Introduction")


class CreateTopicResponse(Envelope, kw_only=True):
    topic_id: str = field(name="TopicId")


class GetTopicRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    from_account: str | None = field(default=None, name="From_Account")
    topic_id_list: list[str] | None = field(default=None, name="TopicIdList")
    response_filter: list[str] | None = field(default=None, name="ResponseFilter")


class TopicSelfInfo(Struct, kw_only=True):
    shut_up_time: int = field(name="ShutUpTime")
    msg_seq: int = field(name="MsgSeq")
    msg_flag: str = field(name="MsgFlag")


class TopicInfo(Struct, kw_only=True):
    """Note ``GroupID`` (capital D) here, ``GroupId`` everywhere else."""

    topic_id: str = field(name="TopicId")
    group_id: str = field(name="GroupID")
    topic_name: str | UnsetType = field(default=UNSET, name="TopicName")
    face_url: str | UnsetType = field(default=UNSET, name="FaceUrl")
    notification: str | UnsetType = field(default=UNSET, name="Notification")
    introduction: str | UnsetType = field(default=UNSET, name="Introduction")
    custom_string: str | UnsetType = field(default=UNSET, name="CustomString")
    create_time: int | UnsetType = field(default=UNSET, name="CreateTime")
    last_msg_time: int | UnsetType = field(default=UNSET, name="LastMsgTime")
    next_msg_seq: int | UnsetType = field(default=UNSET, name="NextMsgSeq")
    mute_all_member: str | UnsetType = field(default=UNSET, name="MuteAllMember")


class TopicAndSelfInfo(Struct, kw_only=True):
    error_code: int = field(name="ErrorCode")
    error_info: str = field(name="ErrorInfo")
    self_info: TopicSelfInfo | UnsetType = field(default=UNSET, name="SelfInfo")
    topic_info: TopicInfo | UnsetType = field(default=UNSET, name="TopicInfo")


class GetTopicResponse(Envelope, kw_only=True):
    topic_and_self_info: list[TopicAndSelfInfo] = field(name="TopicAndSelfInfo")


class DestroyTopicRequest(Request, kw_only=True):
    group_id: str = field(name="GroupId")
    topic_id_list: list[str] = field(name="TopicIdList")


class DestroyResultItem(Struct, kw_only=True):
    error_code: int = field(name="ErrorCode")
    error_info: str = field(name="ErrorInfo")
    topic_id: str = field(name="TopicId")


class DestroyTopicResponse(Envelope, kw_only=True):
    destroy_result_item: list[DestroyResultItem] = field(name="DestroyResultItem")
