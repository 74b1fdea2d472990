"""/admin and the events administration: list, card, cancel and delete with confirmation."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.services.events.service import BuiltinEventError, EventNotFoundError, EventService
from handlers.events import admin_views
from handlers.events.callbacks import AdminEvCb
from handlers.screens import show

router = Router(name=__name__)


async def show_admin_list(
    event: Message | CallbackQuery,
    page: int,
    *,
    events: EventService,
    settings: Settings,
    i18n: I18n,
    note: str | None = None,
) -> None:
    result = await events.admin_page(page)
    screen = admin_views.admin_list(result, lang=i18n.current_locale, tz=settings.tz)
    text = f"{note}\n\n{screen.text}" if note else screen.text
    await show(event, text, screen.markup, toast=note)


@router.message(Command("admin"))
async def cmd_admin(message: Message, state: FSMContext) -> None:
    await state.clear()
    screen = admin_views.admin_menu()
    await show(message, screen.text, screen.markup)


@router.callback_query(AdminEvCb.filter(F.action == "menu"))
async def open_admin_menu(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    screen = admin_views.admin_menu()
    await show(callback, screen.text, screen.markup)


@router.callback_query(AdminEvCb.filter(F.action == "list"))
async def open_list(
    callback: CallbackQuery,
    callback_data: AdminEvCb,
    state: FSMContext,
    events: EventService,
    settings: Settings,
    i18n: I18n,
) -> None:
    await state.clear()
    await show_admin_list(callback, callback_data.page, events=events, settings=settings, i18n=i18n)


@router.callback_query(AdminEvCb.filter(F.action.in_({"card", "cancel", "delete"})))
async def open_card(
    callback: CallbackQuery,
    callback_data: AdminEvCb,
    state: FSMContext,
    events: EventService,
    settings: Settings,
    i18n: I18n,
) -> None:
    """The card, or the confirmation asked before cancelling or deleting."""
    await state.clear()
    try:
        event = await events.get(callback_data.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    lang = i18n.current_locale
    if callback_data.action == "card":
        screen = admin_views.admin_card(event, page=callback_data.page, lang=lang, tz=settings.tz)
    else:
        screen = admin_views.confirm_screen(
            event, action=callback_data.action, page=callback_data.page, lang=lang
        )
    await show(callback, screen.text, screen.markup)


@router.callback_query(AdminEvCb.filter(F.action == "cancel_ok"))
async def cancel_event(
    callback: CallbackQuery,
    callback_data: AdminEvCb,
    events: EventService,
    settings: Settings,
    i18n: I18n,
) -> None:
    try:
        event = await events.cancel(callback_data.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    screen = admin_views.admin_card(
        event, page=callback_data.page, lang=i18n.current_locale, tz=settings.tz
    )
    note = _("🚫 The event is cancelled.")
    await show(callback, f"{note}\n{screen.text}", screen.markup, toast=note)


@router.callback_query(AdminEvCb.filter(F.action == "delete_ok"))
async def delete_event(
    callback: CallbackQuery,
    callback_data: AdminEvCb,
    events: EventService,
    settings: Settings,
    i18n: I18n,
) -> None:
    try:
        await events.delete(callback_data.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    except BuiltinEventError:
        await callback.answer(
            _("A built-in yearly deadline cannot be deleted; cancel this year's instead."),
            show_alert=True,
        )
        return
    await show_admin_list(
        callback,
        callback_data.page,
        events=events,
        settings=settings,
        i18n=i18n,
        note=_("🗑 The event is deleted."),
    )
