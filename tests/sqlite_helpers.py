"""Helpers of the SQLite engine's tests: a table ``t (k, v)`` (the ``sqlite_engine`` fixture in
``conftest.py`` creates it), a write into it, and what another connection sees of it."""

from __future__ import annotations

from pathlib import Path

import apsw

from opentim.storage.sqlite import SqliteEngine


async def write_row(engine: SqliteEngine, key: int, fail: bool = False) -> None:
    async with engine.transaction() as tx:
        await tx.execute("INSERT INTO t (k, v) VALUES ($1, $2)", key, "v")
        if fail:
            raise RuntimeError("this transaction fails")


def stored_keys(path: Path) -> list[int]:
    """The keys of ``t`` that another connection sees: only what was committed."""
    conn = apsw.Connection(str(path), flags=apsw.SQLITE_OPEN_READONLY)
    try:
        return [row[0] for row in conn.execute("SELECT k FROM t ORDER BY k")]
    finally:
        conn.close()
