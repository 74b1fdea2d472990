"""The main menu and /help: where every screen leads back to."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _

from bot.roles import Role
from handlers.keyboards import back_to_menu_keyboard, main_menu_keyboard
from handlers.screens import Screen, show


def main_menu_screen(role: Role | None) -> Screen:
    text = _(
        "🏠 <b>Main menu</b>\n\nChoose a section below, or simply type your question "
        "in your own words."
    )
    return Screen(text, main_menu_keyboard(role))


async def show_main_menu(
    event: Message | CallbackQuery, role: Role | None, *, note: str | None = None
) -> None:
    screen = main_menu_screen(role)
    if note:
        screen = Screen(f"{note}\n\n{screen.text}", screen.markup)
    await show(event, screen, toast=note)


def help_screen(role: Role | None) -> Screen:
    text = _(
        "ℹ️ <b>How I can help</b>\n\n"
        "• Type a question in your own words, in Kazakh or Russian: I will find the answer "
        "in the knowledge base. Under each answer a button shows it in the other language.\n"
        "• /ask: ask a consultant, a person answers right here\n"
        "• /my: your questions to consultants and their status\n"
        "• /faq: browse questions by topic\n"
        "• /events: upcoming forums, grant rounds and deadlines\n"
        "• /subscriptions: choose which reminders you get\n"
        "• /language: change the language of the bot (Kazakh or Russian)\n"
        "• /cancel: stop what you are doing\n"
        "• /forget: delete the data I keep about you\n\n"
        "My answers are general information, not legal advice. When in doubt, check the "
        "official source I cite."
    )
    if role in (Role.CONSULTANT, Role.ADMIN):
        text += "\n\n" + _(
            "👩‍💼 <b>The consultant desk</b>\n"
            "• /queue: questions waiting for a consultant\n"
            "• /mine: your open questions\n"
            "• /duty: go on or off duty (new questions go to those on duty)\n"
            "• /name: the name people and colleagues see\n"
            "• /snippets: canned replies in both languages"
        )
    if role is Role.ADMIN:
        text += "\n\n" + _("🛠 For administrators: /admin manages events and deadlines.")
        text += "\n" + _("• /consultants: the desk's consultants, to add or remove")
    return Screen(text, back_to_menu_keyboard())
