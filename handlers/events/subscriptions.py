"""/subscriptions: which categories to be reminded about, and whether only the user's region."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.services.events.subscriptions import (
    SubscriptionService,
    SubscriptionState,
    UnknownCategoryError,
)
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.events import views
from handlers.events.callbacks import SubsCb
from handlers.screens import Screen, show


async def _show(
    event: Message | CallbackQuery,
    state: SubscriptionState,
    db_user: UserDTO,
    settings: Settings,
    note: str | None = None,
) -> None:
    screen = views.subscriptions_screen(
        state,
        user_region=db_user.region,
        offsets=settings.reminder_offsets,
        quiet=(
            settings.quiet_hours_start.strftime("%H:%M"),
            settings.quiet_hours_end.strftime("%H:%M"),
        ),
    )
    if note:
        screen = Screen(f"{note}\n\n{screen.text}", screen.markup)
    await show(event, screen, toast=note)


async def show_subscriptions(
    callback: CallbackQuery,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
    note: str,
) -> None:
    """The Reminders screen with ``note`` on top (e.g. after choosing a region from it)."""
    await _show(callback, await subscriptions.state(db_user.id), db_user, settings, note)


async def cmd_subscriptions(
    message: Message, subscriptions: SubscriptionService, db_user: UserDTO, settings: Settings
) -> None:
    await _show(message, await subscriptions.state(db_user.id), db_user, settings)


async def open_subscriptions(
    callback: CallbackQuery,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    await _show(callback, await subscriptions.state(db_user.id), db_user, settings)


async def toggle_category(
    callback: CallbackQuery,
    callback_data: SubsCb,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    try:
        current = await subscriptions.toggle_category(db_user.id, callback_data.category)
    except UnknownCategoryError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    await _show(callback, current, db_user, settings)


async def toggle_region(
    callback: CallbackQuery,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    await _show(callback, await subscriptions.toggle_region_only(db_user.id), db_user, settings)


def navigation_router() -> Router:
    router = Router(name="events.subscriptions.navigation")
    router.message.register(cmd_subscriptions, Command("subscriptions"))
    router.callback_query.register(open_subscriptions, MenuCb.filter(F.action == "subs"))
    return router


def router() -> Router:
    router = Router(name="events.subscriptions")
    router.callback_query.register(toggle_category, SubsCb.filter(F.action == "cat"))
    router.callback_query.register(toggle_region, SubsCb.filter(F.action == "region"))
    return router
