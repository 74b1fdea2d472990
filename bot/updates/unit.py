"""One update's unit of work: its session, its hooks, and the commits it makes.

The first commit also records the update id (in the same transaction), so a redelivered update is
recognised; it happens before the first message goes out (see `send_guard`), or at the end when
the update said nothing. Later commits (state saved after a reply) are ordinary ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories.updates import UpdateRepository

Hook = Callable[[], Awaitable[None]]


class DuplicateUpdate(Exception):
    """Another transaction (a replica, a redelivery handled meanwhile) recorded this update."""


class UpdateUnit:
    def __init__(self, session: AsyncSession, update_id: int | None, now: datetime) -> None:
        self.session = session
        self.update_id = update_id
        self._now = now
        self._before_first_commit: list[Hook] = []
        self.recorded = False

    def before_first_commit(self, hook: Hook) -> None:
        """Run `hook` in the transaction of the first commit (e.g. save dialog state that would
        otherwise only be saved after the reply)."""
        self._before_first_commit.append(hook)

    async def commit(self) -> None:
        if not self.recorded:
            for hook in self._before_first_commit:
                await hook()
            if self.update_id is not None and not await UpdateRepository(
                self.session
            ).mark_processed(self.update_id, self._now):
                raise DuplicateUpdate(self.update_id)
        await self.session.commit()
        self.recorded = True


current_unit: ContextVar[UpdateUnit | None] = ContextVar("current_unit", default=None)
