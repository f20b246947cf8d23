"""The data every benchmark run starts from, and its bulk seeding through the storage engines.

The schema comes from OpenTIM's own migrations (the database is opened once with
``open_storage``); rows are then written in bulk — ``executemany`` on SQLite,
``copy_records_to_table`` on PostgreSQL — never over HTTP. A table that the schema does not
have yet (an area still being built) is skipped and reported; the workloads that need it are
then "not available".
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec

from opentim.services.c2c_rules import rendered
from opentim.services.group_msg_rules import NORMAL_PRIORITY
from opentim.storage.group_records import rendered as group_rendered

SDKAPPID = 1400000001
SECRET_KEY = "b3e1c0ffee5eed0f0e1c0de0ba5e0b3e1c0ffee5eed0f0e1c0de0ba5e0b3e1c"
ADMIN = "administrator"

USERS = 200
GROUPS = 100
MEMBERS_PER_GROUP = 5
CROWD = 50
"""Members of the hot group and of the history group: u0000 .. u0049."""
PEERS_PER_USER = 20
CHUNK = 50_000


def user(i: int) -> str:
    return f"u{i:04d}"


def group(i: int) -> str:
    return f"bench_g{i:03d}"


HOT_GROUP = "bench_hot"
HISTORY_GROUP = "bench_hist"
SPAMMER = user(CROWD - 1)
C2C_OWNER, C2C_PEER = user(0), user(1)


def text_body(text: str) -> list[dict[str, Any]]:
    return [{"MsgType": "TIMTextElem", "MsgContent": {"Text": text}}]


@dataclass(frozen=True, slots=True)
class Dataset:
    """What is stored before the load starts: ``messages`` in the history group and, where the
    schema has one-to-one messages, as many in the conversation ``C2C_OWNER``/``C2C_PEER``."""

    messages: int
    now: int = field(default_factory=lambda: int(time.time()))

    @property
    def label(self) -> str:
        return (
            f"{self.messages // 1_000_000}M"
            if self.messages >= 1_000_000
            else (f"{self.messages // 1000}K" if self.messages >= 1000 else str(self.messages))
        )

    def group_members(self, i: int) -> list[str]:
        return [user((MEMBERS_PER_GROUP * i + k) % USERS) for k in range(MEMBERS_PER_GROUP)]

    def crowd(self) -> list[str]:
        return [user(i) for i in range(CROWD)]


@dataclass(slots=True)
class Table:
    """Rows for one table, produced lazily (a million rows are not held in memory at once)."""

    name: str
    columns: tuple[str, ...]
    rows: Iterable[Sequence[Any]]


def _groups(ds: Dataset) -> Iterator[tuple[Any, ...]]:
    long_ago = ds.now - 30 * 86400
    specs = [(group(i), ds.group_members(i)[0], 0) for i in range(GROUPS)]
    specs += [(HOT_GROUP, user(0), 0), (HISTORY_GROUP, user(0), ds.messages)]
    for group_id, owner, messages in specs:
        yield (
            SDKAPPID,
            group_id,
            "Public",
            group_id,
            owner,
            long_ago,
            2000,
            messages + 1,
            messages,
            ds.now if messages else 0,
            ds.now if messages else 0,
        )


GROUP_COLUMNS = (
    "sdkappid",
    "group_id",
    "type",
    "name",
    "owner_account",
    "create_time",
    "max_member_num",
    "next_msg_seq",
    "conv_msg_seq",
    "conv_msg_time",
    "last_msg_time",
)


def _members(ds: Dataset) -> Iterator[tuple[Any, ...]]:
    joined = ds.now - 30 * 86400
    for i in range(GROUPS):
        for k, account in enumerate(ds.group_members(i)):
            yield SDKAPPID, group(i), account, "Owner" if k == 0 else "Member", joined
    for group_id in (HOT_GROUP, HISTORY_GROUP):
        for k, account in enumerate(ds.crowd()):
            yield SDKAPPID, group_id, account, "Owner" if k == 0 else "Member", joined


PER_SECOND = 10
"""Stored messages per second of history: a million span a day, well inside any retention."""


def _time(ds: Dataset, n: int) -> int:
    return ds.now - (ds.messages - n) // PER_SECOND


def _group_messages(ds: Dataset) -> Iterator[tuple[Any, ...]]:
    """The history group's messages, seq 1..N, up to now; every 50th is the spammer's, so
    ``delete_group_msg_by_sender`` finds 20 of them in the last 1,000."""
    crowd = ds.crowd()
    for seq in range(1, ds.messages + 1):
        body = msgspec.json.encode(text_body(f"history message {seq}")).decode()
        sender, msg_time = crowd[seq % CROWD], _time(ds, seq)
        shown = group_rendered(seq, sender, seq, msg_time, NORMAL_PRIORITY, body, "")
        yield SDKAPPID, HISTORY_GROUP, seq, sender, seq, msg_time, body, shown


def _c2c_messages(ds: Dataset) -> Iterator[tuple[Any, ...]]:
    """The conversation C2C_OWNER/C2C_PEER: N messages, turn about, ids 1..N."""
    lo, hi = sorted((C2C_OWNER, C2C_PEER))
    for n in range(1, ds.messages + 1):
        sender, receiver = (C2C_OWNER, C2C_PEER) if n % 2 else (C2C_PEER, C2C_OWNER)
        body = msgspec.json.encode(text_body(f"direct message {n}")).decode()
        key = (n, n, _time(ds, n))
        shown = rendered(sender, receiver, key, body, "")
        yield (SDKAPPID, lo, hi, n, sender, receiver, n, n, key[2], f"bench-{n}", body, 0, shown)


def _conversations(ds: Dataset) -> Iterator[tuple[Any, ...]]:
    """Each of the crowd has 20 one-to-one conversations (its group ones derive from
    membership); C2C_OWNER's 20th peer is replaced by C2C_PEER, whose list holds C2C_OWNER."""
    for i in range(CROWD):
        for k in range(PEERS_PER_USER):
            peer = user(CROWD + (i + k) % (USERS - CROWD))
            if i == 0 and k == PEERS_PER_USER - 1:
                peer = C2C_PEER
            yield SDKAPPID, user(i), 1, peer, ds.now - 60 * k
    yield SDKAPPID, C2C_PEER, 1, C2C_OWNER, ds.now


def tables(ds: Dataset) -> list[Table]:
    """Everything to seed, in insertion order."""
    return [
        Table(
            "accounts",
            ("sdkappid", "user_id", "nick", "created_at"),
            ((SDKAPPID, user(i), f"user {i}", ds.now - 86400) for i in range(USERS)),
        ),
        Table("groups", GROUP_COLUMNS, _groups(ds)),
        Table(
            "group_members",
            ("sdkappid", "group_id", "member_account", "role", "join_time"),
            _members(ds),
        ),
        Table(
            "group_messages",
            (
                "sdkappid",
                "group_id",
                "seq",
                "from_account",
                "random",
                "msg_time",
                "body",
                "rendered",
            ),
            _group_messages(ds),
        ),
        Table(
            "conversations", ("sdkappid", "owner", "type", "peer", "msg_time"), _conversations(ds)
        ),
        Table(
            "c2c_pairs",
            ("sdkappid", "user_lo", "user_hi", "next_id", "max_time"),
            [(SDKAPPID, *sorted((C2C_OWNER, C2C_PEER)), ds.messages + 1, _time(ds, ds.messages))],
        ),
        Table(
            "c2c_messages",
            (
                "sdkappid",
                "user_lo",
                "user_hi",
                "id",
                "from_account",
                "to_account",
                "msg_seq",
                "msg_random",
                "msg_time",
                "msg_id",
                "body",
                "counts_unread",
                "rendered",
            ),
            _c2c_messages(ds),
        ),
    ]


C2C_TABLES = ("c2c_pairs", "c2c_messages")
"""The one-to-one message tables; without them the C2C workloads are not available."""


def capabilities(seeded: dict[str, int]) -> set[str]:
    """What the seeded data supports beyond the core tables (``Workload.needs``)."""
    return {"c2c"} if C2C_TABLES and all(seeded.get(t) for t in C2C_TABLES) else set()


def _chunks(rows: Iterable[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def seed_sqlite(path: str, ds: Dataset) -> dict[str, int]:
    """Bulk-load ``ds`` into a migrated SQLite file; returns rows written per table.

    A table the schema lacks, or whose columns differ from these, is left empty (and
    reported by its absence from the result)."""
    import apsw  # OpenTIM's own SQLite: one copy of SQLite per process (storage/sqlite.py)

    written: dict[str, int] = {}
    conn = apsw.Connection(path)
    try:
        conn.execute("PRAGMA synchronous=OFF")
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for table in tables(ds):
            if table.name not in present:
                continue
            sql = (
                f"INSERT INTO {table.name} ({', '.join(table.columns)}) "
                f"VALUES ({', '.join('?' for _ in table.columns)})"
            )
            conn.execute("BEGIN")
            count = 0
            try:
                for chunk in _chunks(table.rows):
                    conn.executemany(sql, chunk)
                    count += len(chunk)
            except apsw.Error as exc:
                conn.execute("ROLLBACK")
                print(f"  seeding {table.name} failed, left empty: {exc}", flush=True)
                continue
            conn.execute("COMMIT")
            written[table.name] = count
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        conn.execute("ANALYZE")
    finally:
        conn.close()
    return written


async def seed_postgres(url: str, ds: Dataset) -> dict[str, int]:
    """Bulk-load ``ds`` into a migrated PostgreSQL database with COPY (as ``seed_sqlite``)."""
    import asyncpg

    written: dict[str, int] = {}
    conn = await asyncpg.connect(url)
    try:
        present = {
            r[0]
            for r in await conn.fetch(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
        for table in tables(ds):
            if table.name not in present:
                continue
            count = 0
            try:
                async with conn.transaction():
                    for chunk in _chunks(table.rows):
                        await conn.copy_records_to_table(
                            table.name, records=chunk, columns=table.columns
                        )
                        count += len(chunk)
            except asyncpg.PostgresError as exc:
                print(f"  seeding {table.name} failed, left empty: {exc}", flush=True)
                continue
            written[table.name] = count
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return written
