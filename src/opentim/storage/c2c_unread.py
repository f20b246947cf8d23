"""A user's unread count of one C2C conversation, recomputed after what counts changed.

Sends count up in the conversation row as they store (``c2c._ENTRIES``); a read mark, a recall
or a hidden message changes what counts, and ``recount_unread`` counts again from the messages.
"""

from __future__ import annotations

from opentim.storage.c2c_records import UNREAD_CAP, pair
from opentim.storage.engine import Tx

_CONVERSATION_STATE = (
    "SELECT read_time, cleared_upto, read_upto, read_upto_time FROM conversations"
    " WHERE sdkappid = $1 AND owner = $2 AND type = 1 AND peer = $3"
)
# The walk starts after the read time ($4) or, when later and no message since the delete
# that set the read mark ($8) went back in time (the pair's ``back_id``), at the newest time
# the conversation had then ($9): the messages below it are all read (migration 012). One
# bound, so that SQLite's planner cannot choose the other as the range and filter by it.
_COUNT_UNREAD = (
    "SELECT COUNT(*) FROM (SELECT 1 FROM c2c_messages WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3 AND msg_time > CASE WHEN CAST($9 AS BIGINT) > CAST($4 AS BIGINT)"
    " AND (SELECT back_id FROM c2c_pairs WHERE sdkappid = $1 AND user_lo = $2"
    " AND user_hi = $3) <= $8 THEN $9 - 1 ELSE $4 END"
    " AND id > $5 AND id > $8 AND to_account = $6 AND from_account = $7"
    f" AND counts_unread = 1 AND recalled = 0 AND to_hidden = 0 LIMIT {UNREAD_CAP}) AS unread"
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
                int(state[3]),
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
