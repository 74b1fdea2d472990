"""/start: welcome, language choice, optional region, then the main menu."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from db.repositories.users import UserDTO
from handlers.keyboards import language_keyboard
from handlers.screens import show_main_menu

router = Router(name=__name__)


def choose_language_text() -> str:
    # Shown before we know the language, so it speaks both.
    return _(
        "👋 Hello! I am <b>Kenes</b>, a consultation desk for NGOs.\n"
        "Тілді таңдаңыз · Выберите язык:"
    )


@router.message(CommandStart())
async def cmd_start(message: Message, state: FSMContext, db_user: UserDTO) -> None:
    await state.clear()
    if db_user.language is None:
        await message.answer(
            choose_language_text(), reply_markup=language_keyboard(onboarding=True)
        )
        return
    await show_main_menu(message)
