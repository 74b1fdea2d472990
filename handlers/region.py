"""Region choice: at onboarding (skippable) and from the menu."""

from __future__ import annotations

import html
from dataclasses import replace

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.regions import region_name
from bot.roles import Role
from bot.services.events.subscriptions import SubscriptionService
from bot.services.profile import ProfileService, UnknownChoiceError
from db.repositories.users import UserDTO
from handlers.callbacks import REGION_FROM_REMINDERS, MenuCb, RegionBackCb, RegionCb
from handlers.events.subscriptions import show_subscriptions
from handlers.keyboards import SKIP_REGION, region_keyboard
from handlers.menu import show_main_menu
from handlers.screens import Screen, show, user_language

SUBS = "subs"  # the Reminders screen's MenuCb action


async def _open_region(callback: CallbackQuery, db_user: UserDTO, back: str = "") -> None:
    current = region_name(db_user.region, user_language()) or _("All of Kazakhstan")
    text = _("📍 Your region: <b>{region}</b>\nChoose another one:").format(
        region=html.escape(current)
    )
    markup = region_keyboard(user_language(), onboarding=False, back=back)
    await show(callback, Screen(text, markup))


async def open_region(callback: CallbackQuery, db_user: UserDTO) -> None:
    await _open_region(callback, db_user)


async def open_region_from_reminders(callback: CallbackQuery, db_user: UserDTO) -> None:
    await _open_region(callback, db_user, back=SUBS)


async def choose_region(
    callback: CallbackQuery,
    callback_data: RegionCb | RegionBackCb,
    profile: ProfileService,
    role: Role,
    subscriptions: SubscriptionService,
    db_user: UserDTO,
    settings: Settings,
) -> None:
    code = None if callback_data.code == SKIP_REGION else callback_data.code
    onboarding = isinstance(callback_data, RegionCb) and callback_data.onboarding
    try:
        await profile.choose_region(callback.from_user.id, code)
    except UnknownChoiceError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    if code is not None:
        note = _("✅ Region saved: {region}.").format(
            region=html.escape(region_name(code, user_language()))
        )
    elif onboarding:
        note = _("✅ Done. You can choose your region later in the menu.")
    else:
        note = _("✅ Saved: all of Kazakhstan.")
    if isinstance(callback_data, RegionBackCb) and callback_data.back == SUBS:
        # Back to Reminders, which now offers "only my region".
        user = replace(db_user, region=code)
        await show_subscriptions(callback, subscriptions, user, settings, note)
        return
    await show_main_menu(callback, role, note=note)


def router() -> Router:
    router = Router(name="region")
    router.callback_query.register(open_region, MenuCb.filter(F.action == "region"))
    router.callback_query.register(
        open_region_from_reminders, MenuCb.filter(F.action == REGION_FROM_REMINDERS)
    )
    router.callback_query.register(choose_region, RegionCb.filter())
    router.callback_query.register(choose_region, RegionBackCb.filter())
    return router
