"""The HTTP session to the Bot API: configurable server, bounded retries for interactive replies,
late callback answers that do no harm, and a revoked token that stops the bot instead of looping."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, cast

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery
from aiogram.methods.base import Response
from aiohttp import ClientConnectionError

from bot.updates.send_guard import CommitBeforeSend

if TYPE_CHECKING:
    from aiogram.methods import TelegramMethod
    from aiogram.methods.base import TelegramType

log = logging.getLogger(__name__)

TOKEN_REJECTED: Final = (
    "BOT_TOKEN was rejected by Telegram (401 Unauthorized): copy the token again from @BotFather"
)
QUERY_TOO_OLD: Final = "query is too old"


_RESPONSE_TYPES: dict[Any, type] = {}


class TelegramSession(AiohttpSession):
    """aiogram's session, except that a 5xx answer that is not JSON (the HTML "502 Bad Gateway" page
    of Telegram's front end or of a proxy) is a TelegramServerError like a JSON 500.

    aiogram raises ClientDecodeError for it, which says nothing about the status: the retry
    middleware, the polling loop and the outbox then see it for the server fault it is.
    """

    def check_response(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        status_code: int,
        content: str,
    ) -> Response[TelegramType]:
        # aiogram builds `Response[<result type>]` for every answer; pydantic caches such
        # classes only weakly, so they were rebuilt every few updates (2–3 ms each, an eighth of
        # the bot's CPU). Holding them keeps the cache warm.
        returning = method.__returning__
        if returning not in _RESPONSE_TYPES:
            _RESPONSE_TYPES[returning] = Response[returning]  # type: ignore[valid-type]
        try:
            return super().check_response(bot, method, status_code, content)
        except ClientDecodeError as exc:
            if status_code < HTTPStatus.INTERNAL_SERVER_ERROR:
                raise
            message = f"HTTP {status_code} with a body that is not JSON (an error page)"
            raise TelegramServerError(method=method, message=message) from exc


def creates_message(method: TelegramMethod[Any]) -> bool:
    """Whether repeating the call could show the person the same message twice."""
    name = method.__api_method__.lower()
    if name.startswith("send"):
        return name != "sendchataction" and "draft" not in name
    return name.startswith(("copymessage", "forwardmessage"))


def may_retry(method: TelegramMethod[Any], error: Exception) -> bool:
    """The retry policy of interactive calls (429 aside).

    - A 5xx, JSON or an HTML page: Telegram did not do the work; retried for every method.
    - A network failure of a call that creates no message (an edit, a callback answer, commands,
      getUpdates): repeating it is harmless; retried, timeouts included.
    - A network failure of a call that creates a message: retried when the connection failed before
      an answer came (could not connect, or dropped). If Telegram had already delivered the message
      when the connection dropped, the person sees it twice; we accept that rare duplicate, because
      the alternative is a person waiting for a reply that never comes. A timeout is not retried:
      Telegram is more likely slow than down, so a repeat would usually duplicate.
    """
    if isinstance(error, TelegramServerError):
        return True
    if isinstance(error, TelegramEntityTooLarge) or not isinstance(error, TelegramNetworkError):
        return False
    if not creates_message(method):
        return True
    cause = error.__cause__
    return isinstance(cause, ClientConnectionError) and not isinstance(cause, TimeoutError)


class BoundedRetryMiddleware(BaseRequestMiddleware):
    """aiogram neither retries nor throttles; a reply the user is waiting for deserves a few tries.

    Waits grow exponentially (0.5 s, 1 s, 2 s: 3.5 s at most). Only short 429 waits are absorbed
    here: a long `retry_after` means the bot is flooding, and proactive traffic goes through the
    outbox, which has its own pacing.
    """

    def __init__(
        self,
        *,
        attempts: int = 4,
        first_wait: float = 0.5,
        max_wait: float = 5.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._attempts = attempts
        self._first_wait = first_wait
        self._max_wait = max_wait
        self._sleep = sleep

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
                reason = "429"
            except (TelegramServerError, TelegramNetworkError) as exc:
                if attempt == self._attempts or not may_retry(method, exc):
                    raise
                wait = self._first_wait * 2 ** (attempt - 1)
                reason = exc.message
            log.info("retrying %s in %.1fs (%s)", type(method).__name__, wait, reason)
            await self._sleep(wait)
        raise AssertionError("unreachable")


class CallbackAnswersOnce(BaseRequestMiddleware):
    """A callback query is answered once; a late or repeated answer never fails the update.

    Several layers may answer the same press (a handler's toast, then aiogram-dialog's own
    answer); Telegram refuses the second. And a button handled long after it was pressed (a
    restart, a queue) can no longer be answered: Telegram says "query is too old". By then the
    spinner has stopped on its own, so the answer is moot, and the error must not undo the
    handler's work: it is logged and reported as answered. Every other error still raises.
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
        # The middleware chain carries the method's result (True), whatever aiogram's hints say.
        answered = cast("Response[TelegramType]", True)
        if query_id in self._answered:
            return answered
        self._answered[query_id] = None
        if len(self._answered) > self._REMEMBERED:
            self._answered.popitem(last=False)
        try:
            return await make_request(bot, cast("TelegramMethod[TelegramType]", method))
        except TelegramBadRequest as exc:
            if QUERY_TOO_OLD not in exc.message:
                raise
            log.debug("callback query %s answered too late: %s", query_id, exc)
            return answered


class UnauthorizedGuard(BaseRequestMiddleware):
    """A token revoked while the bot runs makes every call fail with 401, and aiogram's polling
    would log that forever. The first 401 logs TOKEN_REJECTED once and starts `on_unauthorized`
    (which stops the application); `rejected` then tells the caller to exit non-zero with it.
    """

    def __init__(self, on_unauthorized: Callable[[], Awaitable[object]]) -> None:
        self._on_unauthorized = on_unauthorized
        self._reaction: asyncio.Task[object] | None = None

    @property
    def rejected(self) -> bool:
        return self._reaction is not None

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramUnauthorizedError:
            if self._reaction is None:
                log.error(TOKEN_REJECTED)
                # A task: stopping waits for the polling loop, which may be this very call's caller.
                self._reaction = asyncio.ensure_future(self._on_unauthorized())
            raise


def watch_token(bot: Bot, on_unauthorized: Callable[[], Awaitable[object]]) -> UnauthorizedGuard:
    """Install an UnauthorizedGuard on `bot`'s session; see the class."""
    guard = UnauthorizedGuard(on_unauthorized)
    bot.session.middleware(guard)
    return guard


def create_bot(token: str, api_url: str, *, interactive: bool = True) -> Bot:
    """`interactive`: the bot that answers updates (commits before it speaks, answers a button
    once, retries briefly). The outbox sender's bot has none of that: it must see every 429."""
    session = TelegramSession(api=TelegramAPIServer.from_base(api_url))
    if interactive:
        # Outermost first: commit once, then answer-once bookkeeping, then retries.
        session.middleware(CommitBeforeSend())
        session.middleware(CallbackAnswersOnce())
        session.middleware(BoundedRetryMiddleware())
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
