"""/events for everyone: the list (own region first), the card, calendar file, "Remind me"."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.config import Settings
from bot.services.events.callbacks import EventCb
from bot.services.events.ics import build_ics, ics_filename
from bot.services.events.service import EventNotFoundError, EventService
from db.repositories.events import EventDTO
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.events import views
from handlers.screens import show

router = Router(name=__name__)


async def _list(
    event: Message | CallbackQuery,
    page: int,
    *,
    events: EventService,
    settings: Settings,
    db_user: UserDTO,
    i18n: I18n,
) -> None:
    result = await events.upcoming_page(page, region=db_user.region)
    screen = views.events_list(
        result, user_region=db_user.region, lang=i18n.current_locale, tz=settings.tz
    )
    await show(event, screen.text, screen.markup)


@router.message(Command("events"))
async def cmd_events(
    message: Message,
    state: FSMContext,
    events: EventService,
    settings: Settings,
    db_user: UserDTO,
    i18n: I18n,
) -> None:
    await state.clear()
    await _list(message, 0, events=events, settings=settings, db_user=db_user, i18n=i18n)


@router.callback_query(MenuCb.filter(F.action == "events"))
async def open_events(
    callback: CallbackQuery,
    events: EventService,
    settings: Settings,
    db_user: UserDTO,
    i18n: I18n,
) -> None:
    await _list(callback, 0, events=events, settings=settings, db_user=db_user, i18n=i18n)


@router.callback_query(EventCb.filter(F.action == "list"))
async def open_page(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    db_user: UserDTO,
    i18n: I18n,
) -> None:
    await _list(
        callback, callback_data.page, events=events, settings=settings, db_user=db_user, i18n=i18n
    )


def _card(
    event: EventDTO,
    events: EventService,
    watching: bool,
    page: int,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
) -> views.Screen:
    return views.event_screen(
        event,
        lang=i18n.current_locale,
        tz=settings.tz,
        watching=watching,
        page=page,
        now=clock.now(),
        ahead_until=events.ahead_until(event),
    )


@router.callback_query(EventCb.filter(F.action.in_({"card", "show"})))
async def open_card(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
) -> None:
    try:
        event = await events.get(callback_data.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    watching = await events.is_watching(event.id, callback.from_user.id)
    screen = _card(event, events, watching, callback_data.page, settings, clock, i18n)
    if callback_data.action == "show" and isinstance(callback.message, Message):
        # Pressed under a reminder: keep the reminder, put the card below it.
        await callback.message.answer(
            screen.text, reply_markup=screen.markup, disable_web_page_preview=True
        )
        await callback.answer()
    else:
        await show(callback, screen.text, screen.markup)


@router.callback_query(EventCb.filter(F.action == "remind"))
async def toggle_remind(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
) -> None:
    try:
        watching = await events.toggle_watch(callback_data.id, callback.from_user.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    event = await events.get(callback_data.id)
    screen = _card(event, events, watching, callback_data.page, settings, clock, i18n)
    toast = _("🔔 I will remind you about this event.") if watching else _("🔕 Reminder removed.")
    await show(callback, screen.text, screen.markup, toast=toast)


@router.callback_query(EventCb.filter(F.action == "ics"))
async def send_ics(
    callback: CallbackQuery,
    callback_data: EventCb,
    events: EventService,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
) -> None:
    try:
        event = await events.get(callback_data.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    data = build_ics(event, i18n.current_locale, settings.tz, clock.now())
    if isinstance(callback.message, Message):
        await callback.message.answer_document(
            BufferedInputFile(data, filename=ics_filename(event)),
            caption=_("📅 Open this file to add the event to your calendar."),
        )
    await callback.answer()
