"""TLSSigAPIv2 UserSigs: sign and verify. Pure functions, no I/O.

The HMAC key is the UTF-8 text of the app's secret key as shown in the console (not
hex-decoded). The token is zlib-compressed JSON in base64 with ``+/=`` swapped for ``*-_``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
import zlib
from dataclasses import dataclass

import msgspec

from opentim.errors import ApiError, Code

_TO_SIG = bytes.maketrans(b"+/=", b"*-_")
_FROM_SIG = bytes.maketrans(b"*-_", b"+/=")
_MAX_USERSIG_CHARS = 8192
_MAX_INFLATED_BYTES = 16384
MAX_CLOCK_SKEW = 600
"""Seconds a UserSig's ``TLS.time`` may lie ahead of the server clock; beyond: not yet valid."""


@dataclass(frozen=True, slots=True)
class VerifiedSig:
    """What a valid UserSig proves: who, for which app, from when until when."""

    identifier: str
    sdkappid: int
    time: int
    expire_at: int


def _digest(key: str, identifier: str, sdkappid: int, now: int, expire: int) -> str:
    text = (
        f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\n"
        f"TLS.time:{now}\nTLS.expire:{expire}\n"
    )
    mac = hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def sign(
    key: str, sdkappid: int, identifier: str, expire: int = 180 * 86400, now: int | None = None
) -> str:
    """Make a UserSig exactly as Tencent's official TLSSigAPIv2 generators do."""
    now = int(time.time()) if now is None else now
    doc = {
        "TLS.ver": "2.0",
        "TLS.identifier": identifier,
        "TLS.sdkappid": sdkappid,
        "TLS.expire": expire,
        "TLS.time": now,
        "TLS.sig": _digest(key, identifier, sdkappid, now, expire),
    }
    packed = zlib.compress(msgspec.json.encode(doc))
    return base64.b64encode(packed).translate(_TO_SIG).decode()


class _Doc(msgspec.Struct, frozen=True):
    identifier: str = msgspec.field(name="TLS.identifier")
    sdkappid: int | str = msgspec.field(name="TLS.sdkappid")
    time: int | str = msgspec.field(name="TLS.time")
    expire: int | str = msgspec.field(name="TLS.expire")
    sig: str = msgspec.field(name="TLS.sig")
    userbuf: str | None = msgspec.field(name="TLS.userbuf", default=None)


_doc_decoder = msgspec.json.Decoder(_Doc)


def decode(usersig: str) -> _Doc:
    """Unpack a UserSig without checking it. Raises ``ApiError`` (70002/70003)."""
    if not usersig:
        raise ApiError(Code.USERSIG_EMPTY)
    if len(usersig) > _MAX_USERSIG_CHARS or not usersig.isascii():
        raise ApiError(Code.USERSIG_INVALID)
    raw = usersig.encode().translate(_FROM_SIG)
    raw += b"=" * (-len(raw) % 4)  # some generators drop the padding
    try:
        packed = base64.b64decode(raw, validate=True)
        inflater = zlib.decompressobj()
        data = inflater.decompress(packed, _MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise ApiError(Code.USERSIG_INVALID)
        return _doc_decoder.decode(data)
    except (binascii.Error, zlib.error, msgspec.DecodeError, ValueError) as exc:
        raise ApiError(Code.USERSIG_INVALID) from exc


def _as_int(value: int | str) -> int:
    if isinstance(value, int):
        return value
    if value.isdigit():
        return int(value)
    raise ApiError(Code.USERSIG_INVALID)


def verify(
    usersig: str, sdkappid: int, identifier: str, keys: tuple[str, ...], now: int | None = None
) -> VerifiedSig:
    """Check a UserSig for (sdkappid, identifier) against the app's keys.

    Raises ``ApiError`` with the 70xxx code of the first failing step, in the order of the
    official verifier. The signature comparison is constant-time.
    """
    doc = decode(usersig)
    sig_appid, sig_time, sig_expire = _as_int(doc.sdkappid), _as_int(doc.time), _as_int(doc.expire)
    if not keys:
        raise ApiError(Code.USERSIG_NO_KEY)
    if sig_appid != sdkappid:
        raise ApiError(Code.USERSIG_SDKAPPID)
    if doc.identifier != identifier:
        raise ApiError(Code.USERSIG_IDENTIFIER)
    now = int(time.time()) if now is None else now
    if now > sig_time + sig_expire:
        raise ApiError(Code.USERSIG_EXPIRED)
    if sig_time > now + MAX_CLOCK_SKEW:
        raise ApiError(Code.USERSIG_INVALID_2, "usersig not yet valid (TLS.time in the future)")
    if doc.userbuf is not None:
        raise ApiError(Code.USERSIG_MISMATCH, "usersig carries a userbuf, which IM does not use")
    given = doc.sig.encode()
    matched = False
    for key in keys:  # every key is tried, so timing does not tell which one matched
        expected = _digest(key, doc.identifier, sig_appid, sig_time, sig_expire).encode()
        matched |= hmac.compare_digest(expected, given)
    if not matched:
        raise ApiError(Code.USERSIG_MISMATCH)
    return VerifiedSig(doc.identifier, sig_appid, sig_time, sig_time + sig_expire)
