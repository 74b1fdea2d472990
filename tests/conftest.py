"""Fixtures shared by every test: databases, settings, a fake clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.i18n import compile_catalogues
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from db.migrate import upgrade
from tests.databases import postgres_server_url, temporary_postgres_database

TEST_TOKEN = "123456:TEST-token-for-the-fake-server"
ADMIN_ID = 900001


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    compile_catalogues()


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with temporary_postgres_database(server) as url:
        yield url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Runs a test on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with temporary_postgres_database(server) as url:
        yield url


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    return sqlite_url


@pytest.fixture
async def migrated_database_url(database_url: str) -> str:
    await upgrade(database_url)
    return database_url


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID}),
    )


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegramServer]:
    """A started fake Bot API server; fails the test if the bot broke the API contract."""
    async with FakeTelegramServer(token=TEST_TOKEN) as server:
        yield server
        assert server.violations == [], server.violations_report()


@pytest.fixture
async def running_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[RunningBot]:
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(autouse=True)
def _no_writes_after_a_reply(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """A handler that saves something after its reply went out could say "done" for a change a
    crash then loses: every test fails if the update pipeline saw one."""
    yield
    late = [r.getMessage() for r in caplog.records if "after its reply was sent" in r.msg]
    assert not late, late
