"""Telling people about an event: reminders, and notices when it moves or is cancelled.

Everything goes through the outbox inside the caller's transaction; texts are rendered in each
recipient's language, times in the configured zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.delivery.messages import Category, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES
from bot.services.events import formatting
from bot.services.events.callbacks import EventCb
from bot.services.events.planner import QuietHours, ahead_until, event_slots
from db.repositories.events import EventDTO
from db.repositories.reminders import SKIPPED, ReminderRepository, SlotRecord
from db.repositories.subscriptions import Recipient, SubscriptionRepository

# Fields whose change is worth a message to people who already heard about the event.
NOTIFY_FIELDS = frozenset({"starts_at", "ends_at", "all_day", "place", "url"})


def group_key(event_id: int) -> str:
    return f"event:{event_id}"


def reminder_key(event_id: int, user_id: int, offset: int, starts_at: datetime) -> str:
    return f"rem:{event_id}:{user_id}:{offset}:{starts_at.astimezone(UTC):%Y%m%dT%H%MZ}"


def language_of(recipient: Recipient) -> str:
    return recipient.language if recipient.language in LANGUAGES else DEFAULT_LANGUAGE


@contextmanager
def speaking(i18n: I18n, language: str) -> Iterator[None]:
    with i18n.context(), i18n.use_locale(language):
        yield


def event_keyboard(event_id: int) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("ℹ️ Details"), callback_data=EventCb(action="show", id=event_id))
    builder.button(text=_("📅 Add to calendar"), callback_data=EventCb(action="ics", id=event_id))
    builder.adjust(2)
    return builder.as_markup()


def reminder_message(
    event: EventDTO,
    recipient: Recipient,
    offset: int,
    rendered: tuple[str, InlineKeyboardMarkup],
) -> OutgoingMessage:
    text, keyboard = rendered
    return OutgoingMessage.text_message(
        recipient.user_id,
        text,
        category=Category.REMINDER,
        keyboard=keyboard,
        dedupe_key=reminder_key(event.id, recipient.user_id, offset, event.starts_at),
        group_key=group_key(event.id),
    )


def render_reminder(
    event: EventDTO, language: str, i18n: I18n, tz: ZoneInfo, now: datetime
) -> tuple[str, InlineKeyboardMarkup]:
    """The same for everyone with this language at this moment: rendered once per language."""
    with speaking(i18n, language):
        return formatting.reminder_text(event, language, tz, now), event_keyboard(event.id)


async def audience(session: AsyncSession, event_id: int) -> list[Recipient]:
    """Who already heard about the event: anyone sent a reminder, and anyone who asked for one."""
    people = {r.user_id: r for r in await SubscriptionRepository(session).watchers(event_id)}
    for recipient in await ReminderRepository(session).reminded(event_id):
        people.setdefault(recipient.user_id, recipient)
    return list(people.values())


async def _notify(
    session: AsyncSession,
    outbox: Outbox,
    i18n: I18n,
    recipients: Iterable[Recipient],
    render: Callable[[str], tuple[str, InlineKeyboardMarkup | None]],
    key: Callable[[int], str],
    event_id: int,
) -> int:
    messages = []
    for recipient in recipients:
        with speaking(i18n, language_of(recipient)):
            text, keyboard = render(language_of(recipient))
        messages.append(
            OutgoingMessage.text_message(
                recipient.user_id,
                text,
                category=Category.NOTICE,
                keyboard=keyboard,
                dedupe_key=key(recipient.user_id),
                group_key=group_key(event_id),
            )
        )
    return await outbox.enqueue(session, *messages)


async def announce_change(
    session: AsyncSession,
    outbox: Outbox,
    i18n: I18n,
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
    tz = quiet.tz
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
        i18n,
        people,
        lambda lang: (
            formatting.change_notice(current, previous, lang, tz),
            event_keyboard(current.id),
        ),
        lambda user_id: f"evchg:{current.id}:{current.revision}:{user_id}",
        current.id,
    )


async def announce_cancel(
    session: AsyncSession,
    outbox: Outbox,
    i18n: I18n,
    *,
    event: EventDTO,
    now: datetime,
    tz: ZoneInfo,
) -> int:
    """Used for cancelling and for deleting: either way the event will not happen."""
    await outbox.cancel_pending(session, group_key=group_key(event.id))
    if now >= ahead_until(event.starts_at, event.all_day, tz):
        return 0
    people = await audience(session, event.id)
    return await _notify(
        session,
        outbox,
        i18n,
        people,
        lambda lang: (formatting.cancel_notice(event, lang, tz), None),
        lambda user_id: f"evcnl:{event.id}:{event.revision}:{user_id}",
        event.id,
    )
