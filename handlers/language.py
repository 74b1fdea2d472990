"""/language and the language buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.profile import ProfileService, UnknownChoiceError
from handlers.callbacks import LanguageCb, MenuCb
from handlers.keyboards import language_keyboard, region_keyboard
from handlers.screens import show, show_main_menu

router = Router(name=__name__)


def _language_prompt() -> str:
    return _("🌐 Choose the language of the bot:")


@router.message(Command("language"))
async def cmd_language(message: Message) -> None:
    await show(message, _language_prompt(), language_keyboard(onboarding=False))


@router.callback_query(MenuCb.filter(F.action == "lang"))
async def open_language(callback: CallbackQuery) -> None:
    await show(callback, _language_prompt(), language_keyboard(onboarding=False))


@router.callback_query(LanguageCb.filter())
async def choose_language(
    callback: CallbackQuery, callback_data: LanguageCb, session: AsyncSession, i18n: I18n
) -> None:
    try:
        await ProfileService(session).choose_language(callback.from_user.id, callback_data.code)
    except UnknownChoiceError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    with i18n.use_locale(callback_data.code):
        if callback_data.onboarding:
            text = _(
                "✅ Language saved.\n\n📍 Which region is your organisation in? "
                "It helps me show local events first. You can skip this."
            )
            await show(callback, text, region_keyboard(onboarding=True))
        else:
            await show_main_menu(callback)
