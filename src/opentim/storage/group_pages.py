"""Group history pages: the stored messages of one seq range, for group_msg_get_simple.

A page is read as one row when it is plain (``read_plain_page``), otherwise row by row
(``read_range``): rows carry the history marks written by ``group_history`` (the recall
flag) and the service applies them and the clear watermarks (the range's bounds). Both are
plain reads: they see every message committed before they started.
"""

from __future__ import annotations

from typing import cast

from opentim.storage.engine import Engine
from opentim.storage.group_records import StoredMsg

# The admin's view needs no recipients: a constant NULL in their place costs less than the
# column (each column read is ~0.15 us per row in sqlite3).
_READ_RANGE = {
    member: f"""
SELECT seq, recalled, rendered, {"to_accounts" if member else "NULL"}
FROM group_messages
WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND seq <= $4 AND seq >= $5
ORDER BY seq DESC
LIMIT $6
"""
    for member in (False, True)
}


# A plain page comes back as one row: the whole run of its stored JSON, joined in the database,
# with what tells whether it is plain. SQLite's group_concat takes the rows in the order the
# subquery yields them (a co-routine read in order); an ORDER BY inside the aggregate would
# sort them again. PostgreSQL's string_agg is given the order.
_PLAIN_PAGE = """
SELECT count(*), min(seq), max(seq), max(recalled), count(targets), {joined}
FROM (SELECT seq, recalled, rendered, {targets} AS targets
      FROM group_messages
      WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3 AND seq <= $4 AND seq >= $5
      ORDER BY seq DESC
      LIMIT $6) AS page
"""
_JOINED = {
    "sqlite": "CAST(group_concat(rendered, ',') AS BLOB)",
    "postgres": "string_agg(rendered, ','::bytea ORDER BY seq DESC)",
}


class GroupPageStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine
        self._plain_page = {
            recipients: _PLAIN_PAGE.format(
                joined=_JOINED[engine.name], targets="to_accounts" if recipients else "NULL"
            )
            for recipients in (False, True)
        }

    async def read_range(
        self,
        sdkappid: int,
        group_id: str,
        topic_id: str,
        top: int,
        low: int,
        limit: int,
        recipients: bool = True,
    ) -> list[StoredMsg]:
        """Stored messages with ``low <= seq <= top``, newest first, at most ``limit``; with
        ``recipients``, targeted messages' recipients.

        Recalled messages are included (flagged); missing seqs are simply absent.
        A plain read: it sees every message committed before it started.
        """
        sql = _READ_RANGE[recipients]
        async with self._db.reader() as tx:
            rows = await tx.fetch(sql, sdkappid, group_id, topic_id, top, low, limit)
        return cast(list[StoredMsg], rows)

    async def read_plain_page(
        self,
        sdkappid: int,
        group_id: str,
        topic_id: str,
        top: int,
        low: int,
        limit: int,
        recipients: bool = True,
    ) -> bytes | None:
        """The page ``read_range`` reads, as its messages' stored JSON joined by commas,
        newest first, when the page is plain: every seq from ``top`` down stored, until
        ``limit`` messages or down to ``low``; none recalled; with ``recipients``, none
        targeted. Otherwise None, and the caller reads the rows: such a page costs two reads
        (a member's view of a group that often targets messages pays it on most pages).

        Most pages are plain, and one row instead of one a message is ~37k instructions less
        a 20-message page (bench/RESULTS.md)."""
        async with self._db.reader() as tx:
            row = await tx.fetchrow(
                self._plain_page[recipients], sdkappid, group_id, topic_id, top, low, limit
            )
        assert row is not None  # an aggregate answers one row
        count, lowest, highest, recalled, targeted, joined = row
        if (
            count
            and highest == top
            and highest - lowest + 1 == count
            and not recalled
            and not targeted
            and (count == limit or lowest == low)
        ):
            return cast(bytes, joined)
        return None
