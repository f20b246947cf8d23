"""Groups and their members."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

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


_GROUP_COLUMNS = tuple(f.name for f in fields(GroupRow))
_MEMBER_COLUMNS = tuple(f.name for f in fields(MemberRow))
_GROUP_SELECT = f"SELECT {', '.join(_GROUP_COLUMNS)} FROM groups"
_MEMBER_SELECT = f"SELECT {', '.join(_MEMBER_COLUMNS)} FROM group_members"
_GROUP_INSERT = (
    f"INSERT INTO groups ({', '.join(_GROUP_COLUMNS[:-1])}) VALUES "
    f"({', '.join(f'${i + 1}' for i in range(len(_GROUP_COLUMNS) - 1))})"
)
_MEMBER_INSERT = (
    f"INSERT INTO group_members ({', '.join(_MEMBER_COLUMNS)}) VALUES "
    f"({', '.join(f'${i + 1}' for i in range(len(_MEMBER_COLUMNS)))})"
)


def group_from(row: Row) -> GroupRow:
    return GroupRow(*row)


def member_from(row: Row) -> MemberRow:
    return MemberRow(*row)


def member_values(member: MemberRow) -> tuple[object, ...]:
    return tuple(getattr(member, name) for name in _MEMBER_COLUMNS)


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
        values = tuple(getattr(group, name) for name in _GROUP_COLUMNS[:-1])
        async with self._db.transaction() as tx:
            exists = await tx.fetchval(
                "SELECT 1 FROM groups WHERE sdkappid = $1 AND group_id = $2",
                group.sdkappid,
                group.group_id,
            )
            if exists:
                raise Conflict(group.group_id)
            await tx.execute(_GROUP_INSERT, *values)
            if members:
                await tx.executemany(_MEMBER_INSERT, [member_values(m) for m in members])

    async def get_group(self, sdkappid: int, group_id: str) -> GroupRow | None:
        async with self._db.reader() as tx:
            row = await tx.fetchrow(
                f"{_GROUP_SELECT} WHERE sdkappid = $1 AND group_id = $2", sdkappid, group_id
            )
        return None if row is None else group_from(row)

    async def get_group_and_member(
        self, sdkappid: int, group_id: str, account: str
    ) -> tuple[GroupRow | None, MemberRow | None]:
        """The group and, if ``account`` belongs to it, that membership — one read."""
        async with self._db.reader() as tx:
            row = await tx.fetchrow(
                f"{_GROUP_SELECT} WHERE sdkappid = $1 AND group_id = $2", sdkappid, group_id
            )
            if row is None:
                return None, None
            member = await _member(tx, sdkappid, group_id, account)
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
        return gone > 0

    async def get_member(self, sdkappid: int, group_id: str, account: str) -> MemberRow | None:
        async with self._db.reader() as tx:
            return await _member(tx, sdkappid, group_id, account)

    async def list_members(self, sdkappid: int, group_id: str) -> list[MemberRow]:
        """All members in join order (owner first when it joined first)."""
        async with self._db.reader() as tx:
            rows = await tx.fetch(
                f"{_MEMBER_SELECT} WHERE sdkappid = $1 AND group_id = $2"
                " ORDER BY join_time, member_account",
                sdkappid,
                group_id,
            )
        return [member_from(r) for r in rows]

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
                if await _member(tx, sdkappid, group_id, member.member_account):
                    result.already.append(member.member_account)
                    continue
                if count + len(result.added) >= max_members:
                    raise OverflowError(group_id)
                member.join_seq = next_seq
                await tx.execute(_MEMBER_INSERT, *member_values(member))
                result.added.append(member.member_account)
        return result


GROUP_TABLES: list[str] = ["group_members", "topics", "group_messages"]
"""Tables whose rows belong to a group and go with it when it is disbanded."""


async def _member(tx: Tx, sdkappid: int, group_id: str, account: str) -> MemberRow | None:
    row = await tx.fetchrow(
        f"{_MEMBER_SELECT} WHERE sdkappid = $1 AND group_id = $2 AND member_account = $3",
        sdkappid,
        group_id,
        account,
    )
    return None if row is None else member_from(row)
