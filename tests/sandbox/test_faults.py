"""Injected faults: 500s, nginx 502 pages, dropped connections, latency, a revoked token, old
callback queries, hooks at a chosen call, and updates aiogram cannot parse."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import FakeTelegramServer, FaultPlan, HookAction, HookedCall, make_bot


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def outcome(call: Any) -> str:
    try:
        await call
    except TelegramServerError:
        return "500"
    except ClientDecodeError:
        return "html"
    except TelegramNetworkError:
        return "dropped"
    return "ok"


async def test_each_fault_as_aiogram_sees_it(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    server.faults.configure(json_500=1.0, methods={"sendMessage"})
    with pytest.raises(TelegramServerError, match="Internal Server Error"):
        await bot.send_message(user.id, "x")
    await bot.get_me()  # another method: untouched
    server.faults.configure(json_500=0.0, html_502=1.0)
    with pytest.raises(ClientDecodeError):
        await bot.send_message(user.id, "x")
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{server.base_url}/bot{server.token}/sendMessage",
            data={"chat_id": "1001", "text": "x"},
        ) as response,
    ):
        assert response.status == 502 and response.content_type == "text/html"
        assert "<center><h1>502 Bad Gateway</h1></center>" in await response.text()
    server.faults.configure(html_502=0.0, drop=1.0)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(user.id, "x")
    server.faults.clear()
    await bot.send_message(user.id, "through")
    assert [m.text for m in user.messages] == ["through"]  # faults hit before the effect
    stats = server.faults.stats
    assert (stats.json_500, stats.html_502, stats.dropped) == (1, 2, 1)
    assert stats.by_method[("html_502", "sendMessage")] == 2
    assert server.violations == []


async def test_fractions_are_seeded_and_counted() -> None:
    plan = FaultPlan(json_500=0.1, html_502=0.05, drop=0.05, seed=7)
    async with FakeTelegramServer(faults=plan) as server:
        bot = make_bot(server)
        try:
            user = server.user(1001)
            seen = Counter([await outcome(bot.send_message(user.id, f"m{i}")) for i in range(200)])
        finally:
            await bot.session.close()
    stats = server.faults.stats
    assert seen == Counter(
        {
            "ok": 200 - stats.total,
            "500": stats.json_500,
            "html": stats.html_502,
            "dropped": stats.dropped,
        }
    )
    assert 30 <= stats.total <= 50  # 20 % of 200, give or take
    assert min(stats.json_500, stats.html_502, stats.dropped) > 0
    assert len(user.messages) == seen["ok"]


async def test_latency(server: FakeTelegramServer, bot: Bot) -> None:
    server.faults.configure(latency=(0.05, 0.08), latency_methods={"getMe"})
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.05
    await bot.get_webhook_info()  # not delayed
    stats = server.faults.stats
    assert stats.delayed_calls == 1 and 0.05 <= stats.added_latency <= 0.08
    with pytest.raises(ValueError, match="latency"):
        server.faults.configure(latency=(0.3, 0.1))
    with pytest.raises(ValueError, match="add up to more than 1"):
        FaultPlan(json_500=0.7, drop=0.5)


async def test_revoked_token_mid_run(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_document(user.id, BufferedInputFile(b"data", "a.txt"))
    assert sent.document is not None
    path = (await bot.get_file(sent.document.file_id)).file_path
    assert path is not None
    server.revoke_token()
    with pytest.raises(TelegramUnauthorizedError):
        await bot.get_me()
    with pytest.raises(TelegramUnauthorizedError):
        await bot.send_message(user.id, "x")
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{server.base_url}/file/bot{server.token}/{path}") as response,
    ):
        assert response.status == 401
    server.restore_token()
    await bot.get_me()
    assert server.faults.stats.unauthorized == 2


async def test_callback_queries_expire_after_15_seconds() -> None:
    clock = Clock()
    async with FakeTelegramServer(clock=clock) as server:
        bot = make_bot(server)
        try:
            user = server.user(1001)
            markup = InlineKeyboardMarkup(
                inline_keyboard=[[InlineKeyboardButton(text="A", callback_data="a")]]
            )
            await bot.send_message(user.id, "menu", reply_markup=markup)
            fresh = await user.press("A")
            late = await user.press("A")
            aged = await user.press("A")
            clock.now += 15.0
            assert await bot.answer_callback_query(fresh)  # 15 s is still in time
            clock.now += 1.0
            with pytest.raises(TelegramBadRequest, match="query is too old"):
                await bot.answer_callback_query(late)
            clock.now -= 16.0
            server.age_callback_query(aged, 20)  # or age one press explicitly
            with pytest.raises(TelegramBadRequest, match="query is too old"):
                await bot.answer_callback_query(aged)
            assert server.faults.stats.expired_callback_answers == 2
            assert user.unanswered_queries == [late, aged]
        finally:
            await bot.session.close()


async def test_hook_runs_between_effect_and_answer(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    seen: list[tuple[str, list[str]]] = []
    release = asyncio.Event()

    async def hook(call: HookedCall) -> None:
        # The message is already in the chat; the bot has not heard back yet.
        seen.append((call.result["text"], [m.text for m in user.messages]))
        await release.wait()

    server.on_call("sendMessage", hook, once=True)
    sending = asyncio.create_task(bot.send_message(user.id, "Saved #3"))
    await server.wait_until(lambda: seen or None, what="the hook")
    assert seen == [("Saved #3", ["Saved #3"])] and not sending.done()
    release.set()
    sent = await sending
    assert sent.text == "Saved #3"
    await bot.send_message(user.id, "once only")
    assert len(seen) == 1 and server.faults.stats.hooks_fired == 1


async def test_hook_can_leave_a_call_unanswered_or_drop_it(
    server: FakeTelegramServer, bot: Bot
) -> None:
    user = server.user(1001)
    remove = server.on_call("sendMessage", lambda call: HookAction.DROP)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(user.id, "delivered, but the bot never learns it")
    assert [m.text for m in user.messages] == ["delivered, but the bot never learns it"]
    remove()
    server.on_call("sendMessage", lambda call: HookAction.DROP, before=True, once=True)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(user.id, "never sent")
    assert len(user.messages) == 1

    server.on_call("sendMessage", lambda call: HookAction.NO_ANSWER, once=True)
    hanging = asyncio.create_task(bot.send_message(user.id, "in limbo"))
    await server.wait_until(lambda: server.faults.stats.not_answered or None, what="the hook")
    assert [m.text for m in user.messages][-1] == "in limbo" and not hanging.done()
    await server.stop()  # the process dies; the connection closes without an answer
    with pytest.raises(TelegramNetworkError):
        await hanging
    assert server.faults.hook_errors == []


async def test_a_broken_hook_is_reported(server: FakeTelegramServer, bot: Bot) -> None:
    def broken(call: HookedCall) -> None:
        raise RuntimeError("bug in the test's hook")

    server.on_call(None, broken, once=True)
    await bot.get_me()
    assert [str(e) for e in server.faults.hook_errors] == ["bug in the test's hook"]


async def test_malformed_update_is_injected_between_good_ones(
    server: FakeTelegramServer, bot: Bot
) -> None:
    user = server.user(1001)
    await user.send("before")
    bad = server.push_malformed_update()
    await user.send("after")
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/bot{server.token}/getUpdates") as response,
    ):
        updates = (await response.json())["result"]
    assert [u["update_id"] for u in updates][1] == bad
    assert updates[1]["message"]["date"] == "yesterday"
    # aiogram parses a getUpdates answer as a whole: one bad update fails the batch.
    with pytest.raises(ClientDecodeError):
        await bot.get_updates()
    raw = server.push_raw_update({"edited_message": {"message_id": 1}})
    assert server.updates.pending[-1] == {"update_id": raw, "edited_message": {"message_id": 1}}
    assert server.faults.stats.malformed_updates == 1


async def test_forced_failures_are_counted(server: FakeTelegramServer, bot: Bot) -> None:
    server.fail_next("getMe", status=500, count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    await bot.get_me()
    assert server.faults.stats.forced == 2
