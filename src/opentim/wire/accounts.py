"""im_open_login_svc: account_import, multiaccount_import, account_delete, account_check, kick."""

from __future__ import annotations

from opentim.wire.common import UNSET, Envelope, Request, Struct, UnsetType, field


class AccountImportRequest(Request, kw_only=True):
    user_id: str | UnsetType = field(default=UNSET, name="UserID")
    identifier: str | UnsetType = field(default=UNSET, name="Identifier")  # legacy spelling
    nick: str | UnsetType = field(default=UNSET, name="Nick")
    face_url: str | UnsetType = field(default=UNSET, name="FaceUrl")


class AccountImportResponse(Envelope, kw_only=True):
    pass


class AccountListItem(Struct, kw_only=True):
    user_id: str = field(name="UserID")
    nick: str | UnsetType = field(default=UNSET, name="Nick")
    face_url: str | UnsetType = field(default=UNSET, name="FaceUrl")


class MultiaccountImportRequest(Request, kw_only=True):
    accounts: list[str] | UnsetType = field(default=UNSET, name="Accounts")
    account_list: list[AccountListItem] | UnsetType = field(default=UNSET, name="AccountList")


class MultiaccountImportResponse(Envelope, kw_only=True):
    fail_accounts: list[str] = field(default_factory=list, name="FailAccounts")


class UserItem(Struct, kw_only=True):
    user_id: str = field(name="UserID")


class AccountDeleteRequest(Request, kw_only=True):
    delete_item: list[UserItem] = field(name="DeleteItem")


class DeleteResultItem(Struct, kw_only=True):
    result_code: int = field(name="ResultCode")
    result_info: str = field(name="ResultInfo")
    user_id: str = field(name="UserID")


class AccountDeleteResponse(Envelope, kw_only=True):
    result_item: list[DeleteResultItem] = field(name="ResultItem")


class AccountCheckRequest(Request, kw_only=True):
    check_item: list[UserItem] = field(name="CheckItem")


class CheckResultItem(Struct, kw_only=True):
    user_id: str = field(name="UserID")
    result_code: int = field(name="ResultCode")
    result_info: str = field(name="ResultInfo")
    account_status: str = field(name="AccountStatus")


class AccountCheckResponse(Envelope, kw_only=True):
    result_item: list[CheckResultItem] = field(name="ResultItem")


class KickRequest(Request, kw_only=True):
    user_id: str = field(name="UserID")


class KickResponse(Envelope, kw_only=True):
    pass
