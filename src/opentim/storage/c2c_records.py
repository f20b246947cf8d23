"""What the one-to-one message store takes and gives: conversation keys, messages, outcomes.

The store itself, and how a conversation's messages are kept, is ``storage/c2c.py``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from opentim.storage.engine import Row

UNREAD_CAP = 250
"""Unread messages counted per conversation; later ones are stored but not counted."""

MsgKey = tuple[int, int, int]
"""(MsgSeq, MsgRandom, MsgTime): the parts of ``"<MsgSeq>_<MsgRandom>_<MsgTime>"``."""


def pair(a: str, b: str) -> tuple[str, str]:
    """The conversation key of two UserIDs: (lower, higher) in code-point order."""
    return (a, b) if a <= b else (b, a)


class Dedup(enum.Enum):
    SEND = "send"
    """sendmsg: same sender, MsgSeq, MsgRandom and content within ``SEND_DEDUP_SECONDS``."""
    IMPORT = "import"
    """importmsg: same MsgSeq, MsgRandom and MsgTime in the conversation, whatever the content."""


SEND_DEDUP_SECONDS = 120


@dataclass(slots=True)
class NewMessage:
    from_account: str
    to_account: str
    msg_seq: int
    msg_random: int
    msg_time: int
    msg_id: str
    body: str
    rendered: bytes
    """The message as ``history`` is to return it."""
    cloud_custom_data: str = ""
    digest: int = 0
    counts_unread: bool = True
    sender_sees: bool = True
    """False for SyncOtherMachine 2: absent from the sender's view."""
    sender_entry: bool = True
    """Create/update the sender's conversation entry."""
    recipient_entry: bool = True
    """Create/update the recipient's conversation entry."""


@dataclass(frozen=True, slots=True)
class Stored:
    """The identity of a stored message (for a duplicate: the original's)."""

    msg_seq: int
    msg_random: int
    msg_time: int
    msg_id: str
    duplicate: bool = False


HistoryRow = Row
"""(rendered,): a message's stored rendering, its item of admin_getroammsg's MsgList."""

Render = Callable[[str, str], bytes]
"""The rendering of a message given its MsgBody and CloudCustomData (modify)."""


class Change(enum.Enum):
    OK = "ok"
    NOT_FOUND = "not found"
    RECALLED = "recalled"
