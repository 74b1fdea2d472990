"""Periodic jobs (APScheduler 3, AsyncIOScheduler), started and stopped with the application.

Each run asks the database what is due; the reminder job only remembers which events it has
already worked through for the slots due now (`SettledEvents`), so that a quiet minute costs
next to nothing. Start-up also seeds the built-in yearly deadlines. A daily job deletes what is
past ``RETENTION_DAYS``; another checks the desk's service levels every minute.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.services.broadcasts.service import BroadcastJobs
from bot.services.desk.jobs import DeskJobs
from bot.services.events.builtin import roll_recurring, seed_builtin_deadlines
from bot.services.events.notices import EventTexts
from bot.services.events.reminders import ReminderTally, SettledEvents, run_due_reminders
from bot.services.retention import RetentionReport, purge_expired

log = logging.getLogger(__name__)

REMINDER_JOB_ID = "event-reminders"
REMINDER_INTERVAL_SECONDS = 60
RETENTION_JOB_ID = "retention"
DESK_JOB_ID = "desk"
DESK_INTERVAL_SECONDS = 60
BROADCAST_JOB_ID = "broadcasts"
# Scheduled starts and the live status message (edited at most this often).
BROADCAST_INTERVAL_SECONDS = 3
# Daily, at a quiet hour in TIMEZONE.
RETENTION_HOUR = 4


class BotScheduler:
    def __init__(
        self,
        settings: Settings,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        outbox: Outbox,
        event_texts: EventTexts,
        *,
        on_reminders: Callable[[ReminderTally], None] | None = None,
        on_retention: Callable[[RetentionReport], None] | None = None,
        desk: DeskJobs | None = None,
        broadcasts: BroadcastJobs | None = None,
    ) -> None:
        self._desk = desk
        self._broadcasts = broadcasts
        # Its own lock: a broadcast's status must not wait behind a long reminder run.
        self._broadcast_running = asyncio.Lock()
        self._stopped = False
        self._on_reminders = on_reminders
        self._on_retention = on_retention
        self._settings = settings
        self._sessionmaker = sessionmaker
        self._clock = clock
        self._outbox = outbox
        self._event_texts = event_texts
        self._scheduler: AsyncIOScheduler | None = None
        self._settled = SettledEvents()
        # One run at a time, and stop() waits for a run in progress to finish its transaction.
        self._running = asyncio.Lock()

    async def seed_events(self) -> int:
        async with self._sessionmaker() as session, session.begin():
            now, tz = self._clock.now(), self._settings.tz
            added = await seed_builtin_deadlines(session, now, tz)
            await roll_recurring(session, now, tz)
        return added

    async def reminder_tick(self) -> int:
        """One run of the reminder job; returns how many messages it queued."""
        tally = ReminderTally()
        async with self._running:
            queued = await run_due_reminders(
                self._sessionmaker,
                self._outbox,
                self._clock,
                self._settings,
                self._event_texts,
                self._settled,
                tally,
            )
        if self._on_reminders is not None:
            self._on_reminders(tally)
        return queued

    async def retention_tick(self) -> RetentionReport:
        """One run of the retention job: delete what is older than ``RETENTION_DAYS``."""
        async with self._running:
            report = await purge_expired(
                self._sessionmaker,
                now=self._clock.now(),
                keep=timedelta(days=self._settings.retention_days),
            )
        if self._on_retention is not None:
            self._on_retention(report)
        return report

    async def _retention(self) -> None:
        try:
            report = await self.retention_tick()
        except Exception:
            log.exception("retention job failed; it runs again tomorrow")
            return
        log.info(
            "retention: deleted %d delivery records and %d searches older than %d days",
            report.outbox,
            report.searches,
            self._settings.retention_days,
        )

    def add_retention_job(self, scheduler: AsyncIOScheduler) -> None:
        scheduler.add_job(
            self._retention,
            CronTrigger(hour=RETENTION_HOUR, timezone=self._settings.tz),
            id=RETENTION_JOB_ID,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=3600,
        )

    async def desk_tick(self) -> int:
        """One run of the desk job: service levels and the queue board."""
        if self._desk is None:
            return 0
        async with self._running:
            return await self._desk.tick()

    async def _desk_tick(self) -> None:
        try:
            steps = await self.desk_tick()
        except asyncio.CancelledError:
            log.info("desk job stopped by shutdown")
            return
        except Exception:
            log.exception("desk job failed; the next run retries")
            return
        if steps:
            log.info("desk: %d service-level steps taken", steps)

    async def broadcast_tick(self, *, force: bool = True) -> int:
        """One run of the broadcast job: scheduled starts, live status, reports (``force``: look
        at the database even if nothing seems to be going on)."""
        if self._broadcasts is None:
            return 0
        async with self._broadcast_running:
            if self._stopped:
                return 0  # a run that was waiting for stop() to finish: the engine is gone
            return await self._broadcasts.tick(force=force)

    async def _broadcast_tick(self) -> None:
        try:
            await self.broadcast_tick(force=False)
        except asyncio.CancelledError:
            log.info("broadcast job stopped by shutdown")
        except Exception:
            log.exception("broadcast job failed; the next run retries")

    async def _tick(self) -> None:
        try:
            queued = await self.reminder_tick()
        except asyncio.CancelledError:
            # Shutting down: what the run did is in its own transactions; the next start resumes.
            log.info("reminder job stopped by shutdown")
            return
        except Exception:
            log.exception("reminder job failed; the next run retries")
            return
        if queued:
            log.info("queued %d reminders", queued)

    async def start(self) -> None:
        self._stopped = False
        added = await self.seed_events()
        if added:
            log.info("seeded %d built-in deadlines", added)
        scheduler = AsyncIOScheduler(timezone=self._settings.tz)
        scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=REMINDER_INTERVAL_SECONDS),
            id=REMINDER_JOB_ID,
            max_instances=1,
            coalesce=True,
            # Run at once too: reminders that fell due while the bot was down go out now.
            next_run_time=datetime.now(self._settings.tz),
        )
        self.add_retention_job(scheduler)
        if self._desk is not None:
            scheduler.add_job(
                self._desk_tick,
                IntervalTrigger(seconds=DESK_INTERVAL_SECONDS),
                id=DESK_JOB_ID,
                max_instances=1,
                coalesce=True,
                next_run_time=datetime.now(self._settings.tz),
            )
        if self._broadcasts is not None:
            scheduler.add_job(
                self._broadcast_tick,
                IntervalTrigger(seconds=BROADCAST_INTERVAL_SECONDS),
                id=BROADCAST_JOB_ID,
                max_instances=1,
                coalesce=True,
                next_run_time=datetime.now(self._settings.tz),
            )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is None:
            return
        scheduler.pause()
        self._stopped = True
        # Let a run in progress finish its transaction before the engine is disposed.
        async with self._running, self._broadcast_running:
            scheduler.shutdown(wait=False)
