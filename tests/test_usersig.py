"""UserSig verification over the wire: every way a UserSig can be wrong has its 70xxx code.

The tokens here are built by this file's own TLSSigAPIv2 encoder (core.md §2), not by
``opentim.usersig``, so that a shared mistake cannot hide.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import zlib
from typing import Any

import pytest

from conftest import KEY, Client
from opentim import usersig

CHECK = "im_open_login_svc/account_check"
BODY = {"CheckItem": [{"UserID": "nobody"}]}
OTHER_KEY = "f" * 64


def digest(key: str, identifier: str, sdkappid: int, at: int, expire: int) -> str:
    text = f"TLS.identifier:{identifier}\nTLS.sdkappid:{sdkappid}\n"
    text += f"TLS.time:{at}\nTLS.expire:{expire}\n"
    return base64.b64encode(hmac.new(key.encode(), text.encode(), hashlib.sha256).digest()).decode()


def document(
    identifier: str, sdkappid: int, key: str = KEY, at: int | None = None, expire: int = 86400
) -> dict[str, Any]:
    at = int(time.time()) if at is None else at
    return {
        "TLS.ver": "2.0",
        "TLS.identifier": identifier,
        "TLS.sdkappid": sdkappid,
        "TLS.expire": expire,
        "TLS.time": at,
        "TLS.sig": digest(key, identifier, sdkappid, at, expire),
    }


def pack(doc: dict[str, Any] | bytes, level: int = 6) -> str:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return (
        base64.b64encode(zlib.compress(data, level))
        .translate(bytes.maketrans(b"+/=", b"*-_"))
        .decode()
    )


async def code(api: Client, sig: str, identifier: str | None = None, sdkappid: Any = None) -> int:
    params = {
        "sdkappid": api.sdkappid if sdkappid is None else sdkappid,
        "identifier": identifier or api.admin,
        "usersig": sig,
    }
    data = await api.post(f"/v4/{CHECK}", BODY, params=params)
    assert data["ActionStatus"] == ("OK" if data["ErrorCode"] == 0 else "FAIL")
    result: int = data["ErrorCode"]
    return result


def test_spec_test_vector_verifies() -> None:
    sig = (
        "eJyrVgrxCdYrSy1SslIy0jNQ0gHzM1NS80oy0zLBwokpuZl5mcUlRYkl*UVQBcUp2YkFBZkpSlaGJgZQAJFJrSjILEp"
        "VsrIwM4EJlWTmAgUMzVEVFmemAw23TCwPTw31sfCtqEhyyrNIyXAy8CorzTfw8vbMMEnxc-bJdveMMMkzTUsxsFWqBQD"
        "FLzPV"
    )
    verified = usersig.verify(sig, 1400000000, "administrator", (KEY,), now=1700000001)
    assert (verified.time, verified.expire_at) == (1700000000, 1700086400)
    assert digest(KEY, "administrator", 1400000000, 1700000000, 86400) == (
        "9awWeUL8MxxbBn8dhB0Jvuo0JKIh4dNCLkGIX4n5fd0="
    )


async def test_valid_usersig_of_any_zlib_level_and_key_order_is_accepted(api: Client) -> None:
    doc = document(api.admin, api.sdkappid)
    assert await code(api, pack(doc, level=0)) == 0
    assert await code(api, pack(dict(reversed(doc.items())), level=9)) == 0
    compact = json.dumps(doc, separators=(",", ":")).encode()
    assert await code(api, pack(compact).rstrip("_")) == 0  # padding dropped


async def test_numeric_strings_in_the_document_are_accepted(api: Client) -> None:
    doc = document(api.admin, api.sdkappid)
    doc.update({k: str(doc[k]) for k in ("TLS.sdkappid", "TLS.time", "TLS.expire")})
    assert await code(api, pack(doc)) == 0


async def test_expired_usersig_is_70001(api: Client) -> None:
    old = document(api.admin, api.sdkappid, at=int(time.time()) - 1000, expire=100)
    assert await code(api, pack(old)) == 70001


async def test_usersig_not_yet_valid_is_70005_beyond_the_clock_skew(api: Client) -> None:
    soon = document(api.admin, api.sdkappid, at=int(time.time()) + 60)
    assert await code(api, pack(soon)) == 0  # clock skew between the app's server and ours
    later = document(api.admin, api.sdkappid, at=int(time.time()) + usersig.MAX_CLOCK_SKEW + 60)
    assert await code(api, pack(later)) == 70005


async def test_empty_usersig_is_70002(api: Client) -> None:
    assert await code(api, "") == 70002


async def test_usersig_signed_with_another_key_is_70009(api: Client) -> None:
    assert await code(api, pack(document(api.admin, api.sdkappid, key=OTHER_KEY))) == 70009


async def test_tampered_signature_is_70009(api: Client) -> None:
    doc = document(api.admin, api.sdkappid)
    doc["TLS.expire"] = 10 * 365 * 86400  # extend the validity without re-signing
    assert await code(api, pack(doc)) == 70009
    doc = document(api.admin, api.sdkappid)
    doc["TLS.sig"] = doc["TLS.sig"][:-4] + "AAA="
    assert await code(api, pack(doc)) == 70009


async def test_usersig_with_userbuf_is_70009(api: Client) -> None:
    doc = document(api.admin, api.sdkappid)
    doc["TLS.userbuf"] = base64.b64encode(b"room").decode()
    assert await code(api, pack(doc)) == 70009


async def test_usersig_for_another_identifier_is_70013(api: Client) -> None:
    assert await code(api, pack(document("someone_else", api.sdkappid))) == 70013
    assert await code(api, pack(document(api.admin.upper(), api.sdkappid))) == 70013


async def test_usersig_for_another_sdkappid_is_70014(api: Client) -> None:
    assert await code(api, pack(document(api.admin, api.sdkappid + 1))) == 70014


async def test_app_without_key_is_70016(make_api: Any) -> None:
    api = await make_api(keys=())
    assert await code(api, pack(document(api.admin, api.sdkappid))) == 70016


async def test_truncated_usersig_is_70003(api: Client) -> None:
    sig = pack(document(api.admin, api.sdkappid))
    for cut in (1, 8, len(sig) // 2, len(sig) - 6):
        assert await code(api, sig[:cut]) == 70003, cut


async def test_wrong_base64_alphabets_are_70003(api: Client) -> None:
    doc = document(api.admin, api.sdkappid)
    while True:  # a token whose standard base64 has '+' and '/', where the alphabets differ
        standard = base64.b64encode(zlib.compress(json.dumps(doc).encode())).decode()
        if "+" in standard and "/" in standard:
            break
        doc = document(api.admin, api.sdkappid, at=doc["TLS.time"] - 1)
    urlsafe = standard.replace("+", "-").replace("/", "_").rstrip("=")  # RFC 4648 base64url
    assert await code(api, urlsafe) == 70003
    for junk in ("!!!!", "abc.def", "eJy%%%", "a b c", "====", "*-_"):
        assert await code(api, junk) == 70003, junk


async def test_not_zlib_is_70003(api: Client) -> None:
    plain = json.dumps(document(api.admin, api.sdkappid)).encode()
    as_sig = base64.b64encode(plain).translate(bytes.maketrans(b"+/=", b"*-_")).decode()
    assert await code(api, as_sig) == 70003
    gzip_like = base64.b64encode(b"\x1f\x8b" + zlib.compress(plain)[2:]).decode()
    assert await code(api, gzip_like.replace("+", "*").replace("/", "-")) == 70003


@pytest.mark.parametrize(
    "field", ["TLS.identifier", "TLS.sdkappid", "TLS.time", "TLS.expire", "TLS.sig"]
)
async def test_document_missing_a_field_is_70003(api: Client, field: str) -> None:
    doc = document(api.admin, api.sdkappid)
    del doc[field]
    assert await code(api, pack(doc)) == 70003


async def test_document_with_wrong_types_or_not_json_is_70003(api: Client) -> None:
    for patch in (
        {"TLS.time": "soon"},
        {"TLS.expire": -1.5},
        {"TLS.identifier": 42},
        {"TLS.sig": None},
        {"TLS.sdkappid": [1]},
    ):
        doc = {**document(api.admin, api.sdkappid), **patch}
        assert await code(api, pack(doc)) == 70003, patch
    for data in (b"not json", b"[]", b'"x"', b"{}", b"\xff\xfe"):
        assert await code(api, pack(data)) == 70003, data


async def test_legacy_v1_usersig_is_70003(api: Client) -> None:
    legacy = {
        "TLS.account_type": "0",
        "TLS.identifier": api.admin,
        "TLS.appid_at_3rd": "0",
        "TLS.sdk_appid": str(api.sdkappid),
        "TLS.expire_after": "86400",
        "TLS.version": "201512300000",
        "TLS.time": str(int(time.time())),
        "TLS.sig": base64.b64encode(b"\x30" * 70).decode(),
    }
    assert await code(api, pack(legacy)) == 70003


async def test_oversized_usersig_is_70003(api: Client) -> None:
    doc = document(api.admin, api.sdkappid)
    doc["Pad"] = "x" * 20_000  # inflates past the verifier's bound
    assert await code(api, pack(doc)) == 70003
    noise = base64.b64encode(bytes(range(256)) * 40).decode().replace("+", "*").replace("/", "-")
    assert await code(api, noise) == 70003  # over 8 KiB of text
    bomb = pack(b"{" + b" " * 5_000_000 + b"}", level=9)
    assert len(bomb) < 8192
    assert await code(api, bomb) == 70003


async def test_non_ascii_usersig_is_70003(api: Client) -> None:
    assert await code(api, pack(document(api.admin, api.sdkappid)) + "é") == 70003


async def test_signature_comparison_is_constant_time(
    api: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every key is compared with ``hmac.compare_digest``, whatever the outcome."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(usersig.hmac, "compare_digest", spy)
    keys = (OTHER_KEY, KEY, "e" * 64)
    good = pack(document("u1", 1400000000))
    bad = pack(document("u1", 1400000000, key="d" * 64))
    usersig.verify(good, 1400000000, "u1", keys)
    assert len(calls) == 3  # no early exit on the match
    with pytest.raises(usersig.ApiError):
        usersig.verify(bad, 1400000000, "u1", keys)
    assert len(calls) == 6


async def test_kicked_admin_earlier_usersigs_are_refused(api: Client) -> None:
    earlier = pack(document(api.admin, api.sdkappid, at=int(time.time()) - 5))
    assert await code(api, earlier) == 0  # verified (and cached) before the kick
    await api.ok("im_open_login_svc/kick", {"UserID": api.admin})
    assert await code(api, earlier) == 70001
    fresh = pack(document(api.admin, api.sdkappid, at=int(time.time()) + 2))
    assert await code(api, fresh) == 0


async def test_cached_usersig_still_expires(api: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    at = int(time.time())
    sig = pack(document(api.admin, api.sdkappid, at=at, expire=30))
    assert await code(api, sig) == 0

    class LaterClock:
        @staticmethod
        def time() -> float:
            return at + 31.0

    import opentim.http

    monkeypatch.setattr(opentim.http, "time", LaterClock)
    assert await code(api, sig) == 70001
