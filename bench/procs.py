"""Processes the benchmark starts and measures: servers (with their workers) and generators."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by these processes."""
    return sum(cpu_split(pids))


def cpu_split(pids: list[int]) -> tuple[float, float]:
    """(user, system) CPU time used so far by these processes."""
    user = system = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        user += int(fields[11])
        system += int(fields[12])
    return user / _TICKS, system / _TICKS


def named(comm: str) -> list[int]:
    """The processes whose command name is ``comm`` (all of the machine's ``postgres``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == comm:
                    found.append(int(entry.name))
            except OSError:
                continue  # gone meanwhile
    return found


def write_calls(pids: list[int]) -> int:
    """System calls of the write family (write, pwrite, send...) made so far by these processes."""
    total = 0
    for pid in pids:
        try:
            lines = Path(f"/proc/{pid}/io").read_text().splitlines()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in lines if line.startswith("syscw:")), 0)
    return total


def peak_rss_mb(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Server:
    """A server process (and, in worker mode, its workers) started in its own session."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log: Path) -> None:
        self.name = name
        self.port = free_port()
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    def start(self, timeout: float = 30.0) -> None:
        """Start and wait for ``GET /healthz``; records the time it took."""
        started = time.perf_counter()
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}; its log:\n"
                    + self.log.read_text()[-3000:]
                )
            if _healthy(self.port):
                self.startup_seconds = time.perf_counter() - started
                return
            if time.perf_counter() - started > timeout:
                self.stop()
                raise RuntimeError(f"{self.name} did not answer /healthz in {timeout}s")
            time.sleep(0.005)

    def pids(self) -> list[int]:
        assert self.proc is not None
        return [self.proc.pid, *_children(self.proc.pid)]

    def workers(self) -> list[int]:
        """The processes that serve requests (the supervisor itself when there is no worker)."""
        assert self.proc is not None
        spawned = [
            pid
            for pid in _children(self.proc.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        return spawned or [self.proc.pid]

    def peak_rss_mb(self) -> float:
        return sum(peak_rss_mb(pid) for pid in self.workers())

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        conn.request("GET", "/healthz")
        ok = conn.getresponse().status == 200
        conn.close()
        return ok
    except OSError:
        return False


def post(port: int, path: str, body: bytes) -> bytes:
    """One POST over a fresh connection; the answer body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body, {"Content-Type": "application/json"})
        return conn.getresponse().read()
    finally:
        conn.close()


def run_measured(argv: list[str], timeout: float) -> tuple[bytes, float]:
    """Run a generator to completion: (its stdout, the CPU seconds it used)."""
    with tempfile.TemporaryFile() as out_file, tempfile.TemporaryFile() as err_file:
        proc = subprocess.Popen(argv, stdout=out_file, stderr=err_file)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                proc.kill()
            time.sleep(0.02)
        out_file.seek(0)
        err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{argv[0]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return out, usage.ru_utime + usage.ru_stime
