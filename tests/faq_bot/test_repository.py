"""The FAQ repository and sync on SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.faq.catalog import FaqCatalog
from bot.services.faq.service import FaqService
from bot.services.privacy import Pseudonyms
from bot.testing import FakeClock
from db.models.faq import FaqFeedbackRecord
from db.models.users import User
from db.repositories.faq import FaqRepository
from db.repositories.users import UserRepository

Sessions = async_sessionmaker[AsyncSession]
PSEUDONYMS = Pseudonyms(b"test-key")


async def test_sync_log_and_votes_on_every_database(
    any_sessionmaker: Sessions, faq_kb_dir: Path, fake_clock: FakeClock
) -> None:
    service = FaqCatalog(faq_kb_dir, clock=fake_clock, tz=ZoneInfo("Asia/Almaty"))
    for expected_added in (9, 0):
        async with any_sessionmaker() as session:
            report = await service.sync_from_files(session)
            await session.commit()
        assert report is not None and report.added == expected_added
    assert len(service.knowledge_base) == 9

    async with any_sessionmaker() as session:
        reply = await FaqService(session, service, fake_clock, PSEUDONYMS).ask(
            "госпошлина за регистрацию", "ru"
        )
        await UserRepository(session).touch(1001, fake_clock.now())
        await session.commit()
    assert reply.entry is not None and reply.entry.id == "registration-fee"

    # Two presses of the same user racing in separate transactions leave exactly one vote.
    async def press(helpful: bool) -> None:
        async with any_sessionmaker() as session:
            await FaqService(session, service, fake_clock, PSEUDONYMS).vote(
                user_id=1001, entry_id="liquidation", language="kk", helpful=helpful
            )
            await session.commit()

    await asyncio.gather(press(True), press(False))
    async with any_sessionmaker() as session:
        repo = FaqRepository(session)
        votes = await repo.votes_of(1001)
        searches = await repo.recent_searches()
    assert len(votes) == 1 and votes[0].entry_id == "liquidation"
    assert [(s.best_entry_id, s.confident) for s in searches] == [("registration-fee", True)]
    assert searches[0].created_at == fake_clock.now()

    # Forgetting a user takes their votes with them.
    async with any_sessionmaker() as session:
        await session.execute(delete(User).where(User.id == 1001))
        await session.commit()
    async with any_sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(FaqFeedbackRecord)) == 0
