"""Wiring: the outbox for handlers and services, the sender's start and graceful stop.

    dp = create_dispatcher(...)
    setup_delivery(dp)          # handlers/services now get ``outbox: Outbox`` as a kwarg

A sender outside any Dispatcher (benchmarks, a separate delivery process):

    async with running_sender(settings) as sender:
        await sender.wait_idle(timeout=60)
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot, Dispatcher
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.delivery.sender import DeliverySender, SenderConfig
from bot.telegram_session import create_bot
from db.engine import create_engine, create_sessionmaker

log = logging.getLogger(__name__)

OUTBOX_KEY = "outbox"
RUNTIME_KEY = "delivery_runtime"


def create_sender_bot(settings: Settings) -> Bot:
    # No retry middleware: the sender must see every 429 to pause all of its sends.
    return create_bot(settings.token, settings.telegram_api_url, retries=False)


class DeliveryRuntime:
    """The sender of one Dispatcher, created at start-up, stopped at shutdown."""

    def __init__(self, outbox: Outbox, config_overrides: dict[str, object] | None = None) -> None:
        self.outbox = outbox
        self.sender: DeliverySender | None = None
        self._bot: Bot | None = None
        self._overrides = config_overrides or {}

    async def on_startup(
        self, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: Clock
    ) -> None:
        self._bot = create_sender_bot(settings)
        config = SenderConfig.from_settings(settings, **self._overrides)
        self.sender = DeliverySender(self._bot, sessionmaker, clock, config)
        self.outbox.connect_sender(self.sender.wake)
        self.sender.start()

    async def on_shutdown(self) -> None:
        self.outbox.connect_sender(None)
        try:
            if self.sender is not None:
                await self.sender.stop()
        finally:
            self.sender = None
            if self._bot is not None:
                await self._bot.session.close()
                self._bot = None


def setup_delivery(
    dispatcher: Dispatcher, *, config_overrides: dict[str, object] | None = None
) -> None:
    """Put ``outbox`` into the Dispatcher's workflow data and run the sender with polling.

    The outbox exists from here on (handler tests feeding updates without start-up can queue);
    the sender starts with the Dispatcher's start-up and stops at its shutdown, finishing the
    sends in flight and leaving the rest queued.
    """
    clock = dispatcher.workflow_data.get("clock") or SystemClock()
    outbox = Outbox(clock)
    runtime = DeliveryRuntime(outbox, config_overrides)
    dispatcher.workflow_data[OUTBOX_KEY] = outbox
    dispatcher.workflow_data[RUNTIME_KEY] = runtime
    dispatcher.startup.register(runtime.on_startup)
    dispatcher.shutdown.register(runtime.on_shutdown)


@asynccontextmanager
async def running_sender(
    settings: Settings,
    *,
    clock: Clock | None = None,
    config: SenderConfig | None = None,
    worker_id: str | None = None,
    outbox: Outbox | None = None,
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
