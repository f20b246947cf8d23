"""The embedded engine: SQLite in WAL mode, through APSW.

One connection serves the requests, used inline on the event loop: a statement takes
microseconds, far less than handing it to a thread (aiosqlite measured 9-25x slower). Because
no statement suspends, a transaction runs start to end without another task interleaving; the
lock only guards against a transaction that would await something else while open.

APSW rather than the standard library's ``sqlite3``: it brings its own, current SQLite, which
this module configures for how OpenTIM uses it — no connection is ever used by two threads at
once (the event loop's, and the checkpointer's own), so SQLite's per-call mutexes are off, and
so is its memory accounting. A send's transaction costs about a third fewer instructions
(bench/RESULTS.md). Nothing else in the process may open the database file through another
copy of SQLite: POSIX locks are per process, and one copy closing the file would drop the
other's locks (https://sqlite.org/howtocorrupt.html#multiple_copies_of_sqlite_linked_into_the_same_application).

Durability: ``synchronous=NORMAL`` in WAL mode — a committed transaction survives a crash of
the server process; a power loss may lose the last commits (``OPENTIM_SQLITE_SYNC=FULL``-style
settings are a later option). The WAL is copied into the database file by a thread of its
own (``sqlite_wal.Checkpointer``), never inside a COMMIT.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import apsw

from opentim.storage.engine import (
    PENDING_COMMITS,
    Conflict,
    InvalidValue,
    Load,
    Row,
    StorageError,
    StorageUnavailable,
)
from opentim.storage.sqlite_wal import Checkpointer

_PLACEHOLDER = re.compile(r"\$(\d+)")

VFS = "unix-excl"
"""SQLite's unix file layer in its one-process form: the first read locks the whole file to
this process, and the WAL's index lives in this process's memory rather than in a ``-shm``
file mapped by every process. The engine's connections then take their locks in memory: no
``fcntl`` call per transaction (4-5 a send, 2 a read) and no shared mapping to write through.
Server CPU per request 3-4% lower on sends and reads (bench/RESULTS.md). Another process
(a second ``opentim serve``, the ``sqlite3`` shell) cannot open the file while the server runs:
``open`` fails at once, as several processes on one SQLite file are not supported anyway."""


CACHE_KIB = 16_384
"""The event loop's connection keeps up to this many KiB of database pages (SQLite's default:
2,000). At the default, 100-group sends read back 2-3 pages a send from the WAL file (B-tree
leaves of the groups' messages and their indexes that had dropped out of the cache): 7% of the
event loop's CPU in ``pread``, 8-9% more sends/s at 16 MiB. Not more: on a file under 1 GiB,
every COMMIT after a B-tree split walks the whole cache (a split renumbers the pages it moves
through the page number just past 1 GiB, and the COMMIT cuts the cache back to the file's
length), so at 64 MiB the saving went back into that walk (bench/RESULTS.md). The cache
fills only as pages are read; the checkpointer's connection copies WAL frames and needs none
of its own."""


def _configure() -> None:
    """Multi-thread mode (a connection is never shared between threads at once, so SQLite
    need not lock around every call) and no memory accounting (a mutex on every allocation).
    Both must be set before SQLite initialises: once, before the process's first connection."""
    apsw.shutdown()
    apsw.config(apsw.SQLITE_CONFIG_MULTITHREAD)
    apsw.config(apsw.SQLITE_CONFIG_MEMSTATUS, 0)
    apsw.initialize()


_configure()

_UNAVAILABLE = (
    apsw.BusyError,
    apsw.LockedError,
    apsw.IOError,
    apsw.FullError,
    apsw.CantOpenError,
    apsw.ReadOnlyError,
    apsw.ProtocolError,
    apsw.SQLError,
)
"""Errors of the database's state or of its file, as the standard library's OperationalError."""


def _translate(exc: Exception) -> StorageError:
    if isinstance(exc, OverflowError | InvalidValue):
        return InvalidValue(str(exc))
    if isinstance(exc, apsw.ConstraintError):
        return Conflict(str(exc))
    if isinstance(exc, _UNAVAILABLE):
        return StorageUnavailable(str(exc))
    return StorageError(str(exc))


_ERRORS = (apsw.Error, OverflowError, InvalidValue)
"""What a statement may raise: driver errors, and integers SQLite cannot hold (OverflowError)."""


def _check(args: Sequence[Any]) -> Sequence[Any]:
    """Refuse text with NUL as PostgreSQL does, so that both engines accept the same values."""
    for arg in args:
        if isinstance(arg, str) and "\x00" in arg:
            raise InvalidValue("text contains NUL")
    return args


class _Tx:
    __slots__ = ("_conn", "_sql")

    def __init__(self, conn: apsw.Connection, sql_cache: dict[str, str]) -> None:
        self._conn = conn
        self._sql = sql_cache

    def _q(self, sql: str) -> str:
        translated = self._sql.get(sql)
        if translated is None:
            translated = self._sql[sql] = _PLACEHOLDER.sub(r"?\1", sql)
        return translated

    async def execute(self, sql: str, *args: Any) -> int:
        conn = self._conn
        try:
            conn.execute(self._q(sql), _check(args))
        except _ERRORS as exc:
            raise _translate(exc) from exc
        return conn.changes()

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        try:
            self._conn.executemany(self._q(sql), [_check(r) for r in rows])
        except _ERRORS as exc:
            raise _translate(exc) from exc

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        try:
            # APSW's rows are tuples, which are Rows; mypy sees list's invariance only.
            rows: list[Row] = self._conn.execute(self._q(sql), _check(args)).fetchall()  # type: ignore[assignment]
            return rows
        except _ERRORS as exc:
            raise _translate(exc) from exc

    async def fetchrow(self, sql: str, *args: Any) -> Row | None:
        try:
            row: Row | None = self._conn.execute(self._q(sql), _check(args)).fetchone()
            return row
        except _ERRORS as exc:
            raise _translate(exc) from exc

    async def fetchval(self, sql: str, *args: Any) -> Any:
        try:
            row = self._conn.execute(self._q(sql), _check(args)).fetchone()
        except _ERRORS as exc:
            raise _translate(exc) from exc
        return None if row is None else row[0]


class _Reader:
    """``async with engine.reader() as tx``: the connection, under the engine's lock.

    Statements that run while a group commit is open see its writes, so the answer waits
    for that commit (and fails with it): nothing answered rests on an uncommitted write."""

    __slots__ = ("_engine",)

    def __init__(self, engine: SqliteEngine) -> None:
        self._engine = engine

    async def __aenter__(self) -> _Tx:
        await self._engine._lock.acquire()
        return self._engine._tx

    async def __aexit__(self, *exc_info: object) -> None:
        engine = self._engine
        batch = engine._batch
        engine._lock.release()
        if batch is not None:
            pending = PENDING_COMMITS.get()
            if pending is None:
                await engine.commit_of(batch)
            elif not pending or pending[-1] not in batch:  # one wait a group, however many reads
                pending.append(engine.commit_of(batch))


class _Transaction:
    """``async with engine.transaction() as tx``: a transaction under the engine's lock that
    commits on exit (exit returns once committed) and rolls back its own writes on an
    exception (cancellation included).

    Group commit: while other requests are in flight (``Load``), the transaction that begins
    (BEGIN IMMEDIATE) leaves the COMMIT to the next turn of the event loop, and those that run
    before it join as savepoints. Concurrent writes then share one commit: the pages they touch
    in common (a group's row, index leaves) go to the WAL once, in fewer system calls
    (bench/RESULTS.md). Each request is answered only after the COMMIT, so an acknowledged
    write is as durable as before; a lone request commits at once, as it always did."""

    __slots__ = ("_engine",)

    def __init__(self, engine: SqliteEngine) -> None:
        self._engine = engine

    async def __aenter__(self) -> _Tx:
        engine = self._engine
        while engine._writes_held is not None:  # the checkpointer is catching up
            await engine._writes_held.wait()
        await engine._lock.acquire()
        try:
            if engine._batch is None:
                engine._conn.execute("BEGIN IMMEDIATE")
                engine._owner = True
                if len(engine.load.requests) > 1:
                    batch: list[asyncio.Future[None]] = []
                    engine._batch = batch
                    engine._loop.call_soon(engine._commit, batch)
            else:
                engine._conn.execute("SAVEPOINT tx")
                engine._owner = False
        except apsw.Error as exc:
            engine._lock.release()
            raise _translate(exc) from exc
        return engine._tx

    async def __aexit__(self, exc_type: type[BaseException] | None, *exc_info: object) -> None:
        engine = self._engine
        conn = engine._conn
        batch = engine._batch
        try:
            if exc_type is not None:
                if engine._owner:  # nobody has joined yet: the whole transaction is ours
                    engine._batch = None
                    conn.execute("ROLLBACK")
                else:
                    conn.execute("ROLLBACK TO tx")
                    conn.execute("RELEASE tx")
                return
            if batch is None:  # alone: commit now
                try:
                    conn.execute("COMMIT")
                except apsw.Error as exc:
                    conn.execute("ROLLBACK")
                    raise _translate(exc) from exc
                return
            if not engine._owner:
                conn.execute("RELEASE tx")
        finally:
            engine._lock.release()
        await engine.commit_of(batch)


class SqliteEngine:
    name = "sqlite"

    def __init__(self, conn: apsw.Connection) -> None:
        self._conn = conn
        self._loop = asyncio.get_running_loop()
        """The loop the engine serves (as its lock does): ``asyncio.get_running_loop()``
        asks the kernel for the process id on each call, a system call (1.3 a send)."""
        self._lock = asyncio.Lock()
        self._tx = _Tx(conn, {})
        # Plain classes rather than @asynccontextmanager: they are entered on every request,
        # and a generator-based context manager cost 1.5 us more per use (bench/RESULTS.md).
        self._transaction = _Transaction(self)
        self._reader = _Reader(self)
        self._checkpointer: Checkpointer | None = None
        self.load = Load()
        self._batch: list[asyncio.Future[None]] | None = None
        """The open group commit: a future per request waiting for its COMMIT."""
        self._owner = False
        """Whether the transaction under the lock is the one that began."""
        self._writes_held: asyncio.Event | None = None
        """Set while the checkpointer catches up: new write transactions wait for it."""
        self._held_for: threading.Event | None = None
        """The event of the catch-up that holds writes now, set once none is open."""
        self.wal_frames = 0
        """The WAL's length in frames after the last COMMIT (SQLite's WAL hook)."""

    @classmethod
    async def open(cls, path: str) -> SqliteEngine:
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn: apsw.Connection | None = None
        try:
            # Rows are plain tuples; the stores index them by position only. APSW's statement
            # cache is a ring scanned on every execution: a statement stays prepared while it
            # recurs within that many executions (~20 requests), and each lookup costs in
            # proportion to the ring (1,024 entries: 15k instructions more per send than 128).
            # Outside BEGIN, the connection is in autocommit mode.
            conn = apsw.Connection(path, statementcachesize=128, vfs=VFS)
            # One plan per statement, whatever its bound values: without this, a database with
            # statistics (ANALYZE) has SQLite plan a statement again each time a value it
            # planned by changes — every request; 1.5-2x the instructions of a read.
            conn.config(apsw.SQLITE_DBCONFIG_ENABLE_QPSG, 1)
            conn.execute("PRAGMA journal_mode=WAL")  # the first read: the file is ours now
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA busy_timeout=5000")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
            engine = cls(conn)
            engine._migrate()
            if path != ":memory:":
                # In place of SQLite's own checkpoint inside the COMMIT that crosses 1,000
                # frames: the checkpointer's thread does it, told the WAL's length by the hook.
                conn.set_wal_hook(engine._wal_committed)
                engine._checkpointer = Checkpointer(path, engine, VFS)
        except apsw.Error as exc:
            if conn is not None:  # else it would keep the file locked until collected
                conn.close()
            if isinstance(exc, apsw.BusyError):
                raise StorageUnavailable(
                    f"{path} is in use by another process: a SQLite database is served by one"
                    " OpenTIM process (several processes share PostgreSQL)"
                ) from exc
            raise _translate(exc) from exc
        return engine

    def _migrate(self) -> None:
        conn = self._conn
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)")
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        folder = resources.files("opentim.storage").joinpath("schema", "sqlite")
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            version = int(item.name.split("_", 1)[0])
            if version in done or not item.name.endswith(".sql"):
                continue
            script = conn.execute(
                f"BEGIN IMMEDIATE;\n{item.read_text()}\n"
                f"INSERT OR IGNORE INTO schema_migrations VALUES ({version});\nCOMMIT;"
            )
            for _ in script:  # a statement that returns rows pauses the script until read
                pass

    def transaction(self) -> _Transaction:
        return self._transaction

    def _wal_committed(self, _conn: apsw.Connection, _name: str, frames: int) -> int:
        self.wal_frames = frames
        return apsw.SQLITE_OK

    def _commit(self, batch: list[asyncio.Future[None]]) -> None:
        """COMMIT the group ``batch`` and wake its requests, once no transaction is open."""
        if self._batch is not batch:
            return  # rolled back by the transaction that began it
        if self._lock.locked():  # a transaction awaits something mid-way: after it
            self._loop.call_soon(self._commit, batch)
            return
        self._batch = None
        error: StorageError | None = None
        try:
            self._conn.execute("COMMIT")
        except apsw.Error as exc:
            error = _translate(exc)
            with contextlib.suppress(apsw.Error):
                self._conn.execute("ROLLBACK")
        for done in batch:
            if done.done():
                continue  # its request was cancelled
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)

    def commit_of(self, batch: list[asyncio.Future[None]]) -> asyncio.Future[None]:
        """A future done at the COMMIT of ``batch`` (failed with its error if it fails)."""
        done: asyncio.Future[None] = self._loop.create_future()
        batch.append(done)
        return done

    def reader(self) -> _Reader:
        return self._reader

    def hold_writes(self, held: threading.Event) -> None:
        """Have new write transactions wait, and set ``held`` once none is open (the
        checkpointer's catch-up; on the event loop). A lone request's single-statement write
        (``single()``) does not wait: should it land meanwhile, the WAL starts over at a later
        catch-up instead."""
        if self._writes_held is None:
            self._writes_held = asyncio.Event()
        self._held_for = held
        self._when_no_write(held)

    def _when_no_write(self, held: threading.Event) -> None:
        if self._held_for is not held:
            return  # released meanwhile
        if self._batch is None and not self._lock.locked():
            held.set()
        else:  # the open group commits on a coming turn of the loop
            self._loop.call_soon(self._when_no_write, held)

    def release_writes(self, held: threading.Event) -> None:
        """Let the write transactions that wait for ``held``'s catch-up go on."""
        if self._held_for is not held:
            return
        self._held_for = None
        gate, self._writes_held = self._writes_held, None
        if gate is not None:
            gate.set()

    def single(self) -> _Reader | _Transaction:
        """Alone, the statement commits by itself (the connection is in autocommit mode
        outside ``transaction()``): the cheapest write. While other requests are in flight it
        runs as a transaction instead, which opens or joins a group commit: in autocommit each
        such write was a COMMIT and its WAL writes of its own (clear_group_msg under load:
        kernel CPU per request 12 → 21 µs, bench/RESULTS.md)."""
        return self._transaction if len(self.load.requests) > 1 else self._reader

    async def close(self) -> None:
        if self._batch is not None:
            self._commit(self._batch)
        if self._checkpointer is not None:
            self._checkpointer.close()
            self._checkpointer = None
        self._conn.close()
