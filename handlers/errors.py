"""Last line of defence: log the failure and tell the user, never leave them with silence."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.filters import ExceptionTypeFilter
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram_dialog.api.exceptions import OutdatedIntent, UnknownIntent

from bot.languages import LANGUAGES

log = logging.getLogger(__name__)


async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n) -> bool:
    if isinstance(event.exception, TelegramUnauthorizedError):
        # The token was revoked: bot.telegram_session's guard says so in one line and stops the
        # bot; a traceback per update would bury that line, and no apology can be sent.
        return True
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    chat_id = _chat_of(event)
    if chat_id is None:
        return True
    try:
        await bot.send_message(chat_id, _apology(i18n))
    except TelegramAPIError:
        log.warning("could not tell the user about the failure")
    return True


async def on_stale_dialog(event: ErrorEvent) -> bool:
    """A button of a dialog that is gone (finished, replaced, or forgotten with /forget), or
    forged dialog data: the press is refused like any stale button, not apologised for."""
    log.info("update %s: %s", event.update.update_id, event.exception)
    query = event.update.callback_query
    if query is not None:
        try:
            await query.answer(_("This button is no longer valid."), show_alert=True)
        except TelegramAPIError:
            log.warning("could not answer a stale dialog button")
    return True


def _apology(i18n: I18n) -> str:
    # Errors are caught outside the middleware that knows the user's language: say it in both.
    lines = []
    for language in LANGUAGES:
        with i18n.context(), i18n.use_locale(language):
            lines.append(_("⚠️ Something went wrong on my side. Please try again."))
    return "\n".join(lines)


def _chat_of(event: ErrorEvent) -> int | None:
    update = event.update
    if update.message and update.message.chat.type == "private":
        return update.message.chat.id
    if update.callback_query and update.callback_query.from_user:
        message = update.callback_query.message
        if message is not None and message.chat.type == "private":
            return message.chat.id
    return None


def router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_stale_dialog, ExceptionTypeFilter(UnknownIntent, OutdatedIntent))
    router.errors.register(on_error)
    return router
