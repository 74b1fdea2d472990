"""aiogram FSM storage in the bot's own database, so dialogs survive restarts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models.fsm import FsmRecord


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
        async with self._sessionmaker() as session:
            row = await session.get(FsmRecord, self._keys.build(key))
            return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._sessionmaker() as session:
            row = await session.get(FsmRecord, self._keys.build(key))
            return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        """The engine belongs to the application, which disposes of it."""

    async def _write(self, key: StorageKey, **values: Any) -> None:
        record_key = self._keys.build(key)
        async with self._sessionmaker() as session, session.begin():
            row = await session.get(FsmRecord, record_key, with_for_update=True)
            if row is None:
                row = FsmRecord(key=record_key, state=None, data={}, updated_at=self._now())
                for name, value in values.items():
                    setattr(row, name, value)
                if row.state is not None or row.data:
                    session.add(row)
                return
            for name, value in values.items():
                setattr(row, name, value)
            row.updated_at = self._now()
            if row.state is None and not row.data:
                await session.delete(row)
