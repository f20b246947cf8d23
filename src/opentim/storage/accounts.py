"""Accounts: import, check, delete, kick."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from opentim.storage.engine import Engine

# Rows a deleted account leaves behind in other areas; each statement takes (sdkappid, user).
USER_CLEANUP: list[str] = [
    "DELETE FROM group_members WHERE sdkappid = $1 AND member_account = $2",
    # The user's own conversation list, marks and conversation groups (messages stay: the
    # peers' history keeps them).
    "DELETE FROM conversations WHERE sdkappid = $1 AND owner = $2",
    "DELETE FROM contact_group_members WHERE sdkappid = $1 AND owner = $2",
    "DELETE FROM contacts WHERE sdkappid = $1 AND owner = $2",
    "DELETE FROM contact_groups WHERE sdkappid = $1 AND owner = $2",
    "DELETE FROM contact_owners WHERE sdkappid = $1 AND owner = $2",
]


@dataclass(frozen=True, slots=True)
class ImportItem:
    user_id: str
    nick: str | None = None
    face_url: str | None = None


AUTH_CACHE_SECONDS = 1.0
"""How long a process may trust a cached account row (its kick watermark, and that it exists);
kicks and deletions made by another process take effect there within this time (in this
process, at once)."""


_KICKED_AT = "SELECT kicked_at FROM accounts WHERE sdkappid = $1 AND user_id = $2"


class AccountStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine
        self._kicks: dict[tuple[int, str], tuple[float, int | None]] = {}

    async def import_accounts(self, sdkappid: int, items: Sequence[ImportItem], now: int) -> None:
        """Create the accounts that do not exist; overwrite Nick/FaceUrl where given.

        Idempotent; concurrent imports of one UserID leave exactly one account.
        """
        async with self._db.transaction() as tx:
            for item in items:
                await tx.execute(
                    "INSERT INTO accounts (sdkappid, user_id, nick, face_url, created_at)"
                    " VALUES ($1, $2, $3, $4, $5)"
                    " ON CONFLICT (sdkappid, user_id) DO UPDATE SET"
                    " nick = CASE WHEN $6 THEN excluded.nick ELSE accounts.nick END,"
                    " face_url = CASE WHEN $7 THEN excluded.face_url ELSE accounts.face_url END",
                    sdkappid,
                    item.user_id,
                    item.nick or "",
                    item.face_url or "",
                    now,
                    item.nick is not None,
                    item.face_url is not None,
                )

    async def existing(
        self, sdkappid: int, user_ids: Sequence[str], fresh: bool = False
    ) -> set[str]:
        """The subset of ``user_ids`` that are imported accounts.

        An account found within ``AUTH_CACHE_SECONDS`` (by this or by ``kicked_at``) is not
        looked up again unless ``fresh``; an absent one always is, so an import shows at once
        everywhere, a deletion made by another process within that time.
        """
        found: set[str] = set()
        unknown: list[str] = []
        clock = time.monotonic()
        cache = self._kicks
        for user_id in user_ids:
            cached = None if fresh else cache.get((sdkappid, user_id))
            if cached is not None and cached[0] > clock and cached[1] is not None:
                found.add(user_id)
            else:
                unknown.append(user_id)
        if unknown:
            async with self._db.reader() as tx:
                for user_id in dict.fromkeys(unknown):
                    value = await tx.fetchval(_KICKED_AT, sdkappid, user_id)
                    if value is not None:
                        found.add(user_id)
                        self._remember(sdkappid, user_id, clock, int(value))
        return found

    async def delete_accounts(self, sdkappid: int, user_ids: Sequence[str]) -> set[str]:
        """Delete accounts with their memberships and other per-user data; return those deleted."""
        deleted: set[str] = set()
        async with self._db.transaction() as tx:
            for user_id in dict.fromkeys(user_ids):
                if await tx.execute(
                    "DELETE FROM accounts WHERE sdkappid = $1 AND user_id = $2", sdkappid, user_id
                ):
                    deleted.add(user_id)
                    for statement in USER_CLEANUP:
                        await tx.execute(statement, sdkappid, user_id)
        for user_id in deleted:
            self._kicks.pop((sdkappid, user_id), None)
        return deleted

    async def kick(self, sdkappid: int, user_id: str, now: int, create: bool = False) -> bool:
        """Refuse the user's UserSigs made at or before ``now``; False if there is no account.

        With ``create`` (App Admins, who exist without import) the account row is made.
        """
        async with self._db.transaction() as tx:
            if create:
                await tx.execute(
                    "INSERT INTO accounts (sdkappid, user_id, created_at) VALUES ($1, $2, $3)"
                    " ON CONFLICT (sdkappid, user_id) DO NOTHING",
                    sdkappid,
                    user_id,
                    now,
                )
            changed = await tx.execute(
                "UPDATE accounts SET kicked_at = $3 WHERE sdkappid = $1 AND user_id = $2",
                sdkappid,
                user_id,
                now,
            )
        self._kicks.pop((sdkappid, user_id), None)
        return changed > 0

    async def kicked_at(
        self, sdkappid: int, user_id: str, cache_absent: bool = False
    ) -> int | None:
        """The user's kick watermark (0 if never kicked), or None when not an account.

        Found accounts are cached for ``AUTH_CACHE_SECONDS``: this runs on every request. With
        ``cache_absent`` (App Admins, who need no account row) "no account" is cached too:
        otherwise every admin request costs a query (a PostgreSQL round trip).
        """
        key = (sdkappid, user_id)
        cached = self._kicks.get(key)
        clock = time.monotonic()
        if cached is not None and cached[0] > clock:
            return cached[1]
        async with self._db.reader() as tx:
            value = await tx.fetchval(_KICKED_AT, sdkappid, user_id)
        if value is None and not cache_absent:
            return None
        kicked = None if value is None else int(value)
        self._remember(sdkappid, user_id, clock, kicked)
        return kicked

    def _remember(self, sdkappid: int, user_id: str, clock: float, kicked: int | None) -> None:
        if len(self._kicks) > 100_000:
            self._kicks.clear()
        self._kicks[(sdkappid, user_id)] = (clock + AUTH_CACHE_SECONDS, kicked)
