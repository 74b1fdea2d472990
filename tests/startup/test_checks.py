"""The start-up checks in-process: what they accept, what they refuse, how they wait."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.sandbox.server import FakeTelegramServer
from bot.startup_checks import RetryPolicy, StartupError, check_database
from bot.telegram_check import check_telegram
from bot.telegram_session import TOKEN_REJECTED, create_bot
from db.engine import create_engine
from tests.conftest import TEST_TOKEN
from tests.startup.process import refusing_port


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def policy(self, budget: float) -> RetryPolicy:
        return RetryPolicy(budget=budget, sleep=self.sleep, clock=self.clock)


def test_backoff_doubles_up_to_a_minute() -> None:
    delays = RetryPolicy().delays()
    assert [next(delays) for _ in range(9)] == [1, 2, 4, 8, 16, 32, 60, 60, 60]


async def test_unreachable_bot_api_is_retried_until_the_budget_is_spent(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time = FakeTime()
    with refusing_port() as port:
        url = f"http://127.0.0.1:{port}"
        bot = create_bot(TEST_TOKEN, url, interactive=False)
        try:
            with caplog.at_level(logging.WARNING), pytest.raises(StartupError) as error:
                await check_telegram(bot, url, retry=time.policy(300))
        finally:
            await bot.session.close()
    assert time.sleeps == [1, 2, 4, 8, 16, 32, 60, 60, 60, 57]  # capped, then cut to the budget
    assert str(error.value) == (
        f"TELEGRAM_API_URL: cannot reach {url} (connection refused); "
        "gave up after 11 attempts in 300 s"
    )
    retries = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    assert len(retries) == 10 and all(url in line for line in retries)


async def test_flaky_bot_api_is_waited_out(telegram: FakeTelegramServer) -> None:
    time = FakeTime()
    telegram.fail_next("getMe", status=500, count=2)
    bot = create_bot(TEST_TOKEN, telegram.base_url, interactive=False)
    try:
        me = await check_telegram(bot, telegram.base_url, retry=time.policy(120))
    finally:
        await bot.session.close()
    assert me.username == telegram.bot_user["username"]
    assert time.sleeps == [1, 2]


async def test_rejected_token_is_not_retried(telegram: FakeTelegramServer) -> None:
    time = FakeTime()
    bot = create_bot("123456:another-bots-token", telegram.base_url, interactive=False)
    try:
        with pytest.raises(StartupError) as error:
            await check_telegram(bot, telegram.base_url, retry=time.policy(120))
    finally:
        await bot.session.close()
    assert str(error.value) == TOKEN_REJECTED
    assert time.sleeps == []


async def test_unreachable_postgres_is_retried_until_the_budget_is_spent() -> None:
    time = FakeTime()
    with refusing_port() as port:
        url = f"postgresql+asyncpg://kenes:secret@127.0.0.1:{port}/kenes"
        with pytest.raises(StartupError) as error:
            await check_database(url, retry=time.policy(5))
    assert time.sleeps == [1, 2, 2]
    assert str(error.value) == (
        f"DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:{port} (connection refused); "
        "gave up after 4 attempts in 5 s"
    )


async def test_usable_database_passes_and_is_left_as_it_was(migrated_any_database: str) -> None:
    engine = create_engine(migrated_any_database)
    version = text("SELECT version_num FROM alembic_version")
    try:
        async with engine.connect() as connection:
            before = (await connection.execute(version)).scalar_one()
        await check_database(migrated_any_database)
        async with engine.connect() as connection:
            after = (await connection.execute(version)).scalar_one()
    finally:
        await engine.dispose()
    assert before == after


async def test_new_sqlite_database_folder_is_created(tmp_path: Path) -> None:
    await check_database(f"sqlite+aiosqlite:///{tmp_path / 'a' / 'b' / 'bot.db'}")
    assert (tmp_path / "a" / "b" / "bot.db").exists()


@pytest.fixture
async def migrated_any_database(any_database_url: str) -> str:
    from db.migrate import upgrade

    await upgrade(any_database_url)
    return any_database_url
