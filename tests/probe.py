"""Helpers for the tests that are generic over the command table (conventions, authz, fuzz).

``SURFACES`` pairs every command with the API it is reachable on; ``minimal_body`` builds the
smallest body that decodes for a command; ``snapshot`` reads everything one app has stored, so
that a test can assert that a failed call changed nothing; ``work_of`` tells how much of the
database a call walked.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from msgspec import inspect

from opentim.commands import COMMANDS, Command
from opentim.storage import Storage

SURFACES: list[tuple[str, Command]] = [("v4", row) for row in COMMANDS] + [
    ("client", row) for row in COMMANDS if row.users
]
"""(``"v4"`` or ``"client"``, row): every command on the admin API, user commands on both."""


def surface_id(item: tuple[str, Command]) -> str:
    return f"{item[0]}:{item[1].path}"


def url(surface: str, row: Command) -> str:
    return f"/v4/{row.path}" if surface == "v4" else f"/client/v1/{row.path}"


def sample(t: inspect.Type) -> Any:
    """A value of type ``t`` that decodes (required parts only)."""
    if isinstance(t, inspect.StrType):
        return "x" * max(t.min_length or 1, 1)
    if isinstance(t, inspect.BoolType):
        return False
    if isinstance(t, inspect.IntType):
        return t.ge if t.ge is not None else (t.gt + 1 if t.gt is not None else 1)
    if isinstance(t, inspect.FloatType):
        return 1.0
    if isinstance(t, inspect.ListType | inspect.SetType | inspect.VarTupleType):
        return []
    if isinstance(t, inspect.DictType | inspect.AnyType | inspect.RawType):
        return {}
    if isinstance(t, inspect.LiteralType):
        return t.values[0]
    if isinstance(t, inspect.StructType):
        return struct_body(t)
    if isinstance(t, inspect.UnionType):
        usable = [x for x in t.types if not isinstance(x, inspect.NoneType)]
        return sample(usable[0]) if usable else None
    if isinstance(t, inspect.NoneType):
        return None
    raise TypeError(f"no sample for {t!r}")


def struct_body(t: inspect.StructType) -> dict[str, Any]:
    return {f.encode_name: sample(f.type) for f in t.fields if f.required}


def minimal_body(row: Command) -> dict[str, Any]:
    """The smallest JSON object that decodes into ``row.request`` (values are placeholders)."""
    t = inspect.type_info(row.request)
    assert isinstance(t, inspect.StructType)
    body = struct_body(t)
    msgspec.json.Decoder(row.request).decode(msgspec.json.encode(body))  # it must decode
    return body


def wire_name(row: Command, attr: str) -> str:
    """The wire name of the request attribute ``attr``."""
    for f in msgspec.structs.fields(row.request):
        if f.name == attr:
            return f.encode_name
    raise KeyError(attr)


def wire_fields(row: Command) -> dict[str, inspect.Type]:
    t = inspect.type_info(row.request)
    assert isinstance(t, inspect.StructType)
    return {f.encode_name: f.type for f in t.fields}


async def _tables(storage: Storage) -> list[str]:
    async with storage.engine.reader() as tx:
        if storage.engine.name == "sqlite":
            rows = await tx.fetch(
                "SELECT m.name FROM sqlite_master m WHERE m.type = 'table'"
                " AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'sdkappid')"
            )
        else:
            rows = await tx.fetch(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = 'public' AND column_name = 'sdkappid'"
            )
    return sorted(str(r[0]) for r in rows)


async def snapshot(storage: Storage, sdkappid: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row of one app, table by table, in a stable order."""
    state: dict[str, list[tuple[Any, ...]]] = {}
    for table in await _tables(storage):
        async with storage.engine.reader() as tx:
            rows = await tx.fetch(f"SELECT * FROM {table} WHERE sdkappid = $1", sdkappid)
        state[table] = sorted((tuple(r) for r in rows), key=repr)
    return state


async def work_of(storage: Storage, call: Callable[[], Awaitable[object]]) -> int:
    """How much of the database ``call`` walks: on SQLite the steps of its virtual machine, on
    PostgreSQL the pages its reads touched (``EXPLAIN (ANALYZE, BUFFERS)`` of each SELECT;
    rows an index condition passes over are not counted as rows there). Counts, not times;
    comparable between two calls on one engine only."""
    engine = storage.engine
    if engine.name == "sqlite":
        steps = 0

        def step() -> bool:
            nonlocal steps
            steps += 1
            return False  # go on

        engine._conn.set_progress_handler(step, 1)  # type: ignore[attr-defined]
        try:
            await call()
        finally:
            engine._conn.set_progress_handler(None)  # type: ignore[attr-defined]
        return steps
    from opentim.storage import postgres

    pages = 0
    reads = {name: getattr(postgres._Tx, name) for name in ("fetch", "fetchrow", "fetchval")}

    def explained(read: Any) -> Any:
        async def run(tx: Any, sql: str, *args: Any) -> Any:
            nonlocal pages
            if sql.lstrip().upper().startswith("SELECT"):  # EXPLAIN ANALYZE runs what it explains
                explain = f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}"
                plan = json.loads(await tx._conn.fetchval(explain, *args))[0]["Plan"]
                pages += plan["Shared Hit Blocks"] + plan["Shared Read Blocks"]
            return await read(tx, sql, *args)

        return run

    for name, read in reads.items():
        setattr(postgres._Tx, name, explained(read))
    try:
        await call()
    finally:
        for name, read in reads.items():
            setattr(postgres._Tx, name, read)
    return pages
