"""Periodic jobs (APScheduler 3, AsyncIOScheduler), started and stopped with the dispatcher.

The jobs hold no state: each run asks the database what is due. Start-up also seeds the
built-in yearly deadlines. Other features may add their jobs to `dispatcher["scheduler"]`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiogram import Dispatcher
from aiogram.utils.i18n import I18n
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.services.events.builtin import roll_recurring, seed_builtin_deadlines
from bot.services.events.reminders import run_due_reminders

log = logging.getLogger(__name__)

REMINDER_JOB_ID = "event-reminders"
REMINDER_INTERVAL_SECONDS = 60
SCHEDULER_KEY = "scheduler"
_LOCK_KEY = "scheduler_job_lock"


def setup_scheduler(dispatcher: Dispatcher) -> None:
    """Call once from the dispatcher factory."""
    dispatcher.startup.register(_start)
    dispatcher.shutdown.register(_stop)


async def seed_events(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, settings: Settings
) -> int:
    async with sessionmaker() as session, session.begin():
        added = await seed_builtin_deadlines(session, clock.now(), settings.tz)
        await roll_recurring(session, clock.now(), settings.tz)
    return added


async def reminder_tick(dispatcher: Dispatcher) -> int:
    """One run of the reminder job, with what the dispatcher holds right now: the outbox is
    created by another start-up hook, so it is looked up here rather than captured at start."""
    data = dispatcher.workflow_data
    outbox: Outbox | None = data.get("outbox")
    if outbox is None:
        log.warning("reminder job skipped: no outbox in the dispatcher yet")
        return 0
    lock: asyncio.Lock = data[_LOCK_KEY]
    async with lock:
        return await run_due_reminders(
            data["sessionmaker"], outbox, data["clock"], data["settings"], data["i18n"]
        )


async def _tick(dispatcher: Dispatcher) -> None:
    try:
        queued = await reminder_tick(dispatcher)
    except Exception:
        log.exception("reminder job failed; the next run retries")
        return
    if queued:
        log.info("queued %d reminders", queued)


async def _start(
    dispatcher: Dispatcher,
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    clock: Clock,
    i18n: I18n,
) -> None:
    added = await seed_events(sessionmaker, clock, settings)
    if added:
        log.info("seeded %d built-in deadlines", added)
    dispatcher.workflow_data[_LOCK_KEY] = asyncio.Lock()
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    scheduler.add_job(
        _tick,
        IntervalTrigger(seconds=REMINDER_INTERVAL_SECONDS),
        args=[dispatcher],
        id=REMINDER_JOB_ID,
        max_instances=1,
        coalesce=True,
        # Run at once too: reminders that fell due while the bot was down go out now.
        next_run_time=datetime.now(settings.tz),
    )
    scheduler.start()
    dispatcher.workflow_data[SCHEDULER_KEY] = scheduler


async def _stop(dispatcher: Dispatcher) -> None:
    scheduler: AsyncIOScheduler | None = dispatcher.workflow_data.pop(SCHEDULER_KEY, None)
    if scheduler is None:
        return
    scheduler.shutdown(wait=False)
    # Let a run in progress finish its transaction before the engine is disposed.
    lock: asyncio.Lock | None = dispatcher.workflow_data.get(_LOCK_KEY)
    if lock is not None:
        async with lock:
            pass
