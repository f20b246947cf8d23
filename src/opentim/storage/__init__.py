"""Storage: business operations over one of two engines (SQLite, PostgreSQL).

``Storage`` groups the stores by area; each store method is one business operation and one
transaction, and its docstring states the contract and the concurrency invariant.
"""

from __future__ import annotations

from opentim.storage.accounts import AccountStore
from opentim.storage.c2c import C2CStore
from opentim.storage.contact_groups import ContactGroupStore
from opentim.storage.conversations import ConversationStore
from opentim.storage.engine import Conflict, Engine, StorageError, StorageUnavailable
from opentim.storage.group_history import GroupHistoryStore
from opentim.storage.group_members import MemberStore
from opentim.storage.group_messages import GroupMessageStore
from opentim.storage.group_pages import GroupPageStore
from opentim.storage.groups import GroupStore
from opentim.storage.message_targets import MessageTargetStore
from opentim.storage.topics import TopicStore

__all__ = ["Conflict", "Storage", "StorageError", "StorageUnavailable", "open_storage"]


class Storage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.load = engine.load
        self.accounts = AccountStore(engine)
        self.groups = GroupStore(engine)
        self.c2c = C2CStore(engine)
        self.conversations = ConversationStore(engine)
        self.contact_groups = ContactGroupStore(engine)
        self.group_messages = GroupMessageStore(engine)
        self.group_pages = GroupPageStore(engine)
        self.message_targets = MessageTargetStore(engine)
        self.group_history = GroupHistoryStore(engine)
        self.members = MemberStore(engine)
        self.topics = TopicStore(engine)

    async def close(self) -> None:
        await self.engine.close()


async def open_storage(url: str) -> Storage:
    """Open (and migrate) the database named by ``sqlite:///PATH`` or ``postgresql://...``."""
    if url.startswith("sqlite://"):
        from opentim.storage.sqlite import SqliteEngine

        path = url.removeprefix("sqlite://").removeprefix("/") or ":memory:"
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        return Storage(await SqliteEngine.open(path))
    if url.startswith(("postgresql://", "postgres://")):
        from opentim.storage.postgres import PostgresEngine

        return Storage(await PostgresEngine.open(url))
    raise ValueError(f"unsupported database URL (use sqlite:///PATH or postgresql://...): {url}")
