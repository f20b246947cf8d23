"""The marks of group history management: recall, the clear watermark, the by-sender recall,
in-place modification, and members' read seqs.

Marks and watermarks, never deletes (DESIGN.md "State model"): each operation costs the same
however long the history is — clear O(1), recall O(number of seqs), by-sender O(1,000) at
most, modify O(1). Lock order as in ``group_messages``: groups row, topics row, then messages
and members.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from opentim.storage.engine import Engine

BY_SENDER_WINDOW = 1000
"""delete_group_msg_by_sender looks at the last this-many seqs of the group (or topic)."""


# Every stored seq is below the space's next_msg_seq, so the window needs only its lower
# bound; reading it in the same statement saves a statement (a round trip on PostgreSQL).
_RECALL_BY_SENDER = """
UPDATE group_messages SET recalled = 1
WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND from_account = $4 AND recalled = 0
  AND seq >= (SELECT next_msg_seq - $5 FROM {space})
"""
_GROUP_SPACE = "groups WHERE sdkappid = $1 AND group_id = $2"
_TOPIC_SPACE = "topics WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3"
_RECALL_BY_SENDER_IN_GROUP = _RECALL_BY_SENDER.format(space=_GROUP_SPACE)
_RECALL_BY_SENDER_IN_TOPIC = _RECALL_BY_SENDER.format(space=_TOPIC_SPACE)


_ONE = "sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND seq = $4"


class RecallOutcome(enum.Enum):
    RECALLED = "recalled"
    ALREADY = "already recalled"
    MISSING = "missing"
    NOT_SENDER = "not the sender"


class ModifyOutcome(enum.Enum):
    MODIFIED = "modified"
    MISSING = "missing"
    RECALLED = "recalled"


def _modify_and_render(json_string: str, as_bytes: str) -> str:
    """modify_group_msg as one statement: the new content ($5 body, $6 CloudCustomData; NULL
    keeps the stored one) and its rendering, ``rendered``'s text built in SQL as migration 009
    builds it (tests/test_migrations.py and test_group_history.py hold both equal to the
    code's, awkward strings included). ``json_string`` turns a text into a JSON string and
    ``as_bytes`` the text into the stored bytes, each on its engine (``{}``: the operand)."""
    body, custom = "COALESCE($5, body)", "COALESCE($6, cloud_custom_data)"
    text = (
        f"""'{{"From_Account":' || {json_string.format("from_account")} || ',"IsPlaceMsg":0'"""
        """ || CASE WHEN is_system <> 0 THEN ',"IsSystemMsg":1' ELSE '' END"""
        f""" || ',"MsgBody":' || {body} || ',"MsgPriority":' || priority"""
        """ || ',"MsgRandom":' || random || ',"MsgSeq":' || seq || ',"MsgTimeStamp":' || msg_time"""
        f""" || CASE WHEN {custom} = '' THEN ''"""
        f""" ELSE ',"CloudCustomData":' || {json_string.format(custom)} END || '}}'"""
    )
    return (
        f"UPDATE group_messages SET body = {body}, cloud_custom_data = {custom},"
        f" rendered = {as_bytes.format(text)} WHERE {_ONE} AND recalled = 0"
    )


_MODIFY_AND_RENDER = {
    "postgres": _modify_and_render("to_json({})::text", "convert_to({}, 'UTF8')"),
    "sqlite": _modify_and_render("json_quote({})", "CAST({} AS BLOB)"),
}


class GroupHistoryStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine
        self._modify = _MODIFY_AND_RENDER[engine.name]

    async def recall(
        self,
        sdkappid: int,
        group_id: str,
        topic_id: str,
        seqs: Sequence[int],
        only_sender: str | None = None,
    ) -> dict[int, RecallOutcome]:
        """Set the recall mark on the listed messages; one transaction, O(len(seqs)).

        With ``only_sender`` a message of someone else is left alone (``NOT_SENDER``).
        Recalling a recalled message is reported ``ALREADY``; the mark is never removed.
        """
        wanted = sorted({s for s in seqs})
        outcome: dict[int, RecallOutcome] = {}
        if not wanted:
            return outcome
        marks = ", ".join(f"${i + 4}" for i in range(len(wanted)))
        where = f"sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND seq IN ({marks})"
        async with self._db.transaction() as tx:
            rows = await tx.fetch(
                f"SELECT seq, from_account, recalled FROM group_messages WHERE {where}",
                sdkappid,
                group_id,
                topic_id,
                *wanted,
            )
            found = {int(r[0]): r for r in rows}
            to_mark: list[int] = []
            for seq in wanted:
                row = found.get(seq)
                if row is None:
                    outcome[seq] = RecallOutcome.MISSING
                elif row[2]:
                    outcome[seq] = RecallOutcome.ALREADY
                elif only_sender is not None and row[1] != only_sender:
                    outcome[seq] = RecallOutcome.NOT_SENDER
                else:
                    outcome[seq] = RecallOutcome.RECALLED
                    to_mark.append(seq)
            for seq in to_mark:
                await tx.execute(
                    "UPDATE group_messages SET recalled = 1"
                    " WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND seq = $4",
                    sdkappid,
                    group_id,
                    topic_id,
                    seq,
                )
        return outcome

    async def clear_history(self, sdkappid: int, group_id: str, upto: int | None) -> bool:
        """clear_group_msg: raise the group's clear watermark to ``upto`` (inclusive; None =
        every message so far). O(1): one row, whatever the history's length.

        The watermark never passes the last assigned seq (messages sent later stay visible)
        and never goes down (clearing is idempotent). The seq counter is untouched.
        False when the group does not exist.
        """
        bound = (1 << 62) if upto is None else upto
        changed = await self._execute_one(
            "UPDATE groups SET cleared_upto_seq = CASE"
            " WHEN (CASE WHEN $3 < next_msg_seq THEN $3 ELSE next_msg_seq - 1 END)"
            "      > cleared_upto_seq"
            " THEN (CASE WHEN $3 < next_msg_seq THEN $3 ELSE next_msg_seq - 1 END)"
            " ELSE cleared_upto_seq END"
            " WHERE sdkappid = $1 AND group_id = $2",
            sdkappid,
            group_id,
            bound,
        )
        return changed > 0

    async def recall_by_sender(
        self, sdkappid: int, group_id: str, topic_id: str, sender: str
    ) -> int:
        """delete_group_msg_by_sender: set the recall mark on ``sender``'s messages among the
        last ``BY_SENDER_WINDOW`` seqs of the group (or topic) — ``[next-1000, next-1]``.

        One statement touching at most 1,000 rows, found through the by-sender index (never
        the whole window); a message sent concurrently may fall just outside the window.
        Returns how many messages were newly marked (0 when the group or topic is gone).
        """
        async with self._db.single() as tx:
            return await tx.execute(
                _RECALL_BY_SENDER_IN_TOPIC if topic_id else _RECALL_BY_SENDER_IN_GROUP,
                sdkappid,
                group_id,
                topic_id,
                sender,
                BY_SENDER_WINDOW,
            )

    async def modify(
        self,
        sdkappid: int,
        group_id: str,
        topic_id: str,
        seq: int,
        body: str | None,
        cloud_custom_data: str | None,
    ) -> ModifyOutcome:
        """modify_group_msg: overwrite the body and/or CloudCustomData (None = keep) of a stored,
        not recalled message, in place; the old content is gone. Seq, sender, time, random and
        priority stay, and the stored rendering follows the new content, built in the same
        statement (one round trip; the row is not read back): the statement locks the row and
        computes from its current values, so two modifications of different parts cannot lose
        one another; nothing changes unless the outcome is ``MODIFIED``."""
        key = (sdkappid, group_id, topic_id, seq)
        async with self._db.single() as tx:
            if await tx.execute(self._modify, *key, body, cloud_custom_data):
                return ModifyOutcome.MODIFIED
            recalled = await tx.fetchval(f"SELECT recalled FROM group_messages WHERE {_ONE}", *key)
        return ModifyOutcome.MISSING if recalled is None else ModifyOutcome.RECALLED

    async def set_unread(self, sdkappid: int, group_id: str, account: str, unread: int) -> bool:
        """Set the member's read seq so that ``next_msg_seq - 1 - msg_seq == unread``, clamped
        to the messages there are (read seq never below 0). One statement. False when
        ``account`` is not a member."""
        changed = await self._execute_one(
            "UPDATE group_members SET msg_seq = ("
            " SELECT CASE WHEN g.next_msg_seq - 1 - $4 < 0 THEN 0 ELSE g.next_msg_seq - 1 - $4 END"
            " FROM groups g WHERE g.sdkappid = $1 AND g.group_id = $2)"
            " WHERE sdkappid = $1 AND group_id = $2 AND member_account = $3",
            sdkappid,
            group_id,
            account,
            unread,
        )
        return changed > 0

    async def _execute_one(self, sql: str, *args: object) -> int:
        async with self._db.single() as tx:  # no BEGIN and COMMIT: round trips on PostgreSQL
            return await tx.execute(sql, *args)
