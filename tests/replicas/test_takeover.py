"""The sending lease changing hands (bot.leadership), on SQLite and PostgreSQL.

A process that takes the lease from a dead one on this machine (a killed replica, or the bot's
own previous run) gets the messages that one had claimed back into the queue at once, not when
their claim would have run out; a live holder is never displaced, and a replica whose start of
the jobs failed tries again.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.delivery.messages import Category, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.leadership import JOBS_LEASE, Leadership
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.leases import Lease
from db.models.outbox import OutboxMessage
from tests.conftest import TEST_TOKEN

ELSEWHERE = "another-host-4242-a1b2c3"  # a replica on another machine: never presumed dead
LEASE = 3.0


def dead_process_here() -> str:
    """The lease holder name of a process on this machine that has exited."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    return f"{socket.gethostname()[:40]}-{finished.pid}-0dead0"


@pytest.fixture
async def sessions(any_database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def claim(
    sessions: async_sessionmaker[AsyncSession],
    clock: FakeClock,
    worker: str,
    chats: range,
) -> None:
    """Messages that `worker` claimed and held (sending), for an hour."""
    messages = [
        OutgoingMessage.text_message(
            chat, f"Reminder for {chat}", category=Category.REMINDER, dedupe_key=f"k:{chat}"
        )
        for chat in chats
    ]
    async with sessions() as session, session.begin():
        await Outbox(clock).enqueue(session, *messages)
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id.in_(list(chats)))
            .values(state="sending", worker_id=worker, lease_until=clock.now() + timedelta(hours=1))
        )


async def test_the_next_run_sends_at_once_what_a_killed_run_had_claimed(
    any_database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    telegram: FakeTelegramServer,
    fake_clock: FakeClock,
) -> None:
    dead = dead_process_here()
    async with sessions() as session, session.begin():
        expires = datetime.now(UTC) + timedelta(hours=1)
        session.add(Lease(name=JOBS_LEASE, holder=dead, expires_at=expires))
    await claim(sessions, fake_clock, dead, range(5001, 5004))
    await claim(sessions, fake_clock, ELSEWHERE, range(5004, 5005))
    users = [telegram.user(chat) for chat in range(5001, 5005)]
    settings = Settings(_env_file=None, bot_token=TEST_TOKEN, database_url=any_database_url)
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        assert running.app.leadership.leader
        for user in users[:3]:
            await user.wait_text(f"Reminder for {user.id}", timeout=10)
        async with sessions() as session:
            holder = await session.scalar(select(Lease.holder))
            elsewhere = await session.scalar(
                select(OutboxMessage.state).where(OutboxMessage.chat_id == 5004)
            )
        assert holder == running.app.leadership.holder
        # Claimed by a sender that may be alive: its claim has to run out first.
        assert elsewhere == "sending" and users[3].messages == []
    finally:
        await running.stop()


async def test_a_live_holder_keeps_the_lease_until_it_lets_go(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    acquired: list[tuple[str, str | None]] = []
    taken = {ELSEWHERE: asyncio.Event(), "third-host-77-ffffff": asyncio.Event()}

    def leadership(holder: str) -> Leadership:
        async def on_acquired(dead: str | None) -> None:
            acquired.append((holder, dead))
            taken[holder].set()

        async def on_lost() -> None:
            pass

        return Leadership(
            sessions, lease_seconds=LEASE, on_acquired=on_acquired, on_lost=on_lost, holder=holder
        )

    first, second = (leadership(name) for name in taken)
    await first.start()
    await second.start()
    try:
        assert (first.leader, second.leader) == (True, False)
        assert await second.other_holder() == ELSEWHERE
        await first.stop()  # lets go: the other need not wait for the lease to run out
        async with asyncio.timeout(LEASE):
            await taken["third-host-77-ffffff"].wait()
        assert second.leader and not first.leader
        # Neither was presumed dead: nothing of theirs is taken back.
        assert acquired == [(ELSEWHERE, None), ("third-host-77-ffffff", None)]
    finally:
        await first.stop()
        await second.stop()


async def test_a_failed_start_of_the_jobs_is_tried_again(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    attempts: list[str | None] = []
    started = asyncio.Event()

    async def on_acquired(dead: str | None) -> None:
        attempts.append(dead)
        if len(attempts) == 1:
            raise ConnectionResetError("the database went away while starting")
        started.set()

    async def on_lost() -> None:
        pass

    dead = dead_process_here()
    async with sessions() as session, session.begin():
        expires = datetime.now(UTC) + timedelta(hours=1)
        session.add(Lease(name=JOBS_LEASE, holder=dead, expires_at=expires))
    leadership = Leadership(sessions, lease_seconds=LEASE, on_acquired=on_acquired, on_lost=on_lost)
    await leadership.start()
    try:
        async with asyncio.timeout(2 * LEASE):
            await started.wait()
        assert leadership.leader
        assert attempts == [dead, None]  # the second time it already held the lease itself
    finally:
        await leadership.stop()


async def test_a_holder_elsewhere_that_stops_renewing_is_replaced_when_its_lease_ends(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    taken: list[str | None] = []
    acquired = asyncio.Event()

    async def on_acquired(dead: str | None) -> None:
        taken.append(dead)
        acquired.set()

    async def on_lost() -> None:
        pass

    async with sessions() as session, session.begin():
        ends = datetime.now(UTC) + timedelta(seconds=1)
        session.add(Lease(name=JOBS_LEASE, holder=ELSEWHERE, expires_at=ends))
    leadership = Leadership(sessions, lease_seconds=LEASE, on_acquired=on_acquired, on_lost=on_lost)
    await leadership.start()
    try:
        assert not leadership.leader  # alive as far as anyone here can tell
        async with asyncio.timeout(1 + LEASE):
            await acquired.wait()
        # Its claimed messages are left to run out their own claim: it may still be sending.
        assert taken == [None]
    finally:
        await leadership.stop()
