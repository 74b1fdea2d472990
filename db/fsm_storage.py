"""aiogram FSM storage in the bot's own database, so dialogs survive restarts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    DEFAULT_DESTINY,
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.models.fsm import FsmRecord
from db.session_context import update_session

# aiogram-dialog's default stack (aiogram_dialog.context.storage), read on every update.
DIALOG_STACK_DESTINY = "aiogd:stack:"


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
            # Rows found are held by the session (its identity map holds them only weakly, so
            # an unreferenced row was read again), and keys without a row (most people have no
            # dialog open) are remembered as absent: the 3-4 reads aiogram and aiogram-dialog
            # make per update cost one SELECT, and the reads after the reply (the unit
            # committed) do not begin a second transaction (SQLite: a second turn of the write
            # lock).
            record_key = self._keys.build(key)
            cache = _cache(shared)
            if record_key in cache.absent:
                return None
            held = cache.held(record_key)
            if held is not None:
                return held
            # The keys aiogram and aiogram-dialog read next come in the same statement.
            wanted = {
                record_key,
                self._keys.build(replace(key, destiny=DEFAULT_DESTINY)),
                self._keys.build(replace(key, destiny=DIALOG_STACK_DESTINY)),
            }
            found = (
                await shared.scalars(select(FsmRecord).where(FsmRecord.key.in_(sorted(wanted))))
            ).all()
            for row in found:
                cache.rows[row.key] = row
            for missing in wanted - {row.key for row in found}:
                cache.rows.pop(missing, None)
                cache.absent.add(missing)
            cache.mark_current(shared, wanted, locked=False)
            return cache.rows.get(record_key)
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
        cache = _cache(session)
        row: FsmRecord | None
        if record_key in cache.absent:
            row = None
        elif cache.is_current(session, record_key) and cache.held(record_key) is not None:
            row = cache.rows[record_key]
        else:
            row = await session.get(
                FsmRecord, record_key, with_for_update=True, populate_existing=True
            )
            cache.mark_current(session, {record_key}, locked=True)
        if row is None:
            row = FsmRecord(key=record_key, state=None, data={}, updated_at=self._now())
            for name, value in values.items():
                setattr(row, name, value)
            if row.state is not None or row.data:
                session.add(row)
                await session.flush()
                cache.absent.discard(record_key)
                cache.rows[record_key] = row
                cache.mark_current(session, {record_key}, locked=True)
            else:
                cache.absent.add(record_key)
                cache.rows.pop(record_key, None)
            return
        for name, value in values.items():
            setattr(row, name, value)
        row.updated_at = self._now()
        cache.rows[record_key] = row
        if row.state is None and not row.data:
            await session.delete(row)
            cache.absent.add(record_key)
            cache.rows.pop(record_key, None)
        await session.flush()


@dataclass
class _SessionCache:
    """FSM rows this session found (held: kept for the session's life, one update) and keys it
    found without a row; `current` are the keys whose row is known as of this transaction and
    cannot change under it (SQLite: the transaction holds the database's write lock; PostgreSQL:
    read FOR UPDATE or inserted by it), so a write needs no locking read first."""

    rows: dict[str, FsmRecord] = field(default_factory=dict)
    absent: set[str] = field(default_factory=set)
    current: set[str] = field(default_factory=set)
    transaction: object = None

    def held(self, key: str) -> FsmRecord | None:
        row = self.rows.get(key)
        if row is not None and (inspect(row).deleted or inspect(row).detached):
            # Deleted by a bulk DELETE meanwhile (/forget, db.repositories.fsm): read it again.
            del self.rows[key]
            self.current.discard(key)
            return None
        return row

    def is_current(self, session: AsyncSession, key: str) -> bool:
        return (
            self.transaction is not None
            and self.transaction is session.sync_session.get_transaction()
            and key in self.current
        )

    def mark_current(self, session: AsyncSession, keys: set[str], *, locked: bool) -> None:
        transaction = session.sync_session.get_transaction()
        if transaction is not self.transaction:
            self.transaction = transaction
            self.current = set()
        if locked or session.get_bind().dialect.name == "sqlite":
            self.current.update(keys)


def _cache(session: AsyncSession) -> _SessionCache:
    cache: _SessionCache = session.info.setdefault("fsm_cache", _SessionCache())
    return cache
