"""The outbox sender's lifecycle: one per process, started and stopped by the application.

    runtime = DeliveryRuntime(outbox, settings, sessionmaker, clock)
    await runtime.start()      # handlers and services queue with ``outbox.enqueue``
    ...
    await runtime.stop()       # finishes the sends in flight, leaves the rest queued

A sender outside the application (benchmarks, a separate delivery process):

    async with running_sender(settings) as sender:
        await sender.wait_idle(timeout=60)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from aiogram import Bot
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.delivery.outcomes import SendObserver
from bot.delivery.sender import DeliverySender, SenderConfig
from bot.delivery.threads import ThreadResolver
from bot.telegram_session import create_bot
from db.engine import create_engine, create_sessionmaker
from db.repositories.outbox import OutboxRepository

log = logging.getLogger(__name__)


def create_sender_bot(settings: Settings) -> Bot:
    # No retry middleware: the sender must see every 429 to pause all of its sends.
    return create_bot(settings.token, settings.telegram_api_url, interactive=False)


class DeliveryRuntime:
    """The sender of one application, created at start-up, stopped at shutdown."""

    def __init__(
        self,
        outbox: Outbox,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        *,
        config: SenderConfig | None = None,
        observers: Sequence[SendObserver] = (),
        threads: ThreadResolver | None = None,
        worker_id: str | None = None,
    ) -> None:
        """``observers`` hear every verdict (``bot.delivery.outcomes``): metrics, the desk.
        ``threads`` turns rows' thread_keys into forum topics (``bot.delivery.threads``)."""
        self.outbox = outbox
        self._observers = tuple(observers)
        self._threads = threads
        self._worker_id = worker_id
        self.sender: DeliverySender | None = None
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._config = config or SenderConfig.from_settings(settings)
        self._bot: Bot | None = None

    async def start(self, *, take_back_from: str | None = None) -> None:
        """``take_back_from``: the worker id of a sender known to be dead (a killed replica),
        whose claimed rows go back to the queue now rather than when their lease runs out."""
        if self.sender is not None:
            return
        # Rows still claimed under this runtime's own worker id were left by its previous
        # sender (stopped when the database was out of reach): no one else will return them.
        await self._take_back({take_back_from, self._worker_id} - {None})
        self._bot = create_sender_bot(self._settings)
        self.sender = DeliverySender(
            self._bot,
            self._sessionmaker,
            self._clock,
            self._config,
            observers=self._observers,
            threads=self._threads,
            worker_id=self._worker_id,
        )
        self.outbox.connect_sender(self.sender.wake)
        self.sender.start()

    async def _take_back(self, workers: set[str | None]) -> None:
        async with self._sessionmaker() as session, session.begin():
            repository = OutboxRepository(session)
            for worker in workers:
                if worker is not None and (returned := await repository.release(worker)):
                    log.info("returned %s messages of a stopped sender to the queue", returned)

    async def stop(self) -> None:
        self.outbox.connect_sender(None)
        try:
            if self.sender is not None:
                await self.sender.stop()
        finally:
            self.sender = None
            if self._bot is not None:
                await self._bot.session.close()
                self._bot = None


@asynccontextmanager
async def running_sender(
    settings: Settings,
    *,
    clock: Clock | None = None,
    config: SenderConfig | None = None,
    worker_id: str | None = None,
    outbox: Outbox | None = None,
    observers: Sequence[SendObserver] = (),
    threads: ThreadResolver | None = None,
) -> AsyncIterator[DeliverySender]:
    """A sender with its own engine and Bot, stopped gracefully on exit."""
    engine = create_engine(settings.database_url)
    bot = create_sender_bot(settings)
    sender = DeliverySender(
        bot,
        create_sessionmaker(engine),
        clock or SystemClock(),
        config or SenderConfig.from_settings(settings),
        worker_id=worker_id,
        observers=observers,
        threads=threads,
    )
    if outbox is not None:
        outbox.connect_sender(sender.wake)
    sender.start()
    try:
        yield sender
    finally:
        try:
            await sender.stop()
        finally:
            if outbox is not None:
                outbox.connect_sender(None)
            await bot.session.close()
            await engine.dispose()
