"""The REST conventions of core.md §1-2, checked for every command of the command table.

Each rule runs for every row on the admin API (``/v4``) and, for user commands, on the client
API (``/client/v1``), on both storage engines; a command added to the table is covered at once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from conftest import Client, new_app
from opentim import settings as settings_mod
from opentim.app import create_app
from opentim.commands import COMMANDS, Command
from opentim.settings import AppConfig
from opentim.storage import Storage
from probe import SURFACES, minimal_body, surface_id, url

USER = "conv_user"
GATEWAY_CODES = {60002, 60003, 60004, 60006, 60007, 60008, 60009, 60010, 60012, 90001}
GATEWAY_CODES |= set(range(70001, 70021))
CORS = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "X-Requested-With",
    "access-control-allow-methods": "POST",
}

each_surface = pytest.mark.parametrize("surface,row", SURFACES, ids=map(surface_id, SURFACES))
admin_only = [row for row in COMMANDS if not row.users]
each_admin_only = pytest.mark.parametrize("row", admin_only, ids=[r.path for r in admin_only])


def json_code(row: Command) -> int:
    """decisions.md: malformed or empty bodies are 90001 for openim, 60003 elsewhere."""
    return 90001 if row.service == "openim" else 60003


async def caller_query(api: Client, surface: str) -> dict[str, Any]:
    """A valid query for the surface: the admin on /v4, an imported user on /client/v1."""
    if surface == "v4":
        return api.query()
    await api.accounts(USER)
    return api.query(USER)


async def raw(
    api: Client,
    surface: str,
    row: Command,
    params: dict[str, Any],
    content: bytes | None = None,
    **kwargs: Any,
) -> httpx.Response:
    if content is None:
        content = msgspec.json.encode(minimal_body(row))
    response = await api.http.request(
        kwargs.pop("method", "POST"), url(surface, row), params=params, content=content, **kwargs
    )
    return response


def envelope(response: httpx.Response) -> dict[str, Any]:
    """HTTP 200, a JSON object with the envelope; returns it."""
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    assert isinstance(data["ErrorCode"], int) and isinstance(data["ErrorInfo"], str), data
    assert data["ActionStatus"] == ("OK" if data["ErrorCode"] == 0 else "FAIL"), data
    return data


async def code_of(
    api: Client, surface: str, row: Command, params: dict[str, Any], **kw: Any
) -> int:
    code: int = envelope(await raw(api, surface, row, params, **kw))["ErrorCode"]
    return code


@each_surface
async def test_missing_sdkappid_is_60012(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    del params["sdkappid"]
    assert await code_of(api, surface, row, params) == 60012
    params["sdkappid"] = ""
    assert await code_of(api, surface, row, params) == 60012


@each_surface
async def test_unknown_sdkappid_is_60006(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    for bad in ("1", "abc", "-5", str(2**70), "1400000000x"):
        params["sdkappid"] = bad
        assert await code_of(api, surface, row, params) == 60006, bad


@each_surface
async def test_missing_identifier_is_60004(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    del params["identifier"]
    assert await code_of(api, surface, row, params) == 60004
    params["identifier"] = ""
    assert await code_of(api, surface, row, params) == 60004


@each_surface
async def test_missing_or_empty_usersig_is_70002(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    del params["usersig"]
    assert await code_of(api, surface, row, params) == 70002
    params["usersig"] = ""
    assert await code_of(api, surface, row, params) == 70002


@pytest.mark.parametrize("row", COMMANDS, ids=[r.path for r in COMMANDS])
async def test_non_admin_on_admin_api_is_60010(api: Client, row: Command) -> None:
    await api.accounts(USER)
    assert await code_of(api, "v4", row, api.query(USER)) == 60010


@each_admin_only
async def test_admin_only_command_on_client_api_is_60009(api: Client, row: Command) -> None:
    await api.accounts(USER)
    assert await code_of(api, "client", row, api.query(USER)) == 60009
    assert await code_of(api, "client", row, api.query()) == 60009  # an admin is a user there


@pytest.mark.parametrize(
    "path",
    [
        "/v4/im_open_login_svc/no_such_command",
        "/v4/no_such_service/account_import",
        "/v4/",
        "/v4/im_open_login_svc",
        "/client/v1/im_open_login_svc/no_such_command",
        "/v5/im_open_login_svc/account_import",
        "/",
    ],
)
async def test_unknown_command_is_60009(api: Client, path: str) -> None:
    response = await api.http.post(path, params=api.query(), content=b"{}")
    assert envelope(response)["ErrorCode"] == 60009


@each_surface
async def test_methods_other_than_post_are_60002(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    for method in ("GET", "PUT", "DELETE"):
        code = await code_of(api, surface, row, params, method=method, content=b"")
        assert code == 60002, method


@each_surface
async def test_empty_body_is_the_module_json_code(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    for body in (b"", b"   ", b"\r\n"):
        assert await code_of(api, surface, row, params, content=body) == json_code(row), body


@each_surface
async def test_malformed_body_is_the_module_json_code(
    api: Client, surface: str, row: Command
) -> None:
    params = await caller_query(api, surface)
    bodies = (b"{", b"not json", b'{"a":}', b"[1, 2]", b'"text"', b"null", b"{}}", b"\xff\xfe")
    for body in bodies:
        assert await code_of(api, surface, row, params, content=body) == json_code(row), body


@each_surface
async def test_body_over_1_mib_is_60008(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    body = b'{"Pad":"' + b"a" * (1 << 20) + b'"}'
    assert await code_of(api, surface, row, params, content=body) == 60008


@each_surface
async def test_rate_limit_answers_60007(make_api: Any, surface: str, row: Command) -> None:
    api = await make_api(rate_limit=2)
    params = await caller_query(api, surface)
    codes = [await code_of(api, surface, row, params) for _ in range(6)]
    allowed = min(row.rate or 2, 2)  # a row may document a lower rate (get_appid_group_list: 1/s)
    assert 60007 not in codes[:allowed], codes
    assert 60007 in codes, codes


async def test_rate_limit_is_counted_per_api(make_api: Any) -> None:
    api = await make_api(rate_limit=2)
    check = {"CheckItem": [{"UserID": "a"}]}
    codes = [(await api("im_open_login_svc/account_check", check))["ErrorCode"] for _ in range(6)]
    assert 60007 in codes
    other = await api("im_open_login_svc/kick", {"UserID": "nobody"})
    assert other["ErrorCode"] == 70107


@each_surface
async def test_no_content_type_is_accepted(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    for headers in ({}, {"Content-Type": "text/plain"}, {"Content-Type": "application/json"}):
        code = await code_of(api, surface, row, params, headers=headers)
        assert code not in GATEWAY_CODES, (headers, code)


@each_surface
async def test_missing_random_and_contenttype_are_accepted(
    api: Client, surface: str, row: Command
) -> None:
    params = await caller_query(api, surface)
    with_all = await code_of(api, surface, row, params)
    for name in ("random", "contenttype"):
        params.pop(name)
        assert await code_of(api, surface, row, params) == with_all, name
    assert with_all not in GATEWAY_CODES


@each_surface
async def test_cors_headers_on_every_answer(api: Client, surface: str, row: Command) -> None:
    params = await caller_query(api, surface)
    for response in (
        await raw(api, surface, row, params),
        await raw(api, surface, row, {}),
        await raw(api, surface, row, params, content=b"{"),
    ):
        envelope(response)
        assert {k: response.headers.get(k) for k in CORS} == CORS
        assert response.headers["content-type"].startswith("application/json")


async def test_query_parameter_order_and_percent_encoding_do_not_matter(api: Client) -> None:
    sig = api.sig(api.admin)
    quoted = sig.replace("*", "%2A").replace("-", "%2D").replace("_", "%5F")
    query = (
        f"contenttype=json&random=7&usersig={quoted}&identifier={api.admin}&sdkappid={api.sdkappid}"
    )
    response = await api.http.post(
        f"/v4/im_open_login_svc/account_check?{query}", content=b'{"CheckItem":[{"UserID":"a"}]}'
    )
    assert envelope(response)["ErrorCode"] == 0


async def test_healthz_answers_ok(api: Client) -> None:
    response = await api.http.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def shared_limit_client(storage: Storage, app: AppConfig, redis_url: str) -> tuple[Client, Any]:
    """A client for ``app`` served by its own Api (as another process would) counting in Redis."""
    settings = settings_mod.build(apps=(app,), data_dir=Path("unused"), redis_url=redis_url)
    application = create_app(settings, storage)
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application), base_url="http://opentim.test"
    )
    return Client(http, app), application


async def test_redis_rate_limit_is_shared_by_every_server(storage: Storage, redis_url: str) -> None:
    app = new_app(rate_limit=3)
    servers = [shared_limit_client(storage, app, redis_url) for _ in range(3)]
    check = {"CheckItem": [{"UserID": "a"}]}
    try:
        for _ in range(3):  # a window may end between calls: one of three tries is enough
            # Each try starts a fresh wall-clock second: a retry within the second of a failed
            # try would find that try's calls already counted.
            await asyncio.sleep(1.01 - time.time() % 1)
            codes = [
                (await client("im_open_login_svc/account_check", check))["ErrorCode"]
                for client, _ in servers * 2
            ]
            if codes.count(0) == 3:
                break
        assert codes.count(0) == 3 and codes.count(60007) == 3, codes
    finally:
        for client, application in servers:
            await client.http.aclose()
            await application.shutdown()


async def test_rate_limit_falls_back_to_the_process_when_redis_is_down(storage: Storage) -> None:
    app = new_app(rate_limit=2)
    client, application = shared_limit_client(storage, app, "redis://127.0.0.1:9/0")
    check = {"CheckItem": [{"UserID": "a"}]}
    try:
        started = time.monotonic()
        codes = [(await client("im_open_login_svc/account_check", check))["ErrorCode"]]
        codes += [(await client("im_open_login_svc/account_check", check))["ErrorCode"]]
        codes += [(await client("im_open_login_svc/account_check", check))["ErrorCode"]]
        codes += [(await client("im_open_login_svc/account_check", check))["ErrorCode"]]
        codes += [(await client("im_open_login_svc/account_check", check))["ErrorCode"]]
        assert time.monotonic() - started < 2.0  # no call waits on the missing Redis
        assert codes[:2] == [0, 0] and 60007 in codes, codes
    finally:
        await client.http.aclose()
        await application.shutdown()
