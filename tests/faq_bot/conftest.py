"""FAQ fixtures: a small stable knowledge base, a migrated database, the bot wired with the FAQ."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import bot.services.faq.setup as faq_setup
from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.services.faq.service import FaqService
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
def faq_wiring(monkeypatch: pytest.MonkeyPatch, faq_kb_dir: Path) -> None:
    """Point the FAQ at the small test knowledge base, so content edits don't break these tests."""
    monkeypatch.setattr(faq_setup, "KNOWLEDGE_BASE_DIR", faq_kb_dir)


@pytest.fixture
async def faq_bot(faq_wiring: None, running_bot: RunningBot) -> RunningBot:
    return running_bot


def faq_service(running: RunningBot) -> FaqService:
    service = running.app.dispatcher["faq"]
    assert isinstance(service, FaqService)
    return service


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
def service(faq_kb_dir: Path, fake_clock: FakeClock, settings: Settings) -> FaqService:
    return FaqService(faq_kb_dir, clock=fake_clock, tz=settings.tz)
