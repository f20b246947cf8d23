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

An API answer (status 200, JSON, Content-Length) is written by ``write_answer``: its status
line, headers and body in one ``send()``, without the ASGI ``send`` messages and uvicorn's
per-header checks of headers that are constant here. Anything else (an interim 100, HEAD, a
paused transport, another server) goes through ASGI ``send`` as usual. Its body, when it has
all arrived with the headers (as a small request's does), is taken by ``whole_body`` without
the ASGI ``receive``.

Keep-alive: uvicorn arms a timer after each answer and cancels it when the next request
arrives; here the same sweep closes a connection idle for ``keep_alive_timeout`` (as late as
the sweep's interval), which spares each request a ``call_later`` and its ``cancel``.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

TIMED = "opentim.timed"
"""Scope key: present when this protocol enforces the request deadline (the app need not)."""
LATE = "opentim.late"
"""Scope key: True once the deadline passed before the body was complete."""
IN_FLIGHT = "opentim.in_flight"
"""Scope key: the server's set of request tasks, one per request in flight (``storage.Load``)."""
CYCLE = "opentim.cycle"
"""Scope key: the request's uvicorn cycle, for ``write_answer``."""


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


class _Head:
    """The status line and headers of a 200 answer, up to its Content-Length value.

    uvicorn's own headers (``date``, ``server``) come first, as its ``send`` writes them; it
    renews their list every second, so the encoded head is kept for the list it was made from.
    """

    __slots__ = ("_defaults", "_head", "_headers")

    def __init__(self, headers: list[tuple[bytes, bytes]]) -> None:
        self._headers = b"".join(b"%s: %s\r\n" % (name, value) for name, value in headers)
        self._defaults: list[tuple[bytes, bytes]] | None = None
        self._head = b""

    def bytes_for(self, defaults: list[tuple[bytes, bytes]]) -> bytes:
        if defaults is not self._defaults:
            lines = b"".join(b"%s: %s\r\n" % (name.lower(), value) for name, value in defaults)
            self._head = b"HTTP/1.1 200 OK\r\n" + lines + self._headers + b"content-length: "
            self._defaults = defaults
        return self._head


def answerer(headers: list[tuple[bytes, bytes]]) -> Callable[[Any, bytes], bool]:
    """``write_answer(cycle, body)`` for answers with these (lower-case, valid) headers.

    It writes the whole answer when uvicorn's ``send`` would write the same bytes: the response
    has not started, the connection is open and writable, the method is not HEAD. Then it
    completes the cycle as ``send`` does and answers True; otherwise False, and the caller
    sends the answer through ASGI.
    """
    head = _Head(headers)

    def write_answer(cycle: RequestResponseCycle, body: bytes) -> bool:
        if (
            cycle.response_started
            or cycle.disconnected
            or cycle.flow.write_paused
            or cycle.scope["method"] == "HEAD"
        ):
            return False
        cycle.response_started = True
        cycle.waiting_for_100_continue = False
        close = b"" if cycle.keep_alive else b"connection: close\r\n"
        cycle.transport.write(
            b"%s%d\r\n%s\r\n%s" % (head.bytes_for(cycle.default_headers), len(body), close, body)
        )
        cycle.response_complete = True
        cycle.message_event.set()
        if not cycle.keep_alive:
            cycle.transport.close()
        cycle.on_response()
        return True

    return write_answer


def whole_body(cycle: RequestResponseCycle) -> bytes | None:
    """The request's body when all of it has arrived and the app has read none of it (what
    ``receive()`` would answer with ``more_body`` False), else None: then use ``receive()``."""
    if cycle.more_body or cycle.disconnected or cycle.response_complete:
        return None
    body = bytes(cycle.body)
    cycle.body = bytearray()
    return body


class _GuardedHttpTools(HttpToolsProtocol):
    request_timeout = 10.0
    keep_alive_timeout = 5.0
    deadline: float | None = None
    _sweeper: _Sweeper

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sweeper = _sweepers.get(self.loop)
        if sweeper is None:
            interval = min(self.request_timeout / 4, self.keep_alive_timeout / 4, 0.25)
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
        # uvicorn splits the URL with httptools.parse_url, a character at a time: ~13k
        # instructions for a URL carrying a UserSig. It is given the path alone to parse, and
        # the query string is the rest, as parse_url would cut it (no fragment to cut off).
        url = self.url
        query = None
        if b"#" not in url and not self.parser.should_upgrade():
            self.url, _, query = url.partition(b"?")
        super().on_headers_complete()
        if query is not None:
            self.url = url
            self.scope["query_string"] = query
        if self.cycle is not None:
            self.scope[CYCLE] = self.cycle  # type: ignore[literal-required]

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: Any) -> None:
        """uvicorn's, with the task leaving the set of tasks in flight as it ends rather than
        in a done callback: one loop callback fewer per request."""
        task = self.loop.create_task(self._run_asgi(cycle, app))
        self.tasks.add(task)

    async def _run_asgi(self, cycle: RequestResponseCycle, app: Any) -> None:
        try:
            await cycle.run_asgi(app)
        finally:
            # given the loop: without it, asyncio looks the running loop up, and on Python
            # 3.11 that makes a getpid() system call, one per request
            self.tasks.discard(asyncio.current_task(self.loop))

    def on_message_complete(self) -> None:
        self.deadline = None
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """uvicorn's, with the keep-alive deadline left to the sweep instead of a timer."""
        self.server_state.total_requests += 1
        if self.transport.is_closing():
            return
        self.flow.resume_reading()
        if self.pipeline:
            cycle, app = self.pipeline.pop()
            self._start_asgi_task(cycle, app)
        else:
            self.deadline = self.loop.time() + self.keep_alive_timeout

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


def guarded_protocol(request_timeout: float, keep_alive_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)``, with these deadlines (seconds): a
    request's headers and body, and an idle keep-alive connection's next request."""
    deadlines = {"request_timeout": request_timeout, "keep_alive_timeout": keep_alive_timeout}
    return type("OpenTimHttpProtocol", (_GuardedHttpTools,), deadlines)
