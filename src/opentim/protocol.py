"""The HTTP/1.1 protocol OpenTIM serves with: uvicorn's httptools protocol plus a request deadline.

uvicorn closes idle keep-alive connections but never one whose request does not finish; a
client that opens connections and sends half a request line would hold them forever. Here each
request (and each new connection) has one deadline, ``request_timeout`` after it began, for its
headers and its body together:

- headers not complete by then: the connection is closed;
- headers complete, body not: the app is woken with ``scope[LATE] = True`` and answers 60008
  (``Api._read_body``), the connection then closes as usual.

Deadlines are checked by one sweep per event loop, several times per timeout, rather than by a
timer per request: a ``call_later`` + ``cancel`` per request and the app's ``asyncio.timeout``
around the body cost ~9 µs of a request that is ~50 µs in all (bench/RESULTS.md). A deadline
is therefore kept within a quarter of the timeout (at most 0.25 s) of its nominal time.

The answer's status line and headers are written with its body in one ``send()`` rather than
two: the cycle's transport is a ``_CoalescingTransport`` that holds the headers until the body.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TIMED = "opentim.timed"
"""Scope key: present when this protocol enforces the request deadline (the app need not)."""
LATE = "opentim.late"
"""Scope key: True once the deadline passed before the body was complete."""
IN_FLIGHT = "opentim.in_flight"
"""Scope key: the server's set of request tasks, one per request in flight (``storage.Load``)."""


class _Sweeper:
    """Checks the deadlines of one event loop's connections while it has any."""

    def __init__(self, loop: asyncio.AbstractEventLoop, interval: float) -> None:
        self.loop = loop
        self.interval = interval
        self.connections: weakref.WeakSet[_GuardedHttpTools] = weakref.WeakSet()
        self._handle: asyncio.TimerHandle | None = None

    def add(self, connection: _GuardedHttpTools) -> None:
        self.connections.add(connection)
        if self._handle is None:
            self._handle = self.loop.call_later(self.interval, self._sweep)

    def discard(self, connection: _GuardedHttpTools) -> None:
        self.connections.discard(connection)

    def _sweep(self) -> None:
        now = self.loop.time()
        for connection in list(self.connections):
            deadline = connection.deadline
            if deadline is not None and deadline <= now:
                connection.expire()
        self._handle = (
            self.loop.call_later(self.interval, self._sweep) if self.connections else None
        )


_sweepers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sweeper] = (
    weakref.WeakKeyDictionary()
)


class _CoalescingTransport:
    """The cycle's view of the transport: the head waits for the body, both leave in one write."""

    __slots__ = ("_head", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._head = b""
        self._started = False

    def write(self, data: bytes) -> None:
        if not self._started and not data.startswith(b"HTTP/1.1 100 "):
            self._started = True  # the answer's first write: its status line and headers
            self._head = data
            return
        head, self._head = self._head, b""
        self._transport.write(head + data if head else data)

    def close(self) -> None:
        if self._head:
            self.write(b"")
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class _GuardedHttpTools(HttpToolsProtocol):
    request_timeout = 10.0
    deadline: float | None = None
    _sweeper: _Sweeper

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sweeper = _sweepers.get(self.loop)
        if sweeper is None:
            interval = min(self.request_timeout / 4, 0.25)
            sweeper = _sweepers[self.loop] = _Sweeper(self.loop, interval)
        sweeper.add(self)
        self._sweeper = sweeper
        self.deadline = self.loop.time() + self.request_timeout

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope[TIMED] = True  # type: ignore[literal-required]
        self.scope[IN_FLIGHT] = self.tasks  # type: ignore[literal-required]
        self.deadline = self.loop.time() + self.request_timeout

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = _CoalescingTransport(self.transport)  # type: ignore[assignment]

    def on_message_complete(self) -> None:
        self.deadline = None
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.deadline = None
        self._sweeper.discard(self)
        super().connection_lost(exc)

    def expire(self) -> None:
        self.deadline = None
        cycle = self.cycle
        if cycle is not None and cycle.scope is self.scope and not cycle.response_complete:
            self.scope[LATE] = True  # type: ignore[literal-required]
            cycle.message_event.set()  # the app's receive() returns; it answers 60008
        elif not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(request_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)``, with this request deadline."""
    return type("OpenTimHttpProtocol", (_GuardedHttpTools,), {"request_timeout": request_timeout})
