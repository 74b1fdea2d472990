"""Flood control, injected failures and users who blocked the bot."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.sandbox import FakeTelegramServer, RateLimits, make_bot
from bot.sandbox.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_per_chat_limit_raises_retry_after() -> None:
    clock = FakeClock()
    limits = RateLimits(global_per_second=None, per_chat_per_second=1.0, per_chat_burst=2)
    async with FakeTelegramServer(limits=limits, clock=clock) as server:
        bot = make_bot(server)
        try:
            user = server.user(1001)
            await bot.send_message(user.id, "1")
            await bot.send_message(user.id, "2")
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(user.id, "3")
            assert caught.value.retry_after == 1
            assert "Too Many Requests: retry after 1" in caught.value.message
            # Edits and callback answers are not flood-limited.
            await bot.edit_message_text("edited", chat_id=user.id, message_id=1)
            clock.now += 1.0
            await bot.send_message(user.id, "3")
            assert server.stats.rate_limited == 1
            assert server.stats.rate_limited_by_method["sendMessage"] == 1
            assert server.stats.sent == 3
            assert [m.text for m in user.messages] == ["edited", "2", "3"]
            assert server.violations == []
        finally:
            await bot.session.close()


def test_limiter_global_and_group_limits() -> None:
    clock = FakeClock()
    limiter = RateLimiter(
        RateLimits(global_per_second=30, per_chat_per_second=None, group_per_minute=20), clock
    )
    assert all(limiter.acquire(-100) is None for _ in range(20))
    assert limiter.acquire(-100) == 3  # 20/min refills one slot every 3 s
    assert all(limiter.acquire(i) is None for i in range(10))
    assert limiter.acquire(99) == 1  # 30 messages in this second already
    clock.now += 1
    assert limiter.acquire(99) is None


async def test_forced_retry_after_and_server_errors(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    server.force_retry_after(7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(user.id, "x")
    assert caught.value.retry_after == 7
    await bot.get_me()  # not a send: unaffected
    server.fail_next("sendMessage", status=502, count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.send_message(user.id, "x")
    await bot.send_message(user.id, "finally")
    assert [m.text for m in user.messages] == ["finally"]
    assert server.stats.rate_limited == 1
    assert server.stats.errors_by_status[502] == 2


async def test_blocked_and_deactivated_users(server: FakeTelegramServer, bot: Bot) -> None:
    blocker = server.user(1)
    gone = server.user(2)
    blocker.block_bot()
    server.deactivate(gone.id)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(blocker.id, "x")
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.send_message(gone.id, "x")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(blocker.id, "typing")
    # Writing to the bot again unblocks it, like in the Telegram apps.
    await blocker.send("/start")
    await bot.send_message(blocker.id, "welcome back")
    updates = await bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]
    assert server.violations == []


async def test_chat_not_found_is_not_forbidden(server: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_document(5, "BQACnope")
