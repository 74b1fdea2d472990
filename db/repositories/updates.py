"""Which updates were handled: written in the update's own transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.updates import ProcessedUpdate
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts

# Built once (the first statement of every update from a person): building it cost about as
# much as running it. One row: whether the update was handled, and the user's row or NULLs.
_PROCESSED_LOADING_USER = (
    select(
        select(ProcessedUpdate.update_id)
        .where(ProcessedUpdate.update_id == bindparam("update_id"))
        .exists(),
        User,
    )
    .select_from(select(literal(1).label("one")).subquery())
    .outerjoin(User, User.id == bindparam("user_id"))
)


class UpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def is_processed(self, update_id: int) -> bool:
        found = await self._session.scalar(
            select(ProcessedUpdate.update_id).where(ProcessedUpdate.update_id == update_id)
        )
        return found is not None

    async def is_processed_loading_user(
        self, update_id: int, user_id: int
    ) -> tuple[bool, object | None]:
        """`is_processed`, and the user's row loaded into the session in the same statement
        (None: not registered). The row is returned only to be held while the user repository
        reads it from the session (its identity map keeps rows weakly)."""
        found = (
            await self._session.execute(
                _PROCESSED_LOADING_USER, {"update_id": update_id, "user_id": user_id}
            )
        ).one()
        return bool(found[0]), found[1]

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
