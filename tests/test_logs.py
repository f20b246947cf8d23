"""Secrets never reach the log: a full run of a real server at debug level, then a search of
everything it wrote for the app key, every UserSig used and the database and Redis passwords."""

from __future__ import annotations

import asyncio
import base64
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from opentim import usersig
from servers import ADMIN, KEY, SDKAPPID, Proxy, Remote, Servers, postgres_database

pytestmark = pytest.mark.slow

DB_PASSWORD = "db-pw-Zq81xV"
REDIS_PASSWORD = "redis-pw-Kd02mQ"
TEXT = [{"MsgType": "TIMTextElem", "MsgContent": {"Text": "hello"}}]


def forms(secret: str) -> list[str]:
    """The secret as it could be written: raw, percent-encoded, in standard base64."""
    quoted = secret.replace("*", "%2A").replace("-", "%2D").replace("_", "%5F")
    return [secret, quoted, secret.translate(str.maketrans("*-_", "+/="))]


async def test_full_run_logs_no_secret(servers: Servers) -> None:
    async with postgres_database() as url:
        parts = urlsplit(url)
        proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 5432)
        await proxy.start()
        netloc = f"{parts.username}:{DB_PASSWORD}@127.0.0.1:{proxy.port}"
        database = urlunsplit(parts._replace(netloc=netloc))
        server = await servers.start(
            database,
            OPENTIM_LOG_LEVEL="debug",
            OPENTIM_RATE_LIMIT="3",
            OPENTIM_REDIS_URL=f"redis://:{REDIS_PASSWORD}@127.0.0.1:6379/13",
        )
        remote = Remote(server)
        sigs = [remote.query(u)["usersig"] for u in (ADMIN, "alice", "bob")]
        await remote.ok("im_open_login_svc/multiaccount_import", {"Accounts": ["alice", "bob"]})
        group = await remote.ok(
            "group_open_http_svc/create_group",
            {
                "Type": "Public",
                "Name": "g",
                "Owner_Account": "alice",
                "MemberList": [{"Member_Account": "bob"}],
            },
        )
        group_id = group["GroupId"]
        await remote.ok(
            "group_open_http_svc/send_group_msg",
            {"GroupId": group_id, "Random": 1, "MsgBody": TEXT},
            user="bob",
        )
        await remote.ok(
            "openim/sendmsg", {"To_Account": "bob", "MsgRandom": 2, "MsgBody": TEXT}, user="alice"
        )
        for _ in range(5):  # over the rate limit
            await remote("im_open_login_svc/account_check", {"CheckItem": [{"UserID": "a"}]})
        # Wrong, expired, foreign and kicked UserSigs; malformed bodies.
        wrong = usersig.sign("f" * 64, SDKAPPID, ADMIN)
        expired = usersig.sign(KEY, SDKAPPID, ADMIN, expire=1, now=int(time.time()) - 100)
        other_app = usersig.sign(KEY, SDKAPPID + 1, ADMIN)
        sigs += [wrong, expired, other_app]
        for sig in (wrong, expired, other_app, sigs[0][:20], "%%%", "é"):
            params = {"sdkappid": SDKAPPID, "identifier": ADMIN, "usersig": sig}
            await remote.http.post(
                "/v4/im_open_login_svc/account_check", params=params, content=b"{}"
            )
        await remote.ok("im_open_login_svc/kick", {"UserID": "alice"})
        await remote("recentcontact/get_list", {}, user="alice")
        await remote.http.post(
            "/v4/group_open_http_svc/send_group_msg", params=remote.query(), content=b"{\xff"
        )
        # The database goes away and comes back: errors are logged.
        await proxy.cut()
        await remote("group_open_http_svc/get_group_info", {"GroupIdList": [group_id]})
        await remote("recentcontact/get_list", {}, user="bob")
        await proxy.start()
        await asyncio.sleep(0.2)
        await remote("recentcontact/get_list", {}, user="bob")
        await remote.close()
        server.stop()
        await proxy.cut()

    log = servers.logs()
    assert "storage failure" in log  # the run did log its errors
    secrets = [KEY, DB_PASSWORD, REDIS_PASSWORD, base64.b64encode(KEY.encode()).decode()]
    for secret in secrets + [form for sig in sigs for form in forms(sig)]:
        assert secret not in log, f"secret in the log: {secret[:12]}..."
    assert "usersig=" not in log.lower()
