"""Groups and their members."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields

import msgspec

from opentim.storage.engine import Conflict, Engine, Row, Tx


@dataclass(slots=True)
class GroupRow:
    """A group as stored; column names are the attribute names."""

    sdkappid: int
    group_id: str
    type: str
    name: str
    create_time: int
    max_member_num: int
    introduction: str = ""
    notification: str = ""
    face_url: str = ""
    owner_account: str = ""
    info_seq: int = 0
    last_info_time: int = 0
    last_msg_time: int = 0
    next_msg_seq: int = 1
    apply_join_option: str = "NeedPermission"
    invite_join_option: str = ""
    mute_all_member: str = "Off"
    support_topic: int = 0
    app_defined_data: str = "[]"
    active: int = 1
    cleared_upto_seq: int = 0
    conv_msg_seq: int = 0
    conv_msg_time: int = 0
    gkey: int = 0


@dataclass(slots=True)
class MemberRow:
    sdkappid: int
    group_id: str
    member_account: str
    join_time: int
    role: str = "Member"
    join_seq: int = 1
    msg_seq: int = 0
    msg_flag: str = "AcceptAndNotify"
    last_send_msg_time: int = 0
    name_card: str = ""
    mute_until: int = 0
    app_member_defined_data: str = "[]"


GROUP_COLUMNS = tuple(f.name for f in fields(GroupRow))
MEMBER_COLUMNS = tuple(f.name for f in fields(MemberRow))
GROUP_SELECT = f"SELECT {', '.join(GROUP_COLUMNS)} FROM groups"
MEMBER_SELECT = f"SELECT {', '.join(MEMBER_COLUMNS)} FROM group_members"
GROUP_INSERT = (
    f"INSERT INTO groups ({', '.join(GROUP_COLUMNS[:-1])}) VALUES "
    f"({', '.join(f'${i + 1}' for i in range(len(GROUP_COLUMNS) - 1))})"
)
MEMBER_INSERT = (
    f"INSERT INTO group_members ({', '.join(MEMBER_COLUMNS)}) VALUES "
    f"({', '.join(f'${i + 1}' for i in range(len(MEMBER_COLUMNS)))})"
)


def group_from(row: Row) -> GroupRow:
    return GroupRow(*row)


def member_from(row: Row) -> MemberRow:
    return MemberRow(*row)


def member_values(member: MemberRow) -> tuple[object, ...]:
    return tuple(getattr(member, name) for name in MEMBER_COLUMNS)


class Outcome(enum.Enum):
    OK = "ok"
    GONE = "gone"
    """The group does not exist."""
    REFUSED = "refused"
    """A rule checked under the group's row lock said no (each method says which)."""


class _Refused(Exception):
    """Rolls a transaction back when a rule refuses the change half-way."""


@dataclass(slots=True)
class GroupInfo:
    group: GroupRow
    member_num: int
    members: list[MemberRow] | None = None


MODIFIABLE = frozenset(
    {
        "name",
        "introduction",
        "notification",
        "face_url",
        "max_member_num",
        "apply_join_option",
        "mute_all_member",
    }
)
MAX_GROUP_KEYS = 10
LOCK_GROUP_RETURNING = (
    "UPDATE groups SET next_msg_seq = next_msg_seq WHERE sdkappid = $1 AND group_id = $2 RETURNING "
)
LOCK_GROUP = LOCK_GROUP_RETURNING + "owner_account"
"""Takes the group's row lock (PostgreSQL; SQLite has one writer) and reads the owner."""


def in_list(first: int, count: int) -> str:
    """``$first, $first+1, ...``: the placeholders of an ``IN (...)`` list of ``count`` values."""
    return ", ".join(f"${first + i}" for i in range(count))


def merge_kv(stored: str, updates: Mapping[str, str]) -> dict[str, str]:
    """Custom data (a stored ``[{Key, Value}]`` array) with ``updates`` applied; '' deletes."""
    current = {item["Key"]: item["Value"] for item in msgspec.json.decode(stored)}
    for key, value in updates.items():
        if value:
            current[key] = value
        else:
            current.pop(key, None)
    return current


def kv_json(data: Mapping[str, str]) -> str:
    return msgspec.json.encode([{"Key": k, "Value": v} for k, v in data.items()]).decode()


@dataclass(slots=True)
class AddResult:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)


class GroupStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def create_group(self, group: GroupRow, members: Sequence[MemberRow]) -> None:
        """Store a new group with its initial members (owner included) in one transaction.

        Raises ``Conflict`` when the group ID is taken; concurrent creators of one ID: one wins.
        """
        values = tuple(getattr(group, name) for name in GROUP_COLUMNS[:-1])
        async with self._db.transaction() as tx:
            exists = await tx.fetchval(
                "SELECT 1 FROM groups WHERE sdkappid = $1 AND group_id = $2",
                group.sdkappid,
                group.group_id,
            )
            if exists:
                raise Conflict(group.group_id)
            await tx.execute(GROUP_INSERT, *values)
            if members:
                await tx.executemany(MEMBER_INSERT, [member_values(m) for m in members])

    async def get_group(self, sdkappid: int, group_id: str) -> GroupRow | None:
        async with self._db.reader() as tx:
            row = await tx.fetchrow(
                f"{GROUP_SELECT} WHERE sdkappid = $1 AND group_id = $2", sdkappid, group_id
            )
        return None if row is None else group_from(row)

    async def get_group_and_member(
        self, sdkappid: int, group_id: str, account: str
    ) -> tuple[GroupRow | None, MemberRow | None]:
        """The group and, if ``account`` belongs to it, that membership — one read."""
        async with self._db.reader() as tx:
            row = await tx.fetchrow(
                f"{GROUP_SELECT} WHERE sdkappid = $1 AND group_id = $2", sdkappid, group_id
            )
            if row is None:
                return None, None
            member = await fetch_member(tx, sdkappid, group_id, account)
        return group_from(row), member

    async def destroy_group(self, sdkappid: int, group_id: str) -> bool:
        """Disband a group: the group, its members, topics and messages go. False if absent."""
        async with self._db.transaction() as tx:
            gone = await tx.execute(
                "DELETE FROM groups WHERE sdkappid = $1 AND group_id = $2", sdkappid, group_id
            )
            if gone:
                for table in GROUP_TABLES:
                    await tx.execute(
                        f"DELETE FROM {table} WHERE sdkappid = $1 AND group_id = $2",
                        sdkappid,
                        group_id,
                    )
                for statement in GROUP_CLEANUP:
                    await tx.execute(statement, sdkappid, group_id)
        return gone > 0

    async def add_members(
        self, sdkappid: int, group_id: str, members: Sequence[MemberRow], max_members: int
    ) -> AddResult | None:
        """Add members that are not in the group yet; None if the group is gone.

        Each new member's ``join_seq`` is the group's next seq at the time of joining, read
        under the group's row lock, so a member never sees a message sent before it joined.
        Raises ``OverflowError`` (nothing added) when the group would exceed ``max_members``.
        """
        result = AddResult()
        async with self._db.transaction() as tx:
            next_seq = await tx.fetchval(
                "UPDATE groups SET next_msg_seq = next_msg_seq"
                " WHERE sdkappid = $1 AND group_id = $2 RETURNING next_msg_seq",
                sdkappid,
                group_id,
            )
            if next_seq is None:
                return None
            count = await tx.fetchval(
                "SELECT COUNT(*) FROM group_members WHERE sdkappid = $1 AND group_id = $2",
                sdkappid,
                group_id,
            )
            for member in members:
                if member.member_account in result.added:
                    continue
                if await fetch_member(tx, sdkappid, group_id, member.member_account):
                    result.already.append(member.member_account)
                    continue
                if count + len(result.added) >= max_members:
                    raise OverflowError(group_id)
                member.join_seq = next_seq
                member.msg_seq = next_seq - 1  # nothing unread from before joining
                await tx.execute(MEMBER_INSERT, *member_values(member))
                result.added.append(member.member_account)
        return result

    async def get_groups(
        self, sdkappid: int, group_ids: Sequence[str], with_members: bool
    ) -> dict[str, GroupInfo]:
        """The groups among ``group_ids`` that exist, by ID, with their member count and, when
        ``with_members``, every member in join order.

        One read; each statement sees committed data (a member list may be a moment newer than
        its group row).
        """
        ids = list(dict.fromkeys(group_ids))
        if not ids:
            return {}
        marks = in_list(2, len(ids))
        async with self._db.reader() as tx:
            rows = await tx.fetch(
                f"{GROUP_SELECT} WHERE sdkappid = $1 AND group_id IN ({marks})", sdkappid, *ids
            )
            found = {g.group_id: GroupInfo(g, 0) for g in map(group_from, rows)}
            if not found:
                return found
            if with_members:
                lists: dict[str, list[MemberRow]] = {}
                for gid, info in found.items():
                    info.members = lists[gid] = []
                members = await tx.fetch(
                    f"{MEMBER_SELECT} WHERE sdkappid = $1 AND group_id IN ({marks})"
                    " ORDER BY group_id, join_time, member_account",
                    sdkappid,
                    *ids,
                )
                for m in map(member_from, members):
                    lists[m.group_id].append(m)
                for gid, info in found.items():
                    info.member_num = len(lists[gid])
                return found
            counts = await tx.fetch(
                "SELECT group_id, COUNT(*) FROM group_members"
                f" WHERE sdkappid = $1 AND group_id IN ({marks}) GROUP BY group_id",
                sdkappid,
                *ids,
            )
        for group_id, count in counts:
            found[group_id].member_num = count
        return found

    async def list_app_groups(
        self, sdkappid: int, after: int, limit: int, group_type: str
    ) -> tuple[int, list[str], int]:
        """One page of the app's group IDs in creation order, after the cursor ``after``.

        Returns the total count (of ``group_type`` unless it is empty, never depending on the
        page), the IDs, and the cursor of the next page (the last ``gkey`` returned; 0 when this
        page is the last). ``gkey`` only grows, so a group created while paging shows up on a
        later page and none is listed twice.
        """
        where = "WHERE sdkappid = $1 AND ($2 = '' OR type = $2)"
        async with self._db.reader() as tx:
            total = await tx.fetchval(f"SELECT COUNT(*) FROM groups {where}", sdkappid, group_type)
            rows = await tx.fetch(
                f"SELECT group_id, gkey FROM groups {where} AND gkey > $3 ORDER BY gkey LIMIT $4",
                sdkappid,
                group_type,
                after,
                limit + 1,
            )
        next_key = int(rows[limit - 1][1]) if len(rows) > limit else 0
        return int(total), [r[0] for r in rows[:limit]], next_key

    async def modify_group(
        self,
        sdkappid: int,
        group_id: str,
        changes: Mapping[str, object],
        app_data: Mapping[str, str],
        now: int,
    ) -> Outcome:
        """Apply profile ``changes`` (column → value) and ``AppDefinedData`` updates (an empty
        value deletes that key); bump ``info_seq`` once and set ``last_info_time``.

        REFUSED, with nothing written, when ``max_member_num`` would fall below the member
        count or the group would hold more than ``MAX_GROUP_KEYS`` custom keys. Runs under the
        group's row lock: concurrent modifications apply one after the other.
        """
        if not MODIFIABLE.issuperset(changes):
            raise ValueError(f"not modifiable: {set(changes) - MODIFIABLE}")
        try:
            async with self._db.transaction() as tx:
                stored = await tx.fetchval(
                    "UPDATE groups SET info_seq = info_seq + 1, last_info_time = $3"
                    " WHERE sdkappid = $1 AND group_id = $2 RETURNING app_defined_data",
                    sdkappid,
                    group_id,
                    now,
                )
                if stored is None:
                    return Outcome.GONE
                if "max_member_num" in changes:
                    count = await tx.fetchval(
                        "SELECT COUNT(*) FROM group_members WHERE sdkappid = $1 AND group_id = $2",
                        sdkappid,
                        group_id,
                    )
                    if count > changes["max_member_num"]:
                        raise _Refused
                values = dict(changes)
                if app_data:
                    merged = merge_kv(stored, app_data)
                    if len(merged) > MAX_GROUP_KEYS:
                        raise _Refused
                    values["app_defined_data"] = kv_json(merged)
                if values:
                    sets = ", ".join(f"{col} = ${i + 3}" for i, col in enumerate(values))
                    await tx.execute(
                        f"UPDATE groups SET {sets} WHERE sdkappid = $1 AND group_id = $2",
                        sdkappid,
                        group_id,
                        *values.values(),
                    )
        except _Refused:
            return Outcome.REFUSED
        return Outcome.OK


GROUP_TABLES: list[str] = ["group_members", "topics", "destroyed_topics", "group_messages"]
"""Tables whose rows belong to a group and go with it when it is disbanded."""

GROUP_CLEANUP: list[str] = [
    # Members' conversation state for the group: a later group with the same ID starts afresh.
    "DELETE FROM conversations WHERE sdkappid = $1 AND type = 2 AND peer = $2",
    "DELETE FROM contact_group_members WHERE sdkappid = $1 AND type = 2 AND peer = $2",
    "DELETE FROM contacts WHERE sdkappid = $1 AND type = 2 AND peer = $2",
]
"""Other rows that name a disbanded group; each statement takes (sdkappid, group_id)."""


async def fetch_member(tx: Tx, sdkappid: int, group_id: str, account: str) -> MemberRow | None:
    row = await tx.fetchrow(
        f"{MEMBER_SELECT} WHERE sdkappid = $1 AND group_id = $2 AND member_account = $3",
        sdkappid,
        group_id,
        account,
    )
    return None if row is None else member_from(row)
