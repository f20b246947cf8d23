"""What the stores need from a database engine, and the storage errors.

Every store writes its SQL once, with ``$1``-style placeholders; the engine classes
(``sqlite.py``, ``postgres.py``) own everything that differs between databases: connecting,
transactions, placeholder style, schema files and the translation of driver exceptions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence, Sized
from contextlib import AbstractAsyncContextManager
from contextvars import ContextVar
from typing import Any, Protocol

Row = Sequence[Any]
"""A result row, read by position: a plain tuple on SQLite, an asyncpg Record on PostgreSQL
(both unpack and compare like tuples)."""


class StorageError(Exception):
    """A storage operation failed; services answer with the module's internal-error code."""


class StorageUnavailable(StorageError):
    """The database cannot be reached or did not answer in time."""


class InvalidValue(StorageError):
    """A value the database cannot hold (an integer beyond 64 bits, text with NUL): bad input."""


class Conflict(StorageError):
    """A uniqueness rule of the schema refused the write."""


class Load:
    """What the server is answering now, for an engine that may hold a write's COMMIT for a
    moment to share it with other requests (SQLite's group commit); a lone request commits
    at once.

    ``requests`` holds one item per request in flight: under ``opentim serve``, uvicorn's own
    set of request tasks, which the protocol passes on in the scope (``opentim.protocol``);
    empty when the app is driven otherwise (in-process tests, benchmarks)."""

    __slots__ = ("requests",)

    def __init__(self) -> None:
        self.requests: Sized = ()


PENDING_COMMITS: ContextVar[list[asyncio.Future[None]] | None] = ContextVar(
    "opentim_pending_commits", default=None
)
"""The COMMITs the request being answered must wait for, when its API call collects them.

An engine that holds a COMMIT back (SQLite's group commit) lets a read that saw a group's
uncommitted writes return at once and puts the group's COMMIT here; the API waits for them
all (``settle``) before it answers, so no answer rests on an uncommitted write. A request
that reads, then writes, then waits for its own write's COMMIT finds the earlier group's
already done: one wait instead of two. Without a list set, a read waits by itself."""


async def settle(pending: list[asyncio.Future[None]]) -> None:
    """Wait for the COMMITs in ``pending``; one that failed raises its ``StorageError``."""
    for commit in pending:
        await commit


class Tx(Protocol):
    """One open transaction (or, outside ``transaction()``, one autocommit read)."""

    async def execute(self, sql: str, *args: Any) -> int:
        """Run a statement; return the number of rows it changed."""

    async def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def fetchrow(self, sql: str, *args: Any) -> Row | None: ...

    async def fetchval(self, sql: str, *args: Any) -> Any:
        """The first column of the first row, or ``None`` when there is no row."""


class Engine(Protocol):
    name: str
    load: Load

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A transaction that commits on exit and rolls back on an exception."""

    def reader(self) -> AbstractAsyncContextManager[Tx]:
        """A connection for reads that need no transaction."""

    def single(self) -> AbstractAsyncContextManager[Tx]:
        """A connection for one write statement, atomic by itself (autocommit): no BEGIN and
        COMMIT around it, which cost a SQLite write ~20% (54k → 42k instructions) and two
        round trips on PostgreSQL. (SQLite runs it in a group commit when other requests are
        in flight.) Anything that must see or change more than one statement atomically uses
        ``transaction()``."""

    async def close(self) -> None: ...
