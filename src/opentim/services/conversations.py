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


def _after(entries: list[Entry], cursor: Cursor) -> list[Entry]:
    """The entries (sorted newest first) that come after the cursor."""
    time_stamp, index = cursor
    if time_stamp <= 0:
        return entries
    key = -time_stamp
    ties = [e for e in entries if e[0] == key][index:]
    return ties + [e for e in entries if e[0] > key]


def _advance(cursor: Cursor, taken: Sequence[Entry]) -> Cursor:
    if not taken:
        return cursor
    key = taken[-1][0]
    same = sum(1 for e in taken if e[0] == key)
    return -key, same + (cursor[1] if cursor[0] == -key else 0)


def _session_item(entry: Entry) -> SessionItem:
    if entry[1] == C2C:
        return SessionItem(type=C2C, to_account=entry[2], msg_time=-entry[0], top_flag=entry[3])
    return SessionItem(type=GROUP, group_id=entry[2], msg_time=-entry[0], top_flag=entry[3])


def _marked_item(entry: Entry, contact: Contact | None) -> SessionItem:
    item = _session_item(entry)
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
    entries = await ctx.storage.conversations.entries(ctx.sdkappid, owner)
    entries.sort()  # newest first, then Type, then peer: see Entry
    top_cursor = (req.top_time_stamp, req.top_start_index)
    cursor = (req.time_stamp, req.start_index)
    pinned = [e for e in entries if e[3]] if req.assist_flags & PINNED else []
    if pinned:
        pinned = _after(pinned, top_cursor)
        normal = _after([e for e in entries if not e[3]], cursor)
    else:
        normal = _after(entries, cursor)
    top_page = pinned[:PAGE_SIZE]
    page = normal[: PAGE_SIZE - len(top_page)]
    complete = len(top_page) == len(pinned) and len(page) == len(normal)
    if complete:
        top_cursor = cursor = (ctx.now(), 0)
    else:
        top_cursor, cursor = _advance(top_cursor, top_page), _advance(cursor, page)
    if req.assist_flags >= WITH_MARKS:
        found = await ctx.storage.contact_groups.contacts(ctx.sdkappid, owner)
        contacts = {(c.type, c.peer): c for c in found}
        items = [_marked_item(e, contacts.get((e[1], e[2]))) for e in top_page + page]
    else:  # _session_item inline: ~10k instructions (3%) less than 21 calls to it
        items = [
            SessionItem(type=C2C, to_account=peer, msg_time=-key, top_flag=flag)
            if conv_type == C2C
            else SessionItem(type=GROUP, group_id=peer, msg_time=-key, top_flag=flag)
            for key, conv_type, peer, flag in top_page + page
        ]
    return GetListResponse(
        session_item=items,
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
