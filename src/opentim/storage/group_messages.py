"""Group messages: append with seq allocation, and import (history pages: ``group_pages``).

Every message lives in the seq space of its group (``topic_id = ''``) or of one Community
topic. A seq is allocated by ``UPDATE ... SET next_msg_seq = next_msg_seq + 1`` on the group's
(or topic's) row, read back in the transaction that inserts the message: the row lock
orders concurrent senders of one group across processes, so seqs are strictly increasing and
gap-free for stored messages, and a rolled-back send gives its seq back.

Lock order everywhere: groups row, then topics row, then message and member rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentim.storage.engine import Engine, Row, Tx
from opentim.storage.group_records import Appended, NewMessage, rendered_around_seq

DEDUP_SECONDS = 300
"""Same Random and same content within this many seconds: the later message is a duplicate."""


_BUMP_GROUP_SEQ = """
UPDATE groups SET next_msg_seq = next_msg_seq + 1, last_msg_time = $3, active = 1,
       conv_msg_seq = CASE WHEN $4 = 1 THEN next_msg_seq ELSE conv_msg_seq END,
       conv_msg_time = CASE WHEN $4 = 1 THEN $3 ELSE conv_msg_time END
WHERE sdkappid = $1 AND group_id = $2
"""

_BUMPED_GROUP_SEQ = "SELECT next_msg_seq - 1 FROM groups WHERE sdkappid = $1 AND group_id = $2"
"""The seq ``_BUMP_GROUP_SEQ`` allocated, read in its transaction. SQLite runs ``RETURNING``
through a temporary table of the returned rows, which cost more than this second statement
(8k instructions a send, bench/RESULTS.md)."""

_TOUCH_GROUP = (
    "UPDATE groups SET last_msg_time = CASE WHEN last_msg_time < $3 THEN $3 ELSE last_msg_time END,"
    " active = 1 WHERE sdkappid = $1 AND group_id = $2"
)

_NEXT_TOPIC_SEQ = """
UPDATE topics SET next_msg_seq = next_msg_seq + 1, last_msg_time = $4
WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3
RETURNING next_msg_seq - 1
"""

_INSERT = """
INSERT INTO group_messages (sdkappid, group_id, topic_id, seq, from_account, random, msg_time,
                            priority, body, cloud_custom_data, digest, to_accounts, no_unread,
                            rendered)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
"""

_APPEND_GROUP_MSG = (
    "SELECT seq, msg_time, duplicate FROM opentim_append_group_msg("
    "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
)

_FIND_DUPLICATE = """
SELECT seq, msg_time FROM group_messages
WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND random = $4 AND digest = $5
  AND msg_time >= $6 AND msg_time <= $7
LIMIT 1
"""

_SENDER_SENT = """
UPDATE group_members SET last_send_msg_time = $4,
       msg_seq = CASE WHEN msg_seq < $5 THEN $5 ELSE msg_seq END
WHERE sdkappid = $1 AND group_id = $2 AND member_account = $3
"""


async def _duplicate_of(tx: Tx, msg: NewMessage) -> Row | None:
    """(seq, msg_time) of the stored message of which ``msg`` is a duplicate, if one is."""
    return await tx.fetchrow(
        _FIND_DUPLICATE,
        msg.sdkappid,
        msg.group_id,
        msg.topic_id,
        msg.random,
        msg.digest,
        msg.msg_time - DEDUP_SECONDS,
        msg.msg_time + DEDUP_SECONDS,
    )


class _Duplicate(Exception):
    def __init__(self, seq: int, msg_time: int) -> None:
        self.seq = seq
        self.msg_time = msg_time


def _values(msg: NewMessage, seq: int) -> tuple[object, ...]:
    """The values of ``_INSERT`` ($1-$14)."""
    head, tail = _around_seq(msg)
    return (
        msg.sdkappid,
        msg.group_id,
        msg.topic_id,
        seq,
        *_content(msg),
        b"%s%d%s" % (head, seq, tail),  # rendered(seq, ...)
    )


def _around_seq(msg: NewMessage) -> tuple[bytes, bytes]:
    """The message's ``rendered`` text before and after its seq."""
    return rendered_around_seq(
        msg.from_account, msg.random, msg.msg_time, msg.priority, msg.body, msg.cloud_custom_data
    )


def _content(msg: NewMessage) -> tuple[object, ...]:
    """The columns from_account to no_unread, in the order of ``_INSERT`` ($5-$13) and of
    ``opentim_append_group_msg``'s parameters after the group ($3-$11)."""
    return (
        msg.from_account,
        msg.random,
        msg.msg_time,
        msg.priority,
        msg.body,
        msg.cloud_custom_data,
        msg.digest,
        msg.to_accounts,
        msg.no_unread,
    )


class GroupMessageStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine
        self._append_in_database = engine.name == "postgres"
        """A group's message is sent through the function of migration 010: one round trip."""

    async def append(
        self,
        msg: NewMessage,
        *,
        store: bool = True,
        update_conv: bool = True,
        sender_is_member: bool = False,
    ) -> Appended | None:
        """Allocate the next seq of the group (or topic) and store the message: one transaction.

        The group's ``last_msg_time`` moves, ``active`` becomes 1 and, with ``update_conv``
        (group messages only), ``conv_msg_seq``/``conv_msg_time`` point at the message. A member
        sender gets ``last_send_msg_time`` and reads up to its own message.

        De-duplication: a message of the same seq space with the same ``random`` and ``digest``
        sent within ``DEDUP_SECONDS`` makes this one a duplicate — the transaction rolls back
        (no seq consumed) and the original's seq and time come back with ``duplicate=True``.
        The check runs under the group's (topic's) row lock, so two concurrent duplicates
        cannot both be stored. ``store=False`` only numbers the message (AVChatRoom).
        None when the group (topic) no longer exists.
        """
        if self._append_in_database and not msg.topic_id:
            return await self._append_in_one_statement(msg, store, update_conv, sender_is_member)
        try:
            async with self._db.transaction() as tx:
                seq = await self._allocate(tx, msg, update_conv)
                if seq is None:
                    return None
                if store:
                    # A check, then the insert: ``INSERT ... SELECT ... WHERE NOT EXISTS`` over
                    # the table it inserts into runs, in SQLite, through a temporary table of
                    # its row (17k instructions a send more, bench/RESULTS.md).
                    original = await _duplicate_of(tx, msg)
                    if original is not None:
                        raise _Duplicate(original[0], original[1])
                    await tx.execute(_INSERT, *_values(msg, seq))
                if sender_is_member:
                    await tx.execute(
                        _SENDER_SENT,
                        msg.sdkappid,
                        msg.group_id,
                        msg.from_account,
                        msg.msg_time,
                        0 if msg.topic_id else seq,
                    )
        except _Duplicate as dup:
            return Appended(dup.seq, dup.msg_time, duplicate=True)
        return Appended(seq, msg.msg_time)

    async def _append_in_one_statement(
        self, msg: NewMessage, store: bool, update_conv: bool, sender_is_member: bool
    ) -> Appended | None:
        """``append`` of a group (not topic) message as one statement: the same steps in the
        database's function ``opentim_append_group_msg`` (PostgreSQL migration 010)."""
        head, tail = _around_seq(msg)
        async with self._db.single() as tx:
            row = await tx.fetchrow(
                _APPEND_GROUP_MSG,
                msg.sdkappid,
                msg.group_id,
                *_content(msg),
                head,
                tail,
                DEDUP_SECONDS,
                store,
                update_conv,
                sender_is_member,
            )
        return None if row is None else Appended(row[0], row[1], duplicate=row[2])

    @staticmethod
    async def _allocate(tx: Tx, msg: NewMessage, update_conv: bool) -> int | None:
        if not msg.topic_id:  # SQLite: PostgreSQL sends a group's message by its function
            bumped = await tx.execute(
                _BUMP_GROUP_SEQ, msg.sdkappid, msg.group_id, msg.msg_time, int(update_conv)
            )
            if not bumped:
                return None
            return int(await tx.fetchval(_BUMPED_GROUP_SEQ, msg.sdkappid, msg.group_id))
        if not await tx.execute(_TOUCH_GROUP, msg.sdkappid, msg.group_id, msg.msg_time):
            return None
        seq = await tx.fetchval(
            _NEXT_TOPIC_SEQ, msg.sdkappid, msg.group_id, msg.topic_id, msg.msg_time
        )
        return None if seq is None else int(seq)

    async def import_messages(
        self,
        messages: Sequence[NewMessage | None],
        *,
        dedup: Sequence[bool],
        update_conv: bool,
    ) -> list[Appended | None] | None:
        """Store imported messages in order, each with the next seq: one transaction.

        ``None`` entries (rejected by the caller) are skipped. A message older than the newest
        message of the group (topic) — the stored ones and those before it in this call — is
        refused (``None`` in the answer); ``dedup[i]`` applies the Random+content rule around
        the message's own time. When a message was stored, every member has read everything
        (unread 0) and, with ``update_conv``, the conversation points at the last imported
        message. Runs under the group's row lock, so the time order holds against concurrent
        sends and imports. None when the group (topic) no longer exists.
        """
        first = next((m for m in messages if m is not None), None)
        if first is None:
            return [None] * len(messages)
        results: list[Appended | None] = []
        async with self._db.transaction() as tx:
            state = await self._lock_space(tx, first)
            if state is None:
                return None
            next_seq, newest = state
            for msg, check in zip(messages, dedup, strict=True):
                if msg is None or msg.msg_time < newest:
                    results.append(None)
                    continue
                if check:
                    original = await _duplicate_of(tx, msg)
                    if original is not None:
                        results.append(Appended(original[0], original[1], duplicate=True))
                        continue
                await tx.execute(_INSERT, *_values(msg, next_seq))
                results.append(Appended(next_seq, msg.msg_time))
                next_seq += 1
                newest = msg.msg_time
            if any(r is not None and not r.duplicate for r in results):
                await self._finish_import(tx, first, next_seq, newest, update_conv)
        return results

    @staticmethod
    async def _lock_space(tx: Tx, msg: NewMessage) -> tuple[int, int] | None:
        """Lock the group's row (and topic's); its (next seq, newest message time)."""
        row = await tx.fetchrow(
            "UPDATE groups SET next_msg_seq = next_msg_seq WHERE sdkappid = $1 AND group_id = $2"
            " RETURNING next_msg_seq, last_msg_time",
            msg.sdkappid,
            msg.group_id,
        )
        if row is not None and msg.topic_id:
            row = await tx.fetchrow(
                "UPDATE topics SET next_msg_seq = next_msg_seq"
                " WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3"
                " RETURNING next_msg_seq, last_msg_time",
                msg.sdkappid,
                msg.group_id,
                msg.topic_id,
            )
        return None if row is None else (int(row[0]), int(row[1]))

    @staticmethod
    async def _finish_import(
        tx: Tx, msg: NewMessage, next_seq: int, newest: int, update_conv: bool
    ) -> None:
        key = (msg.sdkappid, msg.group_id)
        await tx.execute(_TOUCH_GROUP, *key, newest)
        if msg.topic_id:
            await tx.execute(
                "UPDATE topics SET next_msg_seq = $4, last_msg_time = $5"
                " WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3",
                *key,
                msg.topic_id,
                next_seq,
                newest,
            )
            return
        await tx.execute(
            "UPDATE groups SET next_msg_seq = $3,"
            " conv_msg_seq = CASE WHEN $4 = 1 THEN $5 ELSE conv_msg_seq END,"
            " conv_msg_time = CASE WHEN $4 = 1 THEN $6 ELSE conv_msg_time END"
            " WHERE sdkappid = $1 AND group_id = $2",
            *key,
            next_seq,
            int(update_conv),
            next_seq - 1,
            newest,
        )
        await tx.execute(
            "UPDATE group_members SET msg_seq = $3 WHERE sdkappid = $1 AND group_id = $2",
            *key,
            next_seq - 1,
        )

    async def uncounted_after(
        self, sdkappid: int, read_marks: Sequence[tuple[str, int]]
    ) -> dict[str, int]:
        """Per group, how many messages after the given read seq are left out of unread counts
        (sent with ``NoUnread`` or to targeted recipients). Walks only those messages."""
        counts: dict[str, int] = {}
        async with self._db.reader() as tx:
            for group_id, read_seq in read_marks:
                counts[group_id] = int(
                    await tx.fetchval(
                        "SELECT COUNT(*) FROM group_messages WHERE sdkappid = $1"
                        " AND group_id = $2 AND topic_id = '' AND no_unread = 1 AND seq > $3",
                        sdkappid,
                        group_id,
                        read_seq,
                    )
                )
        return counts
