"""Each user's conversation list (recent contacts) and its C2C read state.

Type 1 (C2C) entries are rows of ``conversations`` written by C2C sends (``storage.c2c``).
Type 2 (group) entries are derived: the groups the user belongs to that have a message which
updates conversations (``groups.conv_msg_seq > 0``), minus those the user deleted since
(a row with ``listed = 0`` and ``deleted_upto >= conv_msg_seq``). A group send therefore does
no per-member work, and a newer group message brings a deleted entry back by itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from opentim.storage.c2c_unread import recount_unread
from opentim.storage.engine import Engine

C2C = 1
GROUP = 2
UNREAD_CONVERSATIONS = 100
"""Conversations whose unread messages count toward a user's total."""


Entry = tuple[int, int, str, int]
"""One list entry as the row it is read as: (-MsgTime, Type, peer, TopFlag), the peer being the
UserID (C2C) or the GroupId (group). Sorting the rows orders the list newest first, then C2C
before group, then by peer (in code-point order on both engines, whatever a database's
collation), with no key function and no object per entry: a dataclass per entry and a sort
key per entry cost ~40 µs of a 21-entry list's ~145 µs."""

# Both kinds of entry in one statement (one round trip; ~2 µs less than two on SQLite).
# Group entries: the groups the owner belongs to with a message that updates conversations,
# unless the owner deleted the entry since (deleted_upto >= that message's seq).
_ENTRIES = (
    "SELECT -msg_time, 1, peer, top_flag FROM conversations"
    " WHERE sdkappid = $1 AND owner = $2 AND type = 1 AND listed = 1"
    " UNION ALL"
    " SELECT -g.conv_msg_time, 2, g.group_id, COALESCE(c.top_flag, 0)"
    " FROM group_members m"
    " JOIN groups g ON g.sdkappid = m.sdkappid AND g.group_id = m.group_id"
    " LEFT JOIN conversations c ON c.sdkappid = m.sdkappid AND c.owner = m.member_account"
    " AND c.type = 2 AND c.peer = m.group_id"
    " WHERE m.sdkappid = $1 AND m.member_account = $2 AND g.conv_msg_seq > 0"
    " AND (c.owner IS NULL OR c.listed = 1 OR c.deleted_upto < g.conv_msg_seq)"
)
# recentcontact/delete of a C2C entry ($4, $5 the pair's UserIDs in order): the conversation's
# last message id becomes the read mark (unread reset) and, with ClearRamble ($6), the
# cleared-up-to watermark, each with the pair's newest MsgTime from the same row (the floors of
# a later unread count and history read: c2c_unread, c2c._HISTORY); read in the same
# statement (an aggregate always gives one row, 0 when there is no message yet), one round trip
# fewer than reading it first.
_DELETE_C2C = (
    "INSERT INTO conversations (sdkappid, owner, type, peer, listed, read_upto, read_upto_time,"
    " cleared_upto, cleared_time)"
    " SELECT $1, $2, 1, $3, 0, last_id, last_time, CASE WHEN $6 THEN last_id ELSE 0 END,"
    " CASE WHEN $6 THEN last_time ELSE 0 END"
    " FROM (SELECT COALESCE(MAX(next_id) - 1, 0) AS last_id,"
    " COALESCE(MAX(max_time), 0) AS last_time FROM c2c_pairs"
    " WHERE sdkappid = $1 AND user_lo = $4 AND user_hi = $5) AS pair"
    " WHERE true"  # SQLite: without a WHERE, ON CONFLICT would parse as a join constraint
    " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET listed = 0, unread = 0,"
    " read_upto = excluded.read_upto, read_upto_time = excluded.read_upto_time,"
    " cleared_upto = CASE WHEN $6 THEN excluded.cleared_upto ELSE conversations.cleared_upto END,"
    " cleared_time = CASE WHEN $6 THEN excluded.cleared_time ELSE conversations.cleared_time END"
)
# recentcontact/delete of a group entry: hidden until the group's next message; with
# ClearRamble ($4) the user's view of the group starts after its current last seq.
_DELETE_GROUP = (
    "INSERT INTO conversations (sdkappid, owner, type, peer, listed, deleted_upto, cleared_upto)"
    " SELECT sdkappid, $2, 2, group_id, 0, conv_msg_seq,"
    " CASE WHEN $4 THEN next_msg_seq - 1 ELSE 0 END"
    " FROM groups WHERE sdkappid = $1 AND group_id = $3"
    " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET listed = 0,"
    " deleted_upto = excluded.deleted_upto,"
    " cleared_upto = CASE WHEN $4 THEN excluded.cleared_upto ELSE conversations.cleared_upto END"
)

# A Community topic (peer ``<GroupId>@TOPIC#_...``, $5 the group) has no list entry of its
# own; ClearRamble sets the user's mark in the topic's seq space.
_DELETE_TOPIC = (
    "INSERT INTO conversations (sdkappid, owner, type, peer, listed, cleared_upto)"
    " SELECT sdkappid, $2, 2, topic_id, 0, CASE WHEN $4 THEN next_msg_seq - 1 ELSE 0 END"
    " FROM topics WHERE sdkappid = $1 AND group_id = $5 AND topic_id = $3"
    " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET listed = 0,"
    " cleared_upto = CASE WHEN $4 THEN excluded.cleared_upto ELSE conversations.cleared_upto END"
)
TOPIC_MARK = "@TOPIC#_"


class ConversationStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def entries(self, sdkappid: int, owner: str) -> list[Entry]:
        """All entries of the owner's list, unordered: listed C2C rows and derived group ones.

        Groups that were disbanded or that the owner left are simply not joined. A plain read.
        """
        async with self._db.reader() as tx:
            rows = await tx.fetch(_ENTRIES, sdkappid, owner)
        # The rows as they are: tuples on SQLite, records that index and compare like tuples
        # on PostgreSQL (a copy into tuples cost ~6k instructions more, 2%).
        return cast(list[Entry], rows)

    async def delete(
        self, sdkappid: int, owner: str, conv_type: int, peer: str, clear: bool
    ) -> None:
        """Remove one entry from the owner's list; with ``clear`` also the owner's earlier history.

        O(1) whatever the history's length: the owner's row gets ``listed = 0`` (C2C: read up
        to the conversation's last message id) and, with ``clear``, ``cleared_upto`` = that id
        (C2C) or the last seq of the group (or Community topic). A message committed after
        that was read has a higher id/seq (both are allocated under the pair's or group's row
        lock), so it stays visible and counts as unread. The peer's list and view are
        untouched; deleting an absent entry (or a group that does not exist) succeeds and
        changes nothing visible.
        """
        async with self._db.single() as tx:  # one statement in each case
            if conv_type == C2C:
                lo, hi = (owner, peer) if owner <= peer else (peer, owner)
                await tx.execute(_DELETE_C2C, sdkappid, owner, peer, lo, hi, clear)
            elif TOPIC_MARK in peer:
                group_id = peer.split(TOPIC_MARK, 1)[0]
                await tx.execute(_DELETE_TOPIC, sdkappid, owner, peer, clear, group_id)
            else:
                await tx.execute(_DELETE_GROUP, sdkappid, owner, peer, clear)

    async def set_read(self, sdkappid: int, reader: str, peer: str, read_time: int) -> None:
        """Messages from ``peer`` at or before ``read_time`` are read by ``reader``.

        The read time only moves forward; the unread count is recomputed in the same
        transaction. Creates no visible conversation entry.
        """
        async with self._db.transaction() as tx:
            await tx.execute(
                "INSERT INTO conversations (sdkappid, owner, type, peer, listed, read_time)"
                " VALUES ($1, $2, 1, $3, 0, $4)"
                " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET read_time ="
                " CASE WHEN excluded.read_time > conversations.read_time"
                " THEN excluded.read_time ELSE conversations.read_time END",
                sdkappid,
                reader,
                peer,
                read_time,
            )
            await recount_unread(tx, sdkappid, reader, peer)

    async def unread_total(self, sdkappid: int, user: str) -> int:
        """Unread C2C messages over the user's ``UNREAD_CONVERSATIONS`` latest conversations."""
        async with self._db.reader() as tx:
            rows = await tx.fetch(
                "SELECT unread FROM conversations WHERE sdkappid = $1 AND owner = $2"
                " AND type = 1 AND unread > 0 ORDER BY msg_time DESC LIMIT $3",
                sdkappid,
                user,
                UNREAD_CONVERSATIONS,
            )
        return sum(int(r[0]) for r in rows)

    async def unread_by_peer(
        self, sdkappid: int, user: str, peers: Sequence[str]
    ) -> dict[str, int]:
        """Unread messages per peer (0 where there is no conversation)."""
        counts: dict[str, int] = {}
        async with self._db.reader() as tx:
            for peer in dict.fromkeys(peers):
                value = await tx.fetchval(
                    "SELECT unread FROM conversations WHERE sdkappid = $1 AND owner = $2"
                    " AND type = 1 AND peer = $3",
                    sdkappid,
                    user,
                    peer,
                )
                counts[peer] = int(value or 0)
        return counts
