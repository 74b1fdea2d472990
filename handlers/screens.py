"""Showing a screen: edit the pressed message in place, or send a new one when that fails."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.keyboards import main_menu_keyboard


async def show(
    event: Message | CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup, disable_web_page_preview=True)
        return
    message = event.message
    try:
        if isinstance(message, Message):
            await message.edit_text(text, reply_markup=markup, disable_web_page_preview=True)
        else:
            raise TelegramBadRequest(method=None, message="message is inaccessible")  # type: ignore[arg-type]
    except TelegramBadRequest as exc:
        if "not modified" not in exc.message and event.from_user:
            # Too old or deleted: a fresh message is better than a silent button.
            await event.bot.send_message(  # type: ignore[union-attr]
                event.from_user.id, text, reply_markup=markup, disable_web_page_preview=True
            )
    await event.answer()


def main_menu_text() -> str:
    return _(
        "🏠 <b>Main menu</b>\n\nChoose a section below, or simply type your question "
        "in your own words."
    )


async def show_main_menu(event: Message | CallbackQuery) -> None:
    await show(event, main_menu_text(), main_menu_keyboard())
