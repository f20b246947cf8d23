"""In-process measurements behind the stack choices: ``python bench/micro.py``.

Each line is the best of several rounds of many calls, in microseconds per call, so that other
processes on the machine disturb it less than a load test. Compares the JSON libraries on a
send_group_msg request and answer, UserSig verification against the per-process cache, query
string parsing, and the SQLite engine's reader and transaction.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import dataset
import msgspec
from workloads import text_body

ROUNDS, CALLS = 5, 20_000


def best(fn: Callable[[], object]) -> float:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(CALLS):
            fn()
        timings.append((time.perf_counter() - started) / CALLS * 1e6)
    return min(timings)


async def best_async(fn: Callable[[], Awaitable[object]]) -> float:
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for _ in range(CALLS):
            await fn()
        timings.append((time.perf_counter() - started) / CALLS * 1e6)
    return min(timings)


def json_choices() -> list[tuple[str, float]]:
    from opentim.wire.group_messages import SendGroupMsgRequest, SendGroupMsgResponse

    body = msgspec.json.encode(
        {
            "GroupId": "bench_g001",
            "From_Account": "u0001",
            "Random": 123456789,
            "MsgBody": text_body("hello, this is a benchmark message"),
        }
    )
    typed = msgspec.json.Decoder(SendGroupMsgRequest)
    encoder = msgspec.json.Encoder()
    answer = SendGroupMsgResponse(msg_time=1_700_000_000, msg_seq=42)
    plain = {
        "ActionStatus": "OK",
        "ErrorInfo": "",
        "ErrorCode": 0,
        "MsgTime": 1_700_000_000,
        "MsgSeq": 42,
        "MsgDropReason": "",
    }
    rows = [
        (
            "msgspec Struct: decode + validate the request, encode the answer",
            best(lambda: encoder.encode(answer) and typed.decode(body)),
        ),
        (
            "msgspec untyped: decode to dict, encode a dict",
            best(lambda: msgspec.json.encode(plain) and msgspec.json.decode(body)),
        ),
        (
            "stdlib json: loads, dumps (no validation)",
            best(lambda: json.dumps(plain) and json.loads(body)),
        ),
    ]
    try:
        import orjson

        rows.append(
            (
                "orjson: loads, dumps (no validation)",
                best(lambda: orjson.dumps(plain) and orjson.loads(body)),
            )
        )
    except ImportError:
        rows.append(("orjson: not installed", float("nan")))
    return rows


def auth_choices() -> list[tuple[str, float]]:
    from opentim import usersig

    sig = usersig.sign(dataset.SECRET_KEY, dataset.SDKAPPID, dataset.ADMIN)
    cache = {(dataset.SDKAPPID, dataset.ADMIN, sig): True}
    query = (
        f"sdkappid={dataset.SDKAPPID}&identifier={dataset.ADMIN}&usersig={sig}"
        "&random=1234567&contenttype=json"
    ).encode()
    from opentim.http import parse_query

    return [
        (
            "UserSig verification (zlib, JSON, HMAC-SHA256)",
            best(
                lambda: usersig.verify(sig, dataset.SDKAPPID, dataset.ADMIN, (dataset.SECRET_KEY,))
            ),
        ),
        (
            "verified-UserSig cache lookup",
            best(lambda: cache.get((dataset.SDKAPPID, dataset.ADMIN, sig))),
        ),
        (
            "query string: dict(parse_qsl(...))",
            best(lambda: dict(parse_qsl(query.decode("latin-1")))),
        ),
        ("query string: opentim.http.parse_query", best(lambda: parse_query(query))),
    ]


async def storage_choices() -> list[tuple[str, float]]:
    from opentim.storage import open_storage

    with tempfile.TemporaryDirectory() as tmp:
        storage = await open_storage(f"sqlite:///{Path(tmp) / 'micro.sqlite3'}")
        engine = storage.engine

        async def read() -> None:
            async with engine.reader():
                pass

        async def write() -> None:
            async with engine.transaction():
                pass

        async def kicked() -> None:
            await storage.accounts.kicked_at(dataset.SDKAPPID, dataset.ADMIN)

        async def kicked_cached() -> None:
            await storage.accounts.kicked_at(dataset.SDKAPPID, dataset.ADMIN, cache_absent=True)

        async def timeout() -> None:
            async with asyncio.timeout(60):
                pass

        rows = [
            ("SQLite engine: enter and leave reader()", await best_async(read)),
            ("SQLite engine: empty transaction (BEGIN IMMEDIATE, COMMIT)", await best_async(write)),
            ("admin kick check, absence not cached (one SELECT)", await best_async(kicked)),
            ("admin kick check, absence cached", await best_async(kicked_cached)),
            ("asyncio.timeout around an await that does not suspend", await best_async(timeout)),
        ]
        await storage.close()
    return rows


async def request_costs(
    calls: int = 2000, only: str = "", profile: bool = False, postgres: bool = False
) -> list[tuple[str, float]]:
    """Each available workload's request through OpenTIM's ASGI app, without sockets or HTTP
    parsing: what OpenTIM itself costs per request (SQLite, or a new PostgreSQL database with
    ``postgres``; 1K messages; best of the rounds)."""
    import run
    import workloads

    from opentim import settings as settings_mod
    from opentim.app import create_app
    from opentim.commands import by_path
    from opentim.storage import open_storage

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        ds = dataset.Dataset(1000)
        if postgres:
            created = await run._create_pg()
            if created is None:
                raise SystemExit(f"PostgreSQL not reachable at {run.PG_URL}")
            url = created
            await run._migrate(url)
            seeded = await dataset.seed_postgres(url, ds)
        else:
            path = str(Path(tmp) / "requests.sqlite3")
            url = f"sqlite:///{path}"
            storage = await open_storage(url)
            await storage.close()
            seeded = dataset.seed_sqlite(path, ds)
        env = {
            "OPENTIM_SDKAPPID": str(dataset.SDKAPPID),
            "OPENTIM_SECRET_KEY": dataset.SECRET_KEY,
            "OPENTIM_RATE_LIMIT": "0",
        }
        app = create_app(settings_mod.load(env, database_url=url))
        await app.startup()
        commands = set(by_path())
        marker = str(workloads.UNIQUE).encode()
        for w in workloads.WORKLOADS:
            missing = [n for n in w.needs if n not in dataset.capabilities(seeded)]
            requests = w.bodies(ds)
            if w.command not in commands or missing or w.variants:
                continue
            if only not in w.name:
                continue
            scopes = {r.identifier: _scope(w.command, r, ds) for r in requests}  # one a user
            calls_made = [
                (
                    scopes[requests[i % len(requests)].identifier],
                    msgspec.json.encode(requests[i % len(requests)].body).replace(
                        marker, str(10_000_000 + len(rows) * 100_000 + i).encode()
                    ),
                )
                for i in range(calls * ROUNDS)
            ]

            async def send(message: dict[str, object]) -> None:
                pass

            def receiver(body: bytes) -> Callable[[], Awaitable[dict[str, object]]]:
                async def receive() -> dict[str, object]:
                    return {"type": "http.request", "body": body, "more_body": False}

                return receive

            for scope, body in calls_made[: min(100, calls)]:  # warm-up
                await app(dict(scope), receiver(body), send)
            timings = []
            for round_ in range(ROUNDS):  # every send unique: no round repeats a Random
                started = time.perf_counter()
                for scope, body in calls_made[round_ * calls : (round_ + 1) * calls]:
                    await app(dict(scope), receiver(body), send)
                timings.append((time.perf_counter() - started) / max(calls, 1) * 1e6)
            rows.append((w.name, min(timings)))
            if profile:
                rows.append(
                    (
                        w.name + " (profiled, see stderr)",
                        await _profiled(app, calls_made, receiver, send),
                    )
                )
        await app.shutdown()
        if postgres:
            await run._drop_pg(url)
    return rows


async def _profiled(
    app: Any, calls_made: list[tuple[dict[str, Any], bytes]], receiver: Any, send: Any
) -> float:
    """One more pass under cProfile, its hottest functions printed to stderr."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for scope, body in calls_made[: CALLS // 10]:
        await app(dict(scope), receiver(body), send)
    profiler.disable()
    elapsed = (time.perf_counter() - started) / (CALLS // 10) * 1e6
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)
    return elapsed


def _scope(command: str, req: Any, ds: dataset.Dataset) -> dict[str, object]:
    """The ASGI scope of ``req``: the admin API, or the client API signed in as its account."""
    from opentim.protocol import TIMED

    sig = usersig_for(ds, req.identifier)
    query = f"sdkappid={dataset.SDKAPPID}&identifier={req.identifier}&usersig={sig}"
    return {
        "type": "http",
        "method": "POST",
        "path": f"{'/client/v1/' if req.client else '/v4/'}{command}",
        "query_string": f"{query}&random=1&contenttype=json".encode(),
        "headers": [],
        TIMED: True,  # as under `opentim serve`: the protocol keeps the deadline
    }


def usersig_for(ds: dataset.Dataset, identifier: str = dataset.ADMIN) -> str:
    from opentim import usersig

    return usersig.sign(dataset.SECRET_KEY, dataset.SDKAPPID, identifier, 86400, ds.now)


def main() -> int:
    run = asyncio.run  # the loop `opentim serve` runs on
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="only the requests of workloads whose name has this")
    parser.add_argument("--profile", action="store_true", help="and print their cProfile")
    parser.add_argument(
        "--postgres", action="store_true", help="with --only: on PostgreSQL (run.py's PG_URL)"
    )
    parser.add_argument(
        "--calls",
        type=int,
        default=2000,
        help="requests per round; with --only, 0 and N under valgrind --tool=callgrind give"
        " instructions per request, which the machine's other load does not move",
    )
    args = parser.parse_args()
    if args.only is not None:
        costs = request_costs(args.calls, args.only, args.profile, args.postgres)
        for name, micros in run(costs):
            print(f"{micros:8.2f} µs  {name}")
        return 0
    sections = [
        ("JSON", json_choices()),
        ("auth and routing", auth_choices()),
        ("storage and request plumbing", run(storage_choices())),
        ("one request through the ASGI app, no HTTP (SQLite, 1K messages)", run(request_costs())),
    ]
    print("| measurement | µs per call |\n|---|---:|")
    for title, rows in sections:
        print(f"| **{title}** | |")
        for name, micros in rows:
            print(f"| {name} | {micros:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
