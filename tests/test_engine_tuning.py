"""The engine settings chosen from the benchmarks (bench/RESULTS.md) keep their promises.

SQLite's writes share a COMMIT under load (the group commit) and no answer rests on an
uncommitted write; PostgreSQL hands out pool connections in arrival order behind a semaphore,
which must never lose a connection or deadlock under more concurrent operations than
connections; the event loop is chosen by engine. SQLite's WAL: ``test_sqlite_wal.py``.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
from pathlib import Path
from typing import Any

import apsw
import pytest

from conftest import account_check_scope, new_app
from opentim import settings as settings_mod
from opentim.app import create_app
from opentim.cli import event_loop, tune_garbage_collector
from opentim.storage import Storage, open_storage
from opentim.storage.accounts import ImportItem
from opentim.storage.engine import PENDING_COMMITS, StorageError, settle
from opentim.storage.sqlite import SqliteEngine
from sqlite_helpers import stored_keys, write_row


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


def test_serve_freezes_what_start_up_made_and_collects_cycles_less_often() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (10_000, before[1], before[2])
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def test_event_loop_is_asyncio_for_sqlite_and_uvloop_when_installed_for_postgres() -> None:
    assert event_loop("sqlite:///data/opentim.sqlite3") == "asyncio"
    assert event_loop("postgresql://opentim@db/opentim") == "auto"


async def test_sqlite_plans_each_statement_once_whatever_its_bound_values(tmp_path: Path) -> None:
    # With statistics gathered (ANALYZE, STAT4 samples) SQLite would otherwise plan a range
    # read again whenever a bound value changes: on every request. SQLite asks the authorizer
    # while it plans, so the callback counts the plannings.
    engine = await SqliteEngine.open(str(tmp_path / "plans.sqlite3"))
    try:
        conn = engine._conn
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v INTEGER, w INTEGER)")
        conn.execute("CREATE INDEX t_v ON t (v)")
        conn.execute("CREATE INDEX t_w ON t (w)")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", [(k, k % 7, k) for k in range(2000)])
        conn.execute("ANALYZE")
        plannings: list[int] = []

        def authorizer(*_: object) -> int:
            plannings.append(1)
            return apsw.SQLITE_OK

        conn.authorizer = authorizer  # expires the prepared statements: the next run plans
        sql = "SELECT COUNT(*) FROM t WHERE v = $1 AND w > $2"
        async with engine.reader() as tx:
            await tx.fetchval(sql, 3, 1990)
        planned_once = len(plannings)
        assert planned_once > 0
        async with engine.reader() as tx:
            for v, w in ((1, 5), (6, 1000), (2, 1999), (3, 0)):
                await tx.fetchval(sql, v, w)
        assert len(plannings) == planned_once
    finally:
        await engine.close()


async def test_sqlite_keeps_a_working_set_beyond_its_default_cache_in_memory(
    tmp_path: Path,
) -> None:
    # 2,500 rows of a page each (10 MiB), five times SQLite's default cache: read once, they
    # are read again from the connection's cache, with no page fetched from the file (or the
    # WAL) again.
    engine = await SqliteEngine.open(str(tmp_path / "cache.sqlite3"))
    try:
        conn = engine._conn
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v BLOB)")
        async with engine.transaction() as tx:
            await tx.executemany(
                "INSERT INTO t VALUES ($1, $2)", [(k, bytes(3000)) for k in range(2500)]
            )
        sql = "SELECT SUM(length(v)) FROM t"
        async with engine.reader() as tx:
            assert await tx.fetchval(sql) == 7_500_000
        conn.status(apsw.SQLITE_DBSTATUS_CACHE_MISS, True)  # count from here
        async with engine.reader() as tx:
            assert await tx.fetchval(sql) == 7_500_000
        misses, _ = conn.status(apsw.SQLITE_DBSTATUS_CACHE_MISS, False)
        assert misses == 0
    finally:
        await engine.close()


async def test_sqlite_a_failed_open_leaves_the_file_to_other_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first read locks the file to this process (storage/sqlite.py, VFS); an open that
    # fails after it must let the lock go at once, not when its connection is collected
    # (here the exception, held by pytest.raises, keeps the connection's frame alive).
    path = tmp_path / "failed.sqlite3"

    def migrate(_: SqliteEngine) -> None:
        raise apsw.SQLError("a migration fails")

    monkeypatch.setattr(SqliteEngine, "_migrate", migrate)
    with pytest.raises(StorageError, match="a migration fails") as failed:
        await SqliteEngine.open(str(path))
    other = (
        "import apsw, sys; c = apsw.Connection(sys.argv[1], vfs='unix-excl');"
        " print(c.execute('PRAGMA journal_mode=WAL').fetchone()[0])"
    )
    done = subprocess.run(
        [sys.executable, "-c", other, str(path)], capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stdout.strip()) == (0, "wal"), done.stderr
    del failed  # the failed open's frame was alive until here


def _commits_into(engine: SqliteEngine, events: list[str]) -> None:
    """Each COMMIT of the engine appends "commit" to ``events``."""

    def hook() -> bool:
        events.append("commit")
        return False  # go on with the commit

    engine._conn.set_commit_hook(hook)


def _count_commits(engine: SqliteEngine) -> list[int]:
    commits: list[int] = []

    def hook() -> bool:
        commits.append(1)
        return False  # go on with the commit

    engine._conn.set_commit_hook(hook)
    return commits


async def test_sqlite_concurrent_writes_share_one_commit_and_return_once_committed(
    sqlite_engine: SqliteEngine, tmp_path: Path
) -> None:
    commits = _count_commits(sqlite_engine)
    sqlite_engine.load.requests = range(10)  # others in flight: commits wait for a turn
    await asyncio.gather(*(write_row(sqlite_engine, k) for k in range(10)))
    assert stored_keys(tmp_path / "group.sqlite3") == list(range(10))
    assert len(commits) == 1


async def test_sqlite_a_failing_write_in_a_group_commit_rolls_back_only_its_own_rows(
    sqlite_engine: SqliteEngine, tmp_path: Path
) -> None:
    sqlite_engine.load.requests = range(10)
    results = await asyncio.gather(
        write_row(sqlite_engine, 1),
        write_row(sqlite_engine, 2, fail=True),
        write_row(sqlite_engine, 3),
        write_row(sqlite_engine, 4, fail=True),
        return_exceptions=True,
    )
    assert [type(r) for r in results] == [type(None), RuntimeError, type(None), RuntimeError]
    assert stored_keys(tmp_path / "group.sqlite3") == [1, 3]
    # The first transaction of a group failing leaves nothing open for the next one.
    results = await asyncio.gather(
        write_row(sqlite_engine, 5, fail=True), write_row(sqlite_engine, 6), return_exceptions=True
    )
    assert isinstance(results[0], RuntimeError) and results[1] is None
    assert stored_keys(tmp_path / "group.sqlite3") == [1, 3, 6]


async def test_sqlite_a_failed_group_commit_fails_every_write_in_it(
    sqlite_engine: SqliteEngine, tmp_path: Path
) -> None:
    sqlite_engine._conn.set_commit_hook(lambda: True)  # refuse the commit
    sqlite_engine.load.requests = range(10)
    results = await asyncio.gather(
        *(write_row(sqlite_engine, k) for k in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, StorageError) for r in results), results
    sqlite_engine._conn.set_commit_hook(None)
    assert stored_keys(tmp_path / "group.sqlite3") == []
    await write_row(sqlite_engine, 7)  # and the engine goes on
    assert stored_keys(tmp_path / "group.sqlite3") == [7]


async def test_sqlite_a_read_during_a_group_commit_answers_after_it(
    sqlite_engine: SqliteEngine,
) -> None:
    events: list[str] = []
    _commits_into(sqlite_engine, events)
    sqlite_engine.load.requests = range(10)

    async def read() -> None:
        async with sqlite_engine.reader() as tx:
            assert await tx.fetchval("SELECT COUNT(*) FROM t") == 1  # sees the open write
        events.append("read answered")

    await asyncio.gather(write_row(sqlite_engine, 1), read())
    assert events == ["commit", "read answered"]


async def test_sqlite_a_read_then_a_write_wait_for_one_commit_when_the_api_collects_them(
    sqlite_engine: SqliteEngine,
) -> None:
    """With PENDING_COMMITS set (the API does, per request), a read that saw a group's
    uncommitted write returns at once, and the request's own write joins the same group:
    one COMMIT, waited for once, and the read's pending commit is done with it."""
    events: list[str] = []
    _commits_into(sqlite_engine, events)
    sqlite_engine.load.requests = range(10)

    async def read_thenwrite_row() -> None:
        pending: list[asyncio.Future[None]] = []
        token = PENDING_COMMITS.set(pending)
        try:
            async with sqlite_engine.reader() as tx:
                assert await tx.fetchval("SELECT COUNT(*) FROM t") == 1  # the open write
            events.append("read returned")
            await write_row(sqlite_engine, 2)
            events.append("write returned")
        finally:
            PENDING_COMMITS.reset(token)
        assert len(pending) == 1 and pending[0].done()
        await settle(pending)

    await asyncio.gather(write_row(sqlite_engine, 1), read_thenwrite_row())
    assert events == ["read returned", "commit", "write returned"]


async def test_sqlite_a_collected_commit_that_fails_fails_the_settling(
    sqlite_engine: SqliteEngine,
) -> None:
    sqlite_engine._conn.set_commit_hook(lambda: True)  # refuse the commit
    sqlite_engine.load.requests = range(10)

    async def read() -> list[asyncio.Future[None]]:
        pending: list[asyncio.Future[None]] = []
        token = PENDING_COMMITS.set(pending)
        try:
            for _ in range(2):  # two reads of one group: one COMMIT to wait for, and fail by
                async with sqlite_engine.reader() as tx:
                    await tx.fetchval("SELECT COUNT(*) FROM t")
        finally:
            PENDING_COMMITS.reset(token)
        return pending

    results = await asyncio.gather(write_row(sqlite_engine, 1), read(), return_exceptions=True)
    assert isinstance(results[0], StorageError)
    pending = results[1]
    assert isinstance(pending, list) and len(pending) == 1
    with pytest.raises(StorageError):
        await settle(pending)


async def test_sqlite_an_api_answer_from_a_read_of_an_open_group_waits_for_its_commit(
    tmp_path: Path,
) -> None:
    """Through the app: account_check reads an account imported in a group not yet
    committed; its answer is written only after that COMMIT (the API's ``settle``)."""
    storage = await open_storage(f"sqlite:///{tmp_path / 'api.sqlite3'}")
    app_config = new_app()
    application = create_app(settings_mod.build(apps=(app_config,), data_dir=tmp_path), storage)
    engine = storage.engine
    assert isinstance(engine, SqliteEngine)
    events: list[str] = []
    _commits_into(engine, events)
    engine.load.requests = range(10)
    scope = account_check_scope(app_config)
    answers: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b'{"CheckItem":[{"UserID":"fresh"}]}'}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.body":
            answers.append(message["body"])
            events.append("answered")

    async def import_fresh() -> None:
        async with engine.transaction() as tx:
            await tx.execute(
                "INSERT INTO accounts (sdkappid, user_id, created_at) VALUES ($1, $2, 1)",
                app_config.sdkappid,
                "fresh",
            )

    try:
        await asyncio.gather(import_fresh(), application(scope, receive, send))
    finally:
        await storage.close()
    assert b'"AccountStatus":"Imported"' in answers[0]  # it read the uncommitted row
    assert events == ["commit", "answered"]


async def test_sqlite_a_lone_write_commits_before_its_transaction_returns(
    sqlite_engine: SqliteEngine, tmp_path: Path
) -> None:
    commits = _count_commits(sqlite_engine)
    sqlite_engine.load.requests = range(1)
    for key in range(3):
        await write_row(sqlite_engine, key)
        assert len(commits) == key + 1
    assert stored_keys(tmp_path / "group.sqlite3") == [0, 1, 2]


async def _single(engine: SqliteEngine, key: int) -> None:
    async with engine.single() as tx:
        await tx.execute("INSERT INTO t (k, v) VALUES ($1, $2)", key, "v")


async def test_sqlite_one_statement_writes_share_a_commit_under_load_and_autocommit_alone(
    sqlite_engine: SqliteEngine, tmp_path: Path
) -> None:
    """``single()``: alone, the statement is its own transaction (no BEGIN, no COMMIT
    statement: the cheapest write); among other requests it joins the group commit."""
    commits = _count_commits(sqlite_engine)
    statements: list[str] = []

    def trace(_cursor: object, sql: str, _bindings: object) -> bool:
        statements.append(sql)
        return True  # go on with the statement

    sqlite_engine._conn.exec_trace = trace
    sqlite_engine.load.requests = range(1)
    await _single(sqlite_engine, 1)
    assert len(commits) == 1 and [s.split()[0] for s in statements] == ["INSERT"]
    assert stored_keys(tmp_path / "group.sqlite3") == [1]
    sqlite_engine.load.requests = range(10)
    await asyncio.gather(*(_single(sqlite_engine, k) for k in range(2, 12)))
    assert len(commits) == 2
    assert stored_keys(tmp_path / "group.sqlite3") == list(range(1, 12))
