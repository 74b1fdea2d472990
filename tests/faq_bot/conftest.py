"""FAQ fixtures: a small stable knowledge base, a migrated database, the bot wired with the FAQ."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.services.faq.catalog import FaqCatalog
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade

TEST_KB = Path(__file__).resolve().parent / "kb"


@pytest.fixture
def faq_kb_dir(tmp_path: Path) -> Path:
    """A private copy of the test knowledge base, so a test may edit it."""
    target = tmp_path / "faq"
    shutil.copytree(TEST_KB, target)
    return target


@pytest.fixture
async def faq_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock, faq_kb_dir: Path
) -> AsyncIterator[RunningBot]:
    """The bot on the small test knowledge base, so content edits don't break these tests."""
    running = await RunningBot.start(settings, telegram, clock=fake_clock, faq_dir=faq_kb_dir)
    try:
        yield running
    finally:
        await running.stop()


def faq_catalog(running: RunningBot) -> FaqCatalog:
    return running.app.faq


@pytest.fixture
async def sessionmaker(
    migrated_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(migrated_database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def any_sessionmaker(
    any_database_url: str,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A migrated database on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL."""
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def catalog(faq_kb_dir: Path, fake_clock: FakeClock, settings: Settings) -> FaqCatalog:
    return FaqCatalog(faq_kb_dir, clock=fake_clock, tz=settings.tz)
