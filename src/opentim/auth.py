"""Who is calling: the query parameters, the app, the UserSig, and the admin or account check."""

from __future__ import annotations

from dataclasses import dataclass

from opentim import usersig
from opentim.errors import ApiError, Code
from opentim.settings import AppConfig, Settings
from opentim.storage import Storage

_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class Caller:
    app: AppConfig
    identifier: str


class Authenticator:
    """Verifies UserSigs; a verified one is remembered until it expires (kicks still apply)."""

    def __init__(self, settings: Settings, storage: Storage) -> None:
        self._settings = settings
        self._storage = storage
        self._verified: dict[tuple[int, str, str], usersig.VerifiedSig] = {}

    def _verify(self, app: AppConfig, identifier: str, sig: str, now: int) -> usersig.VerifiedSig:
        key = (app.sdkappid, identifier, sig)
        verified = self._verified.get(key)
        if verified is None:
            verified = usersig.verify(sig, app.sdkappid, identifier, app.keys, now)
            if len(self._verified) >= _CACHE_LIMIT:
                self._verified.clear()
            self._verified[key] = verified
        elif now > verified.expire_at:
            del self._verified[key]
            raise ApiError(Code.USERSIG_EXPIRED)
        return verified

    async def authenticate(self, query: dict[str, str], client_api: bool, now: int) -> Caller:
        """Steps 2-4 of the processing order: app, UserSig, then admin (or account) check."""
        appid_text = query.get("sdkappid")
        if not appid_text:
            raise ApiError(Code.SDKAPPID_REQUIRED)
        app = self._settings.app(int(appid_text)) if appid_text.isdigit() else None
        if app is None:
            raise ApiError(Code.INVALID_SDKAPPID)
        if app.disabled:
            raise ApiError(Code.SDKAPPID_DISABLED)
        identifier = query.get("identifier")
        if not identifier:
            raise ApiError(Code.ACCOUNT_OR_SIG, "identifier is required")
        verified = self._verify(app, identifier, query.get("usersig", ""), now)
        kicked_at = await self._storage.accounts.kicked_at(
            app.sdkappid, identifier, cache_absent=app.is_admin(identifier)
        )
        if kicked_at is not None and verified.time <= kicked_at:
            raise ApiError(Code.USERSIG_EXPIRED, "usersig made before the account was kicked")
        if client_api:
            if kicked_at is None and not app.is_admin(identifier):
                raise ApiError(Code.ACCOUNT_NOT_FOUND, "the caller is not an imported account")
        elif not app.is_admin(identifier):
            raise ApiError(Code.ADMIN_REQUIRED)
        return Caller(app, identifier)
