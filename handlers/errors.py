"""Last line of defence: log the failure and tell the user, never leave them with silence."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import ErrorEvent
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.i18n import LANGUAGES
from bot.services.profile import ProfileService

router = Router(name=__name__)
log = logging.getLogger(__name__)


@router.error()
async def on_error(
    event: ErrorEvent, bot: Bot, i18n: I18n, sessionmaker: async_sessionmaker[AsyncSession]
) -> bool:
    chat_id = _chat_of(event)
    if isinstance(event.exception, TelegramForbiddenError) and chat_id is not None:
        # The user blocked the bot while we were answering: remember it, nothing to tell them.
        async with sessionmaker() as session:
            await ProfileService(session).set_reachable(
                chat_id, False, reason=event.exception.message
            )
            await session.commit()
        return True
    log.exception("update %s failed", event.update.update_id, exc_info=event.exception)
    if chat_id is None:
        return True
    try:
        await bot.send_message(chat_id, _apology(i18n))
    except TelegramAPIError:
        log.warning("could not tell chat %s about the failure", chat_id)
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
