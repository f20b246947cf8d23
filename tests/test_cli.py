"""The console script: UserSigs, settings, and a real server process on its embedded default."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from opentim import settings, usersig
from opentim.cli import main


def test_usersig_command_prints_a_verifiable_sig(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["usersig", "--sdkappid", "1400000001", "--key", "k" * 64, "--identifier", "bob"]) == 0
    )
    sig = capsys.readouterr().out.strip()
    verified = usersig.verify(sig, 1400000001, "bob", ("k" * 64,))
    assert verified.expire_at - verified.time == 180 * 86400


def test_dev_app_key_is_kept_across_restarts(tmp_path: Path) -> None:
    first = settings.load({"OPENTIM_DATA_DIR": str(tmp_path)})
    second = settings.load({"OPENTIM_DATA_DIR": str(tmp_path)})
    assert first.dev_app_created and second.dev_app_created
    assert first.apps[0].secret_key == second.apps[0].secret_key
    assert len(first.apps[0].secret_key) == 64


def test_environment_app_replaces_the_dev_app(tmp_path: Path) -> None:
    loaded = settings.load(
        {
            "OPENTIM_DATA_DIR": str(tmp_path),
            "OPENTIM_SDKAPPID": "1400000009",
            "OPENTIM_SECRET_KEY": "secret",
            "OPENTIM_ADMINS": "root, ops",
            "OPENTIM_RATE_LIMIT": "0",
        }
    )
    app = loaded.app(1400000009)
    assert app is not None and app.admins == ("root", "ops") and app.rate_limit == 0
    assert not loaded.dev_app_created and not (tmp_path / "dev-app.json").exists()


def test_toml_file_declares_several_apps(tmp_path: Path) -> None:
    config = tmp_path / "opentim.toml"
    config.write_text(
        '[server]\nport = 9001\n\n[[apps]]\nsdkappid = 1\nsecret_key = "a"\n\n'
        '[[apps]]\nsdkappid = 2\nsecret_keys = ["b", "old"]\nedition = "pro"\n'
    )
    loaded = settings.load({}, config_file=config, data_dir=str(tmp_path))
    assert loaded.port == 9001
    assert loaded.app(2) is not None and loaded.app(2).keys == ("b", "old")  # type: ignore[union-attr]
    with pytest.raises(settings.SettingsError):
        config.write_text('[[apps]]\nsdkappid = 3\nsecret_key = "c"\nedition = "gold"\n')
        settings.load({}, config_file=config)


@pytest.mark.parametrize(
    "variable,field",
    [
        ("OPENTIM_BODY_TIMEOUT", "body_timeout"),
        ("OPENTIM_KEEP_ALIVE_TIMEOUT", "keep_alive_timeout"),
    ],
)
@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "soon"])
def test_time_limits_must_be_positive_seconds(
    tmp_path: Path, variable: str, field: str, value: str
) -> None:
    with pytest.raises(settings.SettingsError):
        settings.load({"OPENTIM_DATA_DIR": str(tmp_path), variable: value})
    loaded = settings.load({"OPENTIM_DATA_DIR": str(tmp_path), variable: "2.5"})
    assert getattr(loaded, field) == 2.5


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_starts_on_embedded_sqlite_and_prints_working_credentials(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENTIM_")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "opentim", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        while time.monotonic() - started < 15:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            pytest.fail("server did not answer /healthz")
        assert proc.stdout is not None
        banner = "".join(proc.stdout.readline() for _ in range(6))
        appid = re.search(r"SDKAppID:\s+(\d+)", banner)
        sig = re.search(r"UserSig:\s+(\S+)", banner)
        assert appid and sig, banner
        # A real client: no Content-Type, no random, usersig unencoded in the URL.
        url = (
            f"{base}/v4/im_open_login_svc/account_import?sdkappid={appid[1]}"
            f"&identifier=administrator&usersig={sig[1]}"
        )
        answer = httpx.post(url, content=b'{"UserID":"alice"}', headers={"content-type": ""})
        assert answer.status_code == 200
        assert answer.json() == {"ActionStatus": "OK", "ErrorCode": 0, "ErrorInfo": ""}
        assert answer.headers["access-control-allow-origin"] == "*"
        assert (tmp_path / "opentim-data" / "opentim.sqlite3").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        if proc.stdout is not None:
            proc.stdout.close()
