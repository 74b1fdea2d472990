"""aiogram FSM storage in the bot's own database, so dialogs survive restarts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models.fsm import FsmRecord
from db.session_context import update_session


class SqlAlchemyStorage(BaseStorage):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        key_builder: KeyBuilder | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sessionmaker = sessionmaker
        self._keys = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._now = now

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, state=value)

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""

    async def _read(self, key: StorageKey) -> FsmRecord | None:
        shared = update_session.get()
        if shared is not None:
            # A row that exists stays in the session's identity map; one that does not (most
            # people have no dialog open) is remembered as absent, so the 3-4 reads aiogram and
            # aiogram-dialog make per update cost one SELECT, and the reads after the reply
            # (the unit committed) do not begin a second transaction (SQLite: a second turn of
            # the write lock).
            record_key = self._keys.build(key)
            absent = _absent_keys(shared)
            if record_key in absent:
                return None
            row = await shared.get(FsmRecord, record_key)
            if row is None:
                absent.add(record_key)
            return row
        async with self._sessionmaker() as session:
            return await session.get(FsmRecord, self._keys.build(key))

    async def _write(self, key: StorageKey, **values: Any) -> None:
        shared = update_session.get()
        if shared is not None:
            # Committed with the update's own changes, or rolled back with them.
            await self._apply(shared, key, values)
            return
        async with self._sessionmaker() as session, session.begin():
            await self._apply(session, key, values)

    async def _apply(self, session: AsyncSession, key: StorageKey, values: dict[str, Any]) -> None:
        record_key = self._keys.build(key)
        absent = _absent_keys(session)
        row = (
            None
            if record_key in absent
            else await session.get(FsmRecord, record_key, with_for_update=True)
        )
        if row is None:
            row = FsmRecord(key=record_key, state=None, data={}, updated_at=self._now())
            for name, value in values.items():
                setattr(row, name, value)
            if row.state is not None or row.data:
                session.add(row)
                await session.flush()
                absent.discard(record_key)
            else:
                absent.add(record_key)
            return
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = self._now()
        if row.state is None and not row.data:
            await session.delete(row)
            absent.add(record_key)
        await session.flush()


def _absent_keys(session: AsyncSession) -> set[str]:
    """FSM keys this session found without a row (kept for the session's life: one update)."""
    absent: set[str] = session.info.setdefault("fsm_absent_keys", set())
    return absent
