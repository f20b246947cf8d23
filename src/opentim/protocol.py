"""The HTTP/1.1 protocol OpenTIM serves with: uvicorn's httptools protocol plus a header timeout.

uvicorn closes idle keep-alive connections but never one whose request headers do not finish;
a client that opens connections and sends half a request line would hold them forever.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class _GuardedHttpTools(HttpToolsProtocol):
    header_timeout = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _expire(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(header_timeout: float) -> type[HttpToolsProtocol]:
    """The protocol class for ``uvicorn.Config(http=...)``, cutting headers after the timeout."""
    return type("OpenTimHttpProtocol", (_GuardedHttpTools,), {"header_timeout": header_timeout})
