"""Telegram's 5xx in every form (JSON 500, an HTML 502 page, a dropped connection) are retried
with backoff for interactive calls; the retry policy never repeats a send that may have arrived
unless the connection broke before any answer; a late callback answer undoes nothing."""

from __future__ import annotations

import logging

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramServerError,
)
from aiogram.methods import EditMessageText, SendChatAction, SendDocument, SendMessage
from aiogram.methods.base import TelegramMethod
from aiohttp import ClientOSError, ClientPayloadError, ServerDisconnectedError, ServerTimeoutError

from bot.sandbox.server import FakeTelegramServer
from bot.telegram_session import BoundedRetryMiddleware, create_bot, may_retry
from tests.conftest import TEST_TOKEN
from tests.telegram.scripted_api import (
    DROP,
    NGINX_502,
    Answer,
    ScriptedBotApi,
    error,
    ok,
    sent_message,
)

CHAT = 4242


class Waits:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


def retrying_bot(api_url: str, waits: Waits) -> Bot:
    """The bot the application uses, with the retry middleware's sleep recorded, not slept."""
    bot = create_bot(TEST_TOKEN, api_url, interactive=False)
    bot.session.middleware(BoundedRetryMiddleware(sleep=waits))
    return bot


async def test_reply_survives_html_502_json_500_and_a_dropped_connection() -> None:
    waits = Waits()
    api = ScriptedBotApi(
        [NGINX_502, error(500, "Internal Server Error"), DROP, sent_message(CHAT, "Сәлем")]
    )
    async with api.running():
        bot = retrying_bot(api.base_url, waits)
        try:
            message = await bot.send_message(CHAT, "Сәлем")
        finally:
            await bot.session.close()
    assert message.text == "Сәлем"
    assert api.methods == ["sendMessage"] * 4
    assert waits.seconds == [0.5, 1.0, 2.0]  # exponential


async def test_retries_are_bounded() -> None:
    waits = Waits()
    api = ScriptedBotApi([NGINX_502] * 4)
    async with api.running():
        bot = retrying_bot(api.base_url, waits)
        try:
            with pytest.raises(TelegramServerError) as failure:
                await bot.send_message(CHAT, "hi")
        finally:
            await bot.session.close()
    assert "HTTP 502" in failure.value.message
    assert api.methods == ["sendMessage"] * 4
    assert waits.seconds == [0.5, 1.0, 2.0]


async def test_html_page_below_500_is_not_a_server_fault() -> None:
    """E.g. TELEGRAM_API_URL pointing at a web site: retrying would not help."""
    waits = Waits()
    api = ScriptedBotApi([Answer(404, "text/html", b"<h1>Not Found</h1>")])
    async with api.running():
        bot = retrying_bot(api.base_url, waits)
        try:
            with pytest.raises(ClientDecodeError):
                await bot.send_message(CHAT, "hi")
        finally:
            await bot.session.close()
    assert api.methods == ["sendMessage"]
    assert waits.seconds == []


def _network_error(method: TelegramMethod[object], cause: BaseException) -> TelegramNetworkError:
    error = TelegramNetworkError(method=method, message=f"{type(cause).__name__}")
    error.__cause__ = cause
    return error


SEND = SendMessage(chat_id=CHAT, text="hi")
EDIT = EditMessageText(chat_id=CHAT, message_id=1, text="hi")
TYPING = SendChatAction(chat_id=CHAT, action="typing")
UPLOAD = SendDocument(chat_id=CHAT, document="file-id")


@pytest.mark.parametrize(
    ("method", "cause", "retried"),
    [
        # A send whose connection broke before any answer: retried (a rare duplicate accepted).
        (SEND, ServerDisconnectedError(), True),
        (SEND, ClientOSError(104, "Connection reset by peer"), True),
        (UPLOAD, ServerDisconnectedError(), True),
        # A send that timed out or whose answer broke off: Telegram likely has it; not repeated.
        (SEND, TimeoutError(), False),
        (SEND, ServerTimeoutError(), False),
        (SEND, ClientPayloadError("Response payload is not completed"), False),
        # Calls that create no message are repeated on any network failure.
        (EDIT, TimeoutError(), True),
        (TYPING, TimeoutError(), True),
        (EDIT, ServerDisconnectedError(), True),
    ],
)
def test_network_retry_policy(
    method: TelegramMethod[object], cause: BaseException, retried: bool
) -> None:
    assert may_retry(method, _network_error(method, cause)) is retried


def test_server_errors_are_retried_and_too_large_is_not() -> None:
    assert may_retry(SEND, TelegramServerError(method=SEND, message="Internal Server Error"))
    assert not may_retry(UPLOAD, TelegramEntityTooLarge(method=UPLOAD, message="Too Large"))
    assert not may_retry(SEND, TelegramBadRequest(method=SEND, message="chat not found"))


async def test_too_late_callback_answer_reads_as_answered(
    telegram: FakeTelegramServer, caplog: pytest.LogCaptureFixture
) -> None:
    """The fake server answers a query it no longer knows as Telegram does after ~15 s."""
    bot = create_bot(telegram.token, telegram.base_url)
    try:
        with caplog.at_level(logging.DEBUG, logger="bot.telegram_session"):
            assert await bot.answer_callback_query("1234567890", text="✅") is True
    finally:
        await bot.session.close()
    assert any("answered too late" in r.getMessage() for r in caplog.records)
    failed = [call for call in telegram.calls if call.method == "answerCallbackQuery"]
    assert len(failed) == 1 and "query is too old" in (failed[0].description or "")


async def test_other_callback_answer_errors_still_raise() -> None:
    api = ScriptedBotApi([error(400, "Bad Request: MESSAGE_TOO_LONG")])
    async with api.running():
        bot = create_bot(TEST_TOKEN, api.base_url)
        try:
            with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
                await bot.answer_callback_query("1", text="x" * 300)
        finally:
            await bot.session.close()


async def test_too_old_from_another_method_still_raises() -> None:
    api = ScriptedBotApi([error(400, "Bad Request: query is too old")])
    async with api.running():
        bot = create_bot(TEST_TOKEN, api.base_url)
        try:
            with pytest.raises(TelegramBadRequest):
                await bot.send_message(CHAT, "hi")
        finally:
            await bot.session.close()


async def test_html_502_in_polling_is_a_server_error() -> None:
    """getUpdates: aiogram's polling loop logs a server error and backs off (it used to be a
    ClientDecodeError with the whole HTML page in the log)."""
    waits = Waits()
    api = ScriptedBotApi([NGINX_502, ok([])])
    async with api.running():
        bot = retrying_bot(api.base_url, waits)
        try:
            assert await bot.get_updates(timeout=0) == []
        finally:
            await bot.session.close()
    assert api.methods == ["getUpdates", "getUpdates"]
    assert waits.seconds == [0.5]
