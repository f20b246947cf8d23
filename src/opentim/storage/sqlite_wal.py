"""The SQLite engine's write-ahead log, copied into the database file by a thread of its own,
on its own connection.

SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages, on the
event loop: 5-18 ms with its fsync, about every 200 small transactions, stalling every
request in flight (bench/RESULTS.md). A PASSIVE checkpoint never blocks the writer, and
APSW releases the GIL while it runs. It runs every 50 ms while the WAL holds
``CHECKPOINT_PAST`` frames or more (``SqliteEngine.wal_frames``, from SQLite's WAL hook,
which also keeps SQLite from checkpointing inside a COMMIT) and something was committed since
a checkpoint last found it all copied.

The WAL starts over from its beginning only at a write that begins when every frame is
already in the database file. Under steady writes that moment never comes by itself:
commits land while each checkpoint runs. The WAL then grew until SQLite's own checkpoint
ran inside a COMMIT on the event loop (14-28 ms, every second or so of sends: the sends'
p99, bench/RESULTS.md). So once the WAL holds ``RESTART_AFTER`` frames, the checkpointer
has new write transactions wait (``SqliteEngine.hold_writes``), copies the frames the
last checkpoint missed (with its two fsyncs, 10-35 ms on the benchmark machine; reads go
on), and lets them go: the first starts the WAL over.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import TYPE_CHECKING

import apsw

if TYPE_CHECKING:
    from opentim.storage.sqlite import SqliteEngine

CHECKPOINT_EVERY = 0.05
"""Seconds between background WAL checkpoints: the longer the interval, the more a checkpoint
copies and syncs at once, and the longer the commits that meet it wait (bench/RESULTS.md:
send p99 at 64 connections 35-40 ms at 0.25 s, 17-18 ms at 0.05 s, for the same throughput)."""
CHECKPOINT_PAST = 100
"""WAL frames below which the checkpointer leaves the WAL alone. A checkpoint that catches up
lets the next write start the WAL over, and that write fsyncs the WAL's new header on the event
loop: checkpointing every 50 ms whatever the WAL held, each lone write paid it (p50 0.87-1.24 ms
against 0.20-0.23 ms with this, bench/RESULTS.md). Under load 100 frames come within
milliseconds; at SQLite's own 1,000, sends were 4-15% slower in two of two A/B runs."""
RESTART_AFTER = 65_536
"""WAL frames (256 MiB of 4 KiB pages) after which the checkpointer copies the last frames
while writes wait, so that the next write starts the WAL over (see ``Checkpointer``). Writes
wait 20-40 ms each time; at 8,192 frames that came every 0.6 s of 100-group sends and was
their p99 (bench/RESULTS.md). A WAL this long is reached only under writes without a pause:
any quiet 50 ms lets the checkpoint catch up by itself."""
HOLD_TIMEOUT = 1.0
"""Seconds the checkpointer waits for the open writes to commit before it gives up a restart."""

log = logging.getLogger("opentim.storage")


class Checkpointer:
    """The checkpointer of one engine's database file: see the module's docstring."""

    def __init__(self, path: str, engine: SqliteEngine, vfs: str) -> None:
        self._conn = apsw.Connection(path, vfs=vfs)  # the engine's: its WAL index is in memory
        self._engine = engine
        self._loop = asyncio.get_running_loop()
        self._stop = threading.Event()
        self._held = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="opentim-sqlite-checkpoint", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        failed = False
        copied = -1  # the WAL's length when a checkpoint last found all of it copied
        while not self._stop.wait(CHECKPOINT_EVERY):
            length = self._engine.wal_frames
            if length < CHECKPOINT_PAST or length == copied:
                continue  # short, or nothing committed since it was all copied
            try:
                busy, frames, backfilled = next(
                    self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
                )
                if frames >= RESTART_AFTER:
                    self._catch_up()
                if not busy and backfilled == frames:
                    copied = length
                failed = False
            except RuntimeError:  # the event loop is closed: the engine was not
                break
            except Exception as exc:  # the thread goes on: nothing else checkpoints
                if not failed:
                    log.warning("background WAL checkpoint failed (will retry): %s", exc)
                failed = True
        self._conn.close()

    def _catch_up(self) -> None:
        """Copy the WAL's last frames while no write transaction is open."""
        held = self._held = threading.Event()
        self._loop.call_soon_threadsafe(self._engine.hold_writes, held)
        try:
            if held.wait(HOLD_TIMEOUT) and not self._stop.is_set():
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            self._loop.call_soon_threadsafe(self._engine.release_writes, held)

    def close(self) -> None:
        self._stop.set()
        self._held.set()
        self._thread.join()
