"""Events and deadlines: storage and the queries the list, the card and the reminder job need."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from db.models.events import Event


@dataclass(frozen=True, slots=True)
class EventDTO:
    id: int
    category: str
    title_kk: str
    title_ru: str
    description_kk: str
    description_ru: str
    starts_at: datetime
    ends_at: datetime | None
    all_day: bool
    place: str | None
    url: str | None
    region: str | None
    status: str
    recurrence: str | None
    builtin_key: str | None
    revision: int
    created_by: int | None
    created_at: datetime
    updated_at: datetime

    def title(self, language: str) -> str:
        return self.title_kk if language == "kk" else self.title_ru

    def description(self, language: str) -> str:
        return self.description_kk if language == "kk" else self.description_ru


_FIELDS = tuple(f.name for f in fields(EventDTO))
# Columns an update may touch; id, created_* and builtin_key never change after insert.
EDITABLE = frozenset(_FIELDS) - {"id", "created_at", "created_by", "builtin_key"}


def _dto(row: Event) -> EventDTO:
    return EventDTO(**{name: getattr(row, name) for name in _FIELDS})


def _not_over(now: datetime) -> ColumnElement[bool]:
    """Still worth showing: not ended; an all-day deadline stays for its whole day."""
    return or_(
        Event.ends_at > now,
        and_(Event.ends_at.is_(None), Event.all_day.is_(False), Event.starts_at > now),
        and_(
            Event.ends_at.is_(None),
            Event.all_day.is_(True),
            Event.starts_at > now - timedelta(days=1),
        ),
    )


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: Mapping[str, Any]) -> EventDTO:
        row = Event(**values)
        self._session.add(row)
        await self._session.flush()
        return _dto(row)

    async def get(self, event_id: int) -> EventDTO | None:
        row = await self._session.get(Event, event_id)
        return _dto(row) if row else None

    async def get_for_update(self, event_id: int) -> EventDTO | None:
        """Locks the row on PostgreSQL so two admins editing at once apply one after the other."""
        row = await self._session.scalar(
            select(Event).where(Event.id == event_id).with_for_update()
        )
        return _dto(row) if row else None

    async def get_by_builtin_key(self, key: str) -> EventDTO | None:
        row = await self._session.scalar(select(Event).where(Event.builtin_key == key))
        return _dto(row) if row else None

    async def update(self, event_id: int, values: Mapping[str, Any]) -> EventDTO | None:
        unknown = set(values) - EDITABLE
        if unknown:
            raise ValueError(f"not editable: {sorted(unknown)}")
        row = await self._session.get(Event, event_id)
        if row is None:
            return None
        for name, value in values.items():
            setattr(row, name, value)
        await self._session.flush()
        return _dto(row)

    async def delete(self, event_id: int) -> bool:
        result = await self._session.execute(delete(Event).where(Event.id == event_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def upcoming(
        self, now: datetime, *, region: str | None, offset: int, limit: int
    ) -> Sequence[EventDTO]:
        """Not-yet-over events: the user's region first, then all of Kazakhstan, then others."""
        whens: list[tuple[ColumnElement[bool], int]] = [(Event.region.is_(None), 1)]
        if region is not None:
            whens.insert(0, (Event.region == region, 0))
        group = case(*whens, else_=2)
        rows = await self._session.scalars(
            select(Event)
            .where(_not_over(now))
            .order_by(group, Event.starts_at, Event.id)
            .offset(offset)
            .limit(limit)
        )
        return [_dto(row) for row in rows]

    async def count_upcoming(self, now: datetime) -> int:
        total = await self._session.scalar(
            select(func.count()).select_from(Event).where(_not_over(now))
        )
        return int(total or 0)

    async def for_admin(self, since: datetime, *, offset: int, limit: int) -> Sequence[EventDTO]:
        rows = await self._session.scalars(
            select(Event)
            .where(Event.starts_at >= since)
            .order_by(Event.starts_at, Event.id)
            .offset(offset)
            .limit(limit)
        )
        return [_dto(row) for row in rows]

    async def count_for_admin(self, since: datetime) -> int:
        total = await self._session.scalar(
            select(func.count()).select_from(Event).where(Event.starts_at >= since)
        )
        return int(total or 0)

    async def exists_like(self, title_ru: str, starts_at: datetime) -> bool:
        """An event with this Russian title at this start already exists (a re-sent import)."""
        found = await self._session.scalar(
            select(Event.id)
            .where(
                # Exact match: SQLite's lower() ignores Cyrillic, so case folding is not portable.
                Event.title_ru == title_ru,
                Event.starts_at == starts_at,
            )
            .limit(1)
        )
        return found is not None

    async def reminder_candidates(self, now: datetime, horizon: timedelta) -> Sequence[EventDTO]:
        """Active events whose first reminder may be due and which may still be ahead."""
        rows = await self._session.scalars(
            select(Event)
            .where(
                Event.status == "active",
                Event.starts_at <= now + horizon,
                Event.starts_at > now - timedelta(days=1),
            )
            .order_by(Event.starts_at, Event.id)
        )
        return [_dto(row) for row in rows]

    async def recurring_started_before(self, now: datetime) -> Sequence[EventDTO]:
        rows = await self._session.scalars(
            select(Event).where(Event.recurrence.is_not(None), Event.starts_at <= now)
        )
        return [_dto(row) for row in rows]
