"""A user's right to be forgotten: delete what the bot keeps about them."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.users import User
from db.repositories.outbox import OutboxRepository


class PrivacyService:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def forget(self, user_id: int) -> None:
        """Deletes the user; subscriptions, reminders and ratings go with them (ON DELETE CASCADE).

        Search log rows carry no user id, so they stay. Messages still queued for the user are
        skipped rather than deleted, keeping the delivery record whole.
        """
        await OutboxRepository(self._session).skip_pending_for_chat(user_id, reason="forgotten")
        await self._session.execute(delete(User).where(User.id == user_id))
