"""getUpdates long polling, confirmation, re-delivery, webhook, and a real Dispatcher."""

from __future__ import annotations

import asyncio
import time

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.exceptions import TelegramConflictError
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiohttp import web

from bot.sandbox import FakeTelegramServer, make_bot


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: FakeTelegramServer, bot: Bot
) -> None:
    user = server.user(1001)
    poll = asyncio.create_task(bot.get_updates(timeout=30))
    await server.wait_polling()
    started = time.monotonic()
    await user.send("hello")
    async with asyncio.timeout(5):
        updates = await poll
    assert time.monotonic() - started < 2
    assert [u.message.text for u in updates if u.message] == ["hello"]


async def test_short_poll_and_timeout(server: FakeTelegramServer, bot: Bot) -> None:
    assert await bot.get_updates() == []
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9


async def test_offset_confirms_and_unconfirmed_are_redelivered(
    server: FakeTelegramServer, bot: Bot
) -> None:
    user = server.user(1001)
    for text in ("one", "two", "three"):
        await user.send(text)
    first = await bot.get_updates(limit=2)
    assert [u.message.text for u in first if u.message] == ["one", "two"]
    # Not confirmed yet: a new poller (a restarted bot) gets them again.
    again = await bot.get_updates()
    assert [u.update_id for u in again] == [u.update_id for u in [*first, again[-1]]]
    rest = await bot.get_updates(offset=first[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["three"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == []
    assert len(server.updates) == 0


async def test_allowed_updates_filters_new_updates(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    assert await bot.get_updates(allowed_updates=["callback_query"]) == []
    await user.send("ignored")
    assert await bot.get_updates() == []
    assert server.updates.dropped == 1
    await bot.get_updates(allowed_updates=[])
    user.block_bot()  # my_chat_member is in the default set
    [update] = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_second_poller_terminates_the_first(server: FakeTelegramServer, bot: Bot) -> None:
    other = make_bot(server)
    try:
        first = asyncio.create_task(bot.get_updates(timeout=30))
        await server.wait_polling()
        second = asyncio.create_task(other.get_updates(timeout=0))
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
            async with asyncio.timeout(5):
                await first
        assert await second == []
    finally:
        await other.session.close()


async def test_webhook_conflict_and_delivery(server: FakeTelegramServer, bot: Bot) -> None:
    received: list[dict[str, object]] = []
    arrived = asyncio.Event()
    attempts = 0

    async def hook(request: web.Request) -> web.Response:
        nonlocal attempts
        attempts += 1
        assert request.headers["X-Telegram-Bot-Api-Secret-Token"] == "s3cret"
        if attempts == 1:
            return web.Response(status=500)  # Telegram keeps the update and retries
        received.append(await request.json())
        arrived.set()
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        server.webhook_retry_delay(0.01)
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates()
        await server.user(1001).send("via webhook")
        async with asyncio.timeout(5):
            await arrived.wait()
        assert received[0]["message"]["text"] == "via webhook"  # type: ignore[index]
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook") and info.pending_update_count == 0
        assert await bot.delete_webhook()
        assert await bot.get_updates() == []
    finally:
        await runner.cleanup()


async def test_dispatcher_polling_end_to_end(server: FakeTelegramServer) -> None:
    router = Router()

    @router.message(CommandStart())
    async def start(message: Message) -> None:
        markup = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text="Қазақша", callback_data="lang:kk"),
                    InlineKeyboardButton(text="Русский", callback_data="lang:ru"),
                ]
            ]
        )
        await message.answer("<b>Сәлеметсіз бе!</b> Тілді таңдаңыз:", reply_markup=markup)

    @router.callback_query(F.data.startswith("lang:"))
    async def choose(query: CallbackQuery) -> None:
        await query.answer("Сақталды")
        if isinstance(query.message, Message):
            await query.message.edit_text(f"Language: {query.data}")

    dp = Dispatcher()
    dp.include_router(router)
    bot = make_bot(server)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=30))
    try:
        user = server.user(1001, "Aigerim", language_code="kk")
        await user.send("/start")
        greeting = await user.next_message()
        assert greeting.text.startswith("Сәлеметсіз бе!")
        assert greeting.button_texts() == ["Қазақша", "Русский"]
        query = await user.press("Русский")
        edited = await user.wait_for(lambda m: m.edited)
        assert edited.text == "Language: lang:ru"
        answer = await user.wait_answer(query)
        assert answer.text == "Сақталды"
        assert user.alerts == ["Сақталды"]
        assert server.violations == []
    finally:
        await dp.stop_polling()
        async with asyncio.timeout(5):
            await polling


async def test_stop_releases_pending_long_poll() -> None:
    server = FakeTelegramServer()
    await server.start()
    async with aiohttp.ClientSession() as session:
        url = f"{server.base_url}/bot{server.token}/getUpdates"
        poll = asyncio.create_task(session.post(url, data={"timeout": "50"}))
        await server.wait_polling()
        started = time.monotonic()
        await server.stop()
        assert time.monotonic() - started < 3
        async with asyncio.timeout(5):
            response = await poll
        async with response:
            assert (await response.json())["result"] == []
