"""Fixtures of the events tests: a migrated database with the real outbox, and the bot wired
with the events routers, the outbox sender and the scheduler for end-to-end runs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiogram.utils.i18n import I18n
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery import Outbox
from bot.i18n import create_i18n
from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.services.events.model import EventDraft
from bot.services.events.reminders import run_due_reminders
from bot.services.events.service import EventService
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.outbox import OutboxMessage
from db.repositories.events import EventDTO
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from handlers.events.notices import EventNoticeTexts
from tests.conftest import TEST_TOKEN

ALMATY = ZoneInfo("Asia/Almaty")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def plain(text: str) -> str:
    """Babel separates "г." with a narrow no-break space; tests compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def draft(start: datetime, **changes: Any) -> EventDraft:
    values: dict[str, Any] = {
        "category": "seminar",
        "title_kk": "Есеп беру семинары",
        "title_ru": "Семинар по отчётности",
        "description_kk": "ҮЕҰ есептері туралы",
        "description_ru": "Об отчётах НПО",
        "starts_at": start,
        "place": "Алматы, Абая 1",
    }
    values.update(changes)
    return EventDraft(**values)


@dataclass
class EventsEnv:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: FakeClock
    outbox: Outbox
    i18n: I18n

    async def add_user(
        self, user_id: int, *, language: str = "ru", region: str | None = None,
        categories: Iterable[str] = (),
    ) -> None:  # fmt: skip
        async with self.sessionmaker() as session, session.begin():
            users = UserRepository(session)
            await users.touch(user_id, self.clock.now())
            await users.set_language(user_id, language)
            await users.set_region(user_id, region)
            for category in categories:
                await SubscriptionRepository(session).subscribe(user_id, category, self.clock.now())

    @property
    def texts(self) -> EventNoticeTexts:
        return EventNoticeTexts(self.i18n, self.settings.tz)

    def service(self, session: AsyncSession) -> EventService:
        return EventService(
            session, settings=self.settings, clock=self.clock, outbox=self.outbox, texts=self.texts
        )

    async def create(self, event: EventDraft) -> EventDTO:
        async with self.sessionmaker() as session, session.begin():
            return await self.service(session).create(event, actor_id=None)

    async def run(self) -> int:
        return await run_due_reminders(
            self.sessionmaker, self.outbox, self.clock, self.settings, self.texts
        )

    async def outbox_rows(self, state: str | None = None) -> list[OutboxMessage]:
        async with self.sessionmaker() as session:
            stmt = select(OutboxMessage).order_by(OutboxMessage.id)
            if state is not None:
                stmt = stmt.where(OutboxMessage.state == state)
            return list((await session.scalars(stmt)).all())

    async def texts_for(self, chat_id: int, state: str = "pending") -> list[str]:
        rows = await self.outbox_rows(state)
        return [plain(r.text or "") for r in rows if r.chat_id == chat_id]


@pytest.fixture
async def events_env(any_database_url: str) -> AsyncIterator[EventsEnv]:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    clock = FakeClock(local(2026, 4, 1, 12, 0))
    settings = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=any_database_url,
    )
    try:
        yield EventsEnv(settings, create_sessionmaker(engine), clock, Outbox(clock), create_i18n())
    finally:
        await engine.dispose()


# ------------------------------------------------------------------------ end-to-end


@pytest.fixture
def events_bot(running_bot: RunningBot) -> RunningBot:
    """The real application against the fake server (the shared fixture, under this area's name)."""
    return running_bot


async def run_job(running: RunningBot) -> int:
    """The scheduler's reminder job, called directly at the fake clock's time."""
    return await running.app.scheduler.reminder_tick()


async def press_listed(user: SimUser, title: str) -> str:
    """Open an event from a numbered list: press the number of the line that has `title`."""
    listing = next(m for m in reversed(user.messages) if m.has_buttons)
    numbers = [
        number
        for number, dot, rest in (line.partition(". ") for line in listing.text.splitlines())
        if dot and number.isdigit() and title in rest
    ]
    if numbers:
        return await user.press(lambda b: b.text == numbers[0], message=listing)
    raise AssertionError(f"no line with {title!r} in:\n{listing.text}")
