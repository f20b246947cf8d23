"""Community topics (million_group_open_http_svc): create_topic, get_topic, destroy_topic.

Topics exist only in topic-enabled Communities: other group types answer 10007, a Community
created without ``SupportTopic=1`` answers 11000.
"""

from __future__ import annotations

import secrets

from opentim.context import Ctx
from opentim.errors import TEXTS, ApiError, Code
from opentim.services.group_rules import COMMUNITY, printable, well_formed_group_id
from opentim.storage.engine import Conflict
from opentim.storage.groups import GroupRow, MemberRow
from opentim.storage.topics import TopicRow, TopicState
from opentim.wire.topics import (
    CreateTopicRequest,
    CreateTopicResponse,
    DestroyResultItem,
    DestroyTopicRequest,
    DestroyTopicResponse,
    GetTopicRequest,
    GetTopicResponse,
    TopicAndSelfInfo,
    TopicInfo,
    TopicSelfInfo,
)

TOPIC_SEPARATOR = "@TOPIC#_"
AUTO_TOPIC_MARK = "@TOPIC#"
MAX_TOPIC_ID_BYTES = 96
LIMITS = {
    "TopicName": 30,
    "CustomString": 3000,
    "FaceUrl": 100,
    "Notification": 300,
    "Introduction": 240,
}
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_INFO_ATTRS = {
    "TopicName": "topic_name",
    "FaceUrl": "face_url",
    "Notification": "notification",
    "Introduction": "introduction",
    "CustomString": "custom_string",
    "CreateTime": "create_time",
    "LastMsgTime": "last_msg_time",
    "NextMsgSeq": "next_msg_seq",
    "MuteAllMember": "mute_all_member",
}
"""``ResponseFilter`` names → attribute of both ``TopicRow`` and ``TopicInfo``."""
OK_INFO = "ok"


def topic_group(group: GroupRow | None, group_id: str) -> GroupRow:
    """The group, if it may hold topics: 10015 / 10010 / 10007 (not a Community) / 11000."""
    if group is None:
        raise ApiError(
            Code.GROUP_NOT_FOUND if well_formed_group_id(group_id) else Code.GROUP_INVALID_ID
        )
    if group.type != COMMUNITY:
        raise ApiError(Code.GROUP_NO_PERMISSION, "only Community groups have topics")
    if not group.support_topic:
        raise ApiError(Code.TOPIC_NOT_ENABLED, "this Community was created without SupportTopic")
    return group


async def _load(ctx: Ctx, group_id: str, account: str = "") -> tuple[GroupRow, MemberRow | None]:
    if not well_formed_group_id(group_id):
        raise ApiError(Code.GROUP_INVALID_ID)
    group, member = await ctx.storage.groups.get_group_and_member(ctx.sdkappid, group_id, account)
    return topic_group(group, group_id), member


def belongs_to(topic_id: str, group_id: str) -> bool:
    """Could ``topic_id`` name a topic of ``group_id`` (``<GroupId>@TOPIC#_<part>``)?"""
    return topic_id.startswith(group_id + TOPIC_SEPARATOR) and len(topic_id) > len(
        group_id + TOPIC_SEPARATOR
    )


def check_custom_topic_id(topic_id: str, group_id: str) -> None:
    """Printable ASCII, ≤ 96 bytes, the group's prefix; the part must not look generated."""
    part = topic_id[len(group_id + TOPIC_SEPARATOR) :]
    if (
        not belongs_to(topic_id, group_id)
        or len(topic_id) > MAX_TOPIC_ID_BYTES
        or not printable(topic_id)
        or part.startswith(AUTO_TOPIC_MARK)
        or "@TGS#_" in part
        or TOPIC_SEPARATOR + AUTO_TOPIC_MARK in part
    ):
        raise ApiError(
            Code.GROUP_INVALID_PARAM,
            f"TopicId must be {group_id}{TOPIC_SEPARATOR}<part>, printable ASCII, ≤ 96 bytes",
        )


def new_topic_id(group_id: str) -> str:
    tail = "".join(secrets.choice(_ALPHABET) for _ in range(11))
    return f"{group_id}{TOPIC_SEPARATOR}{AUTO_TOPIC_MARK}c{tail}"


async def create_topic(ctx: Ctx, req: CreateTopicRequest) -> CreateTopicResponse:
    """million_group_open_http_svc/create_topic: a topic with its own seq space from 1.

    A custom ``TopicId`` already in use is 10025; a destroyed topic's ID may be used again.
    """
    if not req.topic_name:
        raise ApiError(Code.GROUP_INVALID_PARAM, "TopicName is required")
    for name, value in (
        ("TopicName", req.topic_name),
        ("CustomString", req.custom_string),
        ("FaceUrl", req.face_url),
        ("Notification", req.notification),
        ("Introduction", req.introduction),
    ):
        if len(value.encode()) > LIMITS[name]:
            raise ApiError(Code.GROUP_INVALID_PARAM, f"{name} longer than {LIMITS[name]} bytes")
    group, _ = await _load(ctx, req.group_id)
    if req.topic_id:
        check_custom_topic_id(req.topic_id, group.group_id)
        topic_id = req.topic_id
    else:
        topic_id = new_topic_id(group.group_id)
    topic = TopicRow(
        sdkappid=ctx.sdkappid,
        group_id=group.group_id,
        topic_id=topic_id,
        topic_name=req.topic_name,
        create_time=ctx.now(),
        from_account=req.from_account or "",
        custom_string=req.custom_string,
        face_url=req.face_url,
        notification=req.notification,
        introduction=req.introduction,
    )
    try:
        created = await ctx.storage.topics.create_topic(topic)
    except Conflict:
        raise ApiError(Code.GROUP_ID_USED_BY_YOU, "TopicId already used") from None
    if not created:
        raise ApiError(Code.GROUP_NOT_FOUND)
    return CreateTopicResponse(topic_id=topic_id)


async def get_topic(ctx: Ctx, req: GetTopicRequest) -> GetTopicResponse:
    """million_group_open_http_svc/get_topic: every live topic when ``TopicIdList`` is empty.

    Per item: 10004 for an ID outside the group, 110003 for a destroyed topic, 10010 for one
    that never existed. ``SelfInfo`` reflects ``From_Account``'s group membership (topics keep
    no read marks of their own, so ``MsgSeq`` is 0).
    """
    group, member = await _load(ctx, req.group_id, req.from_account or "")
    named = req.topic_id_list or None
    lookup = [t for t in named if belongs_to(t, group.group_id)] if named else None
    topics = await ctx.storage.topics.get_topics(ctx.sdkappid, group.group_id, lookup)
    wanted = None if req.response_filter is None else set(req.response_filter)
    self_info = _self_info(member, ctx.now())
    items = []
    for topic_id in named or topics:
        found = topics.get(topic_id, TopicState.UNKNOWN)
        if not belongs_to(topic_id, group.group_id):
            items.append(_failed_item(Code.GROUP_INVALID_PARAM, "TopicId is not of this group"))
        elif isinstance(found, TopicRow):
            items.append(
                TopicAndSelfInfo(
                    error_code=0,
                    error_info=OK_INFO,
                    self_info=self_info,
                    topic_info=_topic_info(found, wanted),
                )
            )
        elif found is TopicState.DESTROYED:
            items.append(_failed_item(Code.TOPIC_ALREADY_DELETED))
        else:
            items.append(_failed_item(Code.GROUP_NOT_FOUND, "topic does not exist"))
    return GetTopicResponse(error_info=OK_INFO, topic_and_self_info=items)


def _failed_item(code: Code, info: str | None = None) -> TopicAndSelfInfo:
    return TopicAndSelfInfo(error_code=code, error_info=TEXTS[code] if info is None else info)


def _self_info(member: MemberRow | None, now: int) -> TopicSelfInfo:
    if member is None:
        return TopicSelfInfo(shut_up_time=0, msg_seq=0, msg_flag="AcceptAndNotify")
    muted = member.mute_until if member.mute_until > now else 0
    return TopicSelfInfo(shut_up_time=muted, msg_seq=0, msg_flag=member.msg_flag)


def _topic_info(topic: TopicRow, wanted: set[str] | None) -> TopicInfo:
    names = _INFO_ATTRS if wanted is None else [n for n in _INFO_ATTRS if n in wanted]
    fields = {_INFO_ATTRS[n]: getattr(topic, _INFO_ATTRS[n]) for n in names}
    return TopicInfo(topic_id=topic.topic_id, group_id=topic.group_id, **fields)


async def destroy_topic(ctx: Ctx, req: DestroyTopicRequest) -> DestroyTopicResponse:
    """million_group_open_http_svc/destroy_topic: the topics and their messages are gone.

    Per item: 0 destroyed, 110003 destroyed earlier, 10010 never existed, 10004 not of this
    group.
    """
    if not req.topic_id_list:
        raise ApiError(Code.GROUP_INVALID_PARAM, "TopicIdList is empty")
    group, _ = await _load(ctx, req.group_id)
    ids = [t for t in req.topic_id_list if belongs_to(t, group.group_id)]
    states: dict[str, TopicState] = {}
    if ids:
        result = await ctx.storage.topics.destroy_topics(
            ctx.sdkappid, group.group_id, ids, ctx.now()
        )
        if result is None:
            raise ApiError(Code.GROUP_NOT_FOUND)
        states = result
    items = []
    seen: set[str] = set()
    for topic_id in req.topic_id_list:
        state = states.get(topic_id)
        if state is TopicState.LIVE and topic_id in seen:
            state = TopicState.DESTROYED  # named twice: the second one finds it destroyed
        seen.add(topic_id)
        if state is None:
            code, info = Code.GROUP_INVALID_PARAM, "TopicId is not of this group"
        elif state is TopicState.LIVE:
            code, info = Code.OK, OK_INFO
        elif state is TopicState.DESTROYED:
            code, info = Code.TOPIC_ALREADY_DELETED, TEXTS[Code.TOPIC_ALREADY_DELETED]
        else:
            code, info = Code.GROUP_NOT_FOUND, "topic does not exist"
        items.append(DestroyResultItem(error_code=code, error_info=info, topic_id=topic_id))
    return DestroyTopicResponse(error_info=OK_INFO, destroy_result_item=items)
