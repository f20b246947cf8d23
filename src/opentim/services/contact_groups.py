"""recentcontact: conversation marks and conversation groups.

Conversation groups and standard marks need the top edition (51013); custom marks and the
read commands work on every edition. Per-conversation problems are reported in the item's
``ResultCode`` (top-level OK); problems of the call itself fail it before anything changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from opentim.context import Ctx
from opentim.errors import TEXTS, ApiError, Code
from opentim.services.conversations import owner_of, standard_mark_text
from opentim.storage.contact_groups import Contact, Key, MarkChange, Refusal, Refused
from opentim.storage.conversations import C2C, GROUP
from opentim.wire.common import UNSET
from opentim.wire.recentcontact import (
    ContactData,
    ContactItem,
    ContactResult,
    ContactUpdateResult,
    CreateContactGroupRequest,
    CreateContactGroupResponse,
    DelContactGroupRequest,
    DelContactGroupResponse,
    GetContactGroupRequest,
    GetContactGroupResponse,
    GroupItem,
    GroupResultItem,
    MarkContactRequest,
    MarkContactResponse,
    MarkResult,
    SearchContactGroupRequest,
    SearchContactGroupResponse,
    UpdateContactGroupRequest,
    UpdateContactGroupResponse,
    UpdateGroupResult,
)

MAX_MARK_ITEMS = 100
MAX_SEARCH_ITEMS = 300
MAX_NAME_BYTES = 32
MAX_CUSTOM_MARK_BYTES = 256
PAGE_SIZE = 100
STANDARD, CUSTOM, BOTH = 1, 2, 3
ADD, REMOVE = 1, 2
RENAME, MEMBERS = 1, 2


def _key(item: ContactItem) -> Key | None:
    """The conversation a ContactItem names, or None when it names none."""
    if item.type == C2C and item.to_account is not UNSET and item.to_account:
        return C2C, item.to_account
    if item.type == GROUP and item.to_group_id is not UNSET and item.to_group_id:
        return GROUP, item.to_group_id
    return None


async def _check_items(ctx: Ctx, items: Sequence[ContactItem]) -> list[Key | int]:
    """Per item its conversation, or the code it fails with: 50002 malformed, 50001 unknown
    user, 51007 unknown or disbanded group."""
    keys = [_key(i) for i in items]
    users = [k[1] for k in keys if k and k[0] == C2C and not ctx.app.is_admin(k[1])]
    known_users = await ctx.storage.accounts.existing(ctx.sdkappid, users)
    groups = [k[1] for k in keys if k and k[0] == GROUP]
    known_groups = await ctx.storage.contact_groups.existing_groups(ctx.sdkappid, groups)
    checked: list[Key | int] = []
    for key in keys:
        if key is None:
            checked.append(Code.RC_INVALID_PARAM)
        elif key[0] == C2C and key[1] not in known_users and not ctx.app.is_admin(key[1]):
            checked.append(Code.RC_ACCOUNT_NOT_FOUND)
        elif key[0] == GROUP and key[1] not in known_groups:
            checked.append(Code.RC_GROUP_ID_LOOKUP)
        else:
            checked.append(key)
    return checked


def _info(code: int) -> str:
    return "" if code == 0 else TEXTS.get(Code(code), "")


def _require_top_edition(ctx: Ctx) -> None:
    if not ctx.app.top_edition:
        raise ApiError(Code.RC_EDITION, "conversation groups need the top edition")


def _group_name(name: str) -> str:
    if not 0 < len(name.encode()) <= MAX_NAME_BYTES:
        raise ApiError(Code.RC_CONTACT_GROUP_NAME)
    return name


_REFUSALS = {
    Refusal.TOO_MANY_GROUPS: (Code.RC_TOO_MANY_CONTACT_GROUPS, None),
    Refusal.NO_SUCH_GROUP: (Code.RC_CONTACT_GROUP_NOT_FOUND, None),
    Refusal.DUPLICATE_NAME: (Code.RC_INVALID_PARAM, "a conversation group has that name"),
}


@contextmanager
def _refusals() -> Iterator[None]:
    """A store's ``Refused`` (nothing was written) becomes the recentcontact code."""
    try:
        yield
    except Refused as refused:
        raise ApiError(*_REFUSALS[refused.refusal]) from None


def _bits(numbers: list[int]) -> int | None:
    """Standard-mark bit numbers (1-64) as a mask; None when one is out of range."""
    if any(not 1 <= n <= 64 for n in numbers):
        return None
    mask = 0
    for n in numbers:
        mask |= 1 << (n - 1)
    return mask


async def mark_contact(ctx: Ctx, req: MarkContactRequest) -> MarkContactResponse:
    """recentcontact/mark_contact: OptType 1 standard marks, 2 custom mark, 3 both.

    0 or more than 100 items → 51006. Per item: standard marks below the top edition 51013,
    a conversation past the 1,000 with data 51008.
    """
    owner = await owner_of(ctx, req.from_account)
    if not 0 < len(req.mark_item) <= MAX_MARK_ITEMS:
        raise ApiError(Code.RC_MARK_COUNT)
    checked = await _check_items(ctx, [m.contact_item for m in req.mark_item])
    codes: list[int] = []
    changes: list[MarkChange] = []
    for item, key in zip(req.mark_item, checked, strict=True):
        set_bits, clear_bits = _bits(item.set_mark), _bits(item.clear_mark)
        custom = "" if item.custom_mark is UNSET else item.custom_mark
        standard = item.opt_type in (STANDARD, BOTH)
        if isinstance(key, int):
            codes.append(key)
        elif (
            item.opt_type not in (STANDARD, CUSTOM, BOTH)
            or set_bits is None
            or clear_bits is None
            or len(custom.encode()) > MAX_CUSTOM_MARK_BYTES
        ):
            codes.append(Code.RC_INVALID_PARAM)
        elif standard and not ctx.app.top_edition:
            codes.append(Code.RC_EDITION)
        else:
            codes.append(0)
            changes.append(
                MarkChange(
                    key,
                    set_bits if standard else 0,
                    clear_bits if standard else 0,
                    None if item.opt_type == STANDARD else custom,
                )
            )
    accepted = iter(await ctx.storage.contact_groups.mark(ctx.sdkappid, owner, changes, ctx.now()))
    codes = [c if c else (0 if next(accepted) else Code.RC_TOO_MANY_CONTACTS) for c in codes]
    return MarkContactResponse(
        result_item=[
            MarkResult(
                opt_type=item.opt_type,
                contact_item=item.contact_item,
                result_code=code,
                result_info=_info(code),
            )
            for item, code in zip(req.mark_item, codes, strict=True)
        ]
    )


async def create_contact_group(
    ctx: Ctx, req: CreateContactGroupRequest
) -> CreateContactGroupResponse:
    """recentcontact/create_contact_group: exactly one group per call (else 50002).

    51010 past 20 groups, 51011 for a name of 0 or more than 32 bytes, 50002 for a name in use.
    """
    _require_top_edition(ctx)
    owner = await owner_of(ctx, req.from_account)
    if len(req.group_contact_item) != 1:
        raise ApiError(Code.RC_INVALID_PARAM, "GroupContactItem must hold exactly one group")
    [group] = req.group_contact_item
    name = _group_name(group.group_name)
    checked = await _check_items(ctx, group.contact_item)
    keys = [k for k in checked if not isinstance(k, int)]
    with _refusals():
        change = await ctx.storage.contact_groups.create_group(
            ctx.sdkappid, owner, name, keys, ctx.now()
        )
    accepted = iter(change.accepted)
    codes = [
        k if isinstance(k, int) else (0 if next(accepted) else Code.RC_TOO_MANY_CONTACTS)
        for k in checked
    ]
    return CreateContactGroupResponse(
        group_result_item=[
            GroupResultItem(
                group_item=GroupItem(group_name=name, group_id=change.group_id),
                result_item=[
                    ContactResult(contact_item=item, result_code=code, result_info=_info(code))
                    for item, code in zip(group.contact_item, codes, strict=True)
                ],
            )
        ]
    )


async def update_contact_group(
    ctx: Ctx, req: UpdateContactGroupRequest
) -> UpdateContactGroupResponse:
    """recentcontact/update_contact_group: UpdateGroupType 1 renames, 2 adds/removes
    conversations. An unknown OldGroupName → 51009."""
    _require_top_edition(ctx)
    owner = await owner_of(ctx, req.from_account)
    if req.update_type != 1:
        raise ApiError(Code.RC_INVALID_PARAM, "UpdateType must be 1")
    update = req.update_group
    old = update.old_group_name
    if update.update_group_type == RENAME:
        if update.new_group_name is UNSET:
            raise ApiError(Code.RC_INVALID_PARAM, "NewGroupName is required to rename")
        new = _group_name(update.new_group_name)
        with _refusals():
            change = await ctx.storage.contact_groups.rename_group(ctx.sdkappid, owner, old, new)
        result = UpdateGroupResult(
            update_group_type=RENAME, group_name=new, group_id=change.group_id, old_group_name=old
        )
        return UpdateContactGroupResponse(update_type=1, update_group_result=result)
    if update.update_group_type != MEMBERS:
        raise ApiError(Code.RC_INVALID_PARAM, "UpdateGroupType must be 1 or 2")
    items = update.contact_update_item
    added = iter(
        await _check_items(ctx, [i.contact_item for i in items if i.contact_opt_type == ADD])
    )
    codes: list[int] = []
    changes: list[tuple[bool, Key]] = []
    for item in items:
        key: Key | int = Code.RC_INVALID_PARAM
        if item.contact_opt_type == ADD:
            key = next(added)
        elif item.contact_opt_type == REMOVE:  # removing needs no existing user or group
            key = _key(item.contact_item) or Code.RC_INVALID_PARAM
        if isinstance(key, int):
            codes.append(key)
        else:
            codes.append(0)
            changes.append((item.contact_opt_type == ADD, key))
    with _refusals():
        change = await ctx.storage.contact_groups.change_members(
            ctx.sdkappid, owner, old, changes, ctx.now()
        )
    accepted = iter(change.accepted)
    codes = [c if c else (0 if next(accepted) else Code.RC_TOO_MANY_CONTACTS) for c in codes]
    result = UpdateGroupResult(
        update_group_type=MEMBERS,
        group_name=old,
        group_id=change.group_id,
        old_group_name=old,
        contact_result_item=[
            ContactUpdateResult(
                contact_opt_type=item.contact_opt_type,
                contact_item=item.contact_item,
                result_code=code,
                result_info=_info(code),
            )
            for item, code in zip(items, codes, strict=True)
        ],
    )
    return UpdateContactGroupResponse(update_type=1, update_group_result=result)


async def del_contact_group(ctx: Ctx, req: DelContactGroupRequest) -> DelContactGroupResponse:
    """recentcontact/del_contact_group: exactly one name per call (else 50002, nothing deleted).

    The group's ID leaves every conversation, which keep their marks and other groups;
    51009 when there is no group of that name.
    """
    _require_top_edition(ctx)
    owner = await owner_of(ctx, req.from_account)
    if len(req.group_name) != 1:
        raise ApiError(Code.RC_INVALID_PARAM, "GroupName must name exactly one group")
    [name] = req.group_name
    with _refusals():
        group_id = await ctx.storage.contact_groups.delete_group(
            ctx.sdkappid, owner, name, ctx.now()
        )
    return DelContactGroupResponse(group_item=[GroupItem(group_name=name, group_id=group_id)])


def _contact_data(contact: Contact) -> ContactData:
    data = ContactData(
        type=contact.type,
        standard_mark=standard_mark_text(contact.standard_mark),
        custom_mark=contact.custom_mark or UNSET,
        contact_group_id=contact.group_ids or UNSET,
        timestamp=contact.updated_at,
    )
    if contact.type == C2C:
        data.to_account = contact.peer
    else:
        data.to_group_id = contact.peer
    return data


async def _group_items(ctx: Ctx, owner: str) -> list[GroupItem]:
    groups = await ctx.storage.contact_groups.groups(ctx.sdkappid, owner)
    return [GroupItem(group_name=name, group_id=group_id) for group_id, name in groups]


async def search_contact_group(
    ctx: Ctx, req: SearchContactGroupRequest
) -> SearchContactGroupResponse:
    """recentcontact/search_contact_group: the data of up to 300 given conversations (those
    without data are left out) and all the user's groups."""
    owner = await owner_of(ctx, req.from_account)
    if len(req.contact_item) > MAX_SEARCH_ITEMS:
        raise ApiError(Code.RC_INVALID_PARAM, f"at most {MAX_SEARCH_ITEMS} conversations")
    keys = [_key(i) for i in req.contact_item]
    wanted = [k for k in keys if k is not None]
    if len(wanted) != len(keys):
        raise ApiError(Code.RC_INVALID_PARAM, "a ContactItem names no conversation")
    found = {
        (c.type, c.peer): c
        for c in await ctx.storage.contact_groups.contacts(ctx.sdkappid, owner, wanted)
    }
    return SearchContactGroupResponse(
        contact_result_item=[_contact_data(found[k]) for k in dict.fromkeys(wanted) if k in found],
        group_item=await _group_items(ctx, owner),
    )


async def get_contact_group(ctx: Ctx, req: GetContactGroupRequest) -> GetContactGroupResponse:
    """recentcontact/get_contact_group: 100 conversations with data per page, by (Type, peer)."""
    owner = await owner_of(ctx, req.from_account)
    if req.start_index < 0:
        raise ApiError(Code.RC_INVALID_PARAM, "StartIndex must not be negative")
    contacts = await ctx.storage.contact_groups.contacts(ctx.sdkappid, owner)
    end = req.start_index + PAGE_SIZE
    complete = end >= len(contacts)
    return GetContactGroupResponse(
        contact_item=[_contact_data(c) for c in contacts[req.start_index : end]],
        group_item=await _group_items(ctx, owner),
        complete_flag=int(complete),
        next_start_index=0 if complete else end,
    )
