"""The running application: database, bot, dispatcher, and their lifecycle."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.factory import create_dispatcher
from bot.i18n import create_i18n
from bot.telegram_session import create_bot
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Application:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    bot: Bot
    dispatcher: Dispatcher
    i18n: I18n
    clock: Clock = field(default_factory=SystemClock)

    @classmethod
    async def create(cls, settings: Settings, *, clock: Clock | None = None) -> Application:
        clock = clock or SystemClock()
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        i18n = create_i18n()
        bot = create_bot(settings.token, settings.telegram_api_url)
        dispatcher = create_dispatcher(settings, sessionmaker, clock=clock, i18n=i18n)
        return cls(settings, engine, sessionmaker, bot, dispatcher, i18n, clock)

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        try:
            await self.dispatcher.start_polling(
                self.bot,
                handle_signals=handle_signals,
                close_bot_session=False,
                allowed_updates=self.dispatcher.resolve_used_update_types(),
            )
        finally:
            await self.close()

    async def stop(self) -> None:
        if self.dispatcher._running_lock.locked():
            await self.dispatcher.stop_polling()

    async def close(self) -> None:
        await self.bot.session.close()
        await self.engine.dispose()
