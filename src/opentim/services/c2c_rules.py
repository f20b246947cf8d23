"""Rules shared by the C2C commands: MsgKey, uint32 fields, MsgBody and size checks, accounts."""

from __future__ import annotations

import secrets
import zlib

import msgspec

from opentim.context import Ctx
from opentim.errors import ApiError, Code
from opentim.services.msgbody import BodyError, BodyProblem, check_msg_body
from opentim.storage.c2c_records import MsgKey
from opentim.wire.c2c import RoamMsg
from opentim.wire.common import UNSET, Raw, UnsetType

UINT32_MAX = 2**32 - 1
MAX_CONTENT_BYTES = 8000
MAX_REQUEST_BYTES = 12 * 1024
MAX_LIFE_TIME = 7 * 86400


def msg_key(seq: int, random: int, msg_time: int) -> str:
    """``"<MsgSeq>_<MsgRandom>_<MsgTime>"`` in decimal, the form of every documented sample."""
    return f"{seq}_{random}_{msg_time}"


def parse_msg_key(text: str) -> MsgKey:
    """(MsgSeq, MsgRandom, MsgTime) of a MsgKey; 90054 when it is not of that form."""
    parts = text.split("_")
    if len(parts) != 3 or not all(p.isdigit() and p.isascii() for p in parts):
        raise ApiError(Code.IM_INVALID_MSGKEY, f"invalid MsgKey {text[:60]!r}")
    seq, random, msg_time = (int(p) for p in parts)
    if max(seq, random, msg_time) > UINT32_MAX:
        raise ApiError(Code.IM_INVALID_MSGKEY, f"invalid MsgKey {text[:60]!r}")
    return seq, random, msg_time


RECALLED = 8
"""MsgFlagBits of a recalled message."""
_ENCODE = msgspec.json.Encoder().encode


def rendered(sender: str, recipient: str, key: MsgKey, body: str, cloud_custom_data: str) -> bytes:
    """The message as admin_getroammsg lists it (a ``RoamMsg``), stored with the message."""
    return _roam_msg(sender, recipient, key, 0, body.encode(), cloud_custom_data)


def tombstone(sender: str, recipient: str, key: MsgKey) -> bytes:
    """A recalled message as admin_getroammsg lists it: MsgFlagBits 8, empty MsgBody and
    CloudCustomData."""
    return _roam_msg(sender, recipient, key, RECALLED, b"[]", "")


def _roam_msg(
    sender: str, recipient: str, key: MsgKey, flag_bits: int, body: bytes, cloud_custom_data: str
) -> bytes:
    seq, random, msg_time = key
    return _ENCODE(
        RoamMsg(
            from_account=sender,
            to_account=recipient,
            msg_seq=seq,
            msg_random=random,
            msg_time_stamp=msg_time,
            msg_flag_bits=flag_bits,
            is_peer_read=0,
            msg_key=msg_key(seq, random, msg_time),
            msg_body=Raw(body),
            cloud_custom_data=cloud_custom_data,
        )
    )


def new_msg_id(msg_time: int) -> str:
    """MsgId: its format is undocumented; unique, opaque, under 50 characters."""
    return f"C2C-{msg_time}-{secrets.token_hex(8)}"


def uint32(value: int, code: Code) -> int:
    if not 0 <= value <= UINT32_MAX:
        raise ApiError(code, f"value {value} is not a 32-bit unsigned integer")
    return value


def msg_seq(value: int | UnsetType) -> int:
    """The caller's MsgSeq, or a random one when omitted (MsgSeq is not unique in C2C)."""
    if value is UNSET:
        return secrets.randbelow(UINT32_MAX) + 1
    return uint32(value, Code.IM_MSG_SEQ)


def life_time(value: int | UnsetType) -> int:
    """MsgLifeTime: negative → 90044; above 7 days clamped to 7 days (docs/decisions.md)."""
    if value is UNSET:
        return MAX_LIFE_TIME
    if value < 0:
        raise ApiError(Code.IM_MSG_LIFETIME, "MsgLifeTime must not be negative")
    return min(value, MAX_LIFE_TIME)


def sync_other_machine(value: int | UnsetType) -> int:
    """1 or 2 (0 and absent mean the default); anything else is 90031."""
    if value is UNSET:
        return 0
    if value not in (0, 1, 2):
        raise ApiError(Code.IM_SYNC_OTHER_MACHINE, "SyncOtherMachine must be 1 or 2")
    return value


def body_text(raw: Raw | UnsetType) -> str:
    """The MsgBody to store, as received; its problems mapped to openim's codes."""
    if raw is UNSET:
        raise ApiError(Code.IM_MSGBODY_NOT_ARRAY, "MsgBody is required")
    try:
        data = check_msg_body(raw)
    except BodyError as err:
        if err.problem is BodyProblem.NOT_ARRAY:
            raise ApiError(Code.IM_MSGBODY_NOT_ARRAY, str(err)) from None
        if err.problem is BodyProblem.TWO_CUSTOM or "MsgType" in str(err):
            raise ApiError(Code.IM_MSG_FORMAT, str(err)) from None
        raise ApiError(Code.IM_MSGBODY_FORMAT, str(err)) from None
    return data.decode()


def check_size(request: object, body: str, cloud_custom_data: str) -> None:
    """93000 past the 12 KB request limit, 80002 past 8,000 bytes of message content."""
    if len(msgspec.json.encode(request)) > MAX_REQUEST_BYTES:
        raise ApiError(Code.IM_JSON_TOO_LONG)
    if len(body.encode()) + len(cloud_custom_data.encode()) > MAX_CONTENT_BYTES:
        raise ApiError(Code.MSG_TOO_LONG, "message content longer than 8,000 bytes")


def digest(body: str, cloud_custom_data: str) -> int:
    """CRC32 of the content, part of sendmsg's duplicate key."""
    return zlib.crc32(f"{body}\x00{cloud_custom_data}".encode())


def named(value: str | UnsetType, code: Code, what: str) -> str:
    """A required account field: present and non-empty, else ``code``."""
    if value is UNSET or not value:
        raise ApiError(code, f"{what} is required")
    return value


async def missing_accounts(ctx: Ctx, users: list[str]) -> set[str]:
    """The users that are neither imported accounts nor App Admins."""
    wanted = [u for u in dict.fromkeys(users) if not ctx.app.is_admin(u)]
    found = await ctx.storage.accounts.existing(ctx.sdkappid, wanted)
    return {u for u in wanted if u not in found}


async def require_accounts(ctx: Ctx, **checks: tuple[str, Code]) -> None:
    """Each named user exists, else that user's code (checked in the order given)."""
    missing = await missing_accounts(ctx, [user for user, _ in checks.values()])
    for what, (user, code) in checks.items():
        if user in missing:
            raise ApiError(code, f"{what} {user!r} does not exist")
