"""The production engine: PostgreSQL through an asyncpg connection pool.

Several OpenTIM processes may share one database: every invariant the stores rely on (seq
allocation, de-duplication) is enforced by row locks taken inside one transaction, never by
process memory. Migrations run under an advisory lock so that processes starting together
apply each one once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib import resources
from typing import Any

import asyncpg

from opentim.storage.engine import (
    Conflict,
    InvalidValue,
    Load,
    Row,
    StorageError,
    StorageUnavailable,
)

_MIGRATION_LOCK = 0x0_7E_17  # any constant shared by every OpenTIM process
_COMMAND_TIMEOUT = 10.0
_CONNECT_TIMEOUT = 5.0


def _translate(exc: BaseException) -> StorageError:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return Conflict(str(exc))
    if isinstance(exc, asyncpg.DataError):  # out-of-range number, NUL in text, ...
        return InvalidValue(str(exc))
    if isinstance(
        exc,
        asyncpg.PostgresConnectionError
        | asyncpg.InterfaceError
        | asyncpg.CannotConnectNowError
        | asyncpg.AdminShutdownError
        | OSError
        | asyncio.TimeoutError,
    ):
        return StorageUnavailable(str(exc) or type(exc).__name__)
    return StorageError(str(exc))


_FOREIGN = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, asyncio.TimeoutError)


class _Tx:
    __slots__ = ("_conn",)

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn

    async def execute(self, sql: str, *args: Any) -> int:
        try:
            status: str = await self._conn.execute(sql, *args)
        except _FOREIGN as exc:
            raise _translate(exc) from exc
        tail = status.rsplit(" ", 1)[-1]
        return int(tail) if tail.isdigit() else 0

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            await self._conn.executemany(sql, rows)
        except _FOREIGN as exc:
            raise _translate(exc) from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            rows: list[Row] = await self._conn.fetch(sql, *args)
            return rows
        except _FOREIGN as exc:
            raise _translate(exc) from exc

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        try:
            row: Row | None = await self._conn.fetchrow(sql, *args)
            return row
        except _FOREIGN as exc:
            raise _translate(exc) from exc

    async def fetchval(self, sql: str, *args: Any) -> Any:
        try:
            return await self._conn.fetchval(sql, *args)
        except _FOREIGN as exc:
            raise _translate(exc) from exc


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Release a connection to the pool without asyncpg's reset query (advisory unlock, CLOSE
    ALL, UNLISTEN, RESET ALL): one more round trip on every release, a fifth of the CPU of a
    light request (bench/RESULTS.md). The stores set no session state, and an open transaction
    is still rolled back by the pool before this runs."""


class PostgresEngine:
    name = "postgres"

    def __init__(self, pool: asyncpg.Pool, size: int) -> None:
        self.load = Load()  # unused: each transaction commits itself, as PostgreSQL batches fsyncs
        self._pool = pool
        self._turns = asyncio.Semaphore(size)

    @classmethod
    async def open(cls, dsn: str, min_size: int = 2, max_size: int = 10) -> PostgresEngine:
        try:
            pool = await asyncpg.create_pool(
                dsn,
                min_size=min_size,
                max_size=max_size,
                timeout=_CONNECT_TIMEOUT,
                command_timeout=_COMMAND_TIMEOUT,
                reset=_keep_session,
            )
            engine = cls(pool, max_size)
            await engine._migrate()
        except _FOREIGN as exc:
            raise _translate(exc) from exc
        return engine

    async def _migrate(self) -> None:
        folder = resources.files("opentim.storage").joinpath("schema", "postgres")
        async with self._pool.acquire() as conn:
            await conn.execute("SELECT pg_advisory_lock($1)", _MIGRATION_LOCK)
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)"
                )
                done = {r[0] for r in await conn.fetch("SELECT version FROM schema_migrations")}
                for item in sorted(folder.iterdir(), key=lambda p: p.name):
                    version = int(item.name.split("_", 1)[0])
                    if version in done or not item.name.endswith(".sql"):
                        continue
                    async with conn.transaction():
                        await conn.execute(item.read_text())
                        await conn.execute("INSERT INTO schema_migrations VALUES ($1)", version)
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", _MIGRATION_LOCK)

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[None]:
        """Wait for a pool connection in arrival order.

        asyncpg's pool gives a released connection to whichever task asks next, and a woken
        waiter that loses that race queues again at the back: at 64 concurrent requests on 10
        connections some waited 100+ ms (p99 130 ms against a p50 of 10 ms, bench/RESULTS.md).
        A first-come-first-served semaphore as large as the pool keeps the queue fair, and
        bounds the wait: the pool is then asked without a timeout, which asyncpg implements
        with an extra task per acquisition.
        """
        if self._turns.locked():
            async with asyncio.timeout(_CONNECT_TIMEOUT):
                await self._turns.acquire()
        else:
            await self._turns.acquire()
        try:
            yield
        finally:
            self._turns.release()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[_Tx]:
        try:
            async with (
                self._turn(),
                self._pool.acquire() as conn,
                conn.transaction(),
            ):
                yield _Tx(conn)
        except _FOREIGN as exc:
            raise _translate(exc) from exc

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[_Tx]:
        try:
            async with self._turn(), self._pool.acquire() as conn:
                yield _Tx(conn)
        except _FOREIGN as exc:
            raise _translate(exc) from exc

    def single(self) -> AbstractAsyncContextManager[_Tx]:
        return self.reader()  # outside a transaction block each statement commits by itself

    async def close(self) -> None:
        await self._pool.close()
