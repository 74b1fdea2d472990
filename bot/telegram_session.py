"""The HTTP session to the Bot API: configurable server, bounded retries for interactive replies."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError

if TYPE_CHECKING:
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import Response, TelegramType

log = logging.getLogger(__name__)


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


def create_bot(token: str, api_url: str, *, retries: bool = True, **session_kwargs: Any) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_url), **session_kwargs)
    if retries:
        session.middleware(BoundedRetryMiddleware())
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
