"""Users are registered once, even when two updates of a new user race each other."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.repositories.users import UserRepository

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


async def test_concurrent_first_contact_registers_one_user(any_database_url: str) -> None:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    sessionmaker = create_sessionmaker(engine)

    async def first_contact() -> bool:
        async with sessionmaker() as session:
            _, created = await UserRepository(session).touch(42, NOW)
            await session.commit()
            return created

    try:
        results = await asyncio.gather(*(first_contact() for _ in range(5)))
        async with sessionmaker() as session:
            repo = UserRepository(session)
            assert await repo.count() == 1
            await repo.mark_unreachable(42, "blocked")
            await session.commit()
            user, created = await repo.touch(42, NOW)
            assert not created and user.is_reachable
    finally:
        await engine.dispose()
    assert results.count(True) >= 1
