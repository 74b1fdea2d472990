"""The reminder log: which slots were handled, so none is sent twice by any instance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.events import EventReminder
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts
from db.repositories.subscriptions import Recipient

CLAIM_CHUNK = 2000
SENT = "sent"
SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class SlotRecord:
    user_id: int
    offset_minutes: int
    status: str  # SENT or SKIPPED


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def closest_handled(self, event_id: int, starts_at: datetime) -> dict[int, int]:
        """user id → the closest offset handled for this occurrence (the only one that matters:
        nothing at or beyond it is sent any more). One grouped index range scan."""
        rows = await self._session.execute(
            select(EventReminder.user_id, func.min(EventReminder.offset_minutes))
            .where(EventReminder.event_id == event_id, EventReminder.starts_at == starts_at)
            .group_by(EventReminder.user_id)
        )
        return {user_id: int(offset) for user_id, offset in rows}

    async def record(
        self, event_id: int, starts_at: datetime, records: Iterable[SlotRecord], now: datetime
    ) -> set[tuple[int, int]]:
        """Claims slots; returns the (user, offset) pairs this call inserted. A pair another
        instance claimed first is left out, which is what keeps two schedulers from doubling."""
        rows = [
            {
                "event_id": event_id,
                "user_id": record.user_id,
                "offset_minutes": record.offset_minutes,
                "starts_at": starts_at,
                "status": record.status,
                "created_at": now,
            }
            for record in records
        ]
        claimed: set[tuple[int, int]] = set()
        # PostgreSQL takes at most 32767 parameters per statement: 6 per row.
        for start in range(0, len(rows), CLAIM_CHUNK):
            stmt = (
                insert_ignoring_conflicts(self._session, EventReminder)
                .values(rows[start : start + CLAIM_CHUNK])
                .returning(EventReminder.user_id, EventReminder.offset_minutes)
            )
            result = await self._session.execute(stmt)
            claimed.update((user_id, offset) for user_id, offset in result)
        return claimed

    async def reminded(self, event_id: int) -> list[Recipient]:
        """Reachable users who were sent a reminder for any occurrence of this event."""
        rows = await self._session.execute(
            select(User.id, User.language, EventReminder.created_at)
            .join(EventReminder, EventReminder.user_id == User.id)
            .where(
                EventReminder.event_id == event_id,
                EventReminder.status == SENT,
                User.is_reachable.is_(True),
            )
            .order_by(User.id, EventReminder.created_at)
        )
        seen: dict[int, Recipient] = {}
        for user_id, language, created_at in rows:
            seen.setdefault(user_id, Recipient(user_id, language, created_at))
        return list(seen.values())
