"""The reminder job: ask the database what is due, enqueue it, record it. Safe to run anywhere.

What is due follows from events, subscriptions and the reminder log, all in the database, so a
restart neither loses nor repeats a reminder. Each slot is claimed with an insert that ignores
conflicts before its message is queued (same transaction), so a second instance running the
same job at the same moment queues nothing twice; the outbox dedupe key is a second guard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.messages import MessageContent
from bot.delivery.outbox import Outbox
from bot.services.events.builtin import roll_recurring
from bot.services.events.model import STATUS_ACTIVE
from bot.services.events.notices import EventTexts, language_of, reminder_message
from bot.services.events.planner import QuietHours, ahead_until, choose, event_slots
from db.repositories.events import EventDTO, EventRepository
from db.repositories.reminders import SENT, SKIPPED, ReminderRepository, SlotRecord
from db.repositories.subscriptions import Recipient, SubscriptionRepository

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReminderTally:
    """Reminders found due (and claimed by this process) and how many of them were queued; the
    rest went to users who blocked the bot, or were queued before under the same key."""

    due: int = 0
    queued: int = 0

    def add(self, other: ReminderTally) -> None:
        self.due += other.due
        self.queued += other.queued


def quiet_hours(settings: Settings) -> QuietHours:
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)


async def recipients(session: AsyncSession, event: EventDTO) -> list[Recipient]:
    """Subscribers of the category (region rules applied) and "Remind me" users; one entry per
    user, with the earliest moment they asked."""
    subscriptions = SubscriptionRepository(session)
    people: dict[int, Recipient] = {}
    found = [
        *await subscriptions.subscribers(event.category, event.region),
        *await subscriptions.watchers(event.id),
    ]
    for person in found:
        known = people.get(person.user_id)
        if known is None or person.opted_in_at < known.opted_in_at:
            people[person.user_id] = person
    return list(people.values())


async def remind_for_event(
    session: AsyncSession,
    outbox: Outbox,
    texts: EventTexts,
    settings: Settings,
    event_id: int,
    now: datetime,
) -> ReminderTally:
    events = EventRepository(session)
    event = await events.get(event_id)
    if event is None or event.status != STATUS_ACTIVE:
        return ReminderTally()
    quiet = quiet_hours(settings)
    limit = ahead_until(event.starts_at, event.all_day, quiet.tz)
    slots = event_slots(event.starts_at, event.all_day, settings.reminder_offsets, quiet)
    due_offsets = [slot.offset_minutes for slot in slots if slot.send_at <= now]
    if now >= limit or not due_offsets:
        return ReminderTally()
    closest_due = min(due_offsets)
    log_repo = ReminderRepository(session)
    closest_handled = await log_repo.closest_handled(event.id, event.starts_at)
    records: list[SlotRecord] = []
    chosen: dict[int, tuple[Recipient, int]] = {}
    for person in await recipients(session, event):
        handled = closest_handled.get(person.user_id)
        if handled is not None and handled <= closest_due:
            continue  # had this slot or a closer one: nothing can be due (the usual case)
        choice = choose(
            slots,
            now=now,
            limit=limit,
            quiet=quiet,
            opted_in_at=person.opted_in_at,
            handled=() if handled is None else (handled,),
        )
        if choice.send is not None:
            records.append(SlotRecord(person.user_id, choice.send.offset_minutes, SENT))
            chosen[person.user_id] = (person, choice.send.offset_minutes)
        records.extend(SlotRecord(person.user_id, s.offset_minutes, SKIPPED) for s in choice.skip)
    if not records:
        return ReminderTally()
    claimed = await log_repo.record(event.id, event.starts_at, records, now)
    # The same for everyone with this language at this moment: rendered once per language.
    rendered: dict[str, MessageContent] = {}
    messages = []
    for person, offset in chosen.values():
        if (person.user_id, offset) not in claimed:
            continue  # another instance took it
        language = language_of(person)
        if language not in rendered:
            rendered[language] = texts.reminder(event, language, now)
        messages.append(reminder_message(event, person, offset, rendered[language]))
    return ReminderTally(due=len(messages), queued=await outbox.enqueue(session, *messages))


async def run_due_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    clock: Clock,
    settings: Settings,
    texts: EventTexts,
    tally: ReminderTally | None = None,
) -> int:
    """One pass: roll yearly deadlines forward, then queue every reminder due now.
    Returns how many messages were queued (``tally``, if given, adds what was due). Each event
    is its own transaction."""
    now = clock.now()
    horizon = timedelta(minutes=max(settings.reminder_offsets, default=0))
    async with sessionmaker() as session, session.begin():
        rolled = await roll_recurring(session, now, settings.tz)
        candidates = await EventRepository(session).reminder_candidates(now, horizon)
    if rolled:
        log.info("rolled %d yearly deadlines to their next date", rolled)
    total = ReminderTally()
    for event in candidates:
        try:
            async with sessionmaker() as session, session.begin():
                done = await remind_for_event(session, outbox, texts, settings, event.id, now)
        except Exception:
            # One broken event must not starve the others; the next pass retries it.
            log.exception("reminders for event %s failed", event.id)
        else:
            total.add(done)
    if tally is not None:
        tally.add(total)
    if total.queued:
        outbox.wake()
    return total.queued
