"""The reminder log: which slots were handled, so none is sent twice by any instance.

The job's question "who is due which slot" is answered here for a whole audience in one
statement, by the same rule as `bot.services.events.planner.choose` applies to one user: of the
slots due now, a user gets those after the moment they asked and closer to the event than any
slot they already had; the closest is sent, the others are recorded as skipped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Integer,
    Select,
    String,
    Subquery,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import UtcDateTime
from db.models.events import Event, EventReminder
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts
from db.repositories.subscriptions import Recipient, audience

CLAIM_CHUNK = 2000
SENT = "sent"
SKIPPED = "skipped"
_ACTIVE = "active"
# Stands for "no slot handled yet": further from the event than any offset.
_NOTHING_HANDLED = 2**31 - 1


@dataclass(frozen=True, slots=True)
class SlotRecord:
    user_id: int
    offset_minutes: int
    status: str  # SENT or SKIPPED


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of an event and whom it concerns; its reminders are keyed by its start."""

    event_id: int
    starts_at: datetime
    category: str
    region: str | None


@dataclass(frozen=True, slots=True)
class DueSlot:
    """A slot that may go out now to anyone who asked by `send_at`."""

    offset_minutes: int
    send_at: datetime


@dataclass(frozen=True, slots=True)
class ReminderRound:
    """One look at one occurrence: the slots due `now`, for its whole audience or, with
    `asked_since`, only for those who asked from that moment on."""

    occurrence: Occurrence
    due: tuple[DueSlot, ...]
    now: datetime
    asked_since: datetime | None = None


def _people(round_: ReminderRound, users: tuple[int, int] | None) -> Subquery:
    """The audience with, for each person, the closest slot of this occurrence they already
    had (sent or skipped), or a stand-in further than any slot."""
    occurrence = round_.occurrence
    people = audience(
        occurrence.category,
        occurrence.region,
        occurrence.event_id,
        users=users,
        asked_since=round_.asked_since,
    )
    closest_handled = (
        select(func.min(EventReminder.offset_minutes))
        .where(
            EventReminder.event_id == occurrence.event_id,
            EventReminder.user_id == people.c.user_id,
            EventReminder.starts_at == occurrence.starts_at,
        )
        .scalar_subquery()
    )
    return select(
        people.c.user_id,
        people.c.opted_in_at,
        func.coalesce(closest_handled, _NOTHING_HANDLED).label("closest_handled"),
    ).subquery("person")


def _owed(person: Subquery, slot: DueSlot) -> ColumnElement[bool]:
    """`planner.choose`'s rule: asked before the slot, and had nothing as close or closer."""
    return and_(
        person.c.opted_in_at <= literal(slot.send_at, UtcDateTime()),
        person.c.closest_handled > slot.offset_minutes,
    )


def _claims(
    round_: ReminderRound, users: tuple[int, int]
) -> Select[int, int, str] | CompoundSelect[int, int, str]:
    """(user id, offset, status) for each due slot a person of the slice is owed: the closest
    one they are owed is sent, any further one is skipped."""
    person = _people(round_, users)
    claims = []
    for slot in round_.due:
        closer = [
            _owed(person, other)
            for other in round_.due
            if other.offset_minutes < slot.offset_minutes
        ]
        status = case((or_(*closer), SKIPPED), else_=SENT) if closer else literal(SENT, String())
        claims.append(
            select(
                person.c.user_id,
                literal(slot.offset_minutes, Integer()).label("offset_minutes"),
                status.label("status"),
            ).where(_owed(person, slot))
        )
    return claims[0] if len(claims) == 1 else union_all(*claims)


class ReminderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def slice_starts(self, round_: ReminderRound, size: int) -> list[int]:
        """The first user id of each run of `size` users owed one of the due slots, ascending:
        the job handles the users from one start to the next in one transaction. Empty when
        nobody is owed anything."""
        if not round_.due:
            return []
        person = _people(round_, None)
        owed = (
            select(
                person.c.user_id,
                func.row_number().over(order_by=person.c.user_id).label("position"),
            )
            .where(or_(*(_owed(person, slot) for slot in round_.due)))
            .subquery("owed")
        )
        result = await self._session.scalars(
            select(owed.c.user_id).where((owed.c.position - 1) % size == 0).order_by(owed.c.user_id)
        )
        return list(result.all())

    async def claim_due(self, round_: ReminderRound, users: tuple[int, int]) -> bool:
        """Records the due slots of the users in the inclusive id range `users`, at the round's
        `now`. A slot recorded before (by another instance too) is left alone, which is what
        keeps two schedulers from doubling. False: the occurrence is no longer active (the
        event was cancelled, moved or deleted meanwhile), nothing recorded."""
        occurrence = round_.occurrence
        still_active = and_(
            Event.id == occurrence.event_id,
            Event.status == _ACTIVE,
            Event.starts_at == occurrence.starts_at,
        )
        # PostgreSQL: an admin's edit (SELECT … FOR UPDATE) waits for this slice to commit, so
        # the pending reminders it withdraws include this slice's.
        found = await self._session.scalar(
            select(Event.id).where(still_active).with_for_update(read=True)
        )
        if found is None:
            return False
        claims = _claims(round_, users).subquery("claims")
        rows = select(
            literal(occurrence.event_id, Integer()),
            claims.c.user_id,
            claims.c.offset_minutes,
            literal(occurrence.starts_at, UtcDateTime()),
            claims.c.status,
            literal(round_.now, UtcDateTime()),
        ).where(
            # Checked again inside the insert: on SQLite the check above is not yet in the
            # write transaction. (A WHERE is needed anyway: SQLite reads "ON CONFLICT" after a
            # bare FROM as a join constraint.)
            exists().where(still_active)
        )
        await self._session.execute(
            insert_ignoring_conflicts(self._session, EventReminder).from_select(
                ["event_id", "user_id", "offset_minutes", "starts_at", "status", "created_at"],
                rows,
            )
        )
        return True

    @staticmethod
    def sent_in(round_: ReminderRound, offset: int, users: tuple[int, int]) -> Select[int]:
        """The users of the slice whose slot `offset` was recorded as sent at the round's `now`:
        those `claim_due` just recorded, and those another instance recorded at the very same
        moment, whose messages were queued with the same dedupe keys in that transaction."""
        occurrence = round_.occurrence
        return select(EventReminder.user_id).where(
            EventReminder.event_id == occurrence.event_id,
            EventReminder.user_id.between(*users),
            EventReminder.offset_minutes == offset,
            EventReminder.starts_at == occurrence.starts_at,
            EventReminder.status == SENT,
            EventReminder.created_at == round_.now,
        )

    async def record(
        self, event_id: int, starts_at: datetime, records: Iterable[SlotRecord], now: datetime
    ) -> set[tuple[int, int]]:
        """Records the given slots; returns the (user, offset) pairs this call inserted."""
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
