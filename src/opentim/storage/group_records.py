"""What the group message stores take and give: the records, and a message's rendering.

``rendered`` is a message as group_msg_get_simple lists it, stored with the message
(migration 009). Both engines also build the same text in SQL (migration 009, and
``group_history``'s modification); tests/test_migrations.py and test_group_history.py hold
the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec

_encode = msgspec.json.encode


def rendered(
    seq: int,
    sender: str,
    random: int,
    msg_time: int,
    priority: int,
    body: str,
    cloud_custom_data: str,
    is_system: int = 0,
) -> bytes:
    """The message as group_msg_get_simple lists it while not recalled (an ``RspMsgItem``:
    IsSystemMsg only when set, CloudCustomData only when not empty), stored with it so that a
    page reads one column instead of seven. A send renders it here, around a seq that is
    allocated inside the send (``rendered_around_seq``), where SQL would need the row's
    values re-encoded."""
    head, tail = rendered_around_seq(
        sender, random, msg_time, priority, body, cloud_custom_data, is_system
    )
    return b"%s%d%s" % (head, seq, tail)


def rendered_around_seq(
    sender: str,
    random: int,
    msg_time: int,
    priority: int,
    body: str,
    cloud_custom_data: str,
    is_system: int = 0,
) -> tuple[bytes, bytes]:
    """``rendered`` before and after the seq's digits, for a seq the database allocates."""
    system = b',"IsSystemMsg":1' if is_system else b""
    custom = b',"CloudCustomData":' + _encode(cloud_custom_data) if cloud_custom_data else b""
    head = b"".join(
        (
            b'{"From_Account":',
            _encode(sender),
            b',"IsPlaceMsg":0',
            system,
            b',"MsgBody":',
            body.encode(),
            b',"MsgPriority":%d,"MsgRandom":%d,"MsgSeq":' % (priority, random),
        )
    )
    return head, b',"MsgTimeStamp":%d%s}' % (msg_time, custom)


@dataclass(slots=True)
class MemberState:
    role: str
    join_seq: int
    join_time: int
    mute_until: int


@dataclass(slots=True)
class MsgTarget:
    """What the message commands need about a group, one topic and one account — one read.

    ``next_msg_seq``/``last_msg_time`` are those of the topic when one was asked for and
    exists, else the group's. ``member`` is the account's membership; ``conv_cleared_upto``
    its ClearRamble watermark for the conversation (``recentcontact/delete``).
    """

    type: str
    create_time: int
    next_msg_seq: int
    last_msg_time: int
    mute_all_member: str
    support_topic: int
    cleared_upto_seq: int
    topic_found: bool = False
    topic_mute_all: str = "Off"
    member: MemberState | None = None
    conv_cleared_upto: int = 0


@dataclass(slots=True)
class NewMessage:
    sdkappid: int
    group_id: str
    topic_id: str
    from_account: str
    random: int
    msg_time: int
    priority: int
    body: str
    cloud_custom_data: str = ""
    digest: int = 0
    to_accounts: str | None = None
    """Targeted message: JSON array of its recipients; None for the whole group."""
    no_unread: int = 0


@dataclass(slots=True)
class Appended:
    seq: int
    msg_time: int
    duplicate: bool = False


StoredMsg = tuple[int, int, bytes, str | None]
"""One stored message as ``read_range`` returns it, to unpack in this order: seq, recalled,
rendered (see ``rendered``; the content before any recall), to_accounts (a targeted
message's recipients as a JSON array, else None; always None without ``recipients``).

The database's row itself (an asyncpg Record on PostgreSQL, which unpacks alike): a page
of 21 rows spent ~33 µs building a dataclass per row, more than reading the rows."""
