"""The composition root: every long-lived object is built here, once, and wired by type.

app = await Application.create(settings)
await app.run_polling()
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.utils.i18n import I18n
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.commands import set_commands
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.delivery.runtime import DeliveryRuntime
from bot.desk_topics import DeskTopicResolver
from bot.factory import create_dispatcher
from bot.i18n import create_i18n
from bot.leadership import Leadership, process_name
from bot.metrics import Metrics, MetricsServer, OutboxProbe
from bot.roles import Role
from bot.scheduler import BotScheduler
from bot.services.broadcasts.service import BroadcastContext, BroadcastJobs
from bot.services.desk.deliveries import DeskDeliveryWatch
from bot.services.desk.hours import WorkingHours
from bot.services.desk.jobs import DeskJobs
from bot.services.desk.tickets import DeskContext
from bot.services.faq.catalog import KNOWLEDGE_BASE_DIR, FaqCatalog
from bot.services.privacy import Pseudonyms
from bot.services.registry import ServiceFactory
from bot.startup_checks import StartupError
from bot.telegram_check import check_workspace
from bot.telegram_session import create_bot
from bot.updates.polling import TELEGRAM_UPDATE_TYPES, ExactlyOncePolling
from bot.webhook import WebhookServer
from db.engine import create_engine, create_sessionmaker
from db.locks import StartupLock, hold_until_commit
from db.migrate import upgrade
from db.repositories.users import UserRepository
from handlers.broadcasts.notices import BroadcastNoticeTexts
from handlers.desk.texts import DeskTextsView
from handlers.events.notices import EventNoticeTexts

log = logging.getLogger(__name__)


def desk_context(
    settings: Settings, clock: Clock, outbox: Outbox | None = None, i18n: I18n | None = None
) -> DeskContext:
    """What the desk's services are built from (also for the `consultants` command)."""
    return DeskContext(
        settings,
        clock,
        outbox or Outbox(clock),
        DeskTextsView(i18n or create_i18n(), settings.tz, settings.desk_language),
        WorkingHours(settings.desk_hours, settings.tz, settings.desk_closed_days),
    )


YOUNG_GC_THRESHOLD = 10_000


def freeze_startup_heap() -> None:
    """A start-up hook for the bot process (`python -m bot`): what start-up built (modules, the
    FAQ index, pydantic's and aiogram's schemas) lives as long as the process, so it is moved out
    of the cyclic garbage collector's reach. Full collections then no longer walk it: they took
    up to 270 ms, a few times a minute under load (benchmarks/load.py), stalling every update.
    Not for tests, which start many bots in one process: what each froze would stay.

    The youngest generation is then collected every 10,000 net allocations instead of 700: at
    700 a collection ran every two or three updates (about 0.2 ms of an FAQ question's 6 ms CPU
    in benchmarks/load.py; about 0.13 ms at 10,000), each walking the same short-lived objects."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])


@dataclass
class Application:
    settings: Settings
    clock: Clock
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    i18n: I18n
    faq: FaqCatalog
    outbox: Outbox
    delivery: DeliveryRuntime
    scheduler: BotScheduler
    services: ServiceFactory
    metrics: Metrics
    metrics_probe: OutboxProbe
    metrics_server: MetricsServer | None
    bot: Bot
    dispatcher: Dispatcher
    polling: bool = False
    leadership: Leadership = field(init=False)
    _poller: ExactlyOncePolling | None = None
    _stopped: asyncio.Event | None = None

    @classmethod
    async def create(
        cls, settings: Settings, *, clock: Clock | None = None, faq_dir: Path | None = None
    ) -> Application:
        clock = clock or SystemClock()
        await upgrade(settings.database_url)
        engine = create_engine(settings.database_url)
        sessionmaker = create_sessionmaker(engine)
        i18n = create_i18n()
        event_texts = EventNoticeTexts(i18n, settings.tz)
        faq = FaqCatalog(faq_dir or KNOWLEDGE_BASE_DIR, clock=clock, tz=settings.tz)
        outbox = Outbox(clock)
        async with sessionmaker() as session, session.begin():
            pseudonyms = await Pseudonyms.load(session)
        desk = desk_context(settings, clock, outbox, i18n)
        broadcast = BroadcastContext(
            settings, clock, outbox, BroadcastNoticeTexts(i18n, settings.tz)
        )
        services = ServiceFactory(
            settings, clock, outbox, faq, event_texts, pseudonyms, desk, broadcast
        )
        metrics = Metrics()
        probe = OutboxProbe(sessionmaker, clock)
        # The lease holder's name is also its sender's worker id: a replica that takes over
        # from a dead one can return the rows that one had claimed.
        name = process_name()
        app = cls(
            settings=settings,
            clock=clock,
            engine=engine,
            sessionmaker=sessionmaker,
            i18n=i18n,
            faq=faq,
            outbox=outbox,
            delivery=DeliveryRuntime(
                outbox,
                settings,
                sessionmaker,
                clock,
                observers=[metrics.record_send, DeskDeliveryWatch(sessionmaker, desk)],
                threads=DeskTopicResolver(sessionmaker, desk),
                worker_id=name,
            ),
            scheduler=BotScheduler(
                settings,
                sessionmaker,
                clock,
                outbox,
                event_texts,
                on_reminders=metrics.record_reminders,
                on_retention=metrics.record_retention,
                desk=DeskJobs(sessionmaker, desk),
                broadcasts=BroadcastJobs(sessionmaker, broadcast),
            ),
            services=services,
            metrics=metrics,
            metrics_probe=probe,
            metrics_server=MetricsServer.from_settings(settings, metrics, probe),
            bot=create_bot(settings.token, settings.telegram_api_url),
            dispatcher=create_dispatcher(
                settings, sessionmaker, clock=clock, i18n=i18n, services=services, metrics=metrics
            ),
        )
        app.leadership = Leadership(
            sessionmaker,
            lease_seconds=settings.leader_lease_seconds,
            on_acquired=app._start_jobs,
            on_lost=app._stop_jobs,
            holder=name,
        )
        app.dispatcher.startup.register(app.on_startup)
        app.dispatcher.shutdown.register(app.on_shutdown)
        return app

    async def on_startup(self) -> None:
        self.polling = True
        if self.engine.dialect.name == "sqlite":
            other = await self.leadership.other_holder()
            if other is not None:
                raise StartupError(
                    f"Another bot process ({other}) uses this SQLite database: run one process "
                    "per SQLite database, or PostgreSQL (DATABASE_URL) for several replicas"
                )
        await self.sync_faq()
        await self.publish_commands()
        await self.check_workspace()
        # The outbox sender and the scheduler run in one replica at a time (bot.leadership).
        await self.leadership.start()
        if self.metrics_server is not None and self.settings.webhook_url is None:
            await self.metrics_server.start()

    async def on_shutdown(self) -> None:
        self.polling = False
        if self.metrics_server is not None:
            await self.metrics_server.stop()
        await self.leadership.stop()

    async def _start_jobs(self, dead_holder: str | None) -> None:
        await self.delivery.start(take_back_from=dead_holder)
        await self.scheduler.start()

    async def _stop_jobs(self) -> None:
        await self.scheduler.stop()
        await self.delivery.stop()

    async def sync_faq(self) -> None:
        async with self.sessionmaker() as session, session.begin():
            # Replicas starting together would insert the same rows at once.
            await hold_until_commit(session, StartupLock.FAQ_SYNC)
            await self.faq.sync_from_files(session)
        log.info(
            "FAQ: %d categories, %d entries",
            len(self.faq.categories()),
            len(self.faq.knowledge_base),
        )

    async def check_workspace(self) -> None:
        problem = await check_workspace(self.bot, self.settings.consultants_chat_id)
        if problem is not None:
            log.error("the consultants' group is not ready: %s", problem)

    async def publish_commands(self) -> None:
        async with self.sessionmaker() as session:
            consultants = await UserRepository(session).ids_with_role([Role.CONSULTANT])
        staff = {user_id: Role.CONSULTANT for user_id in consultants}
        staff.update({user_id: Role.ADMIN for user_id in self.settings.admin_ids})
        await set_commands(self.bot, self.i18n, staff.items())

    async def run_polling(self, *, handle_signals: bool = True) -> None:
        """Start, poll until stopped (SIGTERM, Ctrl-C or `stop()`), shut down cleanly."""
        self._poller = ExactlyOncePolling(
            self.bot,
            self.dispatcher,
            allowed_updates=self.dispatcher.resolve_used_update_types(),
        )
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signal_number in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signal_number, self._poller.stop)
        try:
            workflow = {**self.dispatcher.workflow_data, "dispatcher": self.dispatcher}
            await self.dispatcher.emit_startup(bot=self.bot, **workflow)
            try:
                await self._poller.run()
            finally:
                await self.dispatcher.emit_shutdown(bot=self.bot, **workflow)
        finally:
            if handle_signals:
                for signal_number in (signal.SIGTERM, signal.SIGINT):
                    asyncio.get_running_loop().remove_signal_handler(signal_number)
            await self.close()

    async def run_webhook(self, *, handle_signals: bool = True) -> None:
        """Serve Telegram's webhook (WEBHOOK_URL) until stopped; replicas may run side by side
        on one PostgreSQL database (one of them sends and schedules: bot.leadership)."""
        url, secret = self.settings.webhook_url, self.settings.webhook_secret
        if url is None or secret is None:
            raise StartupError("WEBHOOK_URL and WEBHOOK_SECRET are both needed in webhook mode")
        server = WebhookServer(
            self.bot,
            self.dispatcher,
            path=urlsplit(url).path or "/",
            secret=secret.get_secret_value(),
            engine=self.engine,
            metrics=self.metrics,
            probe=self.metrics_probe,
        )
        self._stopped = asyncio.Event()
        if handle_signals:
            loop = asyncio.get_running_loop()
            for signal_number in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(signal_number, self._stopped.set)
        workflow = {**self.dispatcher.workflow_data, "dispatcher": self.dispatcher}
        try:
            await self.dispatcher.emit_startup(bot=self.bot, **workflow)
            try:
                await server.start(self.settings.webhook_host, self.settings.webhook_port)
                await self.bot.set_webhook(
                    url,
                    secret_token=secret.get_secret_value(),
                    allowed_updates=sorted(
                        set(self.dispatcher.resolve_used_update_types()) & TELEGRAM_UPDATE_TYPES
                    ),
                )
                log.info("serving Telegram's webhook")
                await self._stopped.wait()
            finally:
                await server.stop()
                await self.dispatcher.emit_shutdown(bot=self.bot, **workflow)
        finally:
            if handle_signals:
                for signal_number in (signal.SIGTERM, signal.SIGINT):
                    asyncio.get_running_loop().remove_signal_handler(signal_number)
            await self.close()

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.stop()
        if self._stopped is not None:
            self._stopped.set()

    async def close(self) -> None:
        await self.bot.session.close()
        await self.engine.dispose()
