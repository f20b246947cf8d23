"""The group a message is sent to or read from, as one read: ``load``.

A send and a history read both start from the group's row: its type, seq space and clear
watermark, with only what the caller asks for joined to it (a Community topic, an account's
membership, that account's ClearRamble mark). The statements are built once per combination.
"""

from __future__ import annotations

from opentim.storage.engine import Engine
from opentim.storage.group_records import MemberState, MsgTarget


def _load_sql(topic: bool, member: bool, conv: bool) -> str:
    """The group's row with only the joins asked for, their columns in this order: group (7),
    topic (3), member (4), the member's ClearRamble mark (1). Placeholders: $1 sdkappid,
    $2 group_id, then the topic, the account and the peer, each only when asked for. Each join
    left out saves a lookup and each column ~0.15 us (a send's read: 57k -> 44k instructions
    in sqlite3)."""
    columns = [
        "g.type, g.create_time, g.next_msg_seq, g.last_msg_time, g.mute_all_member,"
        " g.support_topic, g.cleared_upto_seq"
    ]
    joins = []
    n = 2
    if topic:
        n += 1
        columns.append("t.next_msg_seq, t.last_msg_time, t.mute_all_member")
        joins.append(
            "LEFT JOIN topics t ON t.sdkappid = g.sdkappid AND t.group_id = g.group_id"
            f" AND t.topic_id = ${n}"
        )
    if member:
        n += 1
        columns.append("m.role, m.join_seq, m.join_time, m.mute_until")
        joins.append(
            "LEFT JOIN group_members m ON m.sdkappid = g.sdkappid AND m.group_id = g.group_id"
            f" AND m.member_account = ${n}"
        )
    if conv:
        columns.append("c.cleared_upto")
        joins.append(
            f"LEFT JOIN conversations c ON c.sdkappid = g.sdkappid AND c.owner = ${n}"
            f" AND c.type = 2 AND c.peer = ${n + 1}"
        )
    return (
        f"SELECT {', '.join(columns)} FROM groups g {' '.join(joins)}"
        " WHERE g.sdkappid = $1 AND g.group_id = $2"
    )


_LOADS = {
    (topic, member, conv): _load_sql(topic, member, conv)
    for topic in (False, True)
    for member, conv in ((False, False), (True, False), (True, True))
}
"""By (topic, member, mark): the mark is the member's own, so it comes only with the member."""


class MessageTargetStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def load(
        self, sdkappid: int, group_id: str, topic_id: str = "", account: str = "", peer: str = ""
    ) -> MsgTarget | None:
        """The group with, optionally, one topic, ``account``'s membership and its ClearRamble
        watermark on conversation ``peer``; None when the group does not exist. One read."""
        conv = bool(account and peer)
        sql = _LOADS[bool(topic_id), bool(account), conv]
        args = [sdkappid, group_id]
        if topic_id:
            args.append(topic_id)
        if account:
            args.append(account)
        if conv:
            args.append(peer)
        async with self._db.reader() as tx:
            row = await tx.fetchrow(sql, *args)
        if row is None:
            return None
        target = MsgTarget(row[0], row[1], row[2], row[3], row[4], row[5], row[6])
        at = 7
        if topic_id:
            if row[7] is not None:
                target.topic_found = True
                target.next_msg_seq, target.last_msg_time, target.topic_mute_all = row[7:10]
            at = 10
        if account:
            if row[at] is not None:
                target.member = MemberState(row[at], row[at + 1], row[at + 2], row[at + 3])
            if conv:
                target.conv_cleared_upto = row[at + 4] or 0
        return target
