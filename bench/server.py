"""OpenTIM in several processes sharing one port (uvicorn's worker mode), for the scaling run.

One process is started with the real ``opentim serve``; this launcher is for ``--workers`` > 1,
where each worker builds the same app from the same ``OPENTIM_*`` environment that
``opentim serve`` reads, and for measuring uvicorn's other event loop (``--loop asyncio``).

    python bench/server.py --workers 2 --port 9200 --database postgresql://...
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from opentim import settings as settings_mod
from opentim.app import Application, create_app
from opentim.cli import tune_garbage_collector

try:  # the protocol ``opentim serve`` uses (httptools plus the request deadline), by import path
    from opentim.protocol import _GuardedHttpTools  # noqa: F401

    _PROTOCOL = "opentim.protocol:_GuardedHttpTools"
except ImportError:
    _PROTOCOL = "httptools"


def app() -> Application:
    """uvicorn's factory: called once in every worker process, which it sets up as
    ``opentim serve`` sets up its own (the collector's tuning)."""
    settings = settings_mod.load(os.environ, database_url=os.environ["BENCH_DATABASE"])
    application = create_app(settings)
    tune_garbage_collector()
    return application


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", required=True)
    parser.add_argument("--loop", default="uvloop", help="uvicorn's loop (to measure the choice)")
    args = parser.parse_args(argv)
    os.environ["BENCH_DATABASE"] = args.database
    uvicorn.run(
        "server:app",
        factory=True,
        app_dir=str(Path(__file__).parent),
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop=args.loop,
        http=_PROTOCOL,
        lifespan="on",
        access_log=False,
        proxy_headers=False,  # as `opentim serve`
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
