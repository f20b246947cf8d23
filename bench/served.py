"""Instructions per request through the whole server: ``python bench/served.py --only NAME``.

Runs ``opentim serve`` (SQLite, 1K messages) under ``valgrind --tool=callgrind`` twice: once
started and stopped with no load, once under wrk (64 connections) for ``--seconds``. The
difference divided by the requests wrk completed is what one served request costs — uvicorn,
OpenTIM's protocol and OpenTIM together — a count that other load on the machine does not
move, where requests/s do. ``micro.py`` counts OpenTIM's part alone; the two differ by the
HTTP layer. Needs valgrind and wrk. ``--tree`` measures another checkout's ``src``;
``--baseline`` also counts B, whose count divided by a ratio target is the line a workload's
count must stay under (glibc picks its string functions by CPU, so count both on one machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import dataset
import procs
import run
import workloads

HERE = Path(__file__).resolve().parent


def _instructions(out: Path) -> int:
    for line in out.read_text().splitlines():
        if line.startswith(("summary:", "totals:")):
            return int(line.split()[1])
    raise RuntimeError(f"no totals in {out}")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def served(tree: Path, url: str | None, reqfile: Path, seconds: int, tmp: Path) -> tuple[int, int]:
    """(instructions, requests) of one server's life under ``seconds`` of load (0: none):
    ``opentim serve`` on ``url``, or B (``baseline.py``) when ``url`` is None."""
    out = tmp / f"callgrind-{seconds}.out"
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(tree / "src"),
            "PYTHONHASHSEED": "0",
            "OPENTIM_SDKAPPID": str(dataset.SDKAPPID),
            "OPENTIM_SECRET_KEY": dataset.SECRET_KEY,
            "OPENTIM_RATE_LIMIT": "0",
            "OPENTIM_LOG_LEVEL": "warning",
            "OPENTIM_DATA_DIR": str(tmp / "data"),
        }
    )
    argv = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable]
    if url is None:
        argv += [str(HERE / "baseline.py"), "--port", "{port}", "--workers", "1"]
    else:
        argv += ["-m", "opentim", "serve", "--database", url, "--port", "{port}"]
    server = procs.Server("server under callgrind", argv, env, tmp / "served.log")
    server.start(timeout=180)
    requests = 0
    try:
        if seconds:
            wrk = ["wrk", "-t", "1", "-c", "64", "-d", f"{seconds}s", "--timeout", "30s"]
            wrk += ["-s", str(HERE / "wrk.lua"), f"http://127.0.0.1:{server.port}"]
            done = subprocess.run(
                [*wrk, "--", str(reqfile), "0"], capture_output=True, check=True, timeout=600
            )
            result = json.loads(done.stdout.decode().strip().splitlines()[-1])
            if result["errors"]:
                raise RuntimeError(f"failed requests: {result['first_error']}")
            requests = int(result["requests"])
    finally:
        server.stop()
    return _instructions(out), requests


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", required=True, help="workloads whose name contains this")
    parser.add_argument(
        "--baseline", action="store_true", help="also count B, the line the ratios are drawn on"
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--tree", type=Path, default=HERE.parent, help="checkout to measure")
    parser.add_argument(
        "--keep", type=Path, default=None, help="copy callgrind's outputs into this directory"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        ctx = run.Context(args=argparse.Namespace(), tmp=tmp, generator="wrk")
        ds = dataset.Dataset(1000)
        if args.baseline:
            scaling = next(w for w in workloads.WORKLOADS if w.name == workloads.SCALING)
            query = f"&size={run.BASELINE_ANSWER}"
            reqfile = run.requests_file(ctx, scaling, ds, query)
            idle, _ = served(args.tree, None, reqfile, 0, tmp)
            loaded, requests = served(args.tree, None, reqfile, args.seconds, tmp)
            per_request = (loaded - idle) / max(requests, 1)
            print(f"{per_request / 1000:8.0f}k instructions  B ({requests} requests)")
        for w in workloads.WORKLOADS:
            if args.only not in w.name or w.variants:
                continue
            url, _, _ = run._prepare(ctx, "sqlite", ds)
            reqfile = run.requests_file(ctx, w, ds)
            idle, _ = served(args.tree, url, reqfile, 0, tmp)
            loaded, requests = served(args.tree, url, reqfile, args.seconds, tmp)
            if args.keep is not None:
                args.keep.mkdir(parents=True, exist_ok=True)
                for out in tmp.glob("callgrind-*.out"):
                    shutil.copy(out, args.keep / f"{_slug(w.name)}-{out.name}")
            per_request = (loaded - idle) / max(requests, 1)
            print(f"{per_request / 1000:8.0f}k instructions  {w.name} ({requests} requests)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
