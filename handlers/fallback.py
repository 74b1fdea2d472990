"""What nobody else understood gets a friendly pointer instead of silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.keyboards import back_to_menu_keyboard

router = Router(name=__name__)


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await message.answer(
        _("I don't know this command. /help lists what I can do."),
        reply_markup=back_to_menu_keyboard(),
    )


@router.message(F.text)
async def unknown_text(message: Message) -> None:
    await message.answer(
        _("Sorry, I did not understand. Choose a section from the menu or /help."),
        reply_markup=back_to_menu_keyboard(),
    )


@router.message()
async def unsupported_content(message: Message) -> None:
    await message.answer(
        _("I can read only text messages. Please type your question."),
        reply_markup=back_to_menu_keyboard(),
    )


@router.callback_query()
async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer valid."), show_alert=True)
