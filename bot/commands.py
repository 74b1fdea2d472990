"""The command menu Telegram shows, per language and per role scope."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.languages import LANGUAGES
from bot.roles import Role


def user_commands() -> list[BotCommand]:
    return [
        BotCommand(command="start", description=_("Start and main menu")),
        BotCommand(command="faq", description=_("Questions and answers")),
        BotCommand(command="ask", description=_("Ask a consultant")),
        BotCommand(command="my", description=_("My questions to consultants")),
        BotCommand(command="events", description=_("Events and deadlines")),
        BotCommand(command="subscriptions", description=_("Reminder settings")),
        BotCommand(command="language", description=_("Change language")),
        BotCommand(command="help", description=_("What I can do")),
        BotCommand(command="cancel", description=_("Cancel the current action")),
        BotCommand(command="forget", description=_("Delete my data")),
    ]


def desk_commands() -> list[BotCommand]:
    return [
        BotCommand(command="queue", description=_("Questions waiting for a consultant")),
        BotCommand(command="mine", description=_("My questions as a consultant")),
        BotCommand(command="duty", description=_("On or off duty")),
        BotCommand(command="snippets", description=_("Canned replies")),
        BotCommand(command="name", description=_("The name people see")),
    ]


def staff_commands(role: Role) -> list[BotCommand]:
    commands = user_commands()
    if role in (Role.CONSULTANT, Role.ADMIN):
        commands += desk_commands()
    if role is Role.ADMIN:
        commands.append(BotCommand(command="admin", description=_("Administration")))
        commands.append(BotCommand(command="broadcast", description=_("New broadcast")))
        commands.append(BotCommand(command="broadcasts", description=_("Broadcasts")))
        commands.append(BotCommand(command="consultants", description=_("The desk's consultants")))
    return commands


async def set_commands(bot: Bot, i18n: I18n, staff: Iterable[tuple[int, Role]]) -> None:
    staff = list(staff)
    for language in LANGUAGES:
        with i18n.context(), i18n.use_locale(language):
            await bot.set_my_commands(
                user_commands(), scope=BotCommandScopeDefault(), language_code=language
            )
            for chat_id, role in staff:
                await bot.set_my_commands(
                    staff_commands(role),
                    scope=BotCommandScopeChat(chat_id=chat_id),
                    language_code=language,
                )
    # Users whose Telegram is in another language get the Russian list.
    with i18n.context(), i18n.use_locale("ru"):
        await bot.set_my_commands(user_commands(), scope=BotCommandScopeDefault())


async def set_chat_commands(bot: Bot, i18n: I18n, chat_id: int, role: Role) -> None:
    """One person's menu after their role changed (a consultant added or removed)."""
    scope = BotCommandScopeChat(chat_id=chat_id)
    for language in LANGUAGES:
        if role is Role.USER:
            await bot.delete_my_commands(scope=scope, language_code=language)
            continue
        with i18n.context(), i18n.use_locale(language):
            await bot.set_my_commands(staff_commands(role), scope=scope, language_code=language)
