"""The engine settings chosen from the benchmarks (bench/RESULTS.md) keep their promises.

SQLite checkpoints its WAL from a background thread, so committed writes reach the database
file without a request paying for it; PostgreSQL hands out pool connections in arrival order
behind a semaphore, which must never lose a connection or deadlock under more concurrent
operations than connections; the event loop is chosen by engine.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import apsw

from conftest import new_app
from opentim.cli import event_loop
from opentim.storage import Storage, open_storage
from opentim.storage.accounts import ImportItem


async def test_sqlite_commits_reach_the_database_file_without_a_commit_checkpointing(
    tmp_path: Path,
) -> None:
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


async def test_more_concurrent_operations_than_pool_connections_all_complete(
    storage: Storage,
) -> None:
    app = new_app()
    await storage.accounts.import_accounts(app.sdkappid, [ImportItem(user_id="alice")], now=1)
    found = await asyncio.wait_for(
        asyncio.gather(*(storage.accounts.existing(app.sdkappid, ["alice"]) for _ in range(64))),
        timeout=30,
    )
    assert found == [{"alice"}] * 64
    # and the connections came back: another round needs them all again
    again = await asyncio.wait_for(
        asyncio.gather(*(storage.accounts.existing(app.sdkappid, ["alice"]) for _ in range(64))),
        timeout=30,
    )
    assert again == found


def test_event_loop_is_asyncio_for_sqlite_and_uvloop_when_installed_for_postgres() -> None:
    assert event_loop("sqlite:///data/opentim.sqlite3") == "asyncio"
    assert event_loop("postgresql://opentim@db/opentim") == "auto"


async def test_sqlite_plans_each_statement_once_whatever_its_bound_values(tmp_path: Path) -> None:
    # With statistics gathered (ANALYZE, STAT4 samples) SQLite would otherwise plan a
    # statement again whenever a value it planned by changes: on every request.
    path = tmp_path / "plans.sqlite3"
    storage = await open_storage(f"sqlite:///{path}")
    try:
        app = new_app()
        items = [ImportItem(user_id=f"user{i}") for i in range(300)]
        await storage.accounts.import_accounts(app.sdkappid, items, now=1)
        conn = storage.engine._conn  # type: ignore[attr-defined]
        conn.execute("ANALYZE")
        assert conn.config(apsw.SQLITE_DBCONFIG_ENABLE_QPSG, -1) == 1
        for i in range(5):
            assert await storage.accounts.existing(app.sdkappid, [f"user{i}"]) == {f"user{i}"}
    finally:
        await storage.close()
