"""One transaction per update: open a session, load the user, commit in one place."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.exceptions import TelegramForbiddenError
from aiogram.types import TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.roles import effective_role
from db.repositories.users import UserRepository
from db.session_context import update_session

log = logging.getLogger(__name__)

# Writing "last seen" on every update would take SQLite's write lock for every click.
LAST_SEEN_GRANULARITY = timedelta(minutes=10)


class DbSessionMiddleware(BaseMiddleware):
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: Clock
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._clock = clock

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        tg_user: User | None = data.get("event_from_user")
        try:
            async with self._sessionmaker() as session:
                data["session"] = session
                if tg_user is not None and not tg_user.is_bot:
                    db_user, created = await UserRepository(session).touch(
                        tg_user.id, self._clock.now(), seen_every=LAST_SEEN_GRANULARITY
                    )
                    data["db_user"] = db_user
                    data["user_created"] = created
                    data["role"] = effective_role(db_user, self._settings)
                # The FSM storage joins this transaction (see db.session_context).
                token = update_session.set(session)
                try:
                    result = await handler(event, data)
                finally:
                    update_session.reset(token)
                await session.commit()
                return result
        except TelegramForbiddenError as exc:
            if tg_user is None:
                raise
            # They blocked the bot while we were answering: remember it, nothing to tell them.
            await self._mark_unreachable(tg_user.id, exc.message)
            return None

    async def _mark_unreachable(self, user_id: int, reason: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await UserRepository(session).mark_unreachable(user_id, reason)
        # No user id at INFO: logs are not a place for personal data.
        log.info("a user blocked the bot while it was answering")
