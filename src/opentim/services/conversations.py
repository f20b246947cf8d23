"""recentcontact: a user's conversation list (get_list) and deleting from it (delete)."""

from __future__ import annotations

from collections.abc import Sequence

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.storage.contact_groups import Contact
from opentim.storage.conversations import C2C, GROUP, Entry
from opentim.wire.common import UNSET, UnsetType
from opentim.wire.recentcontact import (
    DeleteRequest,
    DeleteResponse,
    GetListRequest,
    GetListResponse,
    SessionItem,
)

PAGE_SIZE = 100
PINNED = 1
"""AssistFlags bit 0: pinned conversations come first and are paged with the Top cursor."""
WITH_MARKS = 8
"""AssistFlags bit 3 and up: items carry their marks and conversation groups."""

Cursor = tuple[int, int]
"""(TimeStamp, StartIndex): the MsgTime of the last item returned and how many items with
that MsgTime were returned so far; (0, 0) starts from the newest."""


async def owner_of(ctx: Ctx, value: str | UnsetType) -> str:
    """``From_Account``: present (50002) and an existing account or App Admin (50001)."""
    if value is UNSET or not value:
        raise ApiError(Code.RC_INVALID_PARAM, "From_Account is required")
    if not ctx.app.is_admin(value) and not await ctx.storage.accounts.existing(
        ctx.sdkappid, [value]
    ):
        raise ApiError(Code.RC_ACCOUNT_NOT_FOUND, f"From_Account {value!r} is not imported")
    return value


def standard_mark_text(mark: int) -> str | UnsetType:
    """A 64-bit standard mark as binary digits, most significant first; omitted when 0."""
    return format(mark, "b") if mark else UNSET


def _after(entries: Sequence[Entry], cursor: Cursor) -> list[Entry]:
    """The entries (newest first) that come after the cursor."""
    time_stamp, index = cursor
    if time_stamp <= 0:
        return list(entries)
    ties = [e for e in entries if e.msg_time == time_stamp][index:]
    return ties + [e for e in entries if e.msg_time < time_stamp]


def _advance(cursor: Cursor, taken: Sequence[Entry]) -> Cursor:
    if not taken:
        return cursor
    last = taken[-1].msg_time
    same = sum(1 for e in taken if e.msg_time == last)
    return last, same + (cursor[1] if cursor[0] == last else 0)


def _session_item(entry: Entry, contact: Contact | None) -> SessionItem:
    item = SessionItem(type=entry.type, msg_time=entry.msg_time, top_flag=entry.top_flag)
    if entry.type == C2C:
        item.to_account = entry.peer
    else:
        item.group_id = entry.peer
    if contact is not None:
        item.standard_mark = standard_mark_text(contact.standard_mark)
        item.custom_mark = contact.custom_mark or UNSET
        item.contact_group_id = contact.group_ids or UNSET
    return item


async def get_list(ctx: Ctx, req: GetListRequest) -> GetListResponse:
    """recentcontact/get_list: newest first, 100 per page, pinned ones first (AssistFlags 1).

    The cursors are keyset positions, not offsets, so conversations that move while a client
    pages (a new message lifts one to the top) never make it skip the others. The last page
    answers TimeStamp/TopTimeStamp = now and indexes 0.
    """
    owner = await owner_of(ctx, req.from_account)
    entries = sorted(
        await ctx.storage.conversations.entries(ctx.sdkappid, owner),
        key=lambda e: (-e.msg_time, e.type, e.peer),
    )
    apart = bool(req.assist_flags & PINNED)
    pinned = _after(
        [e for e in entries if apart and e.top_flag], (req.top_time_stamp, req.top_start_index)
    )
    normal = _after(
        [e for e in entries if not (apart and e.top_flag)], (req.time_stamp, req.start_index)
    )
    top_page = pinned[:PAGE_SIZE]
    page = normal[: PAGE_SIZE - len(top_page)]
    contacts: dict[tuple[int, str], Contact] = {}
    if req.assist_flags >= WITH_MARKS:
        found = await ctx.storage.contact_groups.contacts(ctx.sdkappid, owner)
        contacts = {(c.type, c.peer): c for c in found}
    complete = len(top_page) == len(pinned) and len(page) == len(normal)
    now = ctx.now()
    top_cursor = (
        (now, 0) if complete else _advance((req.top_time_stamp, req.top_start_index), top_page)
    )
    cursor = (now, 0) if complete else _advance((req.time_stamp, req.start_index), page)
    return GetListResponse(
        session_item=[_session_item(e, contacts.get((e.type, e.peer))) for e in top_page + page],
        complete_flag=int(complete),
        time_stamp=cursor[0],
        start_index=cursor[1],
        top_time_stamp=top_cursor[0],
        top_start_index=top_cursor[1],
    )


async def delete(ctx: Ctx, req: DeleteRequest) -> DeleteResponse:
    """recentcontact/delete: the entry leaves From_Account's list; the peer's is untouched.

    ClearRamble 1 also clears From_Account's copy of the history up to now (a watermark, O(1));
    without it the history stays and shows again when a new message brings the entry back.
    Deleting an entry that does not exist succeeds.
    """
    owner = await owner_of(ctx, req.from_account)
    if req.type == C2C:
        peer = req.to_account
    elif req.type == GROUP:
        peer = req.to_groupid
    else:
        raise ApiError(Code.RC_INVALID_PARAM, "Type must be 1 (C2C) or 2 (group)")
    if peer is UNSET or not peer:
        raise ApiError(
            Code.RC_INVALID_PARAM, "To_Account (Type 1) or ToGroupid (Type 2) is required"
        )
    if req.clear_ramble not in (0, 1):
        raise ApiError(Code.RC_INVALID_PARAM, "ClearRamble must be 0 or 1")
    await ctx.storage.conversations.delete(
        ctx.sdkappid, owner, req.type, peer, bool(req.clear_ramble)
    )
    return DeleteResponse()
