"""A user's right to be forgotten: delete what the bot keeps about them."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories.outbox import OutboxRepository
from db.repositories.users import UserRepository


class PrivacyService:
    def __init__(self, session: AsyncSession) -> None:
        self._users = UserRepository(session)
        self._outbox = OutboxRepository(session)

    async def forget(self, user_id: int) -> None:
        """Deletes the user; subscriptions, reminders and ratings go with them (ON DELETE CASCADE).

        Search log rows carry no user id, so they stay. Messages still queued for the user are
        skipped rather than deleted, keeping the delivery record whole.
        """
        await self._outbox.skip_pending_for_chat(user_id, reason="forgotten")
        await self._users.delete(user_id)
