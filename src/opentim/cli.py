"""``opentim serve | usersig``."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from pathlib import Path

from opentim import settings as settings_mod
from opentim import usersig
from opentim.app import create_app
from opentim.protocol import guarded_protocol

log = logging.getLogger("opentim")


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    try:
        settings = settings_mod.load(
            os.environ,
            config_file=args.config,
            host=args.host,
            port=args.port,
            database_url=args.database,
        )
    except settings_mod.SettingsError as exc:
        print(f"opentim: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if settings.dev_app_created:
        app = settings.apps[0]
        admin = app.admins[0]
        print(
            "OpenTIM development app (credentials kept in "
            f"{settings.data_dir / 'dev-app.json'}):\n"
            f"  SDKAppID:   {app.sdkappid}\n"
            f"  secret key: {app.secret_key}\n"
            f"  admin:      {admin}\n"
            f"  UserSig:    {usersig.sign(app.secret_key, app.sdkappid, admin)}\n"
            f"  base URL:   http://{settings.host}:{settings.port}/v4",
            flush=True,
        )
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        lifespan="on",
        access_log=False,  # the query string carries UserSigs: never logged
        proxy_headers=False,  # no client address is used: skip the middleware on every request
        log_level=settings.log_level,
        loop=event_loop(settings.database),
        # one time limit for a request's header and body, one for an idle connection
        http=guarded_protocol(settings.body_timeout, settings.keep_alive_timeout),
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    tune_garbage_collector()
    server.run()
    return 0 if server.started else 1


def tune_garbage_collector() -> None:
    """What is made before serving (modules, settings, the app) lives as long as the process:
    frozen, the cyclic collector stops walking it; and it runs every 10,000 new objects
    rather than 700. A request leaves few reference cycles; what a send keeps until its group
    COMMIT made the collector's full passes frequent: 524k -> 497k instructions per served
    send_group_msg (bench/RESULTS.md). For a process about to serve (``bench/server.py``'s
    workers call it too), not for one that runs the app in tests."""
    gc.freeze()
    gc.set_threshold(10_000)


def event_loop(database: str) -> str:
    """uvicorn's loop for this database (measured with ``bench/run.py --choices``).

    SQLite requests never suspend: there uvloop gave no more throughput than asyncio's own
    loop but served some connections 200-500 ms late when saturated. On PostgreSQL, where
    every request waits on round trips, the tails were alike and uvloop ("auto" when
    installed) as fast or faster (asyncpg's round trips cost it less CPU).
    """
    return "asyncio" if database.startswith("sqlite") else "auto"


def _usersig(args: argparse.Namespace) -> int:
    print(usersig.sign(args.key, args.sdkappid, args.identifier, args.expire))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="opentim", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve", help="run the server")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--database", help="sqlite:///PATH or postgresql://...")
    serve.add_argument("--config", type=Path, help="TOML file")
    serve.set_defaults(func=_serve)
    sig = sub.add_parser("usersig", help="print a UserSig (TLSSigAPIv2)")
    sig.add_argument("--sdkappid", type=int, required=True)
    sig.add_argument("--key", required=True)
    sig.add_argument("--identifier", required=True)
    sig.add_argument("--expire", type=int, default=180 * 86400)
    sig.set_defaults(func=_usersig)
    args = parser.parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
