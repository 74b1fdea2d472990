"""/events for everyone: the list (own region first), the card, calendar file, "Remind me"."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.config import Settings
from bot.services.events.ics import build_ics, ics_filename
from bot.services.events.model import STATUS_CANCELLED
from bot.services.events.service import EventService
from db.repositories.events import EventDTO
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.events import views
from handlers.events.callbacks import EventCb
from handlers.screens import Screen, show, show_below, user_language


async def _list(
    event: Message | CallbackQuery,
    page: int,
    events: EventService,
    settings: Settings,
    db_user: UserDTO,
) -> None:
    result = await events.upcoming_page(page, region=db_user.region)
    screen = views.events_list(
        result, user_region=db_user.region, lang=user_language(), tz=settings.tz
    )
    await show(event, screen)


async def cmd_events(
    message: Message, events: EventService, settings: Settings, db_user: UserDTO
) -> None:
    await _list(message, 0, events, settings, db_user)


async def open_events(
    callback: CallbackQuery, events: EventService, settings: Settings, db_user: UserDTO
) -> None:
    await _list(callback, 0, events, settings, db_user)


async def open_page(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    db_user: UserDTO,
) -> None:
    await _list(callback, callback_data.page, events, settings, db_user)


def _card(
    event: EventDTO,
    events: EventService,
    watching: bool,
    page: int,
    settings: Settings,
    clock: Clock,
) -> Screen:
    return views.event_screen(
        event,
        lang=user_language(),
        tz=settings.tz,
        watching=watching,
        page=page,
        now=clock.now(),
        ahead_until=events.ahead_until(event),
    )


async def open_card(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    clock: Clock,
) -> None:
    event = await events.get(callback_data.id)
    watching = await events.is_watching(event.id, callback.from_user.id)
    screen = _card(event, events, watching, callback_data.page, settings, clock)
    if callback_data.action == "show":
        # Pressed under a reminder: keep the reminder, put the card below it.
        await show_below(callback, screen)
    else:
        await show(callback, screen)


async def toggle_remind(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    clock: Clock,
) -> None:
    watching = await events.toggle_watch(callback_data.id, callback.from_user.id)
    event = await events.get(callback_data.id)
    screen = _card(event, events, watching, callback_data.page, settings, clock)
    toast = _("🔔 I will remind you about this event.") if watching else _("🔕 Reminder removed.")
    await show(callback, screen, toast=toast)


async def send_ics(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    clock: Clock,
) -> None:
    event = await events.get(callback_data.id)
    lang = user_language()
    if event.status == STATUS_CANCELLED:
        # Pressed under an older reminder: the file now removes the event from a calendar.
        caption = _(
            "❌ This event is cancelled. If you added it to your calendar, open this file "
            "to remove it there."
        )
    else:
        caption = _("📅 Open this file to add the event to your calendar.")
    await callback.answer()
    if callback.bot is not None:
        await callback.bot.send_document(
            callback.from_user.id,
            BufferedInputFile(
                build_ics(event, lang, settings.tz, clock.now()), ics_filename(event)
            ),
            caption=caption,
        )


def navigation_router() -> Router:
    router = Router(name="events.user.navigation")
    router.message.register(cmd_events, Command("events"))
    router.callback_query.register(open_events, MenuCb.filter(F.action == "events"))
    return router


def router() -> Router:
    router = Router(name="events.user")
    router.callback_query.register(open_page, EventCb.filter(F.action == "list"))
    router.callback_query.register(open_card, EventCb.filter(F.action.in_({"card", "show"})))
    router.callback_query.register(toggle_remind, EventCb.filter(F.action == "remind"))
    router.callback_query.register(send_ics, EventCb.filter(F.action == "ics"))
    return router
