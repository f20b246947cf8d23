"""What a handler gets besides its request: who calls, for which app, and the storage."""

from __future__ import annotations

import time
from dataclasses import dataclass

from opentim.settings import AppConfig
from opentim.storage import Storage


@dataclass(slots=True)
class Ctx:
    app: AppConfig
    storage: Storage
    identifier: str
    """The caller named in the URL: an App Admin on ``/v4``, a user on ``/client/v1``."""
    user: str | None = None
    """Set on the client API: the signed-in user whose view the handler must apply."""

    @property
    def sdkappid(self) -> int:
        return self.app.sdkappid

    @staticmethod
    def now() -> int:
        return int(time.time())
