"""/help, /cancel, /menu and the main-menu buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.roles import Role
from bot.services.desk.tickets import DeskService
from db.repositories.users import UserDTO
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


async def cmd_cancel(
    message: Message, role: Role, desk: DeskService, db_user: UserDTO, ended_dialog: bool = False
) -> None:
    if await desk.drop_draft(db_user.id):
        # The question being written goes too: /cancel means "not now".
        note = _("❌ Cancelled. The unfinished question is deleted.")
    else:
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
