"""Accounts (im_open_login_svc)."""

from __future__ import annotations

from msgspec import UNSET

from opentim.context import Ctx
from opentim.errors import TEXTS, ApiError, Code
from opentim.storage.accounts import ImportItem
from opentim.wire.accounts import (
    AccountCheckRequest,
    AccountCheckResponse,
    AccountDeleteRequest,
    AccountDeleteResponse,
    AccountImportRequest,
    AccountImportResponse,
    CheckResultItem,
    DeleteResultItem,
    KickRequest,
    KickResponse,
    MultiaccountImportRequest,
    MultiaccountImportResponse,
)

MAX_USER_ID_BYTES = 32
MAX_PROFILE_BYTES = 500
MAX_BATCH = 100


def valid_user_id(user_id: str) -> bool:
    """Printable ASCII, 1 to 32 bytes (the client SDK's rule; see docs/decisions.md)."""
    return 0 < len(user_id) <= MAX_USER_ID_BYTES and all(" " <= c <= "~" for c in user_id)


def _profile_ok(*values: object) -> bool:
    return all(not isinstance(v, str) or len(v.encode()) <= MAX_PROFILE_BYTES for v in values)


def _check_batch(count: int) -> None:
    if count == 0:
        raise ApiError(Code.ACCOUNT_INVALID_PARAM, "the list names no account")
    if count > MAX_BATCH:
        raise ApiError(Code.ACCOUNT_INVALID_PARAM, f"more than {MAX_BATCH} accounts in one call")


async def account_import(ctx: Ctx, req: AccountImportRequest) -> AccountImportResponse:
    """im_open_login_svc/account_import; also accepts the legacy ``Identifier`` field."""
    user_id = req.user_id if req.user_id is not UNSET else req.identifier
    if user_id is UNSET or not valid_user_id(user_id):
        raise ApiError(
            Code.ACCOUNT_INVALID_PARAM, "UserID missing, too long or not printable ASCII"
        )
    if not _profile_ok(req.nick, req.face_url):
        raise ApiError(40601, "profile value longer than 500 bytes")
    item = ImportItem(
        user_id,
        None if req.nick is UNSET else req.nick,
        None if req.face_url is UNSET else req.face_url,
    )
    await ctx.storage.accounts.import_accounts(ctx.sdkappid, [item], ctx.now())
    return AccountImportResponse()


async def multiaccount_import(
    ctx: Ctx, req: MultiaccountImportRequest
) -> MultiaccountImportResponse:
    """im_open_login_svc/multiaccount_import: the old ``Accounts`` or the new ``AccountList``."""
    if req.account_list is not UNSET:
        items = [
            ImportItem(
                a.user_id,
                None if a.nick is UNSET else a.nick,
                None if a.face_url is UNSET else a.face_url,
            )
            for a in req.account_list
        ]
    elif req.accounts is not UNSET:
        items = [ImportItem(user_id) for user_id in req.accounts]
    else:
        raise ApiError(Code.ACCOUNT_INVALID_PARAM, "Accounts or AccountList is required")
    _check_batch(len(items))
    good = [i for i in items if valid_user_id(i.user_id) and _profile_ok(i.nick, i.face_url)]
    failed = list(dict.fromkeys(i.user_id for i in items if i not in good))
    await ctx.storage.accounts.import_accounts(ctx.sdkappid, good, ctx.now())
    return MultiaccountImportResponse(fail_accounts=failed)


async def account_delete(ctx: Ctx, req: AccountDeleteRequest) -> AccountDeleteResponse:
    """im_open_login_svc/account_delete: per-account results; App Admins cannot be deleted."""
    if not ctx.app.allow_account_delete:
        raise ApiError(Code.ACCOUNT_DELETE_FORBIDDEN)
    _check_batch(len(req.delete_item))
    wanted = [i.user_id for i in req.delete_item if not ctx.app.is_admin(i.user_id)]
    deleted = await ctx.storage.accounts.delete_accounts(ctx.sdkappid, wanted)
    items = []
    for item in req.delete_item:
        if item.user_id in deleted:
            items.append(DeleteResultItem(result_code=0, result_info="", user_id=item.user_id))
        elif ctx.app.is_admin(item.user_id):
            items.append(
                DeleteResultItem(
                    result_code=Code.ACCOUNT_INVALID_PARAM,
                    result_info="App Admin accounts cannot be deleted",
                    user_id=item.user_id,
                )
            )
        else:
            items.append(
                DeleteResultItem(
                    result_code=Code.ACCOUNT_NOT_FOUND,
                    result_info=TEXTS[Code.ACCOUNT_NOT_FOUND],
                    user_id=item.user_id,
                )
            )
    return AccountDeleteResponse(result_item=items)


async def account_check(ctx: Ctx, req: AccountCheckRequest) -> AccountCheckResponse:
    """im_open_login_svc/account_check: results in request order; admins always exist.

    Asks the database every time: the one API whose answer is whether an account exists."""
    _check_batch(len(req.check_item))
    ids = [i.user_id for i in req.check_item]
    found = await ctx.storage.accounts.existing(ctx.sdkappid, ids, fresh=True)
    return AccountCheckResponse(
        result_item=[
            CheckResultItem(
                user_id=u,
                result_code=0,
                result_info="",
                account_status="Imported" if u in found or ctx.app.is_admin(u) else "NotImported",
            )
            for u in ids
        ]
    )


async def kick(ctx: Ctx, req: KickRequest) -> KickResponse:
    """im_open_login_svc/kick: UserSigs made at or before now stop working; newer ones work."""
    if not valid_user_id(req.user_id):
        raise ApiError(
            Code.ACCOUNT_INVALID_PARAM, "UserID missing, too long or not printable ASCII"
        )
    is_admin = ctx.app.is_admin(req.user_id)
    if not await ctx.storage.accounts.kick(ctx.sdkappid, req.user_id, ctx.now(), create=is_admin):
        raise ApiError(Code.ACCOUNT_NOT_FOUND)
    return KickResponse()
