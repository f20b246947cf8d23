"""SQLite's write-ahead log: copied into the database file by the checkpointer's thread, never
by a COMMIT; started over under writes that never pause; left alone while it is short
(``opentim.storage.sqlite_wal``, bench/RESULTS.md)."""

from __future__ import annotations

import asyncio
import itertools
import threading
from pathlib import Path

import apsw
import pytest

from conftest import new_app
from opentim.storage import open_storage
from opentim.storage import sqlite_wal as wal
from opentim.storage.accounts import ImportItem
from opentim.storage.sqlite import SqliteEngine
from sqlite_helpers import stored_keys, write_row


async def test_sqlite_commits_reach_the_database_file_without_a_commit_checkpointing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wal, "CHECKPOINT_PAST", 1)  # a few pages are enough
    path = tmp_path / "wal.sqlite3"
    storage = await open_storage(f"sqlite:///{path}")
    try:
        app = new_app()
        items = [ImportItem(user_id=f"user{i}") for i in range(50)]
        await storage.accounts.import_accounts(app.sdkappid, items, now=1)
        # The database file alone (immutable: the WAL is not read) holds the rows once the
        # background checkpoint has run; nothing but that thread copies them there this soon.
        for _ in range(100):
            await asyncio.sleep(0.02)
            # Through APSW, the engine's own SQLite: a second copy in the process would drop
            # the engine's file locks when it closes the file (storage/sqlite.py).
            reader = apsw.Connection(
                f"file:{path}?immutable=1", flags=apsw.SQLITE_OPEN_READONLY | apsw.SQLITE_OPEN_URI
            )
            try:
                count = reader.execute(
                    "SELECT COUNT(*) FROM accounts WHERE sdkappid = ?", (app.sdkappid,)
                ).fetchone()[0]
            except apsw.Error:
                count = 0  # the file is mid-copy
            finally:
                reader.close()
            if count == 50:
                break
        assert count == 50
    finally:
        await storage.close()


async def test_sqlite_wal_starts_over_under_writes_that_never_pause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The WAL starts over only at a write that begins with all of it checkpointed, which
    steady group commits never leave time for: the checkpointer makes that moment itself."""
    monkeypatch.setattr(wal, "CHECKPOINT_EVERY", 0.002)
    monkeypatch.setattr(wal, "RESTART_AFTER", 100)
    engine = await SqliteEngine.open(str(tmp_path / "wal.sqlite3"))
    try:
        engine._conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        lengths = [0]  # the WAL's length in frames after each commit
        restarts = [0]
        engine_hook = engine._wal_committed

        def committed(conn: apsw.Connection, name: str, frames: int) -> int:
            restarts[0] += frames < lengths[-1]
            lengths.append(frames)
            return engine_hook(conn, name, frames)

        engine._conn.set_wal_hook(committed)
        engine.load.requests = range(10)  # others in flight: group commits, back to back
        deadline = asyncio.get_running_loop().time() + 5

        def writing() -> bool:  # until the WAL has started over three times, or has not
            return (
                restarts[0] < 3
                and lengths[-1] < 20_000
                and asyncio.get_running_loop().time() < deadline
            )

        async def writer(first: int) -> None:
            key = first
            while writing():
                async with engine.transaction() as tx:
                    await tx.execute("INSERT INTO t VALUES ($1, randomblob(1000))", key)
                key += 1

        await asyncio.gather(*(writer(1_000_000 * i) for i in range(10)))
        assert restarts[0] >= 3, f"the WAL grew to {max(lengths)} frames without starting over"
    finally:
        await engine.close()


async def test_sqlite_writes_wait_while_the_checkpointer_catches_up_and_reads_go_on(
    sqlite_engine: SqliteEngine, tmp_path: Path
) -> None:
    sqlite_engine.load.requests = range(10)
    first = asyncio.ensure_future(write_row(sqlite_engine, 1))
    await asyncio.sleep(0)
    assert sqlite_engine._batch is not None  # its group commit is open
    held = threading.Event()
    sqlite_engine.hold_writes(held)
    assert not held.is_set()  # not before that group commits
    second = asyncio.ensure_future(write_row(sqlite_engine, 2))
    await first
    for _ in range(10):
        await asyncio.sleep(0)
    assert held.is_set()
    assert not second.done()  # begun after the hold: it waits
    async with sqlite_engine.reader() as tx:  # reads go on
        assert await tx.fetchval("SELECT COUNT(*) FROM t") == 1
    sqlite_engine.release_writes(held)
    await asyncio.wait_for(second, timeout=5)
    assert stored_keys(tmp_path / "group.sqlite3") == [1, 2]


async def test_sqlite_lone_writes_do_not_start_a_short_wal_over(
    sqlite_engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A checkpoint that catches up lets the next write start the WAL over, and that write
    fsyncs the WAL's new header on the event loop: below ``CHECKPOINT_PAST`` frames the
    checkpointer leaves the WAL alone, so writes spaced out by checkpoints do not pay it."""
    monkeypatch.setattr(wal, "CHECKPOINT_EVERY", 0.002)
    lengths: list[int] = []  # the WAL's length in frames after each commit
    engine_hook = sqlite_engine._wal_committed

    def committed(conn: apsw.Connection, name: str, frames: int) -> int:
        lengths.append(frames)
        return engine_hook(conn, name, frames)

    sqlite_engine._conn.set_wal_hook(committed)
    for key in range(10):
        await asyncio.sleep(0.02)  # checkpoint intervals go by
        await write_row(sqlite_engine, key)
    assert all(later > earlier for earlier, later in itertools.pairwise(lengths)), lengths


async def test_sqlite_writes_are_not_held_for_ever_when_the_loop_answers_late(
    sqlite_engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A catch-up whose hold the event loop does not take up in time gives up, and the hold
    it asked for is lifted right after it begins: no write waits for ever."""
    monkeypatch.setattr(wal, "HOLD_TIMEOUT", 0.05)
    checkpointer = sqlite_engine._checkpointer
    assert checkpointer is not None
    catch_up = threading.Thread(target=checkpointer._catch_up)
    catch_up.start()
    catch_up.join(timeout=5)  # the loop is blocked here, past the timeout
    assert not catch_up.is_alive()
    for _ in range(3):  # the hold, then its release, on the loop
        await asyncio.sleep(0)
    assert sqlite_engine._writes_held is None
    sqlite_engine.load.requests = range(10)
    await asyncio.wait_for(write_row(sqlite_engine, 1), timeout=5)
    assert stored_keys(tmp_path / "group.sqlite3") == [1]


async def test_sqlite_a_wal_all_copied_is_left_alone_until_the_next_commit(
    sqlite_engine: SqliteEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once all of the WAL is in the database file and nothing more is committed, the
    checkpointer neither copies it again nor holds writes for it, however long it is."""
    monkeypatch.setattr(wal, "CHECKPOINT_EVERY", 0.002)
    monkeypatch.setattr(wal, "CHECKPOINT_PAST", 1)
    monkeypatch.setattr(wal, "RESTART_AFTER", 1)  # any WAL is long enough for a catch-up
    holds: list[threading.Event] = []
    hold = sqlite_engine.hold_writes

    def counted(held: threading.Event) -> None:
        holds.append(held)
        hold(held)

    monkeypatch.setattr(sqlite_engine, "hold_writes", counted)
    await write_row(sqlite_engine, 1)
    await asyncio.sleep(0.1)  # fifty checkpoint intervals
    assert len(holds) == 1  # the catch-up after the write, and no more
    await write_row(sqlite_engine, 2)
    await asyncio.sleep(0.1)
    assert len(holds) == 2
