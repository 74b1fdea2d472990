"""A NUL character in what a person types (found by tests/fuzz on PostgreSQL, which refuses it in
text): the question is answered, not met with "the database is out of reach"."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from db.models.faq import FaqSearchRecord
from tests.conftest import TEST_TOKEN


async def test_a_question_with_a_nul_character_is_answered(
    any_database_url: str, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    settings = Settings(_env_file=None, bot_token=TEST_TOKEN, database_url=any_database_url)
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        user = await running.known_user(9301, "Dana", "ru")
        await user.send("сколько стоит\x00 регистрация НПО")
        await user.wait_text("МРП", timeout=10)
        async with running.app.sessionmaker() as session:
            queries = list(await session.scalars(select(FaqSearchRecord.query)))
        assert queries
        if running.app.engine.dialect.name == "postgresql":
            assert not any("\x00" in q for q in queries)
    finally:
        await running.stop()
