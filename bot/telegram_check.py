"""Start-up check of the Bot API: getMe answers, or one line says what is wrong.

A Bot API that cannot be reached (no network, a server restarting, 5xx) is retried within
STARTUP_RETRY_SECONDS like the database (`bot.startup_checks.retry_until_budget`); a rejected
token is not retried: it will not get better.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import User
from aiohttp import ClientConnectorCertificateError, ClientConnectorError, ClientSSLError

from bot.config import Settings
from bot.startup_checks import (
    CONNECT_TIMEOUT,
    Failure,
    RetryPolicy,
    first_line,
    network_reason,
    retry_until_budget,
)
from bot.telegram_session import TOKEN_REJECTED, create_bot


def _connection_reason(error: TelegramNetworkError) -> str:
    cause = error.__cause__
    if isinstance(cause, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:.0f} s"
    if isinstance(cause, ClientConnectorCertificateError | ClientSSLError):
        return f"TLS error: {first_line(cause)}"
    if isinstance(cause, ClientConnectorError):
        return network_reason(cause.os_error)
    return first_line(cause) if cause is not None else error.message


def describe_telegram_error(api_url: str, error: BaseException) -> Failure | None:
    """A one-line reading of a failed Bot API call at start-up; None for anything else."""
    if isinstance(error, TelegramUnauthorizedError):
        return Failure(TOKEN_REJECTED, transient=False)
    if isinstance(error, TelegramNotFound):
        line = f"Telegram at {api_url} answered 404 Not Found: check BOT_TOKEN and TELEGRAM_API_URL"
        return Failure(line, transient=False)
    if isinstance(error, TelegramNetworkError) and not isinstance(error, TelegramEntityTooLarge):
        reason = _connection_reason(error)
        return Failure(f"TELEGRAM_API_URL: cannot reach {api_url} ({reason})", transient=True)
    if isinstance(error, TelegramServerError | TelegramRetryAfter):
        line = f"TELEGRAM_API_URL: {api_url} answered with an error ({first_line(error)})"
        return Failure(line, transient=True)
    if isinstance(error, ClientDecodeError):
        line = f"TELEGRAM_API_URL: {api_url} does not answer like a Bot API server (not JSON)"
        return Failure(line, transient=False)
    return None


def _explain_get_me(api_url: str, error: Exception) -> Failure | None:
    failure = describe_telegram_error(api_url, error)
    if failure is None and isinstance(error, TelegramAPIError):
        # getMe has no parameters to get wrong: any other refusal is about the server or token.
        return Failure(f"Telegram at {api_url} refused getMe: {first_line(error)}", False)
    return failure


async def check_telegram(bot: Bot, api_url: str, *, retry: RetryPolicy | None = None) -> User:
    """getMe, retried while the Bot API cannot be reached; StartupError with one line otherwise."""
    return await retry_until_budget(
        lambda: bot.get_me(request_timeout=int(CONNECT_TIMEOUT)),
        lambda exc: _explain_get_me(api_url, exc),
        retry or RetryPolicy(),
    )


async def check_bot_api(settings: Settings, *, retry: RetryPolicy | None = None) -> User:
    """`check_telegram` through a session of its own, without the interactive retries, so that
    each attempt is one request and one log line."""
    bot = create_bot(settings.token, settings.telegram_api_url, interactive=False)
    try:
        return await check_telegram(bot, settings.telegram_api_url, retry=retry)
    finally:
        await bot.session.close()


async def check_workspace(bot: Bot, chat_id: int | None) -> str | None:
    """The consultants' group (CONSULTANTS_CHAT_ID) is a forum where the bot is an admin that
    may manage topics; otherwise one line saying what to fix (logged, the bot still starts:
    the person's side works, and the desk's rows wait in the outbox until it is fixed)."""
    if chat_id is None:
        return None
    prefix = f"CONSULTANTS_CHAT_ID={chat_id}:"
    try:
        chat = await bot.get_chat(chat_id)
        member = await bot.get_chat_member(chat_id, bot.id)
    except TelegramAPIError as error:
        return f"{prefix} the bot cannot see this chat ({first_line(error)}); add the bot to it"
    if not chat.is_forum:
        return f"{prefix} the group has no topics; turn on Topics in the group's settings"
    if member.status == "creator":
        return None
    if member.status != "administrator":
        return f"{prefix} the bot is not an admin; promote it with the right to manage topics"
    if not getattr(member, "can_manage_topics", False):
        return f"{prefix} the bot may not manage topics; give it that admin right"
    return None
