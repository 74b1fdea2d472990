"""Fixtures of the crash tests: the bot as a real process, the record of pushed updates, and the
test's own view of the bot's database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.server import FakeTelegramServer
from tests.conftest import ADMIN_ID
from tests.crash.scenario import BotDatabase, PushedUpdates, record_pushes
from tests.crash.supervisor import BotSupervisor


@pytest.fixture
async def pushed(telegram: FakeTelegramServer) -> PushedUpdates:
    return record_pushes(telegram)


@pytest.fixture
async def database(any_database_url: str) -> AsyncIterator[BotDatabase]:
    database = BotDatabase(any_database_url)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def bot(
    telegram: FakeTelegramServer, pushed: PushedUpdates, any_database_url: str, tmp_path: Path
) -> AsyncIterator[BotSupervisor]:
    """`python -m bot`, polling (`pushed` first: the queue is swapped before the bot polls)."""
    supervisor = BotSupervisor(telegram, any_database_url, tmp_path, admin_ids=str(ADMIN_ID))
    try:
        await supervisor.start()
        await supervisor.prepare_standby()
        yield supervisor
    finally:
        await supervisor.close()
