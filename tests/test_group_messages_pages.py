"""group_msg_get_simple's plain pages, read as one row (``read_plain_page``): each page answers
exactly as the row-by-row read does, and only pages with something to decide a row at a time
(holes, recalled or targeted messages, a page cut short) are read row by row. Both engines."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import Client
from group_msg_helpers import CLEAR, RECALL, make_group, pull, send, seqs, sql, texts
from opentim.storage import Storage


async def _history(api: Client, storage: Storage) -> None:
    """Group ``g``: 30 messages from alice and bob; 7 only for bob; 13 recalled; 1, 20 and
    21 gone (holes); cleared up to 3; dave a member from the start, carol joined after 10."""
    await make_group(api, members=("bob", "dave"))
    for i in range(1, 31):
        extra: dict[str, Any] = {"To_Account": ["bob"]} if i == 7 else {}
        content = f"m{i} ✓ 你好 🎉" if i % 4 == 0 else f"m{i}"  # joined as bytes, not text
        await send(api, "g", "alice" if i % 3 else "bob", content, **extra)
        if i == 10:
            await api.accounts("carol")
            body = {"GroupId": "g", "MemberList": [{"Member_Account": "carol"}]}
            await api.ok("group_open_http_svc/add_group_member", body)
    await api.ok(RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 13}]})
    for seq in (1, 20, 21):
        await sql(
            storage,
            "DELETE FROM group_messages WHERE sdkappid = $1 AND group_id = 'g' AND seq = $2",
            api.sdkappid,
            seq,
        )
    await api.ok(CLEAR, {"GroupId": "g", "MsgSeq": 3})


PAGES = [
    (0, 20),
    (0, 5),
    (30, 3),
    (30, 9),
    (30, 10),
    (21, 3),
    (20, 5),
    (19, 5),
    (12, 3),
    (15, 5),
    (14, 1),
    (13, 1),
    (8, 2),
    (6, 20),
    (6, 3),
    (5, 2),
    (4, 1),
    (3, 3),
    (2, 2),
    (1, 1),
    (40, 20),
    (0, 25),
    (25, 30),
]
"""(ReqMsgSeq, ReqMsgNumber): plain runs, and pages that meet a hole, the recalled message,
the targeted one, the clear watermark, carol's join, or the first message."""


@pytest.mark.parametrize("viewer", [None, "alice", "bob", "carol", "dave"])
async def test_every_page_answers_as_the_row_by_row_read(
    api: Client, storage: Storage, monkeypatch: pytest.MonkeyPatch, viewer: str | None
) -> None:
    await _history(api, storage)
    extras: list[dict[str, Any]] = [{}, {"WithRecalledMsg": 1}]
    asked = [{"ReqMsgSeq": s, "ReqMsgNumber": n, **e} for s, n in PAGES for e in extras]
    answers = [await pull(api, "g", viewer, **body) for body in asked]

    async def no_plain_page(*args: Any) -> None:
        return None

    monkeypatch.setattr(storage.group_pages, "read_plain_page", no_plain_page)
    for body, answer in zip(asked, answers, strict=True):
        assert answer == await pull(api, "g", viewer, **body), body


def _count_row_reads(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []
    original = storage.group_pages.read_range

    async def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(1)
        return await original(*args, **kwargs)

    monkeypatch.setattr(storage.group_pages, "read_range", counted)
    return reads


def _taken(reads: list[int]) -> int:
    """How many row reads there were since the last look."""
    count = len(reads)
    reads.clear()
    return count


async def test_a_plain_page_is_one_row_and_the_others_are_read_row_by_row(
    api: Client, storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    await make_group(api, members=("bob", "carol"))
    for i in range(1, 26):
        extra: dict[str, Any] = {"To_Account": ["bob"]} if i == 5 else {}
        await send(api, "g", "alice", f"m{i}", **extra)
    reads = _count_row_reads(storage, monkeypatch)

    newest = await pull(api, "g", "carol")
    assert seqs(newest) == list(range(25, 5, -1)) and newest["IsFinished"] == 1
    assert texts(newest) == [f"m{i}" for i in range(25, 5, -1)]
    first = await pull(api, "g", "carol", ReqMsgSeq=4)  # down to the first message
    assert seqs(first) == [4, 3, 2, 1]
    admin = await pull(api, "g", ReqMsgSeq=6, ReqMsgNumber=3)
    assert seqs(admin) == [6, 5, 4]  # the admin sees 5 like any other message
    assert reads == []

    # a targeted message in a member's page (seen or not), a recalled one, and more than 20
    # asked (whether more remain is looked for): row by row
    assert seqs(await pull(api, "g", "carol", ReqMsgSeq=6, ReqMsgNumber=3)) == [6, 4, 3]
    assert _taken(reads)
    assert seqs(await pull(api, "g", "bob", ReqMsgSeq=6, ReqMsgNumber=3)) == [6, 5, 4]
    assert _taken(reads)
    await api.ok(RECALL, {"GroupId": "g", "MsgSeqList": [{"MsgSeq": 24}]})
    assert seqs(await pull(api, "g")) == [25, *range(23, 4, -1)]
    assert _taken(reads)
    assert seqs(await pull(api, "g", ReqMsgSeq=23)) == list(range(23, 3, -1))
    assert not _taken(reads)
    assert seqs(await pull(api, "g", ReqMsgSeq=23, ReqMsgNumber=21)) == list(range(23, 3, -1))
    assert _taken(reads)
