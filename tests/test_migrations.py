"""Migrations that fill a column for rows already stored must fill it as the code writes it.

008 and 009 store each message's answer JSON (``rendered``) and compute it in SQL for the
messages a database already holds. Here messages are written by the code (sends, a recall, a
modification, awkward CloudCustomData), then the migration's own expression, taken from its
file, is evaluated over those rows: it must give the same JSON as the code stored. 012 gives
each C2C conversation the newest time of its messages, which the code keeps from then on.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import msgspec
import pytest

from c2c_helpers import T0, import_msg
from c2c_helpers import send as send_c2c
from conftest import Client
from group_msg_helpers import make_group
from group_msg_helpers import send as send_group
from opentim.storage import Storage

AWKWARD = ["", "plain", 'quote " and back\\slash', "new\nline\ttab\x01", "中文 🙂", "</script>"]
_EXPRESSION = re.compile(
    r"((?:CAST|convert_to)\(\s*'\{\"From_Account\":.*?(?:AS BLOB|'UTF8')\s*\))", re.DOTALL
)


def _migration(engine: str, migration: str) -> str:
    folder = resources.files("opentim.storage").joinpath("schema", engine)
    [item] = [f for f in folder.iterdir() if f.name.startswith(migration)]
    return item.read_text()


def _expression(engine: str, migration: str) -> str:
    found = _EXPRESSION.search(_migration(engine, migration))
    assert found, f"no rendering expression in migration {migration}"
    return found.group(1)


async def _compare(storage: Storage, migration: str, table: str, key: str, sdkappid: int) -> int:
    expression = _expression(storage.engine.name, migration)
    async with storage.engine.reader() as tx:
        rows = await tx.fetch(
            f"SELECT {key}, rendered, {expression} FROM {table} WHERE sdkappid = $1", sdkappid
        )
    for row_key, stored, migrated in rows:
        assert msgspec.json.decode(bytes(migrated)) == msgspec.json.decode(bytes(stored)), row_key
    return len(rows)


@pytest.mark.parametrize("custom", AWKWARD)
async def test_008_renders_c2c_messages_as_the_code_does(
    api: Client, storage: Storage, custom: str
) -> None:
    await api.accounts("mig_a", "mig_b")
    await send_c2c(api, "mig_a", "mig_b", "first", CloudCustomData=custom)
    recalled = await send_c2c(api, "mig_b", "mig_a", "second", CloudCustomData=custom)
    modified = await send_c2c(api, "mig_a", "mig_b", "third")
    await api.ok(
        "openim/admin_msgwithdraw",
        {"From_Account": "mig_b", "To_Account": "mig_a", "MsgKey": recalled},
    )
    await api.ok(
        "openim/modify_c2c_msg",
        {
            "From_Account": "mig_a",
            "To_Account": "mig_b",
            "MsgKey": modified,
            "MsgBody": [{"MsgType": "TIMCustomElem", "MsgContent": {"Data": custom}}],
            "CloudCustomData": custom,
        },
    )
    assert await _compare(storage, "008", "c2c_messages", "id", api.sdkappid) == 3


@pytest.mark.parametrize("custom", AWKWARD)
async def test_009_renders_group_messages_as_the_code_does(
    api: Client, storage: Storage, custom: str
) -> None:
    group = await make_group(api, "mig_g", owner="mig_o", members=("mig_m",))
    extra: dict[str, Any] = {"CloudCustomData": custom} if custom else {}
    await send_group(api, group, "mig_o", "first", **extra)
    await send_group(api, group, "mig_m", "second", **extra)
    seq = await send_group(api, group, None, "third")
    await api.ok(
        "openim/modify_group_msg",
        {
            "GroupId": group,
            "MsgSeq": seq,
            "MsgBody": [{"MsgType": "TIMCustomElem", "MsgContent": {"Data": custom}}],
        },
    )
    assert await _compare(storage, "009", "group_messages", "seq", api.sdkappid) == 3


async def test_012_gives_each_conversation_its_newest_time_as_the_code_keeps_it(
    api: Client, storage: Storage
) -> None:
    await api.accounts("mig_a", "mig_b", "mig_c")
    await import_msg(api, "mig_a", "mig_b", "late", T0 + 50)
    await send_c2c(api, "mig_b", "mig_a", "now")
    await import_msg(api, "mig_a", "mig_b", "imported after, dated before", T0)
    await import_msg(api, "mig_c", "mig_a", "only", T0 + 7)
    kept_sql = "SELECT user_lo, user_hi, max_time FROM c2c_pairs WHERE sdkappid = $1"
    async with storage.engine.reader() as tx:
        kept = sorted(await tx.fetch(kept_sql, api.sdkappid))
    [update] = re.findall(r"UPDATE c2c_pairs .*?;", _migration(storage.engine.name, "012"), re.S)
    async with storage.engine.transaction() as tx:
        await tx.execute("UPDATE c2c_pairs SET max_time = 0 WHERE sdkappid = $1", api.sdkappid)
        await tx.execute(update.rstrip(";") + " WHERE sdkappid = $1", api.sdkappid)
    async with storage.engine.reader() as tx:
        migrated = sorted(await tx.fetch(kept_sql, api.sdkappid))
    assert [tuple(r) for r in migrated] == [tuple(r) for r in kept]
    assert sorted(r[2] for r in kept)[0] == T0 + 7
