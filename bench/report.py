"""The benchmark report: machine and versions, the tables, and the targets of the issue."""

from __future__ import annotations

import asyncio
import platform
import re
import subprocess
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import apsw

BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"
P99_LIMIT_MS = 20.0
ENGINES = ("sqlite", "postgres")
"""Rows labelled with an engine alone come from ``opentim serve`` itself."""


def _first_line(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "not found"
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""


def _cpu() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 2**20
    return 0.0


async def _pg_version(url: str) -> str:
    import asyncpg

    try:
        conn = await asyncpg.connect(url, timeout=3)
    except (TimeoutError, OSError, asyncpg.PostgresError):
        return "not reachable"
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def environment(generator: str, pg_url: str | None) -> dict[str, str]:
    import os

    versions = {
        name: metadata.version(name)
        for name in ("uvicorn", "uvloop", "httptools", "msgspec", "asyncpg")
    }
    here = str(Path(__file__).parent)
    commit = _first_line(["git", "-C", here, "rev-parse", "--short", "HEAD"])
    dirty = _first_line(["git", "-C", here, "status", "--porcelain", "--", "../src"])
    if dirty and dirty != "not found":
        commit += " with uncommitted changes in src/"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{_cpu()}, {os.cpu_count()} cores, {_memory_gib():.0f} GiB, "
        f"{platform.system()} {platform.release()}",
        "load": "load average at the end of the run: "
        + " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "python": platform.python_version(),
        "opentim": f"commit {commit}",
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "sqlite": apsw.sqlite_lib_version(),
        "postgresql": asyncio.run(_pg_version(pg_url)) if pg_url else "not used",
        "generator": _first_line(["wrk", "-v"]) if generator == "wrk" else "bench/loadgen.py",
    }


def _ms(us: Any) -> str:
    return "" if us is None else f"{us / 1000:.2f}"


def _result_rows(rows: list[dict[str, Any]]) -> list[str]:
    out = [
        "| engine | proc | messages | workload | req/s | p50 ms | p99 ms | × B | × B per CPU"
        " | server CPU | generator CPU | note |",
        "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        if r.get("status") in ("n/a", "failed"):
            out.append(
                f"| {r['engine']} | {r['procs']} | {r['size']} | {r['workload']} |"
                f" | | | | | | | {r['status']}: {r.get('note', '')} |"
            )
            continue
        note = f"{r['errors']} non-OK answers: `{r['first_error'][:120]}`" if r["errors"] else ""
        if r.get("socket_errors"):
            note += f" {r['socket_errors']} socket errors"
        if "db_cpu" in r:
            note += f" PostgreSQL's processes: {r['db_cpu']:.2f} CPU"
        ratio = f"{r['ratio']:.2f}" if r.get("ratio") else ""
        cpu_ratio = f"{r['cpu_ratio']:.2f}" if r.get("cpu_ratio") else ""
        out.append(
            f"| {r['engine']} | {r['procs']} | {r['size']} | {r['workload']} | {r['rps']:.0f} |"
            f" {_ms(r['p50_us'])} | {_ms(r['p99_us'])} | {ratio} | {cpu_ratio} |"
            f" {r['server_cpu']:.2f} |"
            f" {r['gen_cpu']:.2f} | {note} |"
        )
    return out


def _find(data: dict[str, Any], engine: str, name: str, size: str = "", procs: int = 1) -> Any:
    for r in data["rows"]:
        if (
            r["engine"] == engine
            and r["workload"] == name
            and r["procs"] == procs
            and (not size or r["size"] == size)
            and "rps" in r
        ):
            return r
    return None


def _labels(data: dict[str, Any], engine: str) -> list[str]:
    return sorted(
        {s["size"] for s in data["servers"] if s["engine"] == engine},
        key=lambda label: next(s["messages"] for s in data["servers"] if s["size"] == label),
    )


def targets(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each target of the issue that this run measured."""
    found: list[tuple[str, str, str]] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    sizes = _labels(data, "sqlite")
    small, large = (sizes[0], sizes[-1]) if sizes else ("", "")
    for name, floor in (
        ("send_group_msg (100 groups)", 0.3),
        ("send_group_msg (one hot group)", 0.3),
        ("sendmsg", 0.3),
        ("group_msg_get_simple (20 messages)", 0.4),
        ("group_msg_get_simple (client API, as a member)", 0.4),
        ("group_msg_get_simple (new UserSig each request)", 0.4),
        ("admin_getroammsg (20 messages)", 0.4),
        ("recentcontact/get_list", 0.4),
    ):
        r = _find(data, "sqlite", name, small)
        if r and r.get("ratio"):
            ok, per_cpu = r["ratio"] >= floor, r.get("cpu_ratio", 0) >= floor
            found.append(
                (
                    f"{name} ≥ {floor} × B (SQLite, 1 process)",
                    f"{r['ratio']:.2f} × B ({r.get('cpu_ratio', 0):.2f} × B per CPU-second)",
                    verdict(ok) if ok or not per_cpu else "met per CPU-second only",
                )
            )
    if small != large:
        for name in (
            "clear_group_msg",
            "recentcontact/delete ClearRamble=1 (group)",
            "recentcontact/delete ClearRamble=1 (C2C)",
        ):
            a, b = _find(data, "sqlite", name, small), _find(data, "sqlite", name, large)
            if a and b:
                factor = b["p50_us"] / max(a["p50_us"], 1)
                found.append(
                    (
                        f"{name}: p50 at {large} within 2× of {small}",
                        f"{_ms(a['p50_us'])} → {_ms(b['p50_us'])} ms ({factor:.2f}×)",
                        verdict(factor <= 2),
                    )
                )
        r = _find(data, "sqlite", "delete_group_msg_by_sender", large)
        if r:
            found.append(
                (
                    f"delete_group_msg_by_sender p99 at {large} < 20 ms",
                    f"{_ms(r['p99_us'])} ms",
                    verdict(r["p99_us"] < 20_000),
                )
            )
    conns = data["settings"]["connections"]
    for engine, judged in (("sqlite", True), ("postgres", False)):
        measured = [
            r for r in data["rows"] if "rps" in r and r["engine"] == engine and r["procs"] == 1
        ]
        if not measured:
            continue
        worst = max(measured, key=lambda r: r["p99_us"])
        over = sum(1 for r in measured if r["p99_us"] >= P99_LIMIT_MS * 1000)
        found.append(
            (
                f"p99 of every workload < 20 ms at {conns} connections ({engine}, `opentim serve`)",
                f"worst: {worst['workload']} ({worst['size']}, {worst['procs']} proc)"
                f" {_ms(worst['p99_us'])} ms; {over} of {len(measured)} runs at or over 20 ms",
                verdict(worst["p99_us"] < P99_LIMIT_MS * 1000)
                if judged
                else "(the target is set for SQLite)",
            )
        )
    for s in data["servers"]:
        if s["engine"] == "sqlite" and s["messages"] >= 1_000_000:
            found.append(
                (
                    f"peak RSS < 200 MB with {s['size']} messages (SQLite)",
                    f"{s['peak_rss_mb'] * 1.048576:.0f} MB",
                    verdict(s["peak_rss_mb"] * 1.048576 < 200),
                )
            )
    if data["servers"]:
        served = [s for s in data["servers"] if s["procs"] == 1 and s["engine"] in ENGINES]
        slowest = max(served or data["servers"], key=lambda s: s["startup_s"])
        found.append(
            (
                "start-up to /healthz < 1 s (`opentim serve`)",
                f"slowest: {slowest['startup_s']:.2f} s ({slowest['engine']}, {slowest['size']})",
                verdict(slowest["startup_s"] < 1),
            )
        )
    one = _find(data, "postgres", "send_group_msg (100 groups)", procs=1)
    many = [r for r in data["rows"] if r["engine"] == "postgres" and r["procs"] > 1 and "rps" in r]
    if one and many:
        factor = many[0]["rps"] / one["rps"]
        found.append(
            (
                f"PostgreSQL, {many[0]['procs']} processes: send_group_msg (100 groups) "
                "≥ 1.6 × one process",
                f"{factor:.2f}×",
                verdict(factor >= 1.6),
            )
        )
    return found


def render(data: dict[str, Any]) -> str:
    env, settings = data["environment"], data["settings"]
    lines = [
        f"## Run of {env['date']}" + (" (quick smoke run)" if settings.get("quick") else ""),
        "",
        f"- machine: {env['machine']}; {env['load']}",
        f"- Python {env['python']}; OpenTIM {env['opentim']}; {env['packages']}",
        f"- SQLite {env['sqlite']}; PostgreSQL {env['postgresql']}",
        f"- load generator: {env['generator']}, {settings['threads']} thread(s),"
        f" {settings['connections']} connections, {settings['duration']} s per run after"
        f" {settings['warmup']} s of warm-up; separate process over loopback",
        "- × B: requests/s over B's with as many processes (B measured just before and just"
        " after the workload's phase);"
        " × B per CPU: the same per CPU-second the server used, which stays comparable when"
        " other processes share the machine",
        "- CPU columns: cores kept busy during the measured run (1.00 = one full core)",
        "",
        "### Results",
        "",
        *_result_rows(data["rows"]),
        "",
        "### Servers",
        "",
        "| engine | proc | messages | start-up to /healthz | peak RSS | database size"
        " | seeded in |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for s in data["servers"]:
        lines.append(
            f"| {s['engine']} | {s['procs']} | {s['size']} | {s['startup_s']:.2f} s |"
            f" {s['peak_rss_mb']:.0f} MiB | {s['db_bytes'] / 2**20:.1f} MiB | {s['seed_s']:.1f} s |"
        )
    lines += ["", "### Targets", "", "| target | measured | verdict |", "|---|---|---|"]
    lines += [f"| {t} | {m} | {v} |" for t, m, v in targets(data)]
    if data["notes"]:
        lines += ["", *[f"- {n}" for n in data["notes"]]]
    return "\n".join(lines) + "\n"


TEMPLATE = f"""# OpenTIM benchmark results

Produced by `make bench` (`bench/run.py`); the part between the markers is rewritten by each
run, the rest is kept.

{BEGIN}
{END}
"""


def write(path: Path, text: str) -> None:
    """Put ``text`` between the results markers of ``path`` (created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    current = path.read_text() if path.exists() else TEMPLATE
    if BEGIN not in current:
        current += "\n" + TEMPLATE.split("\n\n", 2)[2]
    pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
    path.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}{END}", current, count=1))
