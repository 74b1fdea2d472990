"""Screens of the events area for users: the list, the card, the reminder settings."""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.regions import region_name
from bot.services.events import formatting
from bot.services.events.callbacks import EventCb, SubsCb
from bot.services.events.model import CATEGORIES, STATUS_ACTIVE
from bot.services.events.service import Page
from bot.services.events.subscriptions import SubscriptionState
from db.repositories.events import EventDTO
from handlers.callbacks import MenuCb


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup


def pager(builder: InlineKeyboardBuilder, page: Page, make: Callable[[int], CallbackData]) -> None:
    """A ◀️ n/m ▶️ row, only when there is more than one page."""
    if page.pages <= 1:
        return
    buttons = []
    if page.page > 0:
        buttons.append(("◀️", page.page - 1))
    buttons.append((f"{page.page + 1}/{page.pages}", page.page))
    if page.page + 1 < page.pages:
        buttons.append(("▶️", page.page + 1))
    builder.row(*[button(text, make(number)) for text, number in buttons])


def button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _section(event: EventDTO, user_region: str | None) -> str:
    if user_region is not None and event.region == user_region:
        return "📍 " + html.escape(region_name(user_region))
    if event.region is None:
        return "🇰🇿 " + _("All of Kazakhstan")
    return "🗺 " + _("Other regions")


def events_list(page: Page, *, user_region: str | None, lang: str, tz: ZoneInfo) -> Screen:
    builder = InlineKeyboardBuilder()
    if not page.events:
        text = _(
            "📅 <b>Events and deadlines</b>\n\nNo upcoming events yet. Turn on reminders and "
            "I will tell you about new ones."
        )
    else:
        lines = [_("📅 <b>Events and deadlines</b>"), _("Tap an event for details.")]
        section = None
        for event in page.events:
            current = _section(event, user_region)
            if current != section:
                lines += ["", f"<b>{current}</b>"]
                section = current
            lines.append("• " + html.escape(formatting.list_button_text(event, lang, tz)))
            builder.button(
                text=formatting.list_button_text(event, lang, tz),
                callback_data=EventCb(action="card", id=event.id, page=page.page),
            )
        builder.adjust(1)
        text = "\n".join(lines)
    pager(builder, page, lambda number: EventCb(action="list", page=number))
    builder.row(button(_("🔔 Reminder settings"), MenuCb(action="subs")))
    builder.row(button(_("⬅️ Back"), MenuCb(action="main")))
    return Screen(text, builder.as_markup())


def event_screen(
    event: EventDTO,
    *,
    lang: str,
    tz: ZoneInfo,
    watching: bool,
    page: int,
    now: datetime,
    ahead_until: datetime,
) -> Screen:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("📅 Add to calendar"), callback_data=EventCb(action="ics", id=event.id))
    if event.status == STATUS_ACTIVE and now < ahead_until:
        label = _("🔕 Don't remind me") if watching else _("🔔 Remind me")
        builder.button(text=label, callback_data=EventCb(action="remind", id=event.id, page=page))
    builder.button(text=_("⬅️ Back"), callback_data=EventCb(action="list", page=page))
    builder.adjust(2, 1)
    text = formatting.event_card(event, lang, tz)
    if watching:
        text += "\n\n" + _("🔔 You will get reminders for this event.")
    return Screen(text, builder.as_markup())


def subscriptions_screen(
    state: SubscriptionState,
    *,
    user_region: str | None,
    offsets: tuple[int, ...],
    quiet: tuple[str, str],
) -> Screen:
    lines = [
        _("🔔 <b>Reminders</b>"),
        "",
        _(
            "Choose the kinds of events I should remind you about. I remind {offsets} "
            "before each event, in your language."
        ).format(offsets=formatting.offsets_text(offsets)),
        _(
            "At night ({start}–{end}) I hold reminders until the morning, except the last one."
        ).format(start=quiet[0], end=quiet[1]),
    ]
    builder = InlineKeyboardBuilder()
    for category in CATEGORIES:
        mark = "✅" if category in state.categories else "⬜"
        builder.button(
            text=f"{mark} {formatting.category_name(category)}",
            callback_data=SubsCb(action="cat", category=category),
        )
    if user_region is None:
        lines += ["", _("You have not chosen a region, so I remind you about all regions.")]
        builder.button(text=_("📍 Choose my region"), callback_data=MenuCb(action="region"))
    else:
        name = html.escape(region_name(user_region))
        if state.region_only:
            lines += ["", _("Only events in {region} and all-Kazakhstan ones.").format(region=name)]
            label = _("✅ Only my region")
        else:
            lines += ["", _("Events in every region.")]
            label = _("⬜ Only my region")
        builder.button(text=label, callback_data=SubsCb(action="region"))
    builder.button(text=_("📅 Events and deadlines"), callback_data=MenuCb(action="events"))
    builder.button(text=_("⬅️ Back"), callback_data=MenuCb(action="main"))
    builder.adjust(1)
    return Screen("\n".join(lines), builder.as_markup())
