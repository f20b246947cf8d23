"""Shared fixtures: every scenario runs on both storage engines, over the wire protocol.

``storage`` is opened once per engine per run; each test gets its own app (a fresh SDKAppID),
which isolates its data without wiping the database between tests.
"""

from __future__ import annotations

import itertools
import os
import secrets
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import msgspec
import pytest

from opentim import settings as settings_mod
from opentim import usersig
from opentim.app import create_app
from opentim.settings import AppConfig
from opentim.storage import Storage, open_storage
from opentim.storage.sqlite import SqliteEngine
from servers import Servers

REDIS_TEST_URL = os.environ.get("OPENTIM_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
PG_ADMIN_URL = os.environ.get(
    "OPENTIM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
ADMIN = "administrator"
_appids = itertools.count(1_500_000_000 + secrets.randbelow(1_000_000) * 1000)


async def _postgres_database() -> tuple[str, str] | None:
    """Create a throw-away database; (its URL, its name), or None if PostgreSQL is not there."""
    name = f"opentim_test_{secrets.token_hex(6)}"
    try:
        conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required under CI=true and is not reachable: {exc}")
        return None
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}", name


async def _drop_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def storage(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Storage]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("sqlite") / "opentim.sqlite3"
        store = await open_storage(f"sqlite:///{path}")
        yield store
        await store.close()
        return
    created = await _postgres_database()
    if created is None:
        pytest.skip("PostgreSQL not reachable at OPENTIM_TEST_PG_URL (required under CI=true)")
    url, name = created
    store = await open_storage(url)
    yield store
    await store.close()
    await _drop_database(name)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """A Redis database for the shared rate-limit tests: skipped locally, required under CI."""
    host, _, port = REDIS_TEST_URL.split("//", 1)[1].split("/", 1)[0].rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
    except OSError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is required under CI=true and is not reachable: {exc}")
        pytest.skip(f"Redis not reachable at {REDIS_TEST_URL} (required under CI=true)")
    return REDIS_TEST_URL


def engine_uses(engine: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, the name of each ``reader``, ``transaction`` and ``single`` the engine
    opens, in order: what a command asks of the database, round trips on PostgreSQL. One
    made by another (PostgreSQL's ``single`` is its ``reader``) counts once, as the outer."""
    opened: list[str] = []
    inside: list[str] = []
    for kind in ("reader", "transaction", "single"):
        original = getattr(engine, kind)

        def spy(*args: Any, _kind: str = kind, _original: Any = original) -> Any:
            if not inside:
                opened.append(_kind)
            inside.append(_kind)
            try:
                return _original(*args)
            finally:
                inside.pop()

        monkeypatch.setattr(engine, kind, spy)
    return opened


@pytest.fixture
async def sqlite_engine(tmp_path: Path) -> AsyncIterator[SqliteEngine]:
    """A SQLite engine of its own, on a file with a table ``t (k INTEGER PRIMARY KEY, v TEXT)``."""
    engine = await SqliteEngine.open(str(tmp_path / "group.sqlite3"))
    engine._conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)")
    try:
        yield engine
    finally:
        await engine.close()


def new_app(**overrides: Any) -> AppConfig:
    values: dict[str, Any] = {"sdkappid": next(_appids), "keys": (KEY,), "rate_limit": 0}
    values.update(overrides)
    return AppConfig(**values)


def account_check_scope(app: AppConfig) -> dict[str, Any]:
    """The ASGI scope of an admin's account_check on ``app``, for tests that drive the
    application directly (their own ``receive`` and ``send``)."""
    query = "&".join(f"{k}={v}" for k, v in Client(None, app).query().items())  # type: ignore[arg-type]
    return {
        "type": "http",
        "method": "POST",
        "path": "/v4/im_open_login_svc/account_check",
        "query_string": query.encode(),
        "headers": [],
    }


class Client:
    """Speaks the wire protocol to one app: signed URLs, JSON bodies, parsed answers."""

    def __init__(self, http: httpx.AsyncClient, app: AppConfig) -> None:
        self.http = http
        self.app = app
        self.sdkappid = app.sdkappid
        self.admin = app.admins[0]

    def sig(self, identifier: str, **kwargs: Any) -> str:
        return usersig.sign(self.app.keys[0], self.sdkappid, identifier, **kwargs)

    def query(self, identifier: str | None = None) -> dict[str, Any]:
        identifier = identifier or self.admin
        return {
            "sdkappid": self.sdkappid,
            "identifier": identifier,
            "usersig": self.sig(identifier),
            "random": secrets.randbelow(2**32),
            "contenttype": "json",
        }

    async def post(
        self,
        url: str,
        body: Any = None,
        *,
        params: dict[str, Any] | None = None,
        content: bytes | None = None,
        method: str = "POST",
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One raw request; asserts the answer is HTTP 200 with a JSON object."""
        if content is None:
            content = msgspec.json.encode({} if body is None else body)
        response = await self.http.request(
            method, url, params=params, content=content, headers=headers or {}
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def __call__(self, api: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        """Call ``/v4/<api>`` as the app's admin."""
        return await self.post(f"/v4/{api}", body, params=self.query(), **kwargs)

    async def ok(self, api: str, body: Any = None) -> dict[str, Any]:
        data = await self(api, body)
        assert data["ErrorCode"] == 0 and data["ActionStatus"] == "OK", data
        return data

    async def as_user(self, user: str, api: str, body: Any = None) -> dict[str, Any]:
        """Call ``/client/v1/<api>`` signed in as ``user``."""
        return await self.post(f"/client/v1/{api}", body, params=self.query(user))

    async def accounts(self, *user_ids: str) -> None:
        await self.ok("im_open_login_svc/multiaccount_import", {"Accounts": list(user_ids)})


@pytest.fixture
async def make_api(storage: Storage) -> AsyncIterator[Any]:
    """Factory: ``await make_api(edition="pro")`` → a Client for a fresh app with those settings."""
    clients: list[httpx.AsyncClient] = []

    async def make(**overrides: Any) -> Client:
        app = new_app(**overrides)
        settings = settings_mod.build(apps=(app,), data_dir=Path("unused"))
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, storage)),
            base_url="http://opentim.test",
        )
        clients.append(http)
        return Client(http, app)

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
async def api(make_api: Any) -> Client:
    """A client for a fresh app (top edition, no rate limit), signed as its admin."""
    client: Client = await make_api()
    return client


@pytest.fixture
async def servers(tmp_path: Path) -> AsyncIterator[Servers]:
    """Real ``opentim serve`` processes started by the test, killed at its end."""
    started = Servers(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
