"""The reminder job: ask the database what is due, enqueue it, record it. Safe to run anywhere.

What is due follows from events, subscriptions and the reminder log, all in the database, so a
restart neither loses nor repeats a reminder. The slots due now are the same for everyone
(`planner.due_slots`); who of the audience is owed which of them is worked out by the database
for all users at once, a slice of user ids per transaction, so that a big audience neither holds
SQLite's write lock for long nor keeps the event loop busy. In each slice the slots are claimed
with an insert that ignores conflicts, and the claimed ones are queued in the same transaction,
so a second instance running the same job at the same moment queues nothing twice; the outbox
dedupe key is a second guard. The text is rendered once per language, not once per person.
On PostgreSQL two slice transactions run at once (of one event or of two): the cost of a slice
is the server's, writing the rows, so a second server process halves the wait where it has a
core to run on.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
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
from db.repositories.dialect import writes_in_parallel
from db.repositories.events import EventDTO, EventRepository
from db.repositories.outbox import FanOut, OutboxRepository
from db.repositories.reminders import DueSlot, Occurrence, ReminderRepository, ReminderRound

log = logging.getLogger(__name__)


@dataclass(slots=True)
class ReminderTally:
    """Reminders found due (and claimed by this process) and how many of them were queued; the
    rest went to users who blocked the bot, or were queued before under the same key."""

    due: int = 0
    queued: int = 0


# Users per transaction: a slice takes some tens of milliseconds on SQLite.
SLICE_USERS = 2000
# Slice transactions in flight at once on PostgreSQL. A slice's cost is the server's (the log
# and outbox rows, their indexes, the foreign-key checks), so a second transaction keeps a second
# server process busy while the first writes or commits. SQLite has one writer: one at a time.
PARALLEL_SLICES = 2
LAST_USER_ID = 2**63 - 1


class Lanes:
    """How much of the job runs at once: up to `width` events are looked at side by side (so
    one event's audience is counted while another's slices are written), and up to `width`
    slice transactions of any of them are open."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.events = asyncio.Semaphore(width)
        self.slices = asyncio.Semaphore(width)

    @classmethod
    def for_database(cls, sessionmaker: async_sessionmaker[AsyncSession]) -> Lanes:
        return cls(PARALLEL_SLICES if writes_in_parallel(sessionmaker) else 1)


def quiet_hours(settings: Settings) -> QuietHours:
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)


def slices(starts: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Inclusive user id ranges from each start to just before the next one."""
    for index, first in enumerate(starts):
        last = starts[index + 1] - 1 if index + 1 < len(starts) else LAST_USER_ID
        yield first, last


def due_now(event: EventDTO, settings: Settings, now: datetime) -> tuple[DueSlot, ...]:
    quiet = quiet_hours(settings)
    limit = ahead_until(event.starts_at, event.all_day, quiet.tz)
    slots = event_slots(event.starts_at, event.all_day, settings.reminder_offsets, quiet)
    due = due_slots(slots, now=now, limit=limit, quiet=quiet)
    return tuple(DueSlot(slot.offset_minutes, slot.send_at) for slot in due)


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
    session: AsyncSession, round_: ReminderRound, users: tuple[int, int], message: ReminderFanOut
) -> ReminderTally | None:
    """Claims and queues the due reminders of one slice of users; None when the occurrence is
    no longer active."""
    reminders = ReminderRepository(session)
    if not await reminders.claim_due(round_, users):
        return None
    outbox = OutboxRepository(session)
    tally = ReminderTally()
    for slot in round_.due:
        sent = reminders.sent_in(round_, slot.offset_minutes, users)
        tally.due += int(
            await session.scalar(select(func.count()).select_from(sent.subquery())) or 0
        )
        tally.queued += await outbox.insert_fan_out(
            sent, message.for_slot(slot.offset_minutes), round_.now
        )
    return tally


async def remind_for_event(
    sessionmaker: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    texts: EventTexts,
    settings: Settings,
    event_id: int,
    now: datetime,
    asked_since: datetime | None = None,
    tally: ReminderTally | None = None,
    lanes: Lanes | None = None,
) -> int:
    """Queues the reminders of one event due at `now` (to those who asked since `asked_since`,
    when given); returns how many, and counts them in `tally`. Its slices are written in
    `lanes.slices` turns, up to `lanes.width` at once."""
    lanes = lanes or Lanes(1)
    async with sessionmaker() as session:
        event = await EventRepository(session).get(event_id)
    if event is None or event.status != STATUS_ACTIVE:
        return 0
    due = due_now(event, settings, now)
    if not due:
        return 0
    occurrence = Occurrence(event.id, event.starts_at, event.category, event.region)
    round_ = ReminderRound(occurrence, due, now, asked_since)
    async with sessionmaker() as session:
        starts = await ReminderRepository(session).slice_starts(round_, SLICE_USERS)
    if not starts:
        return 0
    message = ReminderFanOut(event, texts, now)
    # One shared iterator: each slice is taken by exactly one worker.
    pending = slices(starts)
    queued = 0
    stopped = False

    async def work_through() -> None:
        nonlocal queued, stopped
        for users in pending:
            async with lanes.slices:
                if stopped:
                    return
                async with sessionmaker() as session, session.begin():
                    done = await queue_slice(session, round_, users, message)
            if done is None:
                stopped = True  # cancelled or moved meanwhile: its own notices take over
                return
            if tally is not None:
                tally.due += done.due
                tally.queued += done.queued
            if done.queued:
                queued += done.queued
                outbox.wake()  # committed: the sender may start on this slice
            await asyncio.sleep(0)

    workers = min(lanes.width, len(starts))
    if workers == 1:
        await work_through()
    else:
        async with asyncio.TaskGroup() as group:
            for _ in range(workers):
                group.create_task(work_through())
    return queued


@dataclass(frozen=True, slots=True)
class Look:
    """What the job still has to look through for an event: its whole audience (None), or
    only those who asked from `asked_since` on."""

    asked_since: datetime | None


@dataclass(frozen=True, slots=True)
class _Worked:
    signature: Hashable
    first_run: datetime
    rechecked: bool


class SettledEvents:
    """What this process has already worked through, so a tick with nothing new costs no
    query per event.

    Who is owed what changes when a slot falls due and when the event is edited; both show in
    an event's signature (its last change and the slots due now). After a run through the
    whole audience for a signature, the next tick looks once more, at the requests made since
    shortly before that run: a subscription whose transaction was committing while the first
    ran. Then the event is passed over until its signature changes. So someone who enters an
    audience later without asking anew (unblocks the bot, moves to the event's region) gets
    the next slot rather than one already due; asking after a slot fell due never earned that
    slot anyway. A restarted process starts empty: reminders that fell due while it was down go
    out at its first tick.
    """

    # Longer than any transaction that records a subscription or a "Remind me".
    RECHECK_WINDOW = timedelta(minutes=10)

    def __init__(self) -> None:
        self._worked: dict[int, _Worked] = {}

    def look(self, event_id: int, signature: Hashable) -> Look | None:
        """What is left to look through; None: nothing can be owed."""
        worked = self._worked.get(event_id)
        if worked is None or worked.signature != signature:
            return Look(None)
        if not worked.rechecked:
            return Look(worked.first_run - self.RECHECK_WINDOW)
        return None

    def worked(self, event_id: int, signature: Hashable, now: datetime) -> None:
        before = self._worked.get(event_id)
        if before is None or before.signature != signature:
            self._worked[event_id] = _Worked(signature, now, rechecked=False)
        else:
            self._worked[event_id] = _Worked(signature, before.first_run, rechecked=True)

    def keep_only(self, event_ids: Iterable[int]) -> None:
        kept = set(event_ids)
        self._worked = {key: value for key, value in self._worked.items() if key in kept}


async def run_due_reminders(
    sessionmaker: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    clock: Clock,
    settings: Settings,
    texts: EventTexts,
    settled: SettledEvents | None = None,
    tally: ReminderTally | None = None,
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
    lanes = Lanes.for_database(sessionmaker)
    queued = 0

    async def remind(event_id: int, signature: Hashable, look: Look) -> None:
        nonlocal queued
        async with lanes.events:
            try:
                count = await remind_for_event(
                    sessionmaker,
                    outbox,
                    texts,
                    settings,
                    event_id,
                    now,
                    look.asked_since,
                    tally,
                    lanes,
                )
            except Exception:
                # One broken event must not starve the others; the next pass retries it.
                log.exception("reminders for event %s failed", event_id)
                return
        queued += count
        if settled is not None:
            settled.worked(event_id, signature, now)

    async with asyncio.TaskGroup() as group:
        for event in candidates:
            due = due_now(event, settings, now)
            if not due:
                continue  # nobody is owed anything now
            signature = (event.updated_at, due)
            look = Look(None) if settled is None else settled.look(event.id, signature)
            if look is None:
                continue
            group.create_task(remind(event.id, signature, look))
    if settled is not None:
        settled.keep_only(event.id for event in candidates)
    return queued
