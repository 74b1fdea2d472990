"""Retention: finished delivery records and search logs older than RETENTION_DAYS go, in
batches, by a daily job; everything else stays."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.messages import Category, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.i18n import create_i18n
from bot.scheduler import RETENTION_JOB_ID, BotScheduler
from bot.services.retention import RetentionReport, purge_expired
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.faq import FaqSearchRecord
from db.models.outbox import OutboxMessage, OutboxState
from db.repositories.faq import FaqRepository
from handlers.events.notices import EventNoticeTexts
from tests.conftest import TEST_TOKEN

DAY = timedelta(days=1)


@pytest.fixture
async def sessionmaker(any_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def queue(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock, state: str, count: int = 1
) -> None:
    """``count`` outbox rows created at the clock's time, then put in ``state``."""
    async with sessionmaker() as session, session.begin():
        outbox = Outbox(clock)
        first = await session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
        messages = [
            OutgoingMessage.text_message(1000 + n, f"text {n}", category=Category.NOTICE)
            for n in range(count)
        ]
        await outbox.enqueue(session, *messages)
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id > (first or 0)).values(state=state)
        )


async def search(
    sessionmaker: async_sessionmaker[AsyncSession], clock: FakeClock, query: str
) -> None:
    async with sessionmaker() as session, session.begin():
        await FaqRepository(session).log_search(
            query=query,
            language="ru",
            best_entry_id=None,
            score=None,
            confident=False,
            result_count=0,
            now=clock.now(),
            user_key="k",
        )


async def remaining(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> tuple[list[tuple[str, str]], list[str]]:
    async with sessionmaker() as session:
        outbox = (await session.execute(select(OutboxMessage.state, OutboxMessage.text))).all()
        searches = (await session.scalars(select(FaqSearchRecord.query))).all()
    return sorted((state, text or "") for state, text in outbox), sorted(searches)


async def test_old_finished_rows_go_in_batches_the_rest_stays(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    clock = FakeClock()
    start = clock.now()
    # 200 days ago: 7 sent, one of each other finished state, and one still pending.
    for state, count in (
        (OutboxState.SENT, 7),
        (OutboxState.FAILED, 1),
        (OutboxState.CANCELLED, 1),
        (OutboxState.SKIPPED, 1),
        (OutboxState.PENDING, 1),
    ):
        await queue(sessionmaker, clock, state, count)
    await search(sessionmaker, clock, "old question")
    clock.advance(25 * DAY)  # 175 days ago: kept
    await queue(sessionmaker, clock, OutboxState.SENT)
    await search(sessionmaker, clock, "recent question")
    clock.set(start + 200 * DAY)

    report = await purge_expired(
        sessionmaker, now=clock.now(), keep=timedelta(days=180), batch_size=3
    )

    assert report == RetentionReport(outbox=10, searches=1)
    outbox, searches = await remaining(sessionmaker)
    assert outbox == [(OutboxState.PENDING, "text 0"), (OutboxState.SENT, "text 0")]
    assert searches == ["recent question"]
    again = await purge_expired(sessionmaker, now=clock.now(), keep=timedelta(days=180))
    assert again.total == 0


async def test_the_daily_job_purges_at_the_fake_clock_time(
    sessionmaker: async_sessionmaker[AsyncSession], any_database_url: str
) -> None:
    clock = FakeClock()
    settings = Settings(
        _env_file=None, bot_token=TEST_TOKEN, database_url=any_database_url, retention_days=30
    )
    reports: list[RetentionReport] = []
    scheduler = BotScheduler(
        settings,
        sessionmaker,
        clock,
        Outbox(clock),
        EventNoticeTexts(create_i18n(), settings.tz),
        on_retention=reports.append,
    )
    await queue(sessionmaker, clock, OutboxState.SENT, 2)
    await search(sessionmaker, clock, "a question")
    clock.advance(29 * DAY)
    assert (await scheduler.retention_tick()).total == 0
    clock.advance(DAY + timedelta(seconds=1))
    assert await scheduler.retention_tick() == RetentionReport(outbox=2, searches=1)
    assert reports == [RetentionReport(0, 0), RetentionReport(2, 1)]
    assert await remaining(sessionmaker) == ([], [])

    jobs = AsyncIOScheduler(timezone=settings.tz)
    scheduler.add_retention_job(jobs)
    job = jobs.get_job(RETENTION_JOB_ID)
    assert job is not None and isinstance(job.trigger, CronTrigger)
    # Daily at 04:00 in Almaty, whenever the bot was started.
    first = job.trigger.get_next_fire_time(None, clock.now().astimezone(settings.tz))
    assert first == datetime(2026, 4, 1, 4, 0, tzinfo=settings.tz)
    assert job.trigger.get_next_fire_time(first, first) == first + DAY
