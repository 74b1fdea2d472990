"""The claim: one owner per row however many workers ask at once, one row per chat."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy.exc import OperationalError

from bot.delivery import Category
from db.engine import create_engine, create_sessionmaker
from db.repositories.outbox import OutboxRepository
from tests.delivery.conftest import DeliveryEnv, text


async def test_concurrent_claims_never_share_a_row(any_env: DeliveryEnv) -> None:
    await any_env.queue(*(text(chat, f"m{chat}") for chat in range(1, 301)))
    engines = [create_engine(any_env.settings.database_url) for _ in range(3)]
    now = any_env.clock.now()

    async def claim_until_empty(worker: int) -> list[int]:
        """Like a sender: claim again after losing a race, stop when nothing is left."""
        sessionmaker = create_sessionmaker(engines[worker % len(engines)])
        ids: list[int] = []
        while True:
            try:
                async with sessionmaker() as session, session.begin():
                    batch = await OutboxRepository(session).claim(
                        f"w{worker}", now=now, lease_until=now + timedelta(minutes=1), limit=20
                    )
            except OperationalError:  # SQLite "database is locked" in this deliberate pile-up
                await asyncio.sleep(0.01)
                continue
            ids.extend(row.id for row in batch.rows)
            if not batch.candidates:
                return ids

    try:
        claimed_by = await asyncio.gather(*(claim_until_empty(worker) for worker in range(8)))
    finally:
        for engine in engines:
            await engine.dispose()
    claimed = [row_id for ids in claimed_by for row_id in ids]
    assert len(claimed) == len(set(claimed)) == 300
    owners = {row.worker_id for row in await any_env.rows()}
    assert len(owners) > 1


async def test_one_row_per_chat_and_priority_first(env: DeliveryEnv) -> None:
    await env.queue(
        text(1, "broadcast to 1", category=Category.BROADCAST),
        text(1, "second to 1", category=Category.BROADCAST),
        text(2, "broadcast to 2", category=Category.BROADCAST),
        text(3, "reply to 3", category=Category.REPLY),
        text(1, "reply to 1", category=Category.REPLY),
        text(4, "later", not_before=env.clock.now() + timedelta(minutes=5)),
    )
    now = env.clock.now()
    async with env.sessionmaker() as session, session.begin():
        repo = OutboxRepository(session)
        first = await repo.claim("w", now=now, lease_until=now, limit=10)
        # Chats 1, 2 and 3 are now busy: nothing more until their messages are done.
        second = await repo.claim("w", now=now, lease_until=now, limit=10)
    assert [r.text for r in first.rows] == ["reply to 3", "reply to 1", "broadcast to 2"]
    assert second.rows == [] and second.candidates == 0
