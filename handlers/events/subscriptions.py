"""/subscriptions: which categories to be reminded about, and whether only the user's region."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.services.events.callbacks import SubsCb
from bot.services.events.subscriptions import (
    SubscriptionService,
    SubscriptionState,
    UnknownCategoryError,
)
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.events import views
from handlers.screens import show

router = Router(name=__name__)


async def _show(
    event: Message | CallbackQuery, state: SubscriptionState, db_user: UserDTO, settings: Settings
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
    await show(event, screen.text, screen.markup)


@router.message(Command("subscriptions"))
async def cmd_subscriptions(
    message: Message,
    state: FSMContext,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    await state.clear()
    current = await subscriptions.state(db_user.id)
    await _show(message, current, db_user, settings)


@router.callback_query(MenuCb.filter(F.action == "subs"))
async def open_subscriptions(
    callback: CallbackQuery,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    current = await subscriptions.state(db_user.id)
    await _show(callback, current, db_user, settings)


@router.callback_query(SubsCb.filter(F.action == "cat"))
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


@router.callback_query(SubsCb.filter(F.action == "region"))
async def toggle_region(
    callback: CallbackQuery,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    current = await subscriptions.toggle_region_only(db_user.id)
    await _show(callback, current, db_user, settings)
