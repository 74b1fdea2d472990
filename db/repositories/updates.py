"""Which updates were handled: written in the update's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.updates import ProcessedUpdate
from db.repositories.dialect import insert_ignoring_conflicts


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_processed(self, update_id: int) -> bool:
        found = await self._session.scalar(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
        )
        return found is not None

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
