"""The fixed baseline B: a bare ASGI callable on uvicorn with uvloop and httptools.

No framework, no storage, no auth. It answers a POST by decoding the JSON body with msgspec
and encoding a response of the size asked for by the ``size`` query parameter (default: the
size of a ``send_group_msg`` answer), with the same headers OpenTIM sends. Every OpenTIM result
is reported as a ratio to this server's throughput, measured in the same run with the same
load generator, connections and number of processes.

    python bench/baseline.py --port 9100 [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import msgspec

DEFAULT_SIZE = 96
_HEADERS = [
    (b"content-type", b"application/json; charset=utf-8"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-headers", b"X-Requested-With"),
    (b"access-control-allow-methods", b"POST"),
]
_ENVELOPE = {"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "Pad": ""}
_EMPTY_LEN = len(msgspec.json.encode(_ENVELOPE))
_encoder = msgspec.json.Encoder()
_pads: dict[int, str] = {}
WORK_SECONDS = float(os.environ.get("BENCH_BASELINE_WORK_US", "0")) / 1e6
"""Busy CPU time added to each request (``--work-us``): B made as slow as OpenTIM, to tell
the server's scheduling from OpenTIM's own code."""


def _response_size(query: bytes) -> int:
    for part in query.split(b"&"):
        if part.startswith(b"size="):
            value = part[5:]
            if value.isdigit():
                return int(value)
    return DEFAULT_SIZE


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    """The whole baseline: read the body, decode it, encode an answer of the asked size."""
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    if body:
        msgspec.json.decode(body)
    size = _response_size(scope["query_string"])
    if WORK_SECONDS:
        until = time.perf_counter() + WORK_SECONDS
        while time.perf_counter() < until:
            pass
    pad = _pads.get(size)
    if pad is None:
        pad = _pads[size] = "x" * max(0, size - _EMPTY_LEN)
    answer = _encoder.encode({"ActionStatus": "OK", "ErrorInfo": "", "ErrorCode": 0, "Pad": pad})
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": answer})


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    parser = argparse.ArgumentParser(description="the bare ASGI baseline B")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--loop", default="uvloop", help="uvicorn's loop (to measure the choice)")
    parser.add_argument("--http", default="httptools", help="uvicorn's HTTP parser (same)")
    parser.add_argument("--work-us", type=int, default=0, help="busy CPU time per request")
    args = parser.parse_args(argv)
    os.environ["BENCH_BASELINE_WORK_US"] = str(args.work_us)  # read again by worker processes
    global WORK_SECONDS
    WORK_SECONDS = args.work_us / 1e6
    uvicorn.run(
        "baseline:app" if args.workers > 1 else app,
        app_dir=str(Path(__file__).parent),
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop=args.loop,
        http=args.http,
        lifespan="on",
        access_log=False,
        log_level="warning",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
