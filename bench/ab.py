"""A/B comparison of two OpenTIM source trees under load: ``python bench/ab.py REF``.

Runs OpenTIM at git ``REF`` (checked out into a temporary worktree) and the working tree side by
side, each on its own copy of the same seeded SQLite database, and alternates load runs between
them (A, B, A, B, ...) so that a neighbour's load drifting through the run moves both sides.
Reports requests/s and the server CPU per request, the latter being the steadier figure on a
shared machine. For deciding whether a change to the request path pays; not part of the tests.
Both sides run on the working tree's schema and seed data: for changes that keep the schema.

    python bench/ab.py HEAD~1 --only send_group_msg --rounds 3
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dataset
import procs
import run
import workloads

ROOT = Path(__file__).resolve().parent.parent


def _server(ctx: run.Context, url: str, src: Path, label: str) -> procs.Server:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(src),  # ahead of the editable install's path entry
            "OPENTIM_SDKAPPID": str(dataset.SDKAPPID),
            "OPENTIM_SECRET_KEY": dataset.SECRET_KEY,
            "OPENTIM_RATE_LIMIT": "0",
            "OPENTIM_LOG_LEVEL": "warning",
            "OPENTIM_DATA_DIR": str(ctx.tmp / f"data-{label}"),
        }
    )
    argv = [sys.executable, "-m", "opentim", "serve", "--database", url, "--port", "{port}"]
    return procs.Server(f"OpenTIM {label}", argv, env, ctx.tmp / f"opentim-{label}.log")


def _measure(ctx: run.Context, server: procs.Server, reqfile: Path) -> tuple[float, ...]:
    """(requests/s, server CPU µs per request, of which in the kernel, write system calls per
    request, p99 latency in ms) of one warmed-up run."""
    run.drive(ctx, server.port, reqfile, ctx.args.warmup)
    pids = server.pids()
    (user, system), writes = procs.cpu_split(pids), procs.write_calls(pids)
    result = run.drive(ctx, server.port, reqfile, ctx.args.duration)
    user_after, system_after = procs.cpu_split(pids)
    writes = procs.write_calls(pids) - writes
    if result.get("errors"):
        raise SystemExit(f"{server.name}: {result['errors']} failed answers: {result}")
    per_request = 1e6 / max(result["requests"], 1)
    cpu = (user_after - user + system_after - system) * per_request
    kernel = (system_after - system) * per_request
    return result["rps"], cpu, kernel, writes * per_request / 1e6, result["p99_us"] / 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", help="git ref of side A (side B is the working tree)")
    parser.add_argument("--only", default="", help="workloads whose name contains this")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=3.0)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args(argv)
    args.generator, args.profile, args.out = "auto", "", None
    with tempfile.TemporaryDirectory(prefix="opentim-ab-") as tmp_text:
        tmp = Path(tmp_text)
        tree = tmp / "a"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), args.ref],
            check=True,
        )
        try:
            ctx = run.Context(args, tmp, run._generator("auto"))
            ds = dataset.Dataset(args.messages)
            url_a, seeded, _ = run._prepare(ctx, "sqlite", ds)
            path_b = tmp / "b.sqlite3"
            shutil.copy(url_a.removeprefix("sqlite:///"), path_b)
            sides = {
                "A": _server(ctx, url_a, tree / "src", "A"),
                "B": _server(ctx, f"sqlite:///{path_b}", ROOT / "src", "B"),
            }
            for server in sides.values():
                server.start()
            print(f"A = {args.ref}, B = working tree; {ds.label} messages, SQLite, {ctx.generator}")
            print(
                f"{'workload':48} {'A req/s':>9} {'B req/s':>9} {'B/A':>6}  µs/req A → B"
                " (in the kernel)   writes/req A → B   p99 ms A → B"
            )
            for w in workloads.WORKLOADS:
                if args.only not in w.name or not set(w.needs) <= dataset.capabilities(seeded):
                    continue
                reqfile = run.requests_file(ctx, w, ds)
                got: dict[str, list[tuple[float, ...]]] = {"A": [], "B": []}
                for round_ in range(args.rounds):
                    # A first in even rounds, B first in odd ones: neither side always runs
                    # second, after the other's load (it showed as a higher p99 for B)
                    order = list(sides.items())[:: -1 if round_ % 2 else 1]
                    for label, server in order:
                        got[label].append(_measure(ctx, server, reqfile))
                        time.sleep(0.2)
                rps, cpu, kernel, wr, p99 = (
                    {k: statistics.median(m[i] for m in v) for k, v in got.items()}
                    for i in range(5)
                )
                print(
                    f"{w.name:48} {rps['A']:9.0f} {rps['B']:9.0f} {rps['B'] / rps['A']:6.2f}"
                    f"  {cpu['A']:.0f} → {cpu['B']:.0f} ({kernel['A']:.0f} → {kernel['B']:.0f})"
                    f"   {wr['A']:.1f} → {wr['B']:.1f}   {p99['A']:.1f} → {p99['B']:.1f}",
                    flush=True,
                )
            for server in sides.values():
                server.stop()
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
