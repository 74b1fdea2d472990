"""/admin and the events administration: list, card, cancel and delete with confirmation."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager

from bot.config import Settings
from bot.services.events.service import BuiltinEventError, EventService
from handlers.events import admin_views
from handlers.events.callbacks import AdminEvCb
from handlers.events.import_dialog import start_import
from handlers.events.wizard import start_create, start_edit
from handlers.screens import show, user_language


async def show_admin_list(
    event: Message | CallbackQuery,
    page: int,
    events: EventService,
    settings: Settings,
    note: str | None = None,
) -> None:
    screen = admin_views.admin_list(
        await events.admin_page(page), lang=user_language(), tz=settings.tz
    )
    await show(event, admin_views.with_note(screen, note) if note else screen, toast=note)


async def open_list(
    callback: CallbackQuery, callback_data: AdminEvCb, events: EventService, settings: Settings
) -> None:
    await show_admin_list(callback, callback_data.page, events, settings)


async def open_card(
    callback: CallbackQuery, callback_data: AdminEvCb, events: EventService, settings: Settings
) -> None:
    """The card, or the confirmation asked before cancelling or deleting."""
    event = await events.get(callback_data.id)
    lang = user_language()
    if callback_data.action == "card":
        screen = admin_views.admin_card(event, page=callback_data.page, lang=lang, tz=settings.tz)
    else:
        screen = admin_views.confirm_screen(
            event, action=callback_data.action, page=callback_data.page, lang=lang
        )
    await show(callback, screen)


async def cancel_event(
    callback: CallbackQuery, callback_data: AdminEvCb, events: EventService, settings: Settings
) -> None:
    event = await events.cancel(callback_data.id)
    screen = admin_views.admin_card(
        event, page=callback_data.page, lang=user_language(), tz=settings.tz
    )
    note = _("🚫 The event is cancelled.")
    await show(callback, admin_views.with_note(screen, note), toast=note)


async def delete_event(
    callback: CallbackQuery, callback_data: AdminEvCb, events: EventService, settings: Settings
) -> None:
    try:
        await events.delete(callback_data.id)
    except BuiltinEventError:
        await callback.answer(
            _("A built-in yearly deadline cannot be deleted; cancel this year's instead."),
            show_alert=True,
        )
        return
    await show_admin_list(
        callback, callback_data.page, events, settings, note=_("🗑 The event is deleted.")
    )


async def new_event(
    callback: CallbackQuery, callback_data: AdminEvCb, dialog_manager: DialogManager
) -> None:
    await start_create(dialog_manager, callback_data.page)


async def edit_event(
    callback: CallbackQuery,
    callback_data: AdminEvCb,
    dialog_manager: DialogManager,
    events: EventService,
) -> None:
    await start_edit(dialog_manager, events, callback_data.id, callback_data.page)


async def import_file(callback: CallbackQuery, dialog_manager: DialogManager) -> None:
    await start_import(dialog_manager)


def router() -> Router:
    router = Router(name="events.admin")
    router.callback_query.register(open_list, AdminEvCb.filter(F.action == "list"))
    router.callback_query.register(
        open_card, AdminEvCb.filter(F.action.in_({"card", "cancel", "delete"}))
    )
    router.callback_query.register(cancel_event, AdminEvCb.filter(F.action == "cancel_ok"))
    router.callback_query.register(delete_event, AdminEvCb.filter(F.action == "delete_ok"))
    router.callback_query.register(new_event, AdminEvCb.filter(F.action == "new"))
    router.callback_query.register(edit_event, AdminEvCb.filter(F.action == "edit"))
    router.callback_query.register(import_file, AdminEvCb.filter(F.action == "import"))
    return router
