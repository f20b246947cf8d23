"""One-to-one (C2C) messages: one stored record per message, with per-side visibility.

A conversation is the pair of its two UserIDs in code-point order (``pair``). Each message has
an ``id`` allocated under the pair row's lock (``c2c_pairs.next_id``): strictly increasing per
conversation, so a user's "cleared up to" watermark (``conversations.cleared_upto``) hides all
earlier messages in O(1). One side's view loses a message through ``from_hidden``/``to_hidden``
(SyncOtherMachine 2, delete_c2c_msg_ramble); nothing here deletes a message.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass

from opentim.storage.engine import Engine, Tx

UNREAD_CAP = 250
"""Unread messages counted per conversation; later ones are stored but not counted."""

MsgKey = tuple[int, int, int]
"""(MsgSeq, MsgRandom, MsgTime): the parts of ``"<MsgSeq>_<MsgRandom>_<MsgTime>"``."""


def pair(a: str, b: str) -> tuple[str, str]:
    """The conversation key of two UserIDs: (lower, higher) in code-point order."""
    return (a, b) if a <= b else (b, a)


class Dedup(enum.Enum):
    SEND = "send"
    """sendmsg: same sender, MsgSeq, MsgRandom and content within ``SEND_DEDUP_SECONDS``."""
    IMPORT = "import"
    """importmsg: same MsgSeq, MsgRandom and MsgTime in the conversation, whatever the content."""


SEND_DEDUP_SECONDS = 120


@dataclass(slots=True)
class NewMessage:
    from_account: str
    to_account: str
    msg_seq: int
    msg_random: int
    msg_time: int
    msg_id: str
    body: str
    cloud_custom_data: str = ""
    digest: int = 0
    counts_unread: bool = True
    sender_sees: bool = True
    """False for SyncOtherMachine 2: absent from the sender's view."""
    sender_entry: bool = True
    """Create/update the sender's conversation entry."""
    recipient_entry: bool = True
    """Create/update the recipient's conversation entry."""


@dataclass(frozen=True, slots=True)
class Stored:
    """The identity of a stored message (for a duplicate: the original's)."""

    msg_seq: int
    msg_random: int
    msg_time: int
    msg_id: str
    duplicate: bool = False


@dataclass(frozen=True, slots=True)
class HistoryRow:
    id: int
    from_account: str
    to_account: str
    msg_seq: int
    msg_random: int
    msg_time: int
    body: str
    cloud_custom_data: str
    recalled: bool


class Change(enum.Enum):
    OK = "ok"
    NOT_FOUND = "not found"
    RECALLED = "recalled"


_NEXT_ID = (
    "INSERT INTO c2c_pairs (sdkappid, user_lo, user_hi, next_id) VALUES ($1, $2, $3, 2)"
    " ON CONFLICT (sdkappid, user_lo, user_hi) DO UPDATE SET next_id = c2c_pairs.next_id + 1"
    " RETURNING next_id - 1"
)
_KEY_COLUMNS = "msg_seq, msg_random, msg_time, msg_id"
_SEND_DUPLICATE = (
    f"SELECT {_KEY_COLUMNS} FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3 AND msg_time >= $4 AND msg_seq = $5 AND msg_random = $6"
    " AND from_account = $7 AND digest = $8 LIMIT 1"
)
_IMPORT_DUPLICATE = (
    f"SELECT {_KEY_COLUMNS} FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3 AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6 LIMIT 1"
)
_INSERT = (
    "INSERT INTO c2c_messages (sdkappid, user_lo, user_hi, id, from_account, to_account,"
    " msg_seq, msg_random, msg_time, msg_id, body, cloud_custom_data, digest, counts_unread,"
    " from_hidden) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
)
# One side's conversation entry after a message: $7 whether the entry shows the message,
# $8 whether the message counts as unread for this side, $9 its time.
_ENTRY = (
    "INSERT INTO conversations (sdkappid, owner, type, peer, msg_time, listed, unread)"
    " VALUES ($1, $2, 1, $3, $4, $5, $6)"
    " ON CONFLICT (sdkappid, owner, type, peer) DO UPDATE SET"
    " listed = CASE WHEN $7 THEN 1 ELSE conversations.listed END,"
    " msg_time = CASE WHEN $7 AND $9 > conversations.msg_time THEN $9"
    " ELSE conversations.msg_time END,"
    " unread = CASE WHEN $8 AND $9 > conversations.read_time"
    f" AND conversations.unread < {UNREAD_CAP}"
    " THEN conversations.unread + 1 ELSE conversations.unread END"
)
_FIND = (
    "SELECT id, recalled FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2 AND user_hi = $3"
    " AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6 AND from_account = $7"
    " AND to_account = $8"
)
_HISTORY = (
    "SELECT id, from_account, to_account, msg_seq, msg_random, msg_time, body,"
    " cloud_custom_data, recalled FROM c2c_messages"
    " WHERE sdkappid = $1 AND user_lo = $2 AND user_hi = $3 AND msg_time >= $4"
    " AND (msg_time, msg_seq, id) < ($5, $6, $7) AND id > $8"
    " AND ((from_account = $9 AND from_hidden = 0) OR (from_account <> $9 AND to_hidden = 0))"
    " ORDER BY msg_time DESC, msg_seq DESC, id DESC LIMIT $10"
)
_POSITION = (
    "SELECT MAX(id) FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2 AND user_hi = $3"
    " AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6"
)
_CONVERSATION_STATE = (
    "SELECT read_time, cleared_upto, read_upto FROM conversations"
    " WHERE sdkappid = $1 AND owner = $2 AND type = 1 AND peer = $3"
)
_COUNT_UNREAD = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3 AND msg_time > $4 AND id > $5 AND id > $8 AND to_account = $6"
    " AND from_account = $7"
    f" AND counts_unread = 1 AND recalled = 0 AND to_hidden = 0 LIMIT {UNREAD_CAP}) AS unread"
)


class C2CStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def append(
        self, sdkappid: int, messages: Sequence[NewMessage], dedup: Dedup | None, now: int
    ) -> list[Stored]:
        """Store messages (one per conversation) and update both sides' entries; one transaction.

        Returns, in the order given, each message's identity, or the original's when ``dedup``
        finds it already stored (then nothing is written for it). Each conversation's pair row
        is locked before the duplicate check, so concurrent identical sends store one message;
        pairs are locked in key order, so concurrent batches cannot deadlock.
        """
        results: dict[int, Stored] = {}
        order = sorted(
            range(len(messages)),
            key=lambda i: pair(messages[i].from_account, messages[i].to_account),
        )
        async with self._db.transaction() as tx:
            for index in order:
                results[index] = await _append_one(tx, sdkappid, messages[index], dedup, now)
        return [results[i] for i in range(len(messages))]

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
            state = await tx.fetchrow(_CONVERSATION_STATE, sdkappid, operator, peer)
            cleared = int(state[1]) if state else 0
            rows = await tx.fetch(
                _HISTORY, sdkappid, lo, hi, min_time, *cursor, cleared, operator, limit
            )
        return [
            HistoryRow(
                int(r[0]), r[1], r[2], int(r[3]), int(r[4]), int(r[5]), r[6], r[7], bool(r[8])
            )
            for r in rows
        ]

    async def recall(self, sdkappid: int, sender: str, recipient: str, key: MsgKey) -> Change:
        """Flag the message ``sender`` sent ``recipient`` under ``key`` as recalled.

        RECALLED when it already is, NOT_FOUND when there is none. The recipient's unread count
        is recomputed in the same transaction.
        """
        lo, hi = pair(sender, recipient)
        async with self._db.transaction() as tx:
            change, live = await _find_live(tx, sdkappid, sender, recipient, key)
            if change is not Change.OK:
                return change
            for message_id in live:
                await tx.execute(
                    "UPDATE c2c_messages SET recalled = 1 WHERE sdkappid = $1 AND user_lo = $2"
                    " AND user_hi = $3 AND id = $4",
                    sdkappid,
                    lo,
                    hi,
                    message_id,
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
    ) -> Change:
        """Overwrite the body and/or CloudCustomData (None: keep) of an unrecalled message."""
        lo, hi = pair(sender, recipient)
        async with self._db.transaction() as tx:
            change, live = await _find_live(tx, sdkappid, sender, recipient, key)
            if change is not Change.OK:
                return change
            for message_id in live:
                await tx.execute(
                    "UPDATE c2c_messages SET body = COALESCE($5, body),"
                    " cloud_custom_data = COALESCE($6, cloud_custom_data)"
                    " WHERE sdkappid = $1 AND user_lo = $2 AND user_hi = $3 AND id = $4",
                    sdkappid,
                    lo,
                    hi,
                    message_id,
                    body,
                    cloud_custom_data,
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
    message_id = int(await tx.fetchval(_NEXT_ID, sdkappid, lo, hi))
    original = None
    if dedup is Dedup.SEND:
        original = await tx.fetchrow(
            _SEND_DUPLICATE,
            sdkappid,
            lo,
            hi,
            now - SEND_DEDUP_SECONDS,
            m.msg_seq,
            m.msg_random,
            m.from_account,
            m.digest,
        )
    elif dedup is Dedup.IMPORT:
        original = await tx.fetchrow(
            _IMPORT_DUPLICATE, sdkappid, lo, hi, m.msg_time, m.msg_seq, m.msg_random
        )
    if original is not None:
        return Stored(int(original[0]), int(original[1]), int(original[2]), original[3], True)
    await tx.execute(
        _INSERT,
        sdkappid,
        lo,
        hi,
        message_id,
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
    )
    counts = m.counts_unread and m.from_account != m.to_account
    if m.recipient_entry or counts:
        await _entry(
            tx, sdkappid, m.to_account, m.from_account, m.msg_time, m.recipient_entry, counts
        )
    if m.sender_entry and m.from_account != m.to_account:
        await _entry(tx, sdkappid, m.from_account, m.to_account, m.msg_time, True, False)
    return Stored(m.msg_seq, m.msg_random, m.msg_time, m.msg_id)


async def _entry(
    tx: Tx, sdkappid: int, owner: str, peer: str, msg_time: int, shows: bool, counts: bool
) -> None:
    await tx.execute(
        _ENTRY,
        sdkappid,
        owner,
        peer,
        msg_time if shows else 0,
        int(shows),
        int(counts),
        shows,
        counts,
        msg_time,
    )


async def recount_unread(tx: Tx, sdkappid: int, owner: str, peer: str) -> None:
    """Recompute ``owner``'s unread count for ``peer`` (at most ``UNREAD_CAP`` rows read).

    Call inside the transaction that changed what counts (read marks, recalls, hiding).
    """
    state = await tx.fetchrow(_CONVERSATION_STATE, sdkappid, owner, peer)
    if state is None:
        return
    lo, hi = pair(owner, peer)
    count = 0
    if owner != peer:
        count = int(
            await tx.fetchval(
                _COUNT_UNREAD,
                sdkappid,
                lo,
                hi,
                int(state[0]),
                int(state[1]),
                owner,
                peer,
                int(state[2]),
            )
        )
    await tx.execute(
        "UPDATE conversations SET unread = $4 WHERE sdkappid = $1 AND owner = $2 AND type = 1"
        " AND peer = $3",
        sdkappid,
        owner,
        peer,
        count,
    )


async def _find_live(
    tx: Tx, sdkappid: int, sender: str, recipient: str, key: MsgKey
) -> tuple[Change, list[int]]:
    """The ids of the unrecalled messages ``sender`` sent ``recipient`` under ``key``."""
    lo, hi = pair(sender, recipient)
    seq, random, msg_time = key
    rows = await tx.fetch(_FIND, sdkappid, lo, hi, msg_time, seq, random, sender, recipient)
    if not rows:
        return Change.NOT_FOUND, []
    live = [int(r[0]) for r in rows if not r[1]]
    return (Change.OK if live else Change.RECALLED), live
