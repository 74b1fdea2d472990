"""/start: welcome, language choice, optional region, then the main menu."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import CommandStart
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.roles import Role
from db.repositories.users import UserDTO
from handlers.keyboards import language_keyboard
from handlers.menu import show_main_menu
from handlers.screens import Screen, show


def choose_language_screen() -> Screen:
    # Shown before we know the language, so it speaks both.
    text = _(
        "👋 Hello! I am <b>Kenes</b>, a consultation desk for NGOs.\n"
        "Тілді таңдаңыз · Выберите язык:"
    )
    return Screen(text, language_keyboard(onboarding=True))


async def cmd_start(message: Message, db_user: UserDTO, role: Role) -> None:
    if db_user.language is None:
        await show(message, choose_language_screen())
        return
    await show_main_menu(message, role)


def router() -> Router:
    router = Router(name="start")
    router.message.register(cmd_start, CommandStart())
    return router
