"""Real OpenTIM server processes for the process-level tests (crash, SIGTERM, several processes).

``Servers`` starts ``opentim serve`` children on free loopback ports, waits for ``/healthz``,
and kills whatever is still running when the test ends. ``Remote`` speaks the wire to one of
them. ``Proxy`` is a TCP relay between a server and PostgreSQL that a test can cut and restore.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import msgspec

from opentim import usersig

ROOT = Path(__file__).resolve().parents[1]
OPENTIM = Path(sys.executable).with_name("opentim")
SDKAPPID = 1400000777
KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
ADMIN = "administrator"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """One ``opentim serve`` child; its stdout and stderr go to ``log``."""

    def __init__(self, database: str, log: Path, env: dict[str, str]) -> None:
        self.database = database
        self.port = free_port()
        self.log = log
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = {
            **os.environ,
            "OPENTIM_SDKAPPID": str(SDKAPPID),
            "OPENTIM_SECRET_KEY": KEY,
            "OPENTIM_RATE_LIMIT": "0",
            "OPENTIM_DATA_DIR": str(log.parent / "data"),
            **env,
        }
        with log.open("ab") as out:
            self.proc = subprocess.Popen(
                [str(OPENTIM), "serve", "--port", str(self.port), "--database", database],
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=log.parent,
            )

    async def wait_healthy(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(timeout=1.0) as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise AssertionError(f"server exited {self.proc.returncode}: {self.log_text()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.base}/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.05)
        raise AssertionError(f"server not healthy in {timeout}s: {self.log_text()}")

    def signal(self, sig: int) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)

    async def wait_exit(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        code = self.proc.poll()
        assert code is not None, f"server still running after {timeout}s"
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


class Servers:
    """Every server a test started; ``stop_all`` (fixture teardown) kills the live ones."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.started: list[Server] = []

    async def start(self, database: str, **env: str) -> Server:
        server = Server(database, self.tmp / f"server-{len(self.started)}.log", env)
        self.started.append(server)
        await server.wait_healthy()
        return server

    def stop_all(self) -> None:
        for server in self.started:
            server.stop()

    def logs(self) -> str:
        return "\n".join(s.log_text() for s in self.started)


class Remote:
    """Speaks the wire to one server as the admin (``/v4``) or as a user (``/client/v1``)."""

    def __init__(self, server: Server, timeout: float = 10.0) -> None:
        self.server = server
        self.http = httpx.AsyncClient(
            base_url=server.base,
            timeout=timeout,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=50),
        )
        self._sigs: dict[str, str] = {}

    def query(self, identifier: str = ADMIN) -> dict[str, Any]:
        if identifier not in self._sigs:
            self._sigs[identifier] = usersig.sign(KEY, SDKAPPID, identifier)
        return {"sdkappid": SDKAPPID, "identifier": identifier, "usersig": self._sigs[identifier]}

    async def __call__(self, api: str, body: Any, user: str | None = None) -> dict[str, Any]:
        path = f"/client/v1/{api}" if user else f"/v4/{api}"
        response = await self.http.post(
            path, params=self.query(user or ADMIN), content=msgspec.json.encode(body)
        )
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def ok(self, api: str, body: Any, user: str | None = None) -> dict[str, Any]:
        data = await self(api, body, user)
        assert data["ErrorCode"] == 0, (api, body, data)
        return data

    async def close(self) -> None:
        await self.http.aclose()


class Proxy:
    """A TCP relay 127.0.0.1:port → target; ``cut`` drops every connection and refuses new ones."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)

    async def cut(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.CancelledError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self._writers -= {writer, up_writer}


@contextlib.asynccontextmanager
async def postgres_database() -> AsyncIterator[str]:
    """A throw-away PostgreSQL database (dropped afterwards); its URL."""
    from conftest import _drop_database, _postgres_database

    created = await _postgres_database()
    if created is None:
        import pytest

        pytest.skip("PostgreSQL not reachable (required under CI=true)")
    url, name = created
    try:
        yield url
    finally:
        await _drop_database(name)
