"""Rules shared by the group message commands: seq spaces (topics), bodies, sizes, lookups."""

from __future__ import annotations

import hashlib

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.group_rules import COMMUNITY, well_formed_group_id
from opentim.services.msgbody import BodyError, BodyProblem, check_msg_body
from opentim.storage.group_records import MsgTarget
from opentim.wire.common import UNSET, Raw, UnsetType

MAX_MSG_BYTES = 12 * 1024
"""send_group_msg / modify_group_msg: MsgBody + CloudCustomData, UTF-8 bytes (80002 above)."""
MAX_IMPORT_MSG_BYTES = 12_000
"""import_group_msg documents "12,000 bytes" for its per-item 80002."""
MAX_TOPIC_ID_BYTES = 96
TOPIC_MARK = "@TOPIC#_"
PRIORITIES = {"High": 1, "Normal": 2, "Low": 3}
NORMAL_PRIORITY = 2
EMPTY_BODY = Raw(b"[]")


def check_group_id(group_id: str, code: Code = Code.GROUP_INVALID_ID) -> None:
    """An ID that cannot name any group: 10015 (before any lookup)."""
    if not well_formed_group_id(group_id):
        raise ApiError(code, "invalid GroupId")


def topic_part(group_id: str, topic_id: str | UnsetType, invalid: Code) -> str:
    """The seq space addressed: '' for the group itself, else a topic of it.

    A TopicId must be ``<GroupId>@TOPIC#_...`` and at most 96 bytes (``invalid`` otherwise).
    """
    if topic_id is UNSET or topic_id == "":
        return ""
    prefix = group_id + TOPIC_MARK
    if (
        not topic_id.startswith(prefix)
        or len(topic_id) == len(prefix)
        or len(topic_id.encode()) > MAX_TOPIC_ID_BYTES
    ):
        raise ApiError(invalid, "TopicId must be <GroupId>@TOPIC#_<id>, at most 96 bytes")
    return topic_id


async def load_target(
    ctx: Ctx, group_id: str, topic_id: str, account: str = "", peer: str = ""
) -> MsgTarget:
    """The group (and topic, account's membership, ClearRamble mark); 10010 when the group or
    topic does not exist. A topic named in a group that is not a Community: 10007; in a
    Community without topics: 11000 (as the topic commands answer)."""
    target = await ctx.storage.message_targets.load(ctx.sdkappid, group_id, topic_id, account, peer)
    if target is None:
        raise ApiError(Code.GROUP_NOT_FOUND)
    if topic_id:
        if target.type != COMMUNITY:
            raise ApiError(Code.GROUP_NO_PERMISSION, "only Communities have topics")
        if not target.support_topic:
            raise ApiError(Code.TOPIC_NOT_ENABLED, "this Community has no topics")
        if not target.topic_found:
            raise ApiError(Code.GROUP_NOT_FOUND, "topic does not exist or was deleted")
    return target


def body_text(raw: Raw, invalid: Code, not_array: Code | None = None) -> str:
    """The validated MsgBody as the text to store (byte-identical to what was sent)."""
    try:
        return check_msg_body(raw).decode()
    except BodyError as exc:
        if not_array is not None and exc.problem is BodyProblem.NOT_ARRAY:
            raise ApiError(not_array, str(exc)) from None
        raise ApiError(invalid, str(exc)) from None


def too_long(body: str, cloud_custom_data: str, limit: int = MAX_MSG_BYTES) -> bool:
    return len(body.encode()) + len(cloud_custom_data.encode()) > limit


def digest(sender: str, body: str, cloud_custom_data: str) -> int:
    """The content key of de-duplication: sender, MsgBody and CloudCustomData (signed 64-bit)."""
    h = hashlib.blake2b(digest_size=8)
    for part in (sender, body, cloud_custom_data):
        data = part.encode()
        h.update(len(data).to_bytes(4, "big"))
        h.update(data)
    return int.from_bytes(h.digest(), "big", signed=True)
