"""What nobody else understood gets a friendly pointer instead of silence."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from handlers.keyboards import back_to_menu_keyboard
from handlers.screens import Screen, show


async def unknown_command(message: Message) -> None:
    text = _("I don't know this command. /help lists what I can do.")
    await show(message, Screen(text, back_to_menu_keyboard()))


async def unknown_text(message: Message) -> None:
    text = _("Sorry, I did not understand. Choose a section from the menu or /help.")
    await show(message, Screen(text, back_to_menu_keyboard()))


async def unsupported_content(message: Message) -> None:
    text = _("I can read only text messages. Please type your question.")
    await show(message, Screen(text, back_to_menu_keyboard()))


async def stale_button(callback: CallbackQuery) -> None:
    await callback.answer(_("This button is no longer valid."), show_alert=True)


async def button_elsewhere(callback: CallbackQuery) -> None:
    # A button of the bot's message in a group or channel: the spinner must stop all the same.
    await callback.answer()


def elsewhere_router() -> Router:
    """After every other router: what is left of other chats is only acknowledged."""
    router = Router(name="fallback.elsewhere")
    router.callback_query.register(button_elsewhere)
    return router


def router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unknown_text, F.text)
    router.message.register(unsupported_content)
    router.callback_query.register(stale_button)
    return router
