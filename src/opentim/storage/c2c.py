"""One-to-one (C2C) messages: one stored record per message, with per-side visibility.

A conversation is the pair of its two UserIDs in code-point order (``pair``). Each message has
an ``id`` allocated under the pair row's lock (``c2c_pairs.next_id``): strictly increasing per
conversation, so a user's "cleared up to" watermark (``conversations.cleared_upto``) hides all
earlier messages in O(1). One side's view loses a message through ``from_hidden``/``to_hidden``
(SyncOtherMachine 2, delete_c2c_msg_ramble); nothing here deletes a message.

Rows are keyed in history order, (msg_time, msg_seq, id) within the conversation, and each
holds ``rendered``: the message as the history read returns it, written by the caller when the
message is stored, recalled or modified. This store never looks inside it.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentim.storage.c2c_records import (
    SEND_DEDUP_SECONDS,
    UNREAD_CAP,
    Change,
    Dedup,
    HistoryRow,
    MsgKey,
    NewMessage,
    Render,
    Stored,
    pair,
)
from opentim.storage.c2c_unread import recount_unread
from opentim.storage.engine import Engine, Row, Tx

# The conversation's next message id, under the pair row's lock. The message's insert reads
# the id back in a sub-query: RETURNING here cost SQLite 52 kIr (instructions) instead of 25.
# The pair row also keeps the newest MsgTime so far and the last id of a message older than
# it (``back_id``), which bound a history read after a ClearRamble (``_HISTORY``).
_NEXT_ID = (
    "INSERT INTO c2c_pairs (sdkappid, user_lo, user_hi, next_id, max_time)"
    " VALUES ($1, $2, $3, 2, $4)"
    " ON CONFLICT (sdkappid, user_lo, user_hi) DO UPDATE SET next_id = c2c_pairs.next_id + 1,"
    " back_id = CASE WHEN excluded.max_time < c2c_pairs.max_time THEN c2c_pairs.next_id"
    " ELSE c2c_pairs.back_id END,"
    " max_time = CASE WHEN excluded.max_time > c2c_pairs.max_time THEN excluded.max_time"
    " ELSE c2c_pairs.max_time END"
)
_KEY_COLUMNS = "msg_seq, msg_random, msg_time, msg_id"
_COLUMNS = (
    "sdkappid, user_lo, user_hi, id, from_account, to_account, msg_seq, msg_random, msg_time,"
    " msg_id, body, cloud_custom_data, digest, counts_unread, from_hidden, rendered"
)
_VALUES = (
    "$1, $2, $3, (SELECT next_id - 1 FROM c2c_pairs WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15"
)
_INSERT = f"INSERT INTO c2c_messages ({_COLUMNS}) VALUES ({_VALUES})"
_APPEND_C2C_MSG = (
    "SELECT * FROM opentim_append_c2c_msg($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
    " $13, $14, $15, $16, $17, $18, $19, $20)"
)
# A message is checked for a duplicate, then inserted: ``INSERT ... SELECT ... WHERE NOT
# EXISTS`` over the table it inserts into ran, in SQLite, through a temporary table of its
# row, which cost more than a second statement (bench/RESULTS.md). sendmsg's duplicate: same
# sender, MsgSeq, MsgRandom and content since SEND_DEDUP_SECONDS ago; importmsg's: same
# MsgSeq, MsgRandom and MsgTime.
_SEND_DUPLICATE = (
    f"SELECT {_KEY_COLUMNS} FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3 AND msg_time >= $4 AND msg_seq = $5 AND msg_random = $6"
    " AND from_account = $7 AND digest = $8 LIMIT 1"
)
_IMPORT_DUPLICATE = (
    f"SELECT {_KEY_COLUMNS} FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3 AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6 LIMIT 1"
)
# Conversation entries after a message, one row per side that gets one: (owner, peer, msg_time
# if the entry shows the message else 0, whether it shows it, whether it counts as unread).
# $1 is the sdkappid and $2 the message's time; both rows are written by one statement.
_ENTRY_VALUES = "($1, {0}, 1, {1}, {2}, {3}, {4})"
_ENTRIES = (
    "INSERT INTO conversations (sdkappid, owner, type, peer, msg_time, listed, unread) VALUES {}"
    " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET"
    " listed = CASE WHEN excluded.listed = 1 THEN 1 ELSE conversations.listed END,"
    " msg_time = CASE WHEN excluded.msg_time > conversations.msg_time THEN excluded.msg_time"
    " ELSE conversations.msg_time END,"
    " unread = CASE WHEN excluded.unread = 1 AND $2 > conversations.read_time"
    f" AND conversations.unread < {UNREAD_CAP}"
    " THEN conversations.unread + 1 ELSE conversations.unread END"
)
_ONE_ENTRY = _ENTRIES.format(_ENTRY_VALUES.format("$3", "$4", "$5", "$6", "$7"))
_TWO_ENTRIES = _ENTRIES.format(
    _ENTRY_VALUES.format("$3", "$4", "$5", "$6", "$7")
    + ", "
    + _ENTRY_VALUES.format("$8", "$9", "$10", "$11", "$12")
)
_FIND = (
    "SELECT id, recalled, body, cloud_custom_data FROM c2c_messages WHERE sdkappid = $1"
    " AND user_lo = $2 AND user_hi = $3 AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6"
    " AND from_account = $7 AND to_account = $8"
)
_BY_KEY = "sdkappid = $1 AND user_lo = $2 AND user_hi = $3 AND msg_time = $4 AND msg_seq = $5"
# The operator's ClearRamble watermark is a sub-query rather than a statement of its own.
# The walk down the history order stops at MinTime ($4) or, when the operator cleared the
# conversation and no message since went back in time (the pair's ``back_id``), at the time
# of the newest cleared message: the ones below it are all cleared, and walking them cost a
# read after a ClearRamble of a long history a visit per cleared message (migration 012).
# One bound, so that SQLite's planner cannot choose the other as the range and filter by it;
# the pair row is looked up only after a ClearRamble. Cost: ~6k instructions (2%) a read.
_HISTORY = (
    "SELECT rendered FROM c2c_messages"
    " WHERE sdkappid = $1 AND user_lo = $2 AND user_hi = $3"
    " AND msg_time >= COALESCE((SELECT CASE WHEN cleared_time > $4"
    " AND (SELECT back_id FROM c2c_pairs WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3) <= cleared_upto THEN cleared_time ELSE $4 END"
    " FROM conversations WHERE sdkappid = $1 AND owner = $8 AND type = 1 AND peer = $9), $4)"
    " AND (msg_time, msg_seq, id) < ($5, $6, $7)"
    " AND id > COALESCE((SELECT cleared_upto FROM conversations WHERE sdkappid = $1"
    " AND owner = $8 AND type = 1 AND peer = $9), 0)"
    " AND ((from_account = $8 AND from_hidden = 0) OR (from_account <> $8 AND to_hidden = 0))"
    " ORDER BY msg_time DESC, msg_seq DESC, id DESC LIMIT $10"
)
_POSITION = (
    "SELECT MAX(id) FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2 AND user_hi = $3"
    " AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6"
)


class C2CStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine
        self._append_in_database = engine.name == "postgres"
        """A sendmsg message is stored through the function of migration 011: one round trip."""

    async def append(
        self, sdkappid: int, messages: Sequence[NewMessage], dedup: Dedup | None, now: int
    ) -> list[Stored]:
        """Store messages (one per conversation) and update both sides' entries; one transaction.

        Returns, in the order given, each message's identity, or the original's when ``dedup``
        finds it already stored (then nothing is written for it). Each conversation's pair row
        is locked before the duplicate check, so concurrent identical sends store one message;
        pairs are locked in key order, so concurrent batches cannot deadlock.
        """
        if self._append_in_database and len(messages) == 1 and dedup is not Dedup.IMPORT:
            return [await self._append_in_one_statement(sdkappid, messages[0], dedup, now)]
        results: dict[int, Stored] = {}
        order = sorted(
            range(len(messages)),
            key=lambda i: pair(messages[i].from_account, messages[i].to_account),
        )
        async with self._db.transaction() as tx:
            for index in order:
                results[index] = await _append_one(tx, sdkappid, messages[index], dedup, now)
        return [results[i] for i in range(len(messages))]

    async def _append_in_one_statement(
        self, sdkappid: int, m: NewMessage, dedup: Dedup | None, now: int
    ) -> Stored:
        """``append`` of one sendmsg message as one statement: the same steps in the
        database's function ``opentim_append_c2c_msg`` (PostgreSQL migration 011)."""
        lo, hi = pair(m.from_account, m.to_account)
        async with self._db.single() as tx:
            row = await tx.fetchrow(
                _APPEND_C2C_MSG,
                *_message_values(sdkappid, lo, hi, m),
                dedup is Dedup.SEND,
                now - SEND_DEDUP_SECONDS,
                m.recipient_entry,
                m.counts_unread and m.from_account != m.to_account,
                m.sender_entry,
            )
        assert row is not None
        return Stored(row[0], row[1], row[2], row[3], row[4])

    async def history(
        self,
        sdkappid: int,
        operator: str,
        peer: str,
        min_time: int,
        max_time: int,
        before: MsgKey | None,
        limit: int,
    ) -> list[HistoryRow] | None:
        """The operator's view of the conversation, newest first, at most ``limit`` messages.

        Only messages with ``min_time <= MsgTime <= max_time``, older than the message ``before``
        names (None: that key is not in the conversation), after the operator's ClearRamble
        watermark and not hidden from the operator's side. A plain read: concurrent writers may
        or may not be seen.
        """
        lo, hi = pair(operator, peer)
        async with self._db.reader() as tx:
            cursor = (max_time + 1, 0, 0)
            if before is not None:
                seq, random, msg_time = before
                found = await tx.fetchval(_POSITION, sdkappid, lo, hi, msg_time, seq, random)
                if found is None:
                    return None
                cursor = (msg_time, seq, int(found))
            return await tx.fetch(
                _HISTORY, sdkappid, lo, hi, min_time, *cursor, operator, peer, limit
            )

    async def recall(
        self, sdkappid: int, sender: str, recipient: str, key: MsgKey, tombstone: bytes
    ) -> Change:
        """Flag the message ``sender`` sent ``recipient`` under ``key`` as recalled; its
        rendering becomes ``tombstone``.

        RECALLED when it already is, NOT_FOUND when there is none. The recipient's unread count
        is recomputed in the same transaction.
        """
        lo, hi = pair(sender, recipient)
        seq, _, msg_time = key
        async with self._db.transaction() as tx:
            change, live = await _find_live(tx, sdkappid, sender, recipient, key)
            if change is not Change.OK:
                return change
            for row in live:
                await tx.execute(
                    f"UPDATE c2c_messages SET recalled = 1, rendered = $7 WHERE {_BY_KEY}"
                    " AND id = $6",
                    sdkappid,
                    lo,
                    hi,
                    msg_time,
                    seq,
                    int(row[0]),
                    tombstone,
                )
            await recount_unread(tx, sdkappid, recipient, sender)
        return Change.OK

    async def modify(
        self,
        sdkappid: int,
        sender: str,
        recipient: str,
        key: MsgKey,
        body: str | None,
        cloud_custom_data: str | None,
        render: Render,
    ) -> Change:
        """Overwrite the body and/or CloudCustomData (None: keep) of an unrecalled message,
        and its rendering with ``render(body, cloud_custom_data)`` of the result."""
        lo, hi = pair(sender, recipient)
        seq, _, msg_time = key
        async with self._db.transaction() as tx:
            change, live = await _find_live(tx, sdkappid, sender, recipient, key)
            if change is not Change.OK:
                return change
            for row in live:
                new_body = row[2] if body is None else body
                new_custom = row[3] if cloud_custom_data is None else cloud_custom_data
                await tx.execute(
                    "UPDATE c2c_messages SET body = $7, cloud_custom_data = $8, rendered = $9"
                    f" WHERE {_BY_KEY} AND id = $6",
                    sdkappid,
                    lo,
                    hi,
                    msg_time,
                    seq,
                    int(row[0]),
                    new_body,
                    new_custom,
                    render(new_body, new_custom),
                )
        return Change.OK

    async def hide(self, sdkappid: int, operator: str, peer: str, keys: Sequence[MsgKey]) -> None:
        """Remove the keyed messages from the operator's view only (the peer still sees them).

        Keys that name no message are ignored. O(len(keys)); one transaction; the operator's
        unread count is recomputed in it.
        """
        lo, hi = pair(operator, peer)
        async with self._db.transaction() as tx:
            for seq, random, msg_time in keys:
                for column, side in (("from_hidden", "from_account"), ("to_hidden", "to_account")):
                    await tx.execute(
                        f"UPDATE c2c_messages SET {column} = 1 WHERE sdkappid = $1"
                        " AND user_lo = $2 AND user_hi = $3 AND msg_time = $4 AND msg_seq = $5"
                        f" AND msg_random = $6 AND {side} = $7",
                        sdkappid,
                        lo,
                        hi,
                        msg_time,
                        seq,
                        random,
                        operator,
                    )
            await recount_unread(tx, sdkappid, operator, peer)


async def _append_one(
    tx: Tx, sdkappid: int, m: NewMessage, dedup: Dedup | None, now: int
) -> Stored:
    lo, hi = pair(m.from_account, m.to_account)
    await tx.execute(_NEXT_ID, sdkappid, lo, hi, m.msg_time)
    if dedup is not None:
        original = await _original(tx, sdkappid, lo, hi, m, dedup, now - SEND_DEDUP_SECONDS)
        if original is not None:
            return Stored(int(original[0]), int(original[1]), int(original[2]), original[3], True)
    await tx.execute(_INSERT, *_message_values(sdkappid, lo, hi, m))
    counts = m.counts_unread and m.from_account != m.to_account
    entries: list[object] = []
    if m.recipient_entry or counts:
        entries += _entry(m.to_account, m.from_account, m.msg_time, m.recipient_entry, counts)
    if m.sender_entry and m.from_account != m.to_account:
        entries += _entry(m.from_account, m.to_account, m.msg_time, True, False)
    if entries:
        sql = _ONE_ENTRY if len(entries) == 5 else _TWO_ENTRIES
        await tx.execute(sql, sdkappid, m.msg_time, *entries)
    return Stored(m.msg_seq, m.msg_random, m.msg_time, m.msg_id)


def _message_values(sdkappid: int, lo: str, hi: str, m: NewMessage) -> list[object]:
    """The message's columns in ``_INSERT``'s order ($1-$15), which is also the order of the
    first parameters of ``opentim_append_c2c_msg``."""
    return [
        sdkappid,
        lo,
        hi,
        m.from_account,
        m.to_account,
        m.msg_seq,
        m.msg_random,
        m.msg_time,
        m.msg_id,
        m.body,
        m.cloud_custom_data,
        m.digest,
        int(m.counts_unread),
        int(not m.sender_sees),
        m.rendered,
    ]


async def _original(
    tx: Tx, sdkappid: int, lo: str, hi: str, m: NewMessage, dedup: Dedup, since: int
) -> Row | None:
    """The stored message of which ``m`` is a duplicate, if one is."""
    if dedup is Dedup.SEND:
        return await tx.fetchrow(
            _SEND_DUPLICATE,
            sdkappid,
            lo,
            hi,
            since,
            m.msg_seq,
            m.msg_random,
            m.from_account,
            m.digest,
        )
    return await tx.fetchrow(
        _IMPORT_DUPLICATE, sdkappid, lo, hi, m.msg_time, m.msg_seq, m.msg_random
    )


def _entry(owner: str, peer: str, msg_time: int, shows: bool, counts: bool) -> list[object]:
    """One side's row of ``_ENTRIES``."""
    return [owner, peer, msg_time if shows else 0, int(shows), int(counts)]


async def _find_live(
    tx: Tx, sdkappid: int, sender: str, recipient: str, key: MsgKey
) -> tuple[Change, list[Row]]:
    """The unrecalled messages ``sender`` sent ``recipient`` under ``key``: (id, recalled,
    body, cloud_custom_data) rows."""
    lo, hi = pair(sender, recipient)
    seq, random, msg_time = key
    rows = await tx.fetch(_FIND, sdkappid, lo, hi, msg_time, seq, random, sender, recipient)
    if not rows:
        return Change.NOT_FOUND, []
    live = [r for r in rows if not r[1]]
    return (Change.OK if live else Change.RECALLED), live
