"""Community topics: each has its own message seq space inside its group."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, fields

from opentim.storage.engine import Conflict, Engine
from opentim.storage.groups import LOCK_GROUP, in_list


@dataclass(slots=True)
class TopicRow:
    """A live topic as stored; column names are the attribute names."""

    sdkappid: int
    group_id: str
    topic_id: str
    topic_name: str
    create_time: int
    from_account: str = ""
    custom_string: str = ""
    face_url: str = ""
    notification: str = ""
    introduction: str = ""
    last_msg_time: int = 0
    next_msg_seq: int = 1
    mute_all_member: str = "Off"


_COLUMNS = tuple(f.name for f in fields(TopicRow))
_SELECT = f"SELECT {', '.join(_COLUMNS)} FROM topics"
_INSERT = f"INSERT INTO topics ({', '.join(_COLUMNS)}) VALUES ({in_list(1, len(_COLUMNS))})"


class TopicState(enum.Enum):
    LIVE = "live"
    DESTROYED = "destroyed"
    UNKNOWN = "unknown"


class TopicStore:
    def __init__(self, engine: Engine) -> None:
        self._db = engine

    async def create_topic(self, topic: TopicRow) -> bool:
        """Store a new topic (seq space starting at 1); False if its group is gone.

        Raises ``Conflict`` when a live topic has that ID. A destroyed topic's ID may be used
        again: its tombstone goes. Under the group's row lock, so a topic is never created in a
        group being disbanded.
        """
        async with self._db.transaction() as tx:
            if await tx.fetchval(LOCK_GROUP, topic.sdkappid, topic.group_id) is None:
                return False
            key = (topic.sdkappid, topic.group_id, topic.topic_id)
            where = "WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3"
            if await tx.fetchval(f"SELECT 1 FROM topics {where}", *key):
                raise Conflict(topic.topic_id)
            await tx.execute(f"DELETE FROM destroyed_topics {where}", *key)
            await tx.execute(_INSERT, *(getattr(topic, c) for c in _COLUMNS))
        return True

    async def get_topics(
        self, sdkappid: int, group_id: str, topic_ids: Sequence[str] | None
    ) -> dict[str, TopicRow | TopicState]:
        """The live topics named (all of the group's, in creation order, when ``topic_ids`` is
        None), by ID; a named ID that is not live maps to DESTROYED or UNKNOWN. One read.
        """
        async with self._db.reader() as tx:
            if topic_ids is None:
                rows = await tx.fetch(
                    f"{_SELECT} WHERE sdkappid = $1 AND group_id = $2"
                    " ORDER BY create_time, topic_id",
                    sdkappid,
                    group_id,
                )
                return {r[2]: TopicRow(*r) for r in rows}
            ids = list(dict.fromkeys(topic_ids))
            if not ids:
                return {}
            marks = in_list(3, len(ids))
            rows = await tx.fetch(
                f"{_SELECT} WHERE sdkappid = $1 AND group_id = $2 AND topic_id IN ({marks})",
                sdkappid,
                group_id,
                *ids,
            )
            gone = await tx.fetch(
                "SELECT topic_id FROM destroyed_topics"
                f" WHERE sdkappid = $1 AND group_id = $2 AND topic_id IN ({marks})",
                sdkappid,
                group_id,
                *ids,
            )
        found: dict[str, TopicRow | TopicState] = {r[2]: TopicRow(*r) for r in rows}
        destroyed = {r[0] for r in gone}
        for topic_id in ids:
            if topic_id not in found:
                found[topic_id] = (
                    TopicState.DESTROYED if topic_id in destroyed else TopicState.UNKNOWN
                )
        return found

    async def destroy_topics(
        self, sdkappid: int, group_id: str, topic_ids: Sequence[str], now: int
    ) -> dict[str, TopicState] | None:
        """Destroy the live topics among ``topic_ids``, with every message stored in them
        (physically: the topic is gone for good). None if the group is gone.

        Returns each ID's state before the call: LIVE (destroyed now), DESTROYED (earlier) or
        UNKNOWN. Under the group's row lock: of two concurrent destroys of one topic, one sees
        it LIVE and the other DESTROYED.
        """
        ids = list(dict.fromkeys(topic_ids))
        states: dict[str, TopicState] = {}
        async with self._db.transaction() as tx:
            if await tx.fetchval(LOCK_GROUP, sdkappid, group_id) is None:
                return None
            marks = in_list(3, len(ids))
            live = await tx.fetch(
                "SELECT topic_id FROM topics"
                f" WHERE sdkappid = $1 AND group_id = $2 AND topic_id IN ({marks})",
                sdkappid,
                group_id,
                *ids,
            )
            gone = await tx.fetch(
                "SELECT topic_id FROM destroyed_topics"
                f" WHERE sdkappid = $1 AND group_id = $2 AND topic_id IN ({marks})",
                sdkappid,
                group_id,
                *ids,
            )
            states.update((r[0], TopicState.DESTROYED) for r in gone)
            states.update((r[0], TopicState.LIVE) for r in live)
            where = "WHERE sdkappid = $1 AND group_id = $2 AND topic_id = $3"
            for topic_id in (r[0] for r in live):
                await tx.execute(f"DELETE FROM topics {where}", sdkappid, group_id, topic_id)
                await tx.execute(
                    f"DELETE FROM group_messages {where}", sdkappid, group_id, topic_id
                )
                await tx.execute(
                    "INSERT INTO destroyed_topics (sdkappid, group_id, topic_id, destroyed_at)"
                    " VALUES ($1, $2, $3, $4)",
                    sdkappid,
                    group_id,
                    topic_id,
                    now,
                )
        return {t: states.get(t, TopicState.UNKNOWN) for t in ids}
