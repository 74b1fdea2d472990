"""When each reminder is due: pure functions, no database, no clock of their own.

Decisions:
- A reminder slot is `start - offset`. An all-day deadline is anchored at local midnight of its
  day, and offsets under a day are skipped for it (an "in 1 hour" makes no sense without a time).
- Offsets up to URGENT_MAX_MINUTES (the 1-hour one) are urgent and go out even in quiet hours;
  the others falling into quiet hours are held until the quiet period ends, unless holding would
  push them past the event, in which case they keep their time.
- A slot is sent late (after downtime) only while the event is still ahead: before its start, or
  before the end of its day for an all-day deadline. When several slots are overdue for one user,
  only the closest to the event is sent; the others are recorded as skipped.
- A user gets only slots falling after they asked (subscribed or pressed "Remind me"), and never
  a slot further from the event than one they already got.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

URGENT_MAX_MINUTES = 60
DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time
    end: time
    tz: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        if self.start == self.end:
            return False  # equal bounds switch quiet hours off
        local = moment.astimezone(self.tz).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def release(self, moment: datetime) -> datetime:
        """The end of the quiet period `moment` falls in (`moment` itself outside one)."""
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.tz)
        day = local.date()
        if self.start > self.end and local.time() >= self.start:
            day += timedelta(days=1)
        return datetime.combine(day, self.end, self.tz).astimezone(moment.tzinfo)


@dataclass(frozen=True, slots=True)
class Slot:
    offset_minutes: int
    nominal_at: datetime
    send_at: datetime  # nominal_at, or the end of the quiet hours that hold it back
    urgent: bool


def ahead_until(starts_at: datetime, all_day: bool, tz: ZoneInfo) -> datetime:
    """The moment after which reminders for this occurrence are pointless."""
    if not all_day:
        return starts_at
    next_day = starts_at.astimezone(tz).date() + timedelta(days=1)
    return datetime.combine(next_day, time(0, 0), tz).astimezone(starts_at.tzinfo)


def event_slots(
    starts_at: datetime, all_day: bool, offsets: Iterable[int], quiet: QuietHours
) -> list[Slot]:
    """Reminder slots of one occurrence, furthest from the event first."""
    limit = ahead_until(starts_at, all_day, quiet.tz)
    slots = []
    for offset in sorted(set(offsets), reverse=True):
        if offset <= 0 or (all_day and offset < DAY_MINUTES):
            continue
        nominal = starts_at - timedelta(minutes=offset)
        urgent = offset <= URGENT_MAX_MINUTES
        send_at = nominal
        if not urgent:
            released = quiet.release(nominal)
            if released < limit:
                send_at = released
        slots.append(Slot(offset, nominal, send_at, urgent))
    return slots


def sendable(slot: Slot, now: datetime, limit: datetime, quiet: QuietHours) -> bool:
    if slot.send_at > now or now >= limit:
        return False
    if slot.urgent or not quiet.contains(now):
        return True
    # Found overdue at night (after downtime): wait for the morning, unless that is too late.
    return quiet.release(now) >= limit


def due_slots(
    slots: Iterable[Slot], *, now: datetime, limit: datetime, quiet: QuietHours
) -> list[Slot]:
    """The slots that may go out now, to whoever asked before them and has not had them or a
    closer one: the same for everyone, so the job works out the rest for all users at once."""
    return [slot for slot in slots if sendable(slot, now, limit, quiet)]


@dataclass(frozen=True, slots=True)
class Choice:
    send: Slot | None
    skip: tuple[Slot, ...]


def choose(
    slots: Iterable[Slot],
    *,
    now: datetime,
    limit: datetime,
    quiet: QuietHours,
    opted_in_at: datetime,
    handled: Collection[int],
) -> Choice:
    """For one user and one occurrence: the slot to send now, and the overdue ones it replaces.
    The reminder job applies the same rule to a whole audience in SQL
    (`ReminderRepository.claim_due`); a test holds the two to the same answers."""
    closest_handled = min(handled, default=None)
    due = [
        slot
        for slot in due_slots(slots, now=now, limit=limit, quiet=quiet)
        if slot.offset_minutes not in handled
        and (closest_handled is None or slot.offset_minutes < closest_handled)
        and slot.send_at >= opted_in_at
    ]
    if not due:
        return Choice(None, ())
    best = min(due, key=lambda slot: slot.offset_minutes)
    return Choice(best, tuple(slot for slot in due if slot is not best))
