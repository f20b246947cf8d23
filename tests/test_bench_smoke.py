"""The benchmark suite keeps working: ``bench/run.py --quick`` runs end to end in a few seconds.

Nothing here looks at a timing: the smoke run only proves that the harness starts the baseline
and OpenTIM, seeds the data, drives every quick workload and writes its report.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"

pytestmark = pytest.mark.slow


def test_quick_benchmark_runs_every_quick_workload_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    done = subprocess.run(
        [sys.executable, str(BENCH / "run.py"), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = out.read_text()
    assert "<!-- results:begin -->" in report and "<!-- results:end -->" in report
    assert "| baseline | 1 |" in report
    data = json.loads(out.with_suffix(".json").read_text())
    assert data["baselines"]["1"]["rps"] > 0
    rows = {r["workload"]: r for r in data["rows"] if r["engine"] == "sqlite"}
    sys.path.insert(0, str(BENCH))
    try:
        from workloads import QUICK
    finally:
        sys.path.remove(str(BENCH))
    assert set(rows) == set(QUICK)
    for name, row in rows.items():
        assert row["status"] != "failed", f"{name}: {row.get('note')}"
        if row["status"] != "n/a":
            assert row["requests"] > 0, name
    assert [s["engine"] for s in data["servers"]] == ["sqlite"]
    assert data["servers"][0]["peak_rss_mb"] > 0
