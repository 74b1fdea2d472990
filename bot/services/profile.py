"""A user's own settings: language and region."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.languages import LANGUAGES
from bot.regions import CODES
from db.repositories.users import UserRepository


class UnknownChoiceError(ValueError):
    """A language or region code that the bot does not offer (e.g. forged callback data)."""


class ProfileService:
    def __init__(self, session: AsyncSession) -> None:
        self._users = UserRepository(session)

    async def choose_language(self, user_id: int, code: str) -> None:
        if code not in LANGUAGES:
            raise UnknownChoiceError(code)
        await self._users.set_language(user_id, code)

    async def choose_region(self, user_id: int, code: str | None) -> None:
        if code is not None and code not in CODES:
            raise UnknownChoiceError(code)
        await self._users.set_region(user_id, code)

    async def set_reachable(self, user_id: int, reachable: bool, *, reason: str) -> None:
        if reachable:
            await self._users.mark_reachable(user_id)
        else:
            await self._users.mark_unreachable(user_id, reason)
