"""/help, /cancel and /menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.callbacks import MenuCb
from handlers.keyboards import back_to_menu_keyboard
from handlers.screens import show, show_main_menu

router = Router(name=__name__)


def help_text() -> str:
    return _(
        "ℹ️ <b>How I can help</b>\n\n"
        "• Type a question in your own words, in Kazakh or Russian: I will find the answer "
        "in the knowledge base.\n"
        "• /faq: browse questions by topic\n"
        "• /events: upcoming forums, grant rounds and deadlines\n"
        "• /subscriptions: choose which reminders you get\n"
        "• /language: change the language\n"
        "• /cancel: stop what you are doing\n"
        "• /forget: delete the data I keep about you\n\n"
        "My answers are general information, not legal advice. When in doubt, check the "
        "official source I cite."
    )


@router.message(Command("help"))
async def cmd_help(message: Message) -> None:
    await show(message, help_text(), back_to_menu_keyboard())


@router.callback_query(MenuCb.filter(F.action == "help"))
async def open_help(callback: CallbackQuery) -> None:
    await show(callback, help_text(), back_to_menu_keyboard())


@router.message(Command("menu"))
async def cmd_menu(message: Message, state: FSMContext) -> None:
    await state.clear()
    await show_main_menu(message)


@router.callback_query(MenuCb.filter(F.action == "main"))
async def open_main_menu(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show_main_menu(callback)


@router.message(Command("cancel"))
async def cmd_cancel(message: Message, state: FSMContext) -> None:
    if await state.get_state() is None:
        await message.answer(_("There is nothing to cancel."))
    else:
        await state.clear()
        await message.answer(_("❌ Cancelled."))
    await show_main_menu(message)
