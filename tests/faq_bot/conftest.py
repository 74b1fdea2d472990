"""FAQ fixtures: a small stable knowledge base, a migrated database, the bot wired with the FAQ."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiogram import Dispatcher, Router
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

import bot.app
import bot.factory
import bot.services.faq.setup as faq_setup
import handlers.faq
from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.services.faq.service import FaqService
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from handlers import fallback

TEST_KB = Path(__file__).resolve().parent / "kb"


@pytest.fixture
def faq_kb_dir(tmp_path: Path) -> Path:
    """A private copy of the test knowledge base, so a test may edit it."""
    target = tmp_path / "faq"
    shutil.copytree(TEST_KB, target)
    return target


def _in_tree(router: Router, root: Router) -> bool:
    while router.parent_router is not None:
        router = router.parent_router
    return router is root


@pytest.fixture
def faq_wiring(monkeypatch: pytest.MonkeyPatch, faq_kb_dir: Path) -> Iterator[None]:
    """Point the FAQ at the test knowledge base; wire it in if the lead has not yet.

    Once ``handlers/__init__.py`` includes ``handlers.faq.router`` and the factory calls
    ``setup_faq``, this only redirects the knowledge base directory.
    """
    monkeypatch.setattr(faq_setup, "KNOWLEDGE_BASE_DIR", faq_kb_dir)
    build_root_router = bot.factory.build_root_router  # type: ignore[attr-defined]
    create_dispatcher = bot.app.create_dispatcher  # type: ignore[attr-defined]

    def build_with_faq() -> Router:
        root = build_root_router()
        if not _in_tree(handlers.faq.router, root):
            parent = fallback.router.parent_router
            assert parent is not None
            handlers.faq.router._parent_router = None
            parent.sub_routers.insert(
                parent.sub_routers.index(fallback.router), handlers.faq.router
            )
            handlers.faq.router._parent_router = parent
        return root

    def create_with_faq(*args: object, **kwargs: object) -> Dispatcher:
        dispatcher = create_dispatcher(*args, **kwargs)  # type: ignore[arg-type]
        if "faq" not in dispatcher.workflow_data:
            faq_setup.setup_faq(dispatcher)
        return dispatcher

    monkeypatch.setattr(bot.factory, "build_root_router", build_with_faq)
    monkeypatch.setattr(bot.app, "create_dispatcher", create_with_faq)
    yield


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
