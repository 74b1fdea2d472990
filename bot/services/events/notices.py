"""Telling people about an event: reminders, and notices when it moves or is cancelled.

Everything goes through the outbox inside the caller's transaction. What the messages say is the
view's business: services hand an `EventTexts` (implemented beside the handlers) the event and the
recipient's language, and queue what it renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.messages import Category, MessageContent, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.languages import as_lang
from bot.services.events.planner import QuietHours, ahead_until, event_slots
from db.repositories.events import EventDTO
from db.repositories.reminders import SKIPPED, ReminderRepository, SlotRecord
from db.repositories.subscriptions import Recipient, SubscriptionRepository

# Fields whose change is worth a message to people who already heard about the event.
NOTIFY_FIELDS = frozenset({"starts_at", "ends_at", "all_day", "place", "url"})


class EventTexts(Protocol):
    """Renders the bot's messages about events in one language (see handlers/events/notices)."""

    def reminder(self, event: EventDTO, language: str, now: datetime) -> MessageContent: ...

    def change_notice(
        self, current: EventDTO, previous: EventDTO, language: str
    ) -> MessageContent: ...

    def cancel_notice(self, event: EventDTO, language: str) -> MessageContent: ...


def group_key(event_id: int) -> str:
    return f"event:{event_id}"


def reminder_key_parts(event_id: int, offset: int, starts_at: datetime) -> tuple[str, str]:
    """A reminder's dedupe key is prefix + user id + suffix: one per user, slot and start."""
    return f"rem:{event_id}:", f":{offset}:{starts_at.astimezone(UTC):%Y%m%dT%H%MZ}"


def language_of(recipient: Recipient) -> str:
    return as_lang(recipient.language)


async def audience(session: AsyncSession, event_id: int) -> list[Recipient]:
    """Who already heard about the event: anyone sent a reminder, and anyone who asked for one."""
    people = {r.user_id: r for r in await SubscriptionRepository(session).watchers(event_id)}
    for recipient in await ReminderRepository(session).reminded(event_id):
        people.setdefault(recipient.user_id, recipient)
    return list(people.values())


async def _notify(
    session: AsyncSession,
    outbox: Outbox,
    recipients: Iterable[Recipient],
    render: Callable[[str], MessageContent],
    key: Callable[[int], str],
    event_id: int,
) -> int:
    rendered: dict[str, MessageContent] = {}
    messages = []
    for recipient in recipients:
        language = language_of(recipient)
        if language not in rendered:
            rendered[language] = render(language)
        content = rendered[language]
        messages.append(
            OutgoingMessage.text_message(
                recipient.user_id,
                content.text,
                category=Category.NOTICE,
                keyboard=content.keyboard,
                dedupe_key=key(recipient.user_id),
                group_key=group_key(event_id),
            )
        )
    return await outbox.enqueue(session, *messages)


async def announce_change(
    session: AsyncSession,
    outbox: Outbox,
    texts: EventTexts,
    *,
    previous: EventDTO,
    current: EventDTO,
    now: datetime,
    offsets: Iterable[int],
    quiet: QuietHours,
) -> int:
    """Reminders not yet delivered are withdrawn (they carry the old details); people who already
    heard get a notice, and the new schedule's overdue slots are not sent to them on top."""
    await outbox.cancel_pending(session, group_key=group_key(current.id))
    if now >= ahead_until(current.starts_at, current.all_day, quiet.tz):
        return 0
    people = await audience(session, current.id)
    overdue = [
        slot
        for slot in event_slots(current.starts_at, current.all_day, offsets, quiet)
        if slot.send_at <= now
    ]
    if overdue:
        await ReminderRepository(session).record(
            current.id,
            current.starts_at,
            [SlotRecord(p.user_id, s.offset_minutes, SKIPPED) for p in people for s in overdue],
            now,
        )
    return await _notify(
        session,
        outbox,
        people,
        lambda lang: texts.change_notice(current, previous, lang),
        lambda user_id: f"evchg:{current.id}:{current.revision}:{user_id}",
        current.id,
    )


async def announce_cancel(
    session: AsyncSession,
    outbox: Outbox,
    texts: EventTexts,
    *,
    event: EventDTO,
    now: datetime,
    quiet: QuietHours,
) -> int:
    """Used for cancelling and for deleting: either way the event will not happen."""
    await outbox.cancel_pending(session, group_key=group_key(event.id))
    if now >= ahead_until(event.starts_at, event.all_day, quiet.tz):
        return 0
    people = await audience(session, event.id)
    return await _notify(
        session,
        outbox,
        people,
        lambda lang: texts.cancel_notice(event, lang),
        lambda user_id: f"evcnl:{event.id}:{event.revision}:{user_id}",
        event.id,
    )
