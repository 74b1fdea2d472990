"""Region choice: at onboarding (skippable) and from the menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.regions import region_name
from bot.services.profile import ProfileService, UnknownChoiceError
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb, RegionCb
from handlers.keyboards import SKIP_REGION, region_keyboard
from handlers.screens import show, show_main_menu

router = Router(name=__name__)


@router.callback_query(MenuCb.filter(F.action == "region"))
async def open_region(callback: CallbackQuery, db_user: UserDTO) -> None:
    current = region_name(db_user.region) or _("All of Kazakhstan")
    text = _("📍 Your region: <b>{region}</b>\nChoose another one:").format(region=current)
    await show(callback, text, region_keyboard(onboarding=False))


@router.callback_query(RegionCb.filter())
async def choose_region(
    callback: CallbackQuery, callback_data: RegionCb, session: AsyncSession
) -> None:
    code = None if callback_data.code == SKIP_REGION else callback_data.code
    try:
        await ProfileService(session).choose_region(callback.from_user.id, code)
    except UnknownChoiceError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    await show_main_menu(callback)
