"""/help, /cancel, /menu and the main-menu buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.roles import Role
from handlers.callbacks import MenuCb
from handlers.dialog_exit import end_dialogs
from handlers.menu import help_screen, show_main_menu
from handlers.screens import show


async def cmd_help(message: Message, role: Role) -> None:
    await show(message, help_screen(role))


async def open_help(callback: CallbackQuery, role: Role) -> None:
    await show(callback, help_screen(role))


async def cmd_menu(message: Message, role: Role) -> None:
    await show_main_menu(message, role)


async def open_main_menu(callback: CallbackQuery, role: Role) -> None:
    await show_main_menu(callback, role)


async def cmd_cancel(message: Message, role: Role, ended_dialog: bool = False) -> None:
    note = _("❌ Cancelled.") if ended_dialog else _("There is nothing to cancel.")
    await show_main_menu(message, role, note=note)


def router() -> Router:
    router = Router(name="common")
    router.message.register(cmd_help, Command("help"))
    router.callback_query.register(open_help, MenuCb.filter(F.action == "help"))
    router.message.register(cmd_menu, Command("menu"))
    router.callback_query.register(open_main_menu, MenuCb.filter(F.action == "main"))
    router.message.register(cmd_cancel, Command("cancel"))
    return router


__all__ = ["end_dialogs", "router"]
