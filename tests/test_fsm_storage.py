"""FSM state lives in the database: a restart keeps a half-finished dialog."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from db.engine import create_engine, create_sessionmaker
from db.fsm_storage import SqlAlchemyStorage
from db.migrate import upgrade
from db.repositories.fsm import FsmRepository
from db.session_context import update_session


class Dialog(StatesGroup):
    typing = State()


async def test_state_and_data_survive_a_new_engine(any_database_url: str) -> None:
    await upgrade(any_database_url)
    key = StorageKey(bot_id=1, chat_id=42, user_id=42)
    other = StorageKey(bot_id=1, chat_id=43, user_id=43)

    engine = create_engine(any_database_url)
    storage = SqlAlchemyStorage(create_sessionmaker(engine))
    await storage.set_state(key, Dialog.typing)
    await storage.update_data(key, {"draft": "Қайырлы күн", "n": 2})
    await engine.dispose()

    engine = create_engine(any_database_url)
    storage = SqlAlchemyStorage(create_sessionmaker(engine))
    try:
        assert await storage.get_state(key) == "Dialog:typing"
        assert await storage.get_data(key) == {"draft": "Қайырлы күн", "n": 2}
        assert await storage.get_state(other) is None
        assert await storage.get_data(other) == {}
        await storage.set_state(key, None)
        await storage.set_data(key, {})
        assert await storage.get_state(key) is None
        assert await storage.get_data(key) == {}
    finally:
        await engine.dispose()


async def test_state_written_during_an_update_shares_its_transaction(
    any_database_url: str,
) -> None:
    """A handler that fails leaves no half-changed dialog; one that succeeds commits both."""
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    sessionmaker = create_sessionmaker(engine)
    storage = SqlAlchemyStorage(sessionmaker)
    key = StorageKey(bot_id=1, chat_id=7, user_id=7)
    try:
        async with sessionmaker() as session:
            token = update_session.set(session)
            try:
                await storage.set_state(key, Dialog.typing)
                assert await storage.get_state(key) == "Dialog:typing"  # seen inside
            finally:
                update_session.reset(token)
            await session.rollback()
        assert await storage.get_state(key) is None

        async with sessionmaker() as session:
            token = update_session.set(session)
            try:
                await storage.update_data(key, {"step": 2})
            finally:
                update_session.reset(token)
            if engine.dialect.name == "postgresql":
                # Not visible to others before the commit (on SQLite another connection would
                # wait for this write transaction: every transaction there takes the lock).
                assert await storage.get_data(key) == {}
            await session.commit()
        assert await storage.get_data(key) == {"step": 2}
    finally:
        await engine.dispose()


@dataclass
class Recorded:
    """A migrated database's engine, an FSM storage on it, and every SQL statement it runs."""

    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    storage: SqlAlchemyStorage
    statements: list[str]


@pytest.fixture
async def recorded(any_database_url: str) -> AsyncIterator[Recorded]:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    statements: list[str] = []
    event.listen(
        engine.sync_engine,
        "before_cursor_execute",
        lambda _conn, _cursor, statement, *_rest: statements.append(statement),
    )
    sessionmaker = create_sessionmaker(engine)
    try:
        yield Recorded(engine, sessionmaker, SqlAlchemyStorage(sessionmaker), statements)
    finally:
        await engine.dispose()


def _selects(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


async def test_an_absent_key_is_read_once_per_update(recorded: Recorded) -> None:
    """aiogram and aiogram-dialog ask for the same keys several times an update, and again after
    the reply (the update's transaction committed): one SELECT per absent key, and no new
    transaction after the commit (on SQLite, a second turn of the write lock)."""
    storage, statements = recorded.storage, recorded.statements
    key = StorageKey(bot_id=1, chat_id=8, user_id=8)
    async with recorded.sessionmaker() as session:
        token = update_session.set(session)
        try:
            for _ in range(3):
                assert await storage.get_state(key) is None
                assert await storage.get_data(key) == {}
            await session.commit()
            after_commit = len(statements)
            assert await storage.get_state(key) is None
            assert len(statements) == after_commit  # no BEGIN, no SELECT
            # Written in this update, it is seen at once and stored.
            await storage.set_state(key, Dialog.typing)
            assert await storage.get_state(key) == "Dialog:typing"
            await session.commit()
        finally:
            update_session.reset(token)
    assert len(_selects(statements[:after_commit])) == 1, "\n".join(statements)
    assert await storage.get_state(key) == "Dialog:typing"  # committed


async def test_an_update_reads_its_fsm_rows_once_and_writes_without_rereading(
    recorded: Recorded,
) -> None:
    """aiogram's state and aiogram-dialog's stack come in one SELECT; a row read or written in
    the update's transaction is updated without a second (locking) read; a row deleted by
    /forget meanwhile is read again, not updated blindly."""
    storage, statements = recorded.storage, recorded.statements
    key = StorageKey(bot_id=1, chat_id=9, user_id=9)
    stack = StorageKey(bot_id=1, chat_id=9, user_id=9, destiny="aiogd:stack:")
    await storage.set_data(key, {"n": 1})
    async with recorded.sessionmaker() as session:
        token = update_session.set(session)
        try:
            statements.clear()
            assert await storage.get_data(key) == {"n": 1}
            assert await storage.get_data(stack) == {}
            await storage.update_data(key, {"n": 2})
            await storage.update_data(key, {"m": 3})
            # PostgreSQL locks the row before the first write (a read FOR UPDATE).
            expected = 2 if recorded.engine.dialect.name == "postgresql" else 1
            assert len(_selects(statements)) == expected, "\n".join(statements)
            await FsmRepository(session).delete_of_user(9)
            assert await storage.get_data(key) == {}
            await storage.update_data(key, {"after": True})
            assert await storage.get_data(key) == {"after": True}
            await session.rollback()
        finally:
            update_session.reset(token)
    assert await storage.get_data(key) == {"n": 1}
