"""Group membership beyond adding: removal, import, member pages and a user's groups."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from opentim.storage.engine import Engine
from opentim.storage.groups import (
    GROUP_COLUMNS,
    LOCK_GROUP,
    LOCK_GROUP_RETURNING,
    MEMBER_COLUMNS,
    MEMBER_INSERT,
    MEMBER_SELECT,
    GroupRow,
    MemberRow,
    Outcome,
    fetch_member,
    in_list,
    member_from,
    member_values,
)

NO_LIMIT = 2**62
"""A LIMIT both engines read as "all rows"."""

_JOINED_COLUMNS = ", ".join([f"g.{c}" for c in GROUP_COLUMNS] + [f"m.{c}" for c in MEMBER_COLUMNS])
_JOINED_WHERE = (
    " FROM group_members m JOIN groups g ON g.sdkappid = m.sdkappid AND g.group_id = m.group_id"
    " WHERE m.sdkappid = $1 AND m.member_account = $2 AND ($3 = '' OR g.type = $3)"
    " AND ($4 = 1 OR g.type <> 'AVChatRoom') AND ($5 = 1 OR g.active = 1)"
    " AND ($6 = 0 OR g.support_topic = 1)"
)

_MEMBER_NUM = (
    "(SELECT COUNT(*) FROM group_members c WHERE c.sdkappid = g.sdkappid"
    " AND c.group_id = g.group_id)"
)


@dataclass(frozen=True, slots=True)
class JoinedFilter:
    """Which of a user's groups get_joined_group_list counts and lists."""

    group_type: str = ""
    """A stored type name, or '' for every type."""
    with_huge_groups: bool = False
    with_inactive: bool = False
    support_topic_only: bool = False


@dataclass(slots=True)
class ImportItem:
    member: MemberRow
    unread: int
    """Wanted unread count; clamped to the number of messages in the group."""


class MemberStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def remove_members(
        self, sdkappid: int, group_id: str, accounts: Sequence[str], owner_may_leave: bool
    ) -> Outcome:
        """Remove ``accounts`` from the group; accounts that are not members are ignored.

        REFUSED, with nothing removed, when the owner is among them and ``owner_may_leave`` is
        false; when the owner goes, the group is left without an owner. Under the group's row
        lock, so an ownership transfer cannot slip in between the check and the removal.
        """
        wanted = list(dict.fromkeys(accounts))
        async with self._db.transaction() as tx:
            owner = await tx.fetchval(LOCK_GROUP, sdkappid, group_id)
            if owner is None:
                return Outcome.GONE
            owner_goes = bool(owner) and owner in wanted
            if owner_goes and not owner_may_leave:
                return Outcome.REFUSED
            await tx.execute(
                "DELETE FROM group_members WHERE sdkappid = $1 AND group_id = $2"
                f" AND member_account IN ({in_list(3, len(wanted))})",
                sdkappid,
                group_id,
                *wanted,
            )
            if owner_goes:
                await tx.execute(
                    "UPDATE groups SET owner_account = '' WHERE sdkappid = $1 AND group_id = $2",
                    sdkappid,
                    group_id,
                )
        return Outcome.OK

    async def import_members(
        self, sdkappid: int, group_id: str, items: Sequence[ImportItem], max_members: int
    ) -> dict[str, int] | None:
        """Insert imported members; None if the group is gone. Returns account → Result.

        Result 1 imported, 2 already a member, 0 not imported (the group is full). An imported
        member sees the whole history (``join_seq`` 1) and has ``unread`` messages unread:
        ``msg_seq = next_msg_seq - 1 - min(unread, messages)``. ``next_msg_seq`` is read under
        the group's row lock, so a message sent meanwhile cannot skew the count.
        """
        results: dict[str, int] = {}
        accounts = list(dict.fromkeys(i.member.member_account for i in items))
        async with self._db.transaction() as tx:
            next_seq = await tx.fetchval(LOCK_GROUP_RETURNING + "next_msg_seq", sdkappid, group_id)
            if next_seq is None:
                return None
            count = await tx.fetchval(
                "SELECT COUNT(*) FROM group_members WHERE sdkappid = $1 AND group_id = $2",
                sdkappid,
                group_id,
            )
            existing = await tx.fetch(
                "SELECT member_account FROM group_members WHERE sdkappid = $1 AND group_id = $2"
                f" AND member_account IN ({in_list(3, len(accounts))})",
                sdkappid,
                group_id,
                *accounts,
            )
            results.update((r[0], 2) for r in existing)
            messages = next_seq - 1
            rows: list[tuple[object, ...]] = []
            for item in items:
                member = item.member
                if member.member_account in results:
                    continue
                if count + len(rows) >= max_members:
                    results[member.member_account] = 0
                    continue
                member.join_seq = 1
                member.msg_seq = messages - min(max(item.unread, 0), messages)
                rows.append(member_values(member))
                results[member.member_account] = 1
            if rows:
                await tx.executemany(MEMBER_INSERT, rows)
        return results

    async def member_page(
        self,
        sdkappid: int,
        group_id: str,
        roles: Sequence[str],
        limit: int | None,
        offset: int = 0,
        after: str | None = None,
    ) -> tuple[int, list[MemberRow]]:
        """The group's member count and one page of its members (of ``roles``, if any).

        With ``after`` (a keyset cursor: the last account of the previous page, '' for the
        first) members come in account order; otherwise in join order from ``offset``.
        """
        args: list[object] = [sdkappid, group_id, *roles]
        where = "WHERE sdkappid = $1 AND group_id = $2"
        if roles:
            where += f" AND role IN ({in_list(3, len(roles))})"
        n = len(args)
        if after is not None:
            page = f" AND member_account > ${n + 1} ORDER BY member_account LIMIT ${n + 2}"
            args += [after, NO_LIMIT if limit is None else limit]
        else:
            page = f" ORDER BY join_time, member_account LIMIT ${n + 1} OFFSET ${n + 2}"
            args += [NO_LIMIT if limit is None else limit, offset]
        async with self._db.reader() as tx:
            total = await tx.fetchval(
                "SELECT COUNT(*) FROM group_members WHERE sdkappid = $1 AND group_id = $2",
                sdkappid,
                group_id,
            )
            rows = await tx.fetch(f"{MEMBER_SELECT} {where}{page}", *args)
        return int(total), [member_from(r) for r in rows]

    async def joined_groups(
        self,
        sdkappid: int,
        account: str,
        which: JoinedFilter,
        limit: int | None,
        offset: int,
        with_member_num: bool = False,
    ) -> tuple[int, list[tuple[GroupRow, MemberRow, int]]]:
        """How many groups ``account`` belongs to (as ``which`` selects) and one page of them,
        each with the user's membership and, when ``with_member_num``, the group's member
        count (else 0), in join order. One read.
        """
        args = (
            sdkappid,
            account,
            which.group_type,
            int(which.with_huge_groups),
            int(which.with_inactive),
            int(which.support_topic_only),
        )
        split = len(GROUP_COLUMNS)
        count = _MEMBER_NUM if with_member_num else "0"
        async with self._db.reader() as tx:
            total = await tx.fetchval(f"SELECT COUNT(*){_JOINED_WHERE}", *args)
            rows = await tx.fetch(
                f"SELECT {_JOINED_COLUMNS}, {count}{_JOINED_WHERE}"
                " ORDER BY m.join_time, m.group_id LIMIT $7 OFFSET $8",
                *args,
                NO_LIMIT if limit is None else limit,
                offset,
            )
        return int(total), [
            (GroupRow(*t[:split]), MemberRow(*t[split:-1]), int(t[-1])) for t in map(tuple, rows)
        ]

    async def change_owner(self, sdkappid: int, group_id: str, new_owner: str, now: int) -> Outcome:
        """Make member ``new_owner`` the owner; the previous owner, if any, becomes a Member.

        REFUSED when ``new_owner`` is not a member. Under the group's row lock, so concurrent
        transfers leave exactly one Owner.
        """
        async with self._db.transaction() as tx:
            old = await tx.fetchval(LOCK_GROUP, sdkappid, group_id)
            if old is None:
                return Outcome.GONE
            member = await fetch_member(tx, sdkappid, group_id, new_owner)
            if member is None:
                return Outcome.REFUSED
            if old == new_owner and member.role == "Owner":
                return Outcome.OK
            await tx.execute(
                "UPDATE group_members SET role = 'Member'"
                " WHERE sdkappid = $1 AND group_id = $2 AND role = 'Owner'",
                sdkappid,
                group_id,
            )
            await tx.execute(
                "UPDATE group_members SET role = 'Owner'"
                " WHERE sdkappid = $1 AND group_id = $2 AND member_account = $3",
                sdkappid,
                group_id,
                new_owner,
            )
            await tx.execute(
                "UPDATE groups SET owner_account = $3, info_seq = info_seq + 1,"
                " last_info_time = $4 WHERE sdkappid = $1 AND group_id = $2",
                sdkappid,
                group_id,
                new_owner,
                now,
            )
        return Outcome.OK
