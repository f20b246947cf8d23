"""Reading and recalling group messages: group_msg_get_simple, group_msg_recall.

Both serve the admin API and the client API. The admin sees every stored message, cleared
ones included; a user sees the group as a member does: nothing at or below the group's clear
watermark or the user's own ClearRamble mark, nothing from before joining (except in Meeting
groups), targeted messages only when addressed to (or sent by) the user, and recalled messages
as placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
from msgspec import UNSET, Struct, field, structs

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.group_msg_rules import (
    EMPTY_BODY,
    NORMAL_PRIORITY,
    check_group_id,
    load_target,
    topic_part,
)
from opentim.services.group_rules import AVCHATROOM, MEETING
from opentim.storage.group_history import RecallOutcome
from opentim.storage.group_records import MsgTarget, StoredMsg
from opentim.wire.common import json_array
from opentim.wire.group_messages import (
    GroupMsgGetSimpleRequest,
    GroupMsgGetSimpleResponse,
    GroupMsgRecallRequest,
    GroupMsgRecallResponse,
    RecallRetItem,
    RspMsgItem,
)

PAGE_LIMIT = 20
MAX_RECALL = 10
MAX_REASON_BYTES = 100
PLACEHOLDER, RECALLED = 1, 2
"""IsPlaceMsg values: a seq with no stored message; a recalled message."""
MAX_BATCH = 1000
INVALID = Code.GROUP_INVALID_PARAM
_decode_targets = msgspec.json.Decoder(list[str]).decode
_decode_item = msgspec.json.Decoder(RspMsgItem).decode
_encode_item = msgspec.json.Encoder().encode


class _Sender(Struct):
    from_account: str = field(name="From_Account")


_decode_sender = msgspec.json.Decoder(_Sender).decode


@dataclass(frozen=True, slots=True)
class View:
    """Whose view a history read applies: the admin's (viewer None) or one member's."""

    viewer: str | None
    low: int
    """Lowest seq that may be returned."""
    with_recalled: bool


def member_view(target: MsgTarget, topic: str, viewer: str) -> View:
    """The lowest seq a member may pull: above the clear watermark (group space), above the
    member's ClearRamble mark, and from its joining on (group space, not in Meeting groups)."""
    member = target.member
    if member is None:
        raise ApiError(Code.GROUP_NO_PERMISSION, "the caller is not a member of this group")
    floor = target.conv_cleared_upto
    if not topic:
        floor = max(floor, target.cleared_upto_seq)
        if target.type != MEETING:
            floor = max(floor, member.join_seq - 1)
    return View(viewer, floor + 1, with_recalled=True)


def _placeholder(seq: int) -> RspMsgItem:
    """The item of a seq with no stored message."""
    return RspMsgItem(
        from_account="",
        is_place_msg=PLACEHOLDER,
        msg_body=EMPTY_BODY,
        msg_priority=NORMAL_PRIORITY,
        msg_random=0,
        msg_seq=seq,
        msg_time_stamp=0,
    )


def _recalled(shown: bytes) -> RspMsgItem:
    """The item of a recalled message, from its stored rendering: no body, no
    CloudCustomData. Decoding the rare recalled row here keeps every recall path (recall,
    by-sender) a plain flag UPDATE, with nothing to render."""
    return structs.replace(
        _decode_item(shown), is_place_msg=RECALLED, msg_body=EMPTY_BODY, cloud_custom_data=UNSET
    )


def _fill(items: list[RspMsgItem | bytes], top: int, stop: int, limit: int) -> None:
    """Placeholders for the seqs from ``top`` down to ``stop`` (excluded), until ``limit`` items."""
    for seq in range(top, max(stop, top - (limit - len(items))), -1):
        items.append(_placeholder(seq))


def _collect(
    rows: list[StoredMsg], cursor: int, view: View, items: list[RspMsgItem | bytes], limit: int
) -> int:
    """Append what ``view`` sees of ``rows`` (read from seq ``cursor`` down), a placeholder
    for each seq missing between them, until ``limit`` items; return the seq to read next.

    One loop over plain rows, each message its stored JSON: building an item per row cost
    ~100 µs of a 20-message page, then reading nine columns ~40% of the request."""
    viewer = view.viewer
    for seq, recalled, shown, targets in rows:
        if seq != cursor:
            _fill(items, cursor, seq, limit)
        if len(items) >= limit:
            break
        cursor = seq - 1
        if recalled and not view.with_recalled:
            continue
        if (
            targets is not None
            and viewer is not None
            and viewer not in _decode_targets(targets)
            and viewer != _decode_sender(shown).from_account
        ):
            continue
        items.append(_recalled(shown) if recalled else shown)
    return cursor


async def group_msg_get_simple(
    ctx: Ctx, req: GroupMsgGetSimpleRequest
) -> GroupMsgGetSimpleResponse:
    """group_open_http_svc/group_msg_get_simple: at most 20 messages with seq <= ReqMsgSeq,
    newest first; holes as IsPlaceMsg=1; recalled hidden unless WithRecalledMsg=1 (then
    IsPlaceMsg=2, empty body) and not counted; cleared ones still returned to the admin.
    On the client API, the caller's view (module docstring); WithRecalledMsg is ignored there.
    """
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, INVALID)
    if req.req_msg_number <= 0:
        raise ApiError(INVALID, "ReqMsgNumber must be positive")
    if req.req_msg_seq is not UNSET and req.req_msg_seq < 0:
        raise ApiError(INVALID, "ReqMsgSeq must not be negative")
    viewer = ctx.user
    target = await load_target(
        ctx, req.group_id, topic, viewer or "", (topic or req.group_id) if viewer else ""
    )
    if target.type == AVCHATROOM:
        raise ApiError(Code.GROUP_TYPE_NO_ROAMING)
    if viewer is None:
        view = View(None, 1, with_recalled=req.with_recalled_msg == 1)
    else:
        view = member_view(target, topic, viewer)
    top = target.next_msg_seq - 1
    if req.req_msg_seq is not UNSET and req.req_msg_seq != 0:
        top = min(top, req.req_msg_seq)
    if req.req_msg_number <= PAGE_LIMIT and top >= view.low:
        plain = await ctx.storage.group_pages.read_plain_page(
            ctx.sdkappid,
            req.group_id,
            topic,
            top,
            view.low,
            req.req_msg_number,
            view.viewer is not None,
        )
        if plain is not None:  # every message as stored: nothing to decide a row at a time
            return GroupMsgGetSimpleResponse(
                group_id=req.group_id, is_finished=1, rsp_msg_list=json_array([plain])
            )
    items, more = await _page(ctx, req, topic, top, view)
    finished = 1
    if more:
        finished = 2 if all(_is_placeholder(i) for i in items) else 0
    listed = [i if type(i) is bytes else _encode_item(i) for i in items]  # built ones: rare
    return GroupMsgGetSimpleResponse(
        group_id=req.group_id, is_finished=finished, rsp_msg_list=json_array(listed)
    )


def _is_placeholder(item: RspMsgItem | bytes) -> bool:
    return isinstance(item, RspMsgItem) and item.is_place_msg == PLACEHOLDER


async def _page(
    ctx: Ctx, req: GroupMsgGetSimpleRequest, topic: str, top: int, view: View
) -> tuple[list[RspMsgItem | bytes], bool]:
    """The visible items from ``top`` down, at most 20; and whether more remain, looked for
    only when more than 20 were asked (that is what ``IsFinished`` 0 and 2 report).

    Rows are read in batches of the page's size, then growing, so that long runs of hidden
    messages cost few reads while a plain page reads no more rows than it answers."""
    wanted = min(req.req_msg_number, PAGE_LIMIT)
    limit = wanted + 1 if req.req_msg_number > PAGE_LIMIT else wanted
    store = ctx.storage.group_pages
    items: list[RspMsgItem | bytes] = []
    cursor, batch = top, limit
    while cursor >= view.low and len(items) < limit:
        rows = await store.read_range(
            ctx.sdkappid, req.group_id, topic, cursor, view.low, batch, view.viewer is not None
        )
        cursor = _collect(rows, cursor, view, items, limit)
        if len(rows) < batch:  # nothing stored below: the rest are holes
            _fill(items, cursor, view.low - 1, limit)
            break
        batch = min(batch * 4, MAX_BATCH)
    return items[:wanted], len(items) > wanted


_RECALL_CODES = {
    RecallOutcome.RECALLED: 0,
    RecallOutcome.ALREADY: 0,
    RecallOutcome.MISSING: Code.GROUP_MSG_NOT_FOUND,
    RecallOutcome.NOT_SENDER: Code.GROUP_NO_PERMISSION,
}


async def group_msg_recall(ctx: Ctx, req: GroupMsgRecallRequest) -> GroupMsgRecallResponse:
    """group_open_http_svc/group_msg_recall: up to 10 seqs, a RetCode each (10030 missing;
    recalling a recalled message succeeds again). On the client API a member recalls its own
    messages; the owner and admins any (others' get RetCode 10007). AVChatRoom stores nothing:
    every assigned seq answers 0."""
    check_group_id(req.group_id)
    topic = topic_part(req.group_id, req.topic_id, INVALID)
    if not req.msg_seq_list or len(req.msg_seq_list) > MAX_RECALL:
        raise ApiError(INVALID, f"MsgSeqList takes 1-{MAX_RECALL} items")
    if len(req.reason.encode()) > MAX_REASON_BYTES:
        raise ApiError(INVALID, f"Reason longer than {MAX_REASON_BYTES} bytes")
    target = await load_target(ctx, req.group_id, topic, ctx.user or "")
    only_sender: str | None = None
    if ctx.user is not None:
        if target.member is None:
            raise ApiError(Code.GROUP_NO_PERMISSION, "the caller is not a member of this group")
        if target.member.role not in ("Owner", "Admin"):
            only_sender = ctx.user
    seqs = [item.msg_seq for item in req.msg_seq_list]
    if target.type == AVCHATROOM:
        codes = {s: 0 if 0 < s < target.next_msg_seq else Code.GROUP_MSG_NOT_FOUND for s in seqs}
    else:
        outcome = await ctx.storage.group_history.recall(
            ctx.sdkappid, req.group_id, topic, [s for s in seqs if s > 0], only_sender
        )
        codes = {s: _RECALL_CODES[outcome.get(s, RecallOutcome.MISSING)] for s in seqs}
    return GroupMsgRecallResponse(
        recall_ret_list=[RecallRetItem(msg_seq=s, ret_code=int(codes[s])) for s in seqs]
    )
