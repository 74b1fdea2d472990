"""A database, a fake Bot API server with Telegram's limits on, and senders to run against them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery import Category, Outbox, OutgoingMessage, SendObserver
from bot.delivery.runtime import running_sender
from bot.delivery.sender import DeliverySender, SenderConfig
from bot.delivery.threads import ThreadResolver
from bot.sandbox import FakeTelegramServer, RateLimits
from bot.testing import FakeClock, eventually
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.outbox import OutboxMessage, OutboxState
from db.repositories.users import UserRepository
from tests.conftest import TEST_TOKEN

# Production pacing against a server enforcing Telegram's limits; only the periodic chores run
# more often so that tests do not wait for them. Groups are spaced like private chats here: the
# tests send a few messages to a group, well inside its burst of 20 (test_group_spacing runs the
# production group interval against a server whose clock runs faster).
TEST_CONFIG = SenderConfig(
    rate=25.0,
    per_chat_interval=1.0,
    group_interval=1.0,
    poll_interval=0.5,
    housekeeping_interval=0.5,
)


@dataclass
class DeliveryEnv:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: FakeClock
    server: FakeTelegramServer
    outbox: Outbox

    async def add_users(self, ids: Iterable[int]) -> None:
        """Users known to the bot (rows in ``users``) and to the fake Telegram."""
        ids = list(ids)
        async with self.sessionmaker() as session, session.begin():
            users = UserRepository(session)
            for user_id in ids:
                await users.touch(user_id, self.clock.now())
        for user_id in ids:
            self.server.user(user_id, f"User {user_id}")

    async def queue(self, *messages: OutgoingMessage) -> int:
        async with self.sessionmaker() as session, session.begin():
            return await self.outbox.enqueue(session, *messages)

    async def rows(self) -> list[OutboxMessage]:
        async with self.sessionmaker() as session:
            result = await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(result.all())

    async def settled(self, within: float = 20) -> None:
        """Wait until no row is pending or being sent: `wait_idle` does not wait for rows held
        back to a later moment (an edit whose message is not sent yet, say)."""

        async def done() -> bool | None:
            unsent = (OutboxState.PENDING, OutboxState.SENDING)
            return True if all(r.state not in unsent for r in await self.rows()) else None

        await eventually(done, within=within, what="every outbox row sent or given up")

    async def states(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in await self.rows():
            counts[row.state] = counts.get(row.state, 0) + 1
        return counts

    def texts(self, chat_id: int) -> list[str]:
        return [m.text for m in self.server.transcript(chat_id)]

    async def row(self, dedupe_key: str) -> OutboxMessage:
        [found] = [r for r in await self.rows() if r.dedupe_key == dedupe_key]
        return found

    @asynccontextmanager
    async def sender(
        self,
        *,
        worker_id: str | None = None,
        threads: ThreadResolver | None = None,
        observers: Sequence[SendObserver] = (),
        **overrides: Any,
    ) -> AsyncIterator[DeliverySender]:
        config = replace(TEST_CONFIG, **overrides)
        async with running_sender(
            self.settings,
            clock=self.clock,
            config=config,
            outbox=self.outbox,
            worker_id=worker_id,
            threads=threads,
            observers=observers,
        ) as sender:
            yield sender


def text(chat_id: int, body: str, **options: Any) -> OutgoingMessage:
    options.setdefault("category", Category.NOTICE)
    return OutgoingMessage.text_message(chat_id, body, **options)


async def make_env(
    database_url: str, *, server_clock: Callable[[], float] | None = None
) -> AsyncIterator[DeliveryEnv]:
    """``server_clock``: the monotonic clock of the fake Telegram's flood control."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    clock = FakeClock()
    options: dict[str, Any] = {"clock": server_clock} if server_clock is not None else {}
    async with FakeTelegramServer(token=TEST_TOKEN, limits=RateLimits(), **options) as server:
        settings = Settings(
            _env_file=None,
            bot_token=SecretStr(TEST_TOKEN),
            telegram_api_url=server.base_url,
            database_url=database_url,
        )
        try:
            yield DeliveryEnv(settings, create_sessionmaker(engine), clock, server, Outbox(clock))
        finally:
            await engine.dispose()
        assert server.violations == [], server.violations_report()


@pytest.fixture
async def env(sqlite_url: str) -> AsyncIterator[DeliveryEnv]:
    async for value in make_env(sqlite_url):
        yield value


@pytest.fixture
async def any_env(any_database_url: str) -> AsyncIterator[DeliveryEnv]:
    """The same environment on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL."""
    async for value in make_env(any_database_url):
        yield value
