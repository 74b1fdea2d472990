"""Broadcast tests: the real application against the fake server, a fake clock, short spacing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from tests.conftest import ADMIN_ID, TEST_TOKEN

SECOND_ADMIN = 900002


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=database_url,
        admin_ids=frozenset({ADMIN_ID, SECOND_ADMIN}),
        per_chat_interval=0.05,
        delivery_rate=200,
    )


@pytest.fixture
async def bc_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[RunningBot]:
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        yield running
    finally:
        await running.stop()


async def add_user(
    running: RunningBot,
    user_id: int,
    language: str,
    *,
    region: str | None = None,
    categories: tuple[str, ...] = (),
    role: str | None = None,
) -> SimUser:
    async with running.app.sessionmaker() as session, session.begin():
        users = UserRepository(session)
        now = running.app.clock.now()
        await users.touch(user_id, now)
        await users.set_language(user_id, language)
        if region is not None:
            await users.set_region(user_id, region)
        if role is not None:
            await users.set_role(user_id, role)
        for category in categories:
            await SubscriptionRepository(session).subscribe(user_id, category, now)
    return running.server.user(user_id, f"user{user_id}", language_code=language)


async def idle(running: RunningBot) -> None:
    sender = running.app.delivery.sender
    assert sender is not None
    await sender.wait_idle(10)
