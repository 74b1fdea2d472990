"""Screens of the events area for users: the list, the card, the reminder settings."""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from aiogram.utils.i18n import gettext as _

from bot.regions import region_name
from bot.services.events.model import CATEGORIES, STATUS_ACTIVE
from bot.services.events.service import Page
from bot.services.events.subscriptions import SubscriptionState
from db.repositories.events import EventDTO
from handlers.callbacks import REGION_FROM_REMINDERS, MenuCb
from handlers.events import formatting
from handlers.events.callbacks import EventCb, SubsCb
from handlers.keyboards import back_label
from handlers.screens import Screen, button, column, grid, keyboard, pager, user_language

NUMBERS_PER_ROW = 5


def _section(event: EventDTO, user_region: str | None) -> str:
    if user_region is not None and event.region == user_region:
        return "📍 " + html.escape(region_name(user_region, user_language()))
    if event.region is None:
        return "🇰🇿 " + _("All of Kazakhstan")
    return "🗺 " + _("Other regions")


def numbered_lines(
    page: Page,
    lang: str,
    tz: ZoneInfo,
    open_event: Callable[[EventDTO], CallbackData],
    section: Callable[[EventDTO], str] | None = None,
) -> tuple[list[str], list[InlineKeyboardButton]]:
    """Each event once: a numbered line with its full title, and a button with its number."""
    lines: list[str] = []
    buttons = []
    current = None
    for index, event in enumerate(page.events, start=page.first_number):
        if section is not None and section(event) != current:
            current = section(event)
            lines += ["", f"<b>{current}</b>"]
        lines.append(f"{index}. {formatting.list_line(event, lang, tz)}")
        buttons.append(button(str(index), open_event(event)))
    return lines, buttons


def events_list(page: Page, *, user_region: str | None, lang: str, tz: ZoneInfo) -> Screen:
    if not page.events:
        text = _(
            "📅 <b>Events and deadlines</b>\n\nNo upcoming events yet. Turn on reminders and "
            "I will tell you about new ones."
        )
        numbers: list[InlineKeyboardButton] = []
    else:
        lines, numbers = numbered_lines(
            page,
            lang,
            tz,
            lambda e: EventCb(action="card", id=e.id, page=page.page),
            lambda e: _section(e, user_region),
        )
        text = "\n".join([_("📅 <b>Events and deadlines</b>"), _("Tap a number for details.")])
        text += "\n" + "\n".join(lines)
    markup = keyboard(
        *grid(numbers, NUMBERS_PER_ROW),
        pager(page.page, page.pages, lambda n: EventCb(action="list", page=n)),
        [button(_("🔔 Reminder settings"), MenuCb(action="subs"))],
        [button(back_label(), MenuCb(action="main"))],
    )
    return Screen(text, markup)


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
    actions = []
    if event.status == STATUS_ACTIVE:
        actions.append(button(_("📅 Add to calendar"), EventCb(action="ics", id=event.id)))
        if now < ahead_until:
            label = _("🔕 Don't remind me") if watching else _("🔔 Remind me")
            actions.append(button(label, EventCb(action="remind", id=event.id, page=page)))
    text = formatting.event_card(event, lang, tz)
    if watching and event.status == STATUS_ACTIVE:
        text += "\n\n" + _("🔔 You will get reminders for this event.")
    markup = keyboard(actions, [button(back_label(), EventCb(action="list", page=page))])
    return Screen(text, markup)


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
    buttons = []
    for category in CATEGORIES:
        mark = "✅" if category in state.categories else "⬜"
        buttons.append(
            button(
                f"{mark} {formatting.category_name(category)}",
                SubsCb(action="cat", category=category),
            )
        )
    if user_region is None:
        lines += ["", _("You have not chosen a region, so I remind you about all regions.")]
        buttons.append(button(_("📍 Choose my region"), MenuCb(action=REGION_FROM_REMINDERS)))
    else:
        name = html.escape(region_name(user_region, user_language()))
        if state.region_only:
            lines += ["", _("Only events in {region} and all-Kazakhstan ones.").format(region=name)]
            label = _("✅ Only my region")
        else:
            lines += ["", _("Events in every region.")]
            label = _("⬜ Only my region")
        buttons.append(button(label, SubsCb(action="region")))
    buttons.append(button(_("📅 Events and deadlines"), MenuCb(action="events")))
    buttons.append(button(back_label(), MenuCb(action="main")))
    return Screen("\n".join(lines), keyboard(*column(buttons)))
