"""The HTTP session to the Bot API: configurable server, bounded retries for interactive replies."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, cast

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery
from aiogram.methods.base import Response

from bot.updates.send_guard import CommitBeforeSend

if TYPE_CHECKING:
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)
# Telegram's text for an answer to a press it no longer knows (too late, or answered already).
_TOO_OLD = "query is too old"


class BoundedRetryMiddleware(BaseRequestMiddleware):
    """aiogram neither retries nor throttles; a reply the user is waiting for deserves a second try.

    Only short waits are absorbed here: a long `retry_after` means the bot is flooding, and
    proactive traffic goes through the outbox, which has its own pacing.
    """

    def __init__(self, *, attempts: int = 3, max_wait: float = 5.0) -> None:
        self._attempts = attempts
        self._max_wait = max_wait

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        for attempt in range(1, self._attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt == self._attempts or exc.retry_after > self._max_wait:
                    raise
                wait: float = exc.retry_after
            except (TelegramNetworkError, TelegramServerError):
                if attempt == self._attempts:
                    raise
                wait = 0.5 * attempt
            log.info("retrying %s in %.1fs", type(method).__name__, wait)
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")


class CallbackAnswersOnce(BaseRequestMiddleware):
    """A callback query is answered once; a late or repeated answer never fails the update.

    Several layers may answer the same press (a handler's toast, then aiogram-dialog's own
    answer); Telegram refuses the second. And a press handled more than ~15 s after it was made
    (after a restart, under load) cannot be answered at all: the action it asked for must still
    happen, so "query is too old" is not an error worth undoing it for.
    """

    _REMEMBERED = 10_000

    def __init__(self) -> None:
        self._answered: OrderedDict[str, None] = OrderedDict()

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not isinstance(method, AnswerCallbackQuery):
            return await make_request(bot, method)
        query_id = method.callback_query_id
        answer = cast("TelegramMethod[TelegramType]", method)
        if query_id in self._answered:
            return Response[bool](ok=True, result=True)  # type: ignore[return-value]
        self._answered[query_id] = None
        if len(self._answered) > self._REMEMBERED:
            self._answered.popitem(last=False)
        try:
            return await make_request(bot, answer)
        except TelegramBadRequest as exc:
            if _TOO_OLD not in exc.message.lower():
                raise
            log.debug("callback query %s answered too late: %s", query_id, exc.message)
            return Response[bool](ok=True, result=True)  # type: ignore[return-value]


def create_bot(token: str, api_url: str, *, interactive: bool = True, **session_kwargs: Any) -> Bot:
    """`interactive`: the bot that answers updates (commits before it speaks, answers a button
    once, retries briefly). The outbox sender's bot has none of that: it must see every 429."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), **session_kwargs)
    if interactive:
        # Outermost first: commit once, then answer-once bookkeeping, then retries.
        session.middleware(CommitBeforeSend())
        session.middleware(CallbackAnswersOnce())
        session.middleware(BoundedRetryMiddleware())
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
