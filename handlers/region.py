"""Region choice: at onboarding (skippable) and from the menu."""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _

from bot.regions import region_name
from bot.roles import Role
from bot.services.profile import ProfileService, UnknownChoiceError
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb, RegionCb
from handlers.keyboards import SKIP_REGION, region_keyboard
from handlers.menu import show_main_menu
from handlers.screens import Screen, show, user_language


async def open_region(callback: CallbackQuery, db_user: UserDTO) -> None:
    current = region_name(db_user.region, user_language()) or _("All of Kazakhstan")
    text = _("📍 Your region: <b>{region}</b>\nChoose another one:").format(
        region=html.escape(current)
    )
    await show(callback, Screen(text, region_keyboard(user_language(), onboarding=False)))


async def choose_region(
    callback: CallbackQuery, callback_data: RegionCb, profile: ProfileService, role: Role
) -> None:
    code = None if callback_data.code == SKIP_REGION else callback_data.code
    try:
        await profile.choose_region(callback.from_user.id, code)
    except UnknownChoiceError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    if code is not None:
        note = _("✅ Region saved: {region}.").format(
            region=html.escape(region_name(code, user_language()))
        )
    elif callback_data.onboarding:
        note = _("✅ Done. You can choose your region later in the menu.")
    else:
        note = _("✅ Saved: all of Kazakhstan.")
    await show_main_menu(callback, role, note=note)


def router() -> Router:
    router = Router(name="region")
    router.callback_query.register(open_region, MenuCb.filter(F.action == "region"))
    router.callback_query.register(choose_region, RegionCb.filter())
    return router
