"""App factory: settings (+ storage) → the ASGI application with its lifespan."""

from __future__ import annotations

import logging

from opentim.http import Api, Receive, Scope, Send
from opentim.settings import Settings
from opentim.storage import Storage, open_storage

log = logging.getLogger("opentim")


class Application:
    """Opens the storage at start-up (unless given one) and closes what it opened at shutdown."""

    def __init__(self, settings: Settings, storage: Storage | None = None) -> None:
        self.settings = settings
        self._storage = storage
        self._owns_storage = storage is None
        self.api: Api | None = None if storage is None else Api(settings, storage)

    async def startup(self) -> None:
        if self._storage is None:
            self._storage = await open_storage(self.settings.database)
        if self.api is None:
            self.api = Api(self.settings, self._storage)

    async def shutdown(self) -> None:
        if self.api is not None:
            await self.api.limiter.close()
        if self._owns_storage and self._storage is not None:
            await self._storage.close()
            self._storage = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            assert self.api is not None, "lifespan startup has not run"
            await self.api(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    await self.startup()
                except Exception as exc:
                    log.error("start-up failed: %s", exc)
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app(settings: Settings, storage: Storage | None = None) -> Application:
    return Application(settings, storage)
