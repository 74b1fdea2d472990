"""Builds the Dispatcher from the long-lived objects the composition root made (bot.app)."""

from __future__ import annotations

from aiogram import Dispatcher
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import UserLanguageMiddleware
from bot.metrics import Metrics, MetricsMiddleware
from bot.middlewares.services import ServicesMiddleware
from bot.services.registry import ServiceFactory
from bot.updates.transaction import UpdateTransactionMiddleware
from db.fsm_storage import SqlAlchemyStorage
from handlers import build_root_router


def create_dispatcher(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    clock: Clock,
    i18n: I18n,
    services: ServiceFactory,
    metrics: Metrics,
) -> Dispatcher:
    """Handlers receive `settings`, `clock` and `i18n` as keyword arguments, and per update
    `db_user`, `role` and the services of `bot.services.registry.UpdateServices`."""
    dp = Dispatcher(
        storage=SqlAlchemyStorage(sessionmaker, now=clock.now),
        # One person's updates are serialised by the transaction middleware, before the
        # transaction begins (bot.updates.isolation); aiogram's own lock would come after it.
        events_isolation=DisabledEventIsolation(),
        settings=settings,
        clock=clock,
        i18n=i18n,
    )
    # The update's transaction opens before aiogram's FSM middleware reads the state, so that
    # read joins it (one connection, one transaction per update) and a database that is out of
    # reach is met by our middleware, which tells the person to retry.
    dp.update.outer_middleware.unregister(dp.fsm)
    # First of ours: its timing includes the commit, and it sees what handlers raise.
    dp.update.outer_middleware(MetricsMiddleware(metrics))
    dp.update.outer_middleware(UpdateTransactionMiddleware(sessionmaker, settings, clock, i18n))
    dp.update.outer_middleware(dp.fsm)
    dp.update.outer_middleware(ServicesMiddleware(services))
    language = UserLanguageMiddleware(i18n)
    dp.update.outer_middleware(language)
    # Error handlers run after the update's own middlewares have exited: speak the user's
    # language there too.
    dp.errors.outer_middleware(language)
    dp.include_router(build_root_router())
    return dp
