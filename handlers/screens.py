"""Showing a screen: edit the pressed message in place, or send a new one when that fails."""

from __future__ import annotations

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from handlers.keyboards import main_menu_keyboard


async def show(
    event: Message | CallbackQuery,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    toast: str | None = None,
) -> None:
    """A message gets a new reply; a pressed button edits its own message.

    A callback query is answered exactly once (a second answer is an API error), before the edit
    so the spinner stops whatever happens next; `toast` is shown as that answer.
    """
    if isinstance(event, Message):
        await event.answer(text, reply_markup=markup, disable_web_page_preview=True)
        return
    await event.answer(toast)
    message = event.message
    if isinstance(message, Message):
        try:
            await message.edit_text(text, reply_markup=markup, disable_web_page_preview=True)
            return
        except TelegramBadRequest as exc:
            if "not modified" in exc.message:
                return
    # Too old to edit, or inaccessible: a fresh message is better than a silent button.
    if event.bot is not None:
        await event.bot.send_message(
            event.from_user.id, text, reply_markup=markup, disable_web_page_preview=True
        )


def main_menu_text() -> str:
    return _(
        "🏠 <b>Main menu</b>\n\nChoose a section below, or simply type your question "
        "in your own words."
    )


async def show_main_menu(event: Message | CallbackQuery) -> None:
    await show(event, main_menu_text(), main_menu_keyboard())
