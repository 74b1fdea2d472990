"""Builds the Dispatcher with everything wired: no import-time globals, tests build the same."""

from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.commands import set_commands
from bot.config import Settings
from bot.delivery import setup_delivery
from bot.i18n import UserLanguageMiddleware
from bot.middlewares.db_session import DbSessionMiddleware
from bot.roles import Role
from bot.scheduler import setup_scheduler
from bot.services.faq.setup import setup_faq
from db.fsm_storage import SqlAlchemyStorage
from db.repositories.users import UserRepository
from handlers import build_root_router


def create_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    i18n: I18n,
) -> Dispatcher:
    dp = Dispatcher(
        storage=SqlAlchemyStorage(sessionmaker, now=clock.now),
        # One user's updates are handled one at a time, in order (a quick double tap included).
        events_isolation=SimpleEventIsolation(),
        settings=settings,
        sessionmaker=sessionmaker,
        clock=clock,
        i18n=i18n,
    )
    dp.update.outer_middleware(DbSessionMiddleware(sessionmaker, settings, clock))
    dp.update.outer_middleware(UserLanguageMiddleware(i18n))
    dp.include_router(build_root_router())
    setup_delivery(dp)
    setup_faq(dp)
    setup_scheduler(dp)
    dp.startup.register(_publish_commands)
    return dp


async def _publish_commands(
    bot: Bot, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], i18n: I18n
) -> None:
    async with sessionmaker() as session:
        consultants = await UserRepository(session).ids_with_role([Role.CONSULTANT])
    staff = {user_id: Role.CONSULTANT for user_id in consultants}
    staff.update({user_id: Role.ADMIN for user_id in settings.admin_ids})
    await set_commands(bot, i18n, staff.items())
