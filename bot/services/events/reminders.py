"""The reminder job: ask the database what is due, enqueue it, record it. Safe to run anywhere.

What is due follows from events, subscriptions and the reminder log, all in the database, so a
restart neither loses nor repeats a reminder. The slots due now are the same for everyone
(`planner.due_slots`); who of the audience is owed which of them is worked out by the database
for all users at once, a slice of user ids per transaction, so that a big audience neither holds
SQLite's write lock for long nor keeps the event loop busy. In each slice the slots are claimed
with an insert that ignores conflicts, and the claimed ones are queued in the same transaction,
so a second instance running the same job at the same moment queues nothing twice; the outbox
dedupe key is a second guard. The text is rendered once per language, not once per person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.messages import PRIORITY, Category, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.languages import DEFAULT_LANGUAGE, LANGUAGES
from bot.services.events.builtin import roll_recurring
from bot.services.events.model import STATUS_ACTIVE
from bot.services.events.notices import EventTexts, group_key, reminder_key_parts
from bot.services.events.planner import QuietHours, ahead_until, due_slots, event_slots
from db.repositories.events import EventDTO, EventRepository
from db.repositories.outbox import FanOut, OutboxRepository
from db.repositories.reminders import DueSlot, Occurrence, ReminderRepository

log = logging.getLogger(__name__)

# Users per transaction: a slice takes some tens of milliseconds on SQLite.
SLICE_USERS = 2000
LAST_USER_ID = 2**63 - 1


def quiet_hours(settings: Settings) -> QuietHours:
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)


def slices(starts: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Inclusive user id ranges from each start to just before the next one."""
    for index, first in enumerate(starts):
        last = starts[index + 1] - 1 if index + 1 < len(starts) else LAST_USER_ID
        yield first, last


def due_now(event: EventDTO, settings: Settings, now: datetime) -> list[DueSlot]:
    quiet = quiet_hours(settings)
    limit = ahead_until(event.starts_at, event.all_day, quiet.tz)
    slots = event_slots(event.starts_at, event.all_day, settings.reminder_offsets, quiet)
    due = due_slots(slots, now=now, limit=limit, quiet=quiet)
    return [DueSlot(slot.offset_minutes, slot.send_at) for slot in due]


class ReminderFanOut:
    """The reminder of one event at one moment, rendered once per language."""

    def __init__(self, event: EventDTO, texts: EventTexts, now: datetime) -> None:
        self._event = event
        self._now = now
        self._contents: dict[str, tuple[str, dict[str, Any] | None]] = {}
        for language in LANGUAGES:
            content = texts.reminder(event, language, now)
            # Checked against Telegram's limits once here, for every recipient's copy alike
            # (the chat id is a stand-in: only the content is checked).
            checked = OutgoingMessage.text_message(
                0, content.text, category=Category.REMINDER, keyboard=content.keyboard
            )
            self._contents[language] = (content.text, checked.stored_keyboard())

    def for_slot(self, offset: int) -> FanOut:
        prefix, suffix = reminder_key_parts(self._event.id, offset, self._event.starts_at)
        return FanOut(
            category=Category.REMINDER,
            priority=PRIORITY[Category.REMINDER],
            not_before=self._now,
            group_key=group_key(self._event.id),
            contents=self._contents,
            default_language=DEFAULT_LANGUAGE,
            key_prefix=prefix,
            key_suffix=suffix,
        )


async def queue_slice(
    session: AsyncSession,
    occurrence: Occurrence,
    due: Sequence[DueSlot],
    users: tuple[int, int],
    message: ReminderFanOut,
    now: datetime,
) -> int | None:
    """Claims and queues the due reminders of one slice of users; None when the occurrence is
    no longer active."""
    if not await ReminderRepository(session).claim_due(occurrence, due, now, users):
        return None
    outbox = OutboxRepository(session)
    queued = 0
    for slot in due:
        sent = ReminderRepository.sent_at(occurrence, slot.offset_minutes, now, users)
        queued += await outbox.insert_fan_out(sent, message.for_slot(slot.offset_minutes), now)
    return queued


async def remind_for_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    texts: EventTexts,
    settings: Settings,
    event_id: int,
    now: datetime,
) -> int:
    """Queues the reminders of one event due at `now`; returns how many."""
    async with sessionmaker() as session:
        event = await EventRepository(session).get(event_id)
    if event is None or event.status != STATUS_ACTIVE:
        return 0
    due = due_now(event, settings, now)
    if not due:
        return 0
    occurrence = Occurrence(event.id, event.starts_at, event.category, event.region)
    async with sessionmaker() as session:
        starts = await ReminderRepository(session).slice_starts(occurrence, due, SLICE_USERS)
    if not starts:
        return 0
    message = ReminderFanOut(event, texts, now)
    queued = 0
    for users in slices(starts):
        async with sessionmaker() as session, session.begin():
            done = await queue_slice(session, occurrence, due, users, message, now)
        if done is None:
            break  # cancelled or moved meanwhile: its own notices take over
        if done:
            queued += done
            outbox.wake()  # committed: the sender may start on this slice
        await asyncio.sleep(0)
    return queued


class SettledEvents:
    """What this process has already worked through, so a tick with nothing new costs no
    query per event.

    Who is owed what changes when a slot falls due and when the event is edited; both show in
    an event's signature (its last change and the slots due now). An event is passed over once
    PASSES complete runs found its signature: the second, a tick after the first, catches a
    subscription whose transaction was committing while the first ran. So someone who enters an
    audience later without asking anew (unblocks the bot, moves to the event's region) gets the
    next slot rather than one already due, as does a subscription that took longer than a tick
    to commit; asking after a slot fell due never earned that slot anyway. A restarted process
    starts empty, so reminders that fell due while it was down go out at its first tick.
    """

    PASSES = 2

    def __init__(self) -> None:
        self._runs: dict[int, tuple[Hashable, int]] = {}

    def wanted(self, event_id: int, signature: Hashable) -> bool:
        seen = self._runs.get(event_id)
        return seen is None or seen[0] != signature or seen[1] < self.PASSES

    def ran(self, event_id: int, signature: Hashable) -> None:
        seen = self._runs.get(event_id)
        runs = seen[1] + 1 if seen is not None and seen[0] == signature else 1
        self._runs[event_id] = (signature, runs)

    def keep_only(self, event_ids: Iterable[int]) -> None:
        kept = set(event_ids)
        self._runs = {key: value for key, value in self._runs.items() if key in kept}


async def run_due_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    clock: Clock,
    settings: Settings,
    texts: EventTexts,
    settled: SettledEvents | None = None,
) -> int:
    """One pass: roll yearly deadlines forward, then queue every reminder due now.
    Returns how many messages were queued. With `settled` (the scheduler keeps one), events
    already worked through for the slots due now are passed over."""
    now = clock.now()
    horizon = timedelta(minutes=max(settings.reminder_offsets, default=0))
    async with sessionmaker() as session, session.begin():
        rolled = await roll_recurring(session, now, settings.tz)
        candidates = await EventRepository(session).reminder_candidates(now, horizon)
    if rolled:
        log.info("rolled %d yearly deadlines to their next date", rolled)
    queued = 0
    for event in candidates:
        due = due_now(event, settings, now)
        if not due:
            continue  # nobody is owed anything now
        signature = (event.updated_at, tuple(due))
        if settled is not None and not settled.wanted(event.id, signature):
            continue
        try:
            queued += await remind_for_event(sessionmaker, outbox, texts, settings, event.id, now)
        except Exception:
            # One broken event must not starve the others; the next pass retries it.
            log.exception("reminders for event %s failed", event.id)
            continue
        if settled is not None:
            settled.ran(event.id, signature)
    if settled is not None:
        settled.keep_only(event.id for event in candidates)
    return queued
