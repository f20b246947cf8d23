"""Conversation groups and conversation marks, per user, independent of the conversation list.

A ``contacts`` row exists only while the conversation carries data (a standard mark, a custom
mark or a group membership); at most ``MAX_CONTACTS`` per user. Every write first locks the
user's ``contact_owners`` row, so the limits hold under concurrent calls and across processes.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from opentim.storage.engine import Engine, Tx

MAX_GROUPS = 20
MAX_CONTACTS = 1000

Key = tuple[int, str]
"""A conversation: (Type, peer UserID or GroupId)."""

_BIT64 = 1 << 64
_SIGN = 1 << 63


def _to_signed(mark: int) -> int:
    return mark - _BIT64 if mark >= _SIGN else mark


def _to_unsigned(stored: int) -> int:
    return stored + _BIT64 if stored < 0 else stored


@dataclass(slots=True)
class Contact:
    type: int
    peer: str
    standard_mark: int
    custom_mark: str
    updated_at: int
    group_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class MarkChange:
    key: Key
    set_bits: int = 0
    clear_bits: int = 0
    custom_mark: str | None = None
    """None: leave the custom mark as it is."""


class Refusal(enum.Enum):
    TOO_MANY_GROUPS = "too many groups"
    DUPLICATE_NAME = "duplicate name"
    NO_SUCH_GROUP = "no such group"


@dataclass(slots=True)
class GroupChange:
    """The outcome of a group write: the group and, per conversation, whether it was taken."""

    group_id: int = 0
    accepted: list[bool] = field(default_factory=list)
    """Per conversation, in order: False when ``MAX_CONTACTS`` refused it."""


_LOCK_OWNER = (
    "INSERT INTO contact_owners (sdkappid, owner, next_group_id) VALUES ($1, $2, 1)"
    " ON CONFLICT (sdkappid, owner) DO UPDATE SET next_group_id = contact_owners.next_group_id"
    " RETURNING next_group_id"
)
_KEY = "sdkappid = $1 AND owner = $2 AND type = $3 AND peer = $4"
_GROUP_BY_NAME = (
    "SELECT group_id FROM contact_groups WHERE sdkappid = $1 AND owner = $2 AND name = $3"
)


class Refused(Exception):
    """A group write refused: raised inside the transaction, so that it rolls back whole
    (the owner-row lock included) and the refused call leaves nothing behind."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal)
        self.refusal = refusal


class ContactGroupStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def mark(
        self, sdkappid: int, owner: str, changes: Sequence[MarkChange], now: int
    ) -> list[bool]:
        """Apply mark changes in one transaction; per change, False when ``MAX_CONTACTS`` refused.

        A conversation left without marks and groups stops carrying data (and counting).
        """
        results = []
        async with self._db.transaction() as tx:
            await tx.fetchval(_LOCK_OWNER, sdkappid, owner)
            count = await _count(tx, sdkappid, owner)
            for change in changes:
                row = await tx.fetchrow(
                    f"SELECT standard_mark, custom_mark FROM contacts WHERE {_KEY}",
                    sdkappid,
                    owner,
                    *change.key,
                )
                if row is None and count >= MAX_CONTACTS:
                    results.append(False)
                    continue
                old_mark = _to_unsigned(int(row[0])) if row else 0
                mark = (old_mark | change.set_bits) & ~change.clear_bits
                custom = (
                    (row[1] if row else "") if change.custom_mark is None else change.custom_mark
                )
                if row is None:
                    count += 1
                await tx.execute(
                    "INSERT INTO contacts (sdkappid, owner, type, peer, standard_mark, custom_mark,"
                    " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET"
                    " standard_mark = excluded.standard_mark, custom_mark = excluded.custom_mark,"
                    " updated_at = excluded.updated_at",
                    sdkappid,
                    owner,
                    *change.key,
                    _to_signed(mark),
                    custom,
                    now,
                )
                count -= await _prune(tx, sdkappid, owner, change.key)
                results.append(True)
        return results

    async def create_group(
        self, sdkappid: int, owner: str, name: str, keys: Sequence[Key], now: int
    ) -> GroupChange:
        """Create a group named ``name`` holding ``keys``; IDs count up from 1, never reused.

        Raises ``Refused`` (nothing written) past ``MAX_GROUPS`` or for a name already in use.
        """
        async with self._db.transaction() as tx:
            group_id = int(await tx.fetchval(_LOCK_OWNER, sdkappid, owner))
            groups = await tx.fetchval(
                "SELECT COUNT(*) FROM contact_groups WHERE sdkappid = $1 AND owner = $2",
                sdkappid,
                owner,
            )
            if int(groups) >= MAX_GROUPS:
                raise Refused(Refusal.TOO_MANY_GROUPS)
            if await tx.fetchval(_GROUP_BY_NAME, sdkappid, owner, name) is not None:
                raise Refused(Refusal.DUPLICATE_NAME)
            await tx.execute(
                "UPDATE contact_owners SET next_group_id = next_group_id + 1"
                " WHERE sdkappid = $1 AND owner = $2",
                sdkappid,
                owner,
            )
            await tx.execute(
                "INSERT INTO contact_groups (sdkappid, owner, group_id, name)"
                " VALUES ($1, $2, $3, $4)",
                sdkappid,
                owner,
                group_id,
                name,
            )
            accepted = await _add_members(tx, sdkappid, owner, group_id, keys, now)
        return GroupChange(group_id, accepted=accepted)

    async def rename_group(self, sdkappid: int, owner: str, old: str, new: str) -> GroupChange:
        """Rename a group (its ID stays); ``Refused`` when absent or the new name is taken."""
        async with self._db.transaction() as tx:
            await tx.fetchval(_LOCK_OWNER, sdkappid, owner)
            group_id = await tx.fetchval(_GROUP_BY_NAME, sdkappid, owner, old)
            if group_id is None:
                raise Refused(Refusal.NO_SUCH_GROUP)
            if new != old and await tx.fetchval(_GROUP_BY_NAME, sdkappid, owner, new) is not None:
                raise Refused(Refusal.DUPLICATE_NAME)
            await tx.execute(
                "UPDATE contact_groups SET name = $4 WHERE sdkappid = $1 AND owner = $2"
                " AND group_id = $3",
                sdkappid,
                owner,
                int(group_id),
                new,
            )
        return GroupChange(int(group_id))

    async def change_members(
        self,
        sdkappid: int,
        owner: str,
        name: str,
        changes: Sequence[tuple[bool, Key]],
        now: int,
    ) -> GroupChange:
        """Add (True) or remove (False) conversations; removing an absent one is accepted.

        Raises ``Refused`` (NO_SUCH_GROUP) when there is no group named ``name``.
        """
        async with self._db.transaction() as tx:
            await tx.fetchval(_LOCK_OWNER, sdkappid, owner)
            found = await tx.fetchval(_GROUP_BY_NAME, sdkappid, owner, name)
            if found is None:
                raise Refused(Refusal.NO_SUCH_GROUP)
            group_id = int(found)
            accepted = []
            for add, key in changes:
                if add:
                    accepted += await _add_members(tx, sdkappid, owner, group_id, [key], now)
                    continue
                gone = await tx.execute(
                    f"DELETE FROM contact_group_members WHERE {_KEY} AND group_id = $5",
                    sdkappid,
                    owner,
                    *key,
                    group_id,
                )
                if gone:
                    await _touch(tx, sdkappid, owner, key, now)
                    await _prune(tx, sdkappid, owner, key)
                accepted.append(True)
        return GroupChange(group_id, accepted=accepted)

    async def delete_group(self, sdkappid: int, owner: str, name: str, now: int) -> int:
        """Delete a group: its ID leaves every conversation, which keep their marks and other
        groups (conversations left with no data stop counting). O(members).
        Raises ``Refused`` (NO_SUCH_GROUP) when absent.
        """
        async with self._db.transaction() as tx:
            await tx.fetchval(_LOCK_OWNER, sdkappid, owner)
            found = await tx.fetchval(_GROUP_BY_NAME, sdkappid, owner, name)
            if found is None:
                raise Refused(Refusal.NO_SUCH_GROUP)
            group_id = int(found)
            members = await tx.fetch(
                "SELECT type, peer FROM contact_group_members WHERE sdkappid = $1 AND owner = $2"
                " AND group_id = $3",
                sdkappid,
                owner,
                group_id,
            )
            await tx.execute(
                "DELETE FROM contact_group_members WHERE sdkappid = $1 AND owner = $2"
                " AND group_id = $3",
                sdkappid,
                owner,
                group_id,
            )
            await tx.execute(
                "DELETE FROM contact_groups WHERE sdkappid = $1 AND owner = $2 AND group_id = $3",
                sdkappid,
                owner,
                group_id,
            )
            for member in members:
                key = (int(member[0]), member[1])
                await _touch(tx, sdkappid, owner, key, now)
                await _prune(tx, sdkappid, owner, key)
        return group_id

    async def existing_groups(self, sdkappid: int, group_ids: Sequence[str]) -> set[str]:
        """The subset of ``group_ids`` naming chat groups that exist."""
        found: set[str] = set()
        async with self._db.reader() as tx:
            for group_id in dict.fromkeys(group_ids):
                if await tx.fetchval(
                    "SELECT 1 FROM groups WHERE sdkappid = $1 AND group_id = $2", sdkappid, group_id
                ):
                    found.add(group_id)
        return found

    async def groups(self, sdkappid: int, owner: str) -> list[tuple[int, str]]:
        """The owner's groups as (GroupId, GroupName), by ID."""
        async with self._db.reader() as tx:
            rows = await tx.fetch(
                "SELECT group_id, name FROM contact_groups WHERE sdkappid = $1 AND owner = $2"
                " ORDER BY group_id",
                sdkappid,
                owner,
            )
        return [(int(r[0]), r[1]) for r in rows]

    async def contacts(
        self, sdkappid: int, owner: str, keys: Sequence[Key] | None = None
    ) -> list[Contact]:
        """Conversations carrying data, ordered by (type, peer); only ``keys`` when given."""
        async with self._db.reader() as tx:
            rows = await tx.fetch(
                "SELECT type, peer, standard_mark, custom_mark, updated_at FROM contacts"
                " WHERE sdkappid = $1 AND owner = $2 ORDER BY type, peer",
                sdkappid,
                owner,
            )
            links = await tx.fetch(
                "SELECT type, peer, group_id FROM contact_group_members"
                " WHERE sdkappid = $1 AND owner = $2 ORDER BY group_id",
                sdkappid,
                owner,
            )
        wanted = None if keys is None else set(keys)
        found: dict[Key, Contact] = {}
        for r in rows:
            key = (int(r[0]), r[1])
            if wanted is None or key in wanted:
                found[key] = Contact(key[0], key[1], _to_unsigned(int(r[2])), r[3], int(r[4]))
        for link in links:
            contact = found.get((int(link[0]), link[1]))
            if contact is not None:
                contact.group_ids.append(int(link[2]))
        return list(found.values())


async def _count(tx: Tx, sdkappid: int, owner: str) -> int:
    value = await tx.fetchval(
        "SELECT COUNT(*) FROM contacts WHERE sdkappid = $1 AND owner = $2", sdkappid, owner
    )
    return int(value)


async def _add_members(
    tx: Tx, sdkappid: int, owner: str, group_id: int, keys: Sequence[Key], now: int
) -> list[bool]:
    count = await _count(tx, sdkappid, owner)
    accepted = []
    for key in keys:
        exists = await tx.fetchval(f"SELECT 1 FROM contacts WHERE {_KEY}", sdkappid, owner, *key)
        if not exists:
            if count >= MAX_CONTACTS:
                accepted.append(False)
                continue
            count += 1
        await tx.execute(
            "INSERT INTO contacts (sdkappid, owner, type, peer, updated_at)"
            " VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET updated_at = $5",
            sdkappid,
            owner,
            *key,
            now,
        )
        await tx.execute(
            "INSERT INTO contact_group_members (sdkappid, owner, group_id, type, peer)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            sdkappid,
            owner,
            group_id,
            *key,
        )
        accepted.append(True)
    return accepted


async def _touch(tx: Tx, sdkappid: int, owner: str, key: Key, now: int) -> None:
    await tx.execute(
        f"UPDATE contacts SET updated_at = $5 WHERE {_KEY}", sdkappid, owner, *key, now
    )


async def _prune(tx: Tx, sdkappid: int, owner: str, key: Key) -> int:
    """Drop the conversation's row if it carries no data any more; 1 if dropped."""
    return await tx.execute(
        f"DELETE FROM contacts WHERE {_KEY} AND standard_mark = 0 AND custom_mark = ''"
        " AND NOT EXISTS (SELECT 1 FROM contact_group_members m WHERE m.sdkappid = $1"
        " AND m.owner = $2 AND m.type = $3 AND m.peer = $4)",
        sdkappid,
        owner,
        *key,
    )
