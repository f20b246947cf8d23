"""The settings object: built once from defaults, a TOML file, ``OPENTIM_*`` variables and flags.

This is the only module that reads the environment; everything else receives a ``Settings``.
"""

from __future__ import annotations

import secrets
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import msgspec

DEFAULT_SDKAPPID = 1400000000
DEFAULT_ADMIN = "administrator"
DEFAULT_RATE_LIMIT = 200

EDITIONS = ("standard", "pro", "ultimate")
"""Tencent's packages, lowest first. Conversation groups and standard marks need ``ultimate``."""


class SettingsError(ValueError):
    """The configuration cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class AppConfig:
    """One chat application (an SDKAppID) served by this server."""

    sdkappid: int
    keys: tuple[str, ...]
    admins: tuple[str, ...] = (DEFAULT_ADMIN,)
    edition: str = "ultimate"
    rate_limit: int = DEFAULT_RATE_LIMIT
    """Calls per second per API; 0 means unlimited."""
    disabled: bool = False
    allow_account_delete: bool = True

    @property
    def secret_key(self) -> str:
        return self.keys[0]

    def is_admin(self, identifier: str) -> bool:
        return identifier in self.admins

    @property
    def top_edition(self) -> bool:
        return self.edition == EDITIONS[-1]


@dataclass(frozen=True, slots=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8080
    database_url: str = ""
    """``sqlite:///PATH`` or ``postgresql://...``; empty means a SQLite file in ``data_dir``."""
    data_dir: Path = Path("opentim-data")
    apps: tuple[AppConfig, ...] = ()
    dev_app_created: bool = False
    log_level: str = "info"
    max_body_bytes: int = 1 << 20
    body_timeout: float = 10.0
    """Seconds a request body may take to arrive; a slower one answers 60008."""
    keep_alive_timeout: float = 5.0
    """Seconds an idle keep-alive connection stays open (longer than a load balancer's own)."""
    redis_url: str = ""
    """``redis://...``: rate limits counted in Redis for all processes; empty: per process."""
    apps_by_id: Mapping[int, AppConfig] = field(default_factory=dict, compare=False, repr=False)

    def app(self, sdkappid: int) -> AppConfig | None:
        return self.apps_by_id.get(sdkappid)

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'opentim.sqlite3'}"


def build(**values: Any) -> Settings:
    """A ``Settings`` from keyword values, with the app index filled in (tests use this)."""
    settings = Settings(**values)
    return replace(settings, apps_by_id={app.sdkappid: app for app in settings.apps})


def _parse_admins(text: str) -> tuple[str, ...]:
    admins = tuple(a.strip() for a in text.split(",") if a.strip())
    if not admins:
        raise SettingsError("OPENTIM_ADMINS names no admin")
    return admins


def _app_from_toml(table: Mapping[str, Any], default_rate: int) -> AppConfig:
    try:
        keys = table.get("secret_keys") or [table["secret_key"]]
        app = AppConfig(
            sdkappid=int(table["sdkappid"]),
            keys=tuple(str(k) for k in keys),
            admins=tuple(table.get("admins", [DEFAULT_ADMIN])),
            edition=str(table.get("edition", "ultimate")),
            rate_limit=int(table.get("rate_limit", default_rate)),
            disabled=bool(table.get("disabled", False)),
            allow_account_delete=bool(table.get("allow_account_delete", True)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"bad [[apps]] entry in the config file: {exc!r}") from exc
    if app.edition not in EDITIONS:
        raise SettingsError(f"edition must be one of {EDITIONS}, not {app.edition!r}")
    return app


def _dev_app(data_dir: Path, rate_limit: int) -> AppConfig:
    """The development app, its key kept in the data directory across restarts."""
    path = data_dir / "dev-app.json"
    if path.exists():
        stored = msgspec.json.decode(path.read_bytes())
        sdkappid, key = int(stored["sdkappid"]), str(stored["secret_key"])
    else:
        sdkappid, key = DEFAULT_SDKAPPID, secrets.token_hex(32)
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(msgspec.json.encode({"sdkappid": sdkappid, "secret_key": key}))
        path.chmod(0o600)
    return AppConfig(sdkappid=sdkappid, keys=(key,), rate_limit=rate_limit)


def load(
    environ: Mapping[str, str],
    config_file: Path | None = None,
    **flags: Any,
) -> Settings:
    """Settings from (in increasing priority) defaults, the TOML file, environment and flags."""
    file: dict[str, Any] = {}
    if config_file is not None:
        try:
            file = tomllib.loads(config_file.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SettingsError(f"cannot read {config_file}: {exc}") from exc
    server = file.get("server", {})
    values: dict[str, Any] = {}
    for key in (
        "host",
        "port",
        "database_url",
        "data_dir",
        "log_level",
        "redis_url",
        "body_timeout",
        "keep_alive_timeout",
    ):
        if key in server:
            values[key] = server[key]
    if "database" in server:
        values["database_url"] = server["database"]
    env_map = {
        "OPENTIM_HOST": "host",
        "OPENTIM_PORT": "port",
        "OPENTIM_DATABASE_URL": "database_url",
        "OPENTIM_DATA_DIR": "data_dir",
        "OPENTIM_LOG_LEVEL": "log_level",
        "OPENTIM_REDIS_URL": "redis_url",
        "OPENTIM_BODY_TIMEOUT": "body_timeout",
        "OPENTIM_KEEP_ALIVE_TIMEOUT": "keep_alive_timeout",
    }
    for env, key in env_map.items():
        if environ.get(env):
            values[key] = environ[env]
    values.update({k: v for k, v in flags.items() if v is not None})
    try:
        rate = int(environ.get("OPENTIM_RATE_LIMIT", server.get("rate_limit", DEFAULT_RATE_LIMIT)))
        values["port"] = int(values.get("port", 8080))
        values["body_timeout"] = float(values.get("body_timeout", 10.0))
        values["keep_alive_timeout"] = float(values.get("keep_alive_timeout", 5.0))
    except ValueError as exc:
        raise SettingsError(f"not a number: {exc}") from exc
    for key in ("body_timeout", "keep_alive_timeout"):
        if not 0 < values[key] < float("inf"):  # the protocol sweeps at a quarter of each
            raise SettingsError(f"{key} must be a positive number of seconds")
    values["data_dir"] = Path(values.get("data_dir", "opentim-data"))

    apps = [_app_from_toml(t, rate) for t in file.get("apps", [])]
    if environ.get("OPENTIM_SDKAPPID") or environ.get("OPENTIM_SECRET_KEY"):
        if not (environ.get("OPENTIM_SDKAPPID") and environ.get("OPENTIM_SECRET_KEY")):
            raise SettingsError("set both OPENTIM_SDKAPPID and OPENTIM_SECRET_KEY, or neither")
        try:
            sdkappid = int(environ["OPENTIM_SDKAPPID"])
        except ValueError as exc:
            raise SettingsError("OPENTIM_SDKAPPID must be a number") from exc
        apps = [a for a in apps if a.sdkappid != sdkappid]
        apps.append(
            AppConfig(
                sdkappid=sdkappid,
                keys=(environ["OPENTIM_SECRET_KEY"],),
                admins=_parse_admins(environ.get("OPENTIM_ADMINS", DEFAULT_ADMIN)),
                edition=environ.get("OPENTIM_EDITION", "ultimate"),
                rate_limit=rate,
            )
        )
    elif environ.get("OPENTIM_ADMINS") and apps:
        admins = _parse_admins(environ["OPENTIM_ADMINS"])
        apps = [replace(a, admins=admins) for a in apps]
    dev = not apps
    if dev:
        app = _dev_app(values["data_dir"], rate)
        if environ.get("OPENTIM_ADMINS"):
            app = replace(app, admins=_parse_admins(environ["OPENTIM_ADMINS"]))
        apps = [app]
    for app in apps:
        if app.edition not in EDITIONS:
            raise SettingsError(f"edition must be one of {EDITIONS}, not {app.edition!r}")
    return build(apps=tuple(apps), dev_app_created=dev, **values)
