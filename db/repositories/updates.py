"""Which updates were handled: written in the update's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.updates import ProcessedUpdate
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_processed(self, update_id: int) -> bool:
        found = await self._session.scalar(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
        )
        return found is not None

    async def is_processed_loading_user(self, update_id: int, user_id: int) -> tuple[bool, object]:
        """`is_processed`, and the user's row loaded into the session in the same statement
        (the user repository's next read of it costs none); the row is returned only to be
        held: the session's identity map keeps rows weakly. A user not registered yet takes a
        second statement, as before."""
        processed = (
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id).exists()
        )
        found = (
            await self._session.execute(select(User, processed).where(User.id == user_id))
        ).first()
        if found is None:
            return await self.is_processed(update_id), None
        return bool(found[1]), found[0]

    async def mark_processed(self, update_id: int, now: datetime) -> bool:
        """False when another transaction recorded it first (a replica, a redelivery)."""
        result = await self._session.execute(
            insert_ignoring_conflicts(self._session, ProcessedUpdate).values(
                update_id=update_id, handled_at=now
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def purge_before(self, moment: datetime) -> int:
        result = await self._session.execute(
            delete(ProcessedUpdate).where(ProcessedUpdate.handled_at < moment)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
