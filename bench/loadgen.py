"""A Python load generator, used when wrk is not installed: one process, uvloop, raw sockets.

Each of ``--connections`` keep-alive connections sends a request, waits for the whole answer,
records its latency and sends the next one, until ``--duration`` seconds have passed. It reads
the same requests file as ``wrk.lua`` and prints the same JSON line. It is slower than wrk; the
run measures its ceiling against the baseline B in the same run, and the report says which
generator produced each number.

    python bench/loadgen.py --port 9100 --requests FILE [--base N] [--connections 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

UNIQUE_STRIDE = 16


def _load(path: str, host: str, port: int) -> list[tuple[bytes, bytes, bytes | None]]:
    """Each request as (head, body, tail or None): the unique number goes between the last two."""
    requests = []
    with open(path, encoding="utf-8") as file:
        lines = file.read().splitlines()
    for line in lines:
        fields = line.split("\t")
        if len(fields) < 2:
            continue
        path_query, body = fields[0], fields[1].encode()
        tail = fields[2].encode() if len(fields) > 2 and fields[2] else None
        head = (
            f"POST {path_query} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            "Content-Type: application/json\r\nContent-Length: "
        ).encode()
        requests.append((head, body, tail))
    return requests


def _take_response(buffer: bytearray) -> tuple[bytes, bytes] | None:
    """Remove one complete HTTP/1.1 answer from ``buffer``: (lower-cased head, body), or None."""
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buffer[:end]).lower()
    at = head.find(b"content-length:")
    if at >= 0:
        stop = head.find(b"\r\n", at)
        length = int(head[at + 15 : stop if stop > 0 else len(head)])
        if len(buffer) < end + 4 + length:
            return None
        body = bytes(buffer[end + 4 : end + 4 + length])
        del buffer[: end + 4 + length]
        return head, body
    chunks, pos = [], end + 4  # transfer-encoding: chunked
    while True:
        line_end = buffer.find(b"\r\n", pos)
        if line_end < 0:
            return None
        size = int(bytes(buffer[pos:line_end]).split(b";")[0], 16)
        if len(buffer) < line_end + 2 + size + 2:
            return None
        if size == 0:
            del buffer[: line_end + 4]
            return head, b"".join(chunks)
        chunks.append(bytes(buffer[line_end + 2 : line_end + 2 + size]))
        pos = line_end + 2 + size + 2


class _Stats:
    def __init__(self) -> None:
        self.latencies: list[int] = []
        self.errors = 0
        self.socket_errors = 0
        self.first_error = ""


class _Connection(asyncio.Protocol):
    """One keep-alive connection: send, read the whole answer, repeat until the deadline."""

    def __init__(self, gen: _Generator, index: int) -> None:
        self.gen = gen
        self.index = index
        self.buffer = bytearray()
        self.done = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # uvloop's is no subclass
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.sent_at = time.perf_counter_ns()
        self.transport.write(self.gen.next_request(self.index))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        answer = _take_response(self.buffer)
        if answer is None:
            return
        head, body = answer
        stats = self.gen.stats
        stats.latencies.append(time.perf_counter_ns() - self.sent_at)
        if not head.startswith(b"http/1.1 200") or b'"ErrorCode":0' not in body:
            stats.errors += 1
            if not stats.first_error:
                stats.first_error = (head[:12] + b" " + body[:280]).decode(errors="replace")
        if time.perf_counter() >= self.gen.deadline:
            assert self.transport is not None
            self.transport.close()
            return
        self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if time.perf_counter() < self.gen.deadline:
            self.gen.stats.socket_errors += 1
        if not self.done.done():
            self.done.set_result(None)


class _Generator:
    def __init__(self, requests: list[tuple[bytes, bytes, bytes | None]], base: int) -> None:
        self.requests = requests
        self.base = base
        self.counter = 0
        self.deadline = 0.0
        self.stats = _Stats()

    def next_request(self, index: int) -> bytes:
        self.counter += 1
        head, body, tail = self.requests[(self.counter + index * 7919) % len(self.requests)]
        if tail is not None:
            body = body + str(self.base + self.counter * UNIQUE_STRIDE).encode() + tail
        return head + str(len(body)).encode() + b"\r\n\r\n" + body


async def _run(args: argparse.Namespace) -> dict[str, object]:
    gen = _Generator(_load(args.requests, args.host, args.port), args.base)
    loop = asyncio.get_running_loop()
    started = time.perf_counter()
    gen.deadline = started + args.duration
    connections = []
    for index in range(args.connections):
        _, protocol = await loop.create_connection(
            lambda i=index: _Connection(gen, i), args.host, args.port
        )
        connections.append(protocol)
    try:
        await asyncio.wait_for(asyncio.gather(*(c.done for c in connections)), args.duration + 15)
    except TimeoutError:
        gen.stats.socket_errors += sum(1 for c in connections if not c.done.done())
    seconds = time.perf_counter() - started
    lat = sorted(gen.stats.latencies) or [0]

    def pct(p: float) -> int:
        return lat[min(len(lat) - 1, int(len(lat) * p / 100))] // 1000

    return {
        "requests": len(gen.stats.latencies),
        "seconds": seconds,
        "rps": len(gen.stats.latencies) / seconds,
        "p50_us": pct(50),
        "p90_us": pct(90),
        "p99_us": pct(99),
        "max_us": lat[-1] // 1000,
        "errors": gen.stats.errors,
        "socket_errors": gen.stats.socket_errors,
        "first_error": gen.stats.first_error,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", required=True, help="requests file (see wrk.lua)")
    parser.add_argument("--base", type=int, default=0, help="first unique number")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=5.0)
    args = parser.parse_args(argv)
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    print(json.dumps(runner(_run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
