"""OpenTIM's benchmark suite: ``python bench/run.py`` (``make bench``), ``--quick`` for a smoke run.

Starts OpenTIM as a separate process (SQLite, and PostgreSQL when reachable), seeds its data in
bulk through the storage engine, and drives it over loopback from a separate load generator
(wrk with ``wrk.lua``; the Python ``loadgen.py`` when wrk is missing), each run bounded in time.
In the same run it measures the baseline B (``baseline.py``) and reports every result as
requests/s, p50/p99 latency and the ratio to B, with the server's peak RSS, the database size
and the start-up time, into ``bench/RESULTS.md`` (between its ``results`` markers).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dataset
import msgspec
import procs
import profiling
import report
import workloads
from dataset import Dataset
from workloads import LARGE, SMALL, UNIQUE, Request, Workload

HERE = Path(__file__).resolve().parent
PG_URL = os.environ.get(
    "OPENTIM_BENCH_PG_URL",
    os.environ.get("OPENTIM_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
)
BASELINE_ANSWER = 100
"""Bytes of B's answer: about the size of a send_group_msg answer."""


@dataclass
class Context:
    args: argparse.Namespace
    tmp: Path
    generator: str
    main_generator: str = ""
    rows: list[dict[str, Any]] = field(default_factory=list)
    servers: list[dict[str, Any]] = field(default_factory=list)
    b_runs: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    runs: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def say(self, text: str) -> None:
        print(text, flush=True)


def _query(identifier: str, sig: str) -> str:
    return (
        f"?sdkappid={dataset.SDKAPPID}&identifier={identifier}&usersig={sig}"
        f"&random={secrets.randbelow(2**31)}&contenttype=json"
    )


def _sign(identifier: str, now: int) -> str:
    from opentim import usersig

    return usersig.sign(dataset.SECRET_KEY, dataset.SDKAPPID, identifier, 86400, now)


def requests_file(ctx: Context, w: Workload, ds: Dataset, extra_query: str = "") -> Path:
    """Write the workload's requests, one a line (see ``wrk.lua``)."""
    requests: list[Request] = w.bodies(ds)
    if w.variants:
        requests = [requests[i % len(requests)] for i in range(w.variants)]
    sigs: dict[str, str] = {}
    lines = []
    marker = str(UNIQUE).encode()
    for i, req in enumerate(requests):
        if req.fresh_sig:
            sig = _sign(req.identifier, ds.now - i)
        else:
            sig = sigs.setdefault(req.identifier, _sign(req.identifier, ds.now))
        body = msgspec.json.encode(req.body)
        head, _, tail = body.partition(marker)
        prefix = "/client/v1/" if req.client else "/v4/"
        fields = [f"{prefix}{w.command}{_query(req.identifier, sig)}{extra_query}", head.decode()]
        if tail:
            fields.append(tail.decode())
        lines.append("\t".join(fields))
    path = ctx.tmp / f"requests-{next(ctx.runs)}.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def drive(ctx: Context, port: int, reqfile: Path, duration: float) -> dict[str, Any]:
    """One bounded load run; the generator's JSON result plus its CPU use."""
    base = (next(ctx.runs) % 250) * 2**24
    conns = str(ctx.args.connections)
    if ctx.generator == "wrk":
        argv = [
            "wrk",
            "-t",
            str(ctx.args.threads),
            "-c",
            conns,
            "-d",
            f"{max(1, round(duration))}s",
            "--timeout",
            "10s",
            "-s",
            str(HERE / "wrk.lua"),
            f"http://127.0.0.1:{port}",
            "--",
            str(reqfile),
            str(base),
        ]
    else:
        argv = [
            sys.executable,
            str(HERE / "loadgen.py"),
            "--port",
            str(port),
            "--requests",
            str(reqfile),
            "--base",
            str(base),
            "--connections",
            conns,
            "--duration",
            str(duration),
        ]
    out, cpu = procs.run_measured(argv, timeout=duration + 30)
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    result["gen_cpu"] = cpu / max(result["seconds"], 1e-9)
    return result


def measure(
    ctx: Context,
    server: procs.Server,
    reqfile: Path,
    name: str = "",
    where: str = "",
    database: str = "",
) -> dict[str, Any]:
    """Warm up, then one measured run; adds the server's CPU use (cores busy), and with
    ``database`` the command name of the database server's processes, theirs (``db_cpu``):
    whether the machine's cores were all busy.

    wrk counts whole seconds: durations are rounded, at least 1 s. With ``--profile`` matching
    ``name``, the server is sampled by py-spy during the measured run.
    """
    if ctx.args.warmup > 0:
        drive(ctx, server.port, reqfile, ctx.args.warmup)
    pids = server.pids()
    spy, raw = None, ctx.tmp / f"profile-{next(ctx.runs)}.txt"
    if ctx.args.profile and name and ctx.args.profile in name:
        spy = profiling.start(server.workers()[0], ctx.args.duration, raw)
    db_before = {pid: procs.cpu_seconds([pid]) for pid in procs.named(database)} if database else {}
    before, started = procs.cpu_seconds(pids), time.perf_counter()
    result = drive(ctx, server.port, reqfile, ctx.args.duration)
    elapsed = time.perf_counter() - started
    result["server_cpu"] = (procs.cpu_seconds(pids) - before) / elapsed
    if database:  # a process that started meanwhile counts from zero
        used = sum(
            procs.cpu_seconds([pid]) - db_before.get(pid, 0.0) for pid in procs.named(database)
        )
        result["db_cpu"] = used / elapsed
    if spy is not None:
        spy.wait(timeout=60)
        text = profiling.summary(raw) if raw.exists() else "py-spy wrote nothing"
        ctx.say(f"profile of {name} ({where}):\n{text}")
        if ctx.args.out is not None:
            stem = re.sub(r"[^a-z0-9]+", "_", f"{name} {where}".lower()).strip("_")
            saved = ctx.args.out.parent / "profiles" / f"{stem}.txt"
            saved.parent.mkdir(parents=True, exist_ok=True)
            saved.write_text(f"{name} ({where}), py-spy\n\n{text}\n")
    elif ctx.args.profile and name and ctx.args.profile in name:
        ctx.say("py-spy is not installed (`.venv/bin/pip install py-spy`): no profile")
    return result


def baseline(
    ctx: Context,
    processes: int,
    answer: int = BASELINE_ANSWER,
    key: str = "",
    server_options: tuple[str, ...] = (),
) -> float:
    """B for this number of processes: same body, connections and generator as OpenTIM's.

    Recorded as the reference for ``processes`` unless ``key`` names another entry.
    """
    label = f"B, {processes} process{'es' if processes > 1 else ''}"
    if answer != BASELINE_ANSWER:
        label += f", {answer}-byte answer"
    if ctx.generator != ctx.main_generator:
        label += f", {ctx.generator} generator"
    if server_options:
        label += f", uvicorn {' '.join(server_options)}"
    server = procs.Server(
        label,
        [
            sys.executable,
            str(HERE / "baseline.py"),
            "--port",
            "{port}",
            "--workers",
            str(processes),
            *server_options,
        ],
        dict(os.environ),
        ctx.tmp / f"baseline-{next(ctx.runs)}.log",
    )
    server.start()
    try:
        ds = Dataset(ctx.args.messages[0])
        reqfile = requests_file(ctx, _scaling_workload(), ds, f"&size={answer}")
        result = measure(ctx, server, reqfile)
    finally:
        server.stop()
    ctx.rows.append(
        {
            "engine": "baseline",
            "size": "",
            "procs": processes,
            "workload": label,
            "generator": ctx.generator,
            "status": "ok",
            "ratio": None,
            **result,
        }
    )
    ctx.say(f"  {label}: {result['rps']:.0f} req/s, p99 {result['p99_us'] / 1000:.2f} ms")
    result["at"] = time.monotonic()
    ctx.b_runs.setdefault(key or str(processes), []).append(result)
    return float(result["rps"])


def _scaling_workload() -> Workload:
    return next(w for w in workloads.WORKLOADS if w.name == workloads.SCALING)


def _available(w: Workload, commands: set[str], seeded: dict[str, int]) -> str:
    if w.command not in commands:
        return "not available: command not in the command table yet"
    for need in w.needs:
        if not seeded.get(need):
            return f"not available: the schema has no table for the {need} data yet"
    return ""


def _probe(port: int, reqfile: Path) -> str:
    """Send the first request once; '' if it succeeded, else the answer."""
    line = reqfile.read_text().splitlines()[0].split("\t")
    body = line[1] + (str(UNIQUE - 1) + line[2] if len(line) > 2 else "")
    answer = procs.post(port, line[0], body.encode())
    try:
        code = msgspec.json.decode(answer).get("ErrorCode")
    except msgspec.DecodeError:
        code = None
    return "" if code == 0 else answer.decode(errors="replace")[:300]


async def _create_pg() -> str | None:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return None
    name = f"opentim_bench_{secrets.token_hex(4)}"
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


async def _drop_pg(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL, timeout=3)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await conn.close()


async def _migrate(url: str) -> None:
    from opentim.storage import open_storage

    storage = await open_storage(url)
    await storage.close()


async def _db_bytes(url: str) -> int:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite://"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval("SELECT pg_database_size(current_database())"))
    finally:
        await conn.close()


def _prepare(ctx: Context, engine: str, ds: Dataset) -> tuple[str, dict[str, int], float]:
    """Create, migrate and seed a database: (its URL, rows seeded per table, seconds)."""
    if engine == "sqlite":
        path = ctx.tmp / f"opentim-{ds.label}-{next(ctx.runs)}.sqlite3"
        url = f"sqlite:///{path}"
    else:
        created = asyncio.run(_create_pg())
        assert created is not None
        url = created
    asyncio.run(_migrate(url))
    started = time.perf_counter()
    if engine == "sqlite":
        seeded = dataset.seed_sqlite(str(path), ds)
    else:
        seeded = asyncio.run(dataset.seed_postgres(url, ds))
    return url, seeded, time.perf_counter() - started


def _opentim(ctx: Context, url: str, processes: int, loop: str = "") -> procs.Server:
    """``opentim serve`` itself for one process; ``server.py`` (uvicorn workers) for several,
    or to run on a given event loop."""
    env = dict(os.environ)
    env.update(
        {
            "OPENTIM_SDKAPPID": str(dataset.SDKAPPID),
            "OPENTIM_SECRET_KEY": dataset.SECRET_KEY,
            "OPENTIM_RATE_LIMIT": "0",
            "OPENTIM_LOG_LEVEL": "warning",
            "OPENTIM_DATA_DIR": str(ctx.tmp / "data"),
        }
    )
    if processes == 1 and not loop:
        argv = [sys.executable, "-m", "opentim", "serve", "--database", url, "--port", "{port}"]
    else:
        argv = [
            sys.executable,
            str(HERE / "server.py"),
            "--workers",
            str(processes),
            "--database",
            url,
            "--port",
            "{port}",
            *(["--loop", loop] if loop else []),
        ]
    return procs.Server(
        f"OpenTIM ({processes} proc)", argv, env, ctx.tmp / f"opentim-{next(ctx.runs)}.log"
    )


def phase(
    ctx: Context, engine: str, size: str, processes: int, chosen: list[Workload], loop: str = ""
) -> None:
    """One server on one freshly seeded database, every chosen workload in turn."""
    messages = ctx.args.messages[0 if size == SMALL else 1]
    ds = Dataset(messages)
    label = f"{engine}, {loop} loop" if loop else engine
    if not ctx.args.quick:  # the reference measured next to this phase (see finish())
        baseline(ctx, processes)
    ctx.say(f"{label}, {ds.label} messages, {processes} process(es): seeding")
    url, seeded, seed_seconds = _prepare(ctx, engine, ds)
    try:
        seeded.update({need: 1 for need in dataset.capabilities(seeded)})
        server = _opentim(ctx, url, processes, loop)
        try:
            server.start()
            ctx.say(
                f"  seeded in {seed_seconds:.1f}s; /healthz after {server.startup_seconds:.2f}s"
            )
            for w in chosen:
                _workload(ctx, server, w, ds, seeded, label, processes)
            rss = server.peak_rss_mb()
        finally:
            server.stop()
        db_bytes = asyncio.run(_db_bytes(url))
    finally:
        if engine == "postgres":
            asyncio.run(_drop_pg(url))
    ctx.servers.append(
        {
            "engine": label,
            "size": ds.label,
            "messages": messages,
            "procs": processes,
            "startup_s": server.startup_seconds,
            "peak_rss_mb": rss,
            "db_bytes": db_bytes,
            "seed_s": seed_seconds,
            "seeded": {k: v for k, v in seeded.items() if v > 1},
        }
    )
    ctx.say(f"  peak RSS {rss:.0f} MiB, database {db_bytes / 2**20:.1f} MiB")


def _workload(
    ctx: Context,
    server: procs.Server,
    w: Workload,
    ds: Dataset,
    seeded: dict[str, int],
    engine: str,
    processes: int,
) -> None:
    """Check that the workload can run, probe it once, then measure it; one row of results."""
    from opentim.commands import by_path

    row: dict[str, Any] = {
        "engine": engine,
        "size": ds.label,
        "procs": processes,
        "workload": w.name,
        "kind": w.kind,
        "at": time.monotonic(),
    }
    ctx.rows.append(row)
    missing = _available(w, set(by_path()), seeded)
    if missing:
        row.update(status="n/a", note=missing)
        ctx.say(f"  {w.name}: {missing}")
        return
    reqfile = requests_file(ctx, w, ds)
    failure = _probe(server.port, reqfile)
    if failure:
        row.update(status="failed", note=f"first request answered {failure}")
        ctx.say(f"  {w.name}: FAILED: {failure}")
        return
    where = f"{engine}, {ds.label}, {processes} proc"
    database = "postgres" if engine == "postgres" else ""
    result = measure(ctx, server, reqfile, w.name, where, database)
    row.update(status="ok" if not result["errors"] else "errors", **result)
    b = ctx.b_runs.get(str(processes))
    ctx.say(
        f"  {w.name}: {result['rps']:.0f} req/s, p50 {result['p50_us'] / 1000:.2f} ms,"
        f" p99 {result['p99_us'] / 1000:.2f} ms"
        + (f", {result['rps'] / b[-1]['rps']:.2f} x B" if b else "")
        + (f", {result['errors']} errors: {result['first_error']}" if result["errors"] else "")
    )


def finish(ctx: Context) -> dict[str, dict[str, float]]:
    """B per process count (the mean of its runs), and each result's ratios to the B measured
    closest in time: the mean of the B runs just before and just after it (B is measured
    before every phase and at the end, so a neighbour's load drifting through a long run moves
    B and OpenTIM alike)."""
    refs: dict[str, dict[str, float]] = {}
    for key, runs in ctx.b_runs.items():
        refs[key] = {
            "rps": sum(r["rps"] for r in runs) / len(runs),
            "per_cpu": sum(_per_cpu(r) for r in runs) / len(runs),
            "runs": len(runs),
        }
    for row in ctx.rows:
        runs = ctx.b_runs.get(str(row["procs"]), [])
        if "rps" not in row or row["engine"] == "baseline" or not runs:
            continue
        before = [r for r in runs if r["at"] <= row["at"]][-1:]
        after = [r for r in runs if r["at"] > row["at"]][:1]
        near = before + after or runs
        row["ratio"] = row["rps"] / (sum(r["rps"] for r in near) / len(near))
        row["cpu_ratio"] = _per_cpu(row) / (sum(_per_cpu(r) for r in near) / len(near))
    return refs


def _per_cpu(result: dict[str, Any]) -> float:
    return float(result["rps"]) / max(float(result["server_cpu"]), 0.01)


def _generator(choice: str) -> str:
    if choice in ("auto", "wrk") and shutil.which("wrk"):
        return "wrk"
    if choice == "wrk":
        sys.exit("wrk is not installed: `apt-get install wrk` (or use --generator python)")
    if choice == "auto":
        print(
            "wrk not found (install it with `apt-get install wrk` for the reference numbers);"
            " using the Python load generator, whose ceiling is the B row",
            flush=True,
        )
    return "python"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: SQLite, 1K messages, three workloads, ~1 s each",
    )
    parser.add_argument("--duration", type=float, default=4.0, help="seconds per measured run")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds of warm-up per run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument(
        "--messages",
        default="1000,1000000",
        help="stored messages of the small and the large dataset",
    )
    parser.add_argument("--only", default="", help="run only workloads whose name contains this")
    parser.add_argument("--scale-processes", type=int, default=2)
    parser.add_argument(
        "--profile",
        default="",
        help="sample the server with py-spy during workloads whose name has this",
    )
    parser.add_argument(
        "--choices",
        action="store_true",
        help="also measure B with uvicorn's other event loop and HTTP parser, and OpenTIM"
        " on each event loop",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="report file (default bench/RESULTS.md; none with --quick)",
    )
    args = parser.parse_args(argv)
    args.messages = [int(n) for n in args.messages.split(",")]
    engines = args.engines.split(",")
    if args.quick:
        args.duration, args.warmup, engines = 1.0, 0.0, ["sqlite"]
        args.messages = args.messages[:1]
    elif args.out is None:
        args.out = HERE / "RESULTS.md"
    chosen = [
        w
        for w in workloads.WORKLOADS
        if args.only in w.name and (not args.quick or w.name in workloads.QUICK)
    ]
    with tempfile.TemporaryDirectory(prefix="opentim-bench-") as tmp:
        generator = _generator(args.generator)
        ctx = Context(args, Path(tmp), generator, generator)
        started = time.perf_counter()
        run_all(ctx, engines, chosen)
        ctx.say(f"done in {time.perf_counter() - started:.0f}s")
    info = report.environment(ctx.generator, PG_URL if "postgres" in engines else None)
    data = {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "environment": info,
        "baselines": finish(ctx),
        "rows": ctx.rows,
        "servers": ctx.servers,
        "notes": ctx.notes,
    }
    text = report.render(data)
    print(text)
    if args.out is not None:
        report.write(args.out, text)
        args.out.with_suffix(".json").write_text(json.dumps(data, indent=1) + "\n")
        print(f"written to {args.out}")
    return 0


def run_all(ctx: Context, engines: list[str], chosen: list[Workload]) -> None:
    args = ctx.args
    if "postgres" in engines and asyncio.run(_pg_reachable()) is False:
        ctx.notes.append(f"PostgreSQL not reachable at {PG_URL}: its runs were skipped")
        engines = [e for e in engines if e != "postgres"]
    ctx.say(f"baseline B ({ctx.generator}, {args.connections} connections)")
    baseline(ctx, 1)
    if not args.quick:
        if ctx.generator == "wrk":  # the fallback generator's ceiling, for the record
            ctx.generator = "python"
            baseline(ctx, 1, key="1, python generator")
            ctx.generator = "wrk"
        baseline(ctx, 1, 3000, key="1, 3000-byte answer")
        if args.choices:  # the HTTP server's choices, measured the same way
            baseline(ctx, 1, key="1, asyncio", server_options=("--loop", "asyncio"))
            baseline(ctx, 1, key="1, h11", server_options=("--http", "h11"))
            for loop in ("uvloop", "asyncio"):  # B as slow as OpenTIM: the loop's own tails
                baseline(
                    ctx,
                    1,
                    key=f"1, 200 us work, {loop}",
                    server_options=("--loop", loop, "--work-us", "200"),
                )
            picked = [w for w in workloads.WORKLOADS if w.name in workloads.QUICK]
            for engine in engines:
                for loop in ("uvloop", "asyncio"):
                    _guarded(ctx, engine, SMALL, 1, picked, loop)
    sizes = [SMALL] + ([LARGE] if len(args.messages) > 1 else [])
    for engine in engines:
        for size in sizes:
            _guarded(ctx, engine, size, 1, [w for w in chosen if size in w.sizes])
        scaled = [w for w in chosen if w.name == workloads.SCALING]
        if engine == "postgres" and scaled and args.scale_processes > 1:
            if args.quick:
                baseline(ctx, args.scale_processes)
            _guarded(ctx, engine, SMALL, args.scale_processes, scaled)
    if not args.quick:  # B again: the machine may have changed under the run
        ctx.say("baseline B again")
        baseline(ctx, 1)


def _guarded(
    ctx: Context, engine: str, size: str, processes: int, chosen: list[Workload], loop: str = ""
) -> None:
    """A phase whose server cannot start (or whose code cannot be imported) is reported, and
    the run goes on with the next one."""
    try:
        phase(ctx, engine, size, processes, chosen, loop)
    except (ImportError, RuntimeError) as exc:
        note = f"{engine}, {size}, {processes} process(es) not run: {exc}"
        ctx.notes.append(note.splitlines()[0] + " (see the run's output)")
        ctx.say(note)


async def _pg_reachable() -> bool:
    import asyncpg

    try:
        conn = await asyncpg.connect(PG_URL, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return False
    await conn.close()
    return True


if __name__ == "__main__":
    sys.exit(main())
