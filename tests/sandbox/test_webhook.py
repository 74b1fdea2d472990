"""Webhook delivery to several bot replicas behind a "load balancer", with retries."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiohttp import web

from bot.sandbox import FakeTelegramServer
from bot.sandbox.webhook import update_chat

SECRET = "s3cret_token-1"


@dataclass
class Replica:
    """A stand-in bot process: records the updates it got; ``fail`` decides its answer."""

    name: str
    url: str = ""
    received: list[int] = field(default_factory=list)
    secrets: list[str | None] = field(default_factory=list)
    fail: Callable[[int], bool] = lambda update_id: False
    answered: asyncio.Event = field(default_factory=asyncio.Event)

    async def handle(self, request: web.Request) -> web.Response:
        update: dict[str, Any] = await request.json()
        self.secrets.append(request.headers.get("X-Telegram-Bot-Api-Secret-Token"))
        self.answered.set()
        if self.fail(update["update_id"]):
            return web.Response(status=503)
        self.received.append(update["update_id"])
        return web.Response(text="ok")


@pytest.fixture
async def replicas() -> AsyncIterator[list[Replica]]:
    runners = []
    found = []
    for name in ("one", "two"):
        replica = Replica(name)
        app = web.Application()
        app.router.add_post("/webhook", replica.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        replica.url = f"http://127.0.0.1:{runner.addresses[0][1]}/webhook"
        runners.append(runner)
        found.append(replica)
    try:
        yield found
    finally:
        for runner in runners:
            await runner.cleanup()


async def test_round_robin_to_two_replicas(
    server: FakeTelegramServer, bot: Bot, replicas: list[Replica]
) -> None:
    one, two = replicas
    server.webhook_targets([one.url, two.url])
    server.webhook_retry_delay(0.01)
    await bot.set_webhook("https://kenes.example.org/webhook", secret_token=SECRET)
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    users = [server.user(1000 + i) for i in range(5)]
    ids = [await users[i % 5].send(f"message {i}") for i in range(20)]
    assert len(ids) == 20
    delivery = server.webhook_delivery
    await server.wait_until(lambda: delivery.delivered == 20 or None, what="20 deliveries")
    assert sorted(one.received + two.received) == [u for u in range(1, 21)]
    assert len(one.received) == len(two.received) == 10  # alternately
    assert set(one.secrets + two.secrets) == {SECRET}
    assert delivery.delivered_by_target == {one.url: 10, two.url: 10}
    assert len(server.updates) == 0
    info = await bot.get_webhook_info()
    assert info.url == "https://kenes.example.org/webhook" and info.pending_update_count == 0


async def test_an_update_is_confirmed_only_by_a_2xx(
    server: FakeTelegramServer, bot: Bot, replicas: list[Replica]
) -> None:
    one, two = replicas
    one.fail = lambda update_id: True  # a replica that is down answers 503
    server.webhook_targets([one.url, two.url], concurrency=1)
    server.webhook_retry_delay(0.01)
    await bot.set_webhook("https://kenes.example.org/webhook", secret_token=SECRET)
    user = server.user(1001)
    for text in ("a", "b", "c"):
        await user.send(text)
    delivery = server.webhook_delivery
    await server.wait_until(lambda: delivery.delivered == 3 or None, what="3 deliveries")
    assert two.received == [1, 2, 3]  # in order: one at a time
    assert one.received == [] and delivery.failed_attempts >= 3
    failed = [a for a in delivery.attempts if a.status == 503]
    assert {a.url for a in failed} == {one.url}
    info = await bot.get_webhook_info()
    assert info.last_error_message is not None and "503" in info.last_error_message


async def test_unreachable_webhook_keeps_updates_for_get_updates(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.webhook_retry_delay(0.01)
    await bot.set_webhook("http://127.0.0.1:9/nobody-listens")
    user = server.user(1001)
    await user.send("kept")
    delivery = server.webhook_delivery
    await server.wait_until(lambda: delivery.failed_attempts >= 2 or None, what="retries")
    info = await bot.get_webhook_info()
    assert info.pending_update_count == 1
    assert info.last_error_message is not None and "Connection failed" in info.last_error_message
    assert await bot.delete_webhook()
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.text == "kept"


@pytest.mark.parametrize("per_chat_order", [True, False])
async def test_per_chat_order_holds_a_chats_next_update_until_the_last_is_confirmed(
    server: FakeTelegramServer, bot: Bot, replicas: list[Replica], per_chat_order: bool
) -> None:
    one, two = replicas
    arrived: list[int] = []
    one.received = two.received = arrived  # both replicas, in the order they answered 200
    tries: Counter[int] = Counter()

    def first_fails_thrice(update_id: int) -> bool:
        tries[update_id] += 1
        return update_id == 1 and tries[update_id] <= 3

    one.fail = two.fail = first_fails_thrice
    server.webhook_targets([one.url, two.url], per_chat_order=per_chat_order)
    server.webhook_retry_delay(0.01)
    await bot.set_webhook("https://kenes.example.org/webhook", secret_token=SECRET)
    aru, dana = server.user(1001), server.user(1002)
    for text in ("a", "b", "c"):
        await aru.send(text)  # updates 1, 2, 3
    for text in ("x", "y", "z"):
        await dana.send(text)  # 4, 5, 6
    delivery = server.webhook_delivery
    await server.wait_until(lambda: delivery.delivered == 6 or None, what="6 deliveries")
    assert tries[1] == 4
    assert [u for u in arrived if u > 3] == [4, 5, 6]
    assert arrived.index(4) < arrived.index(1)  # another chat does not wait for Aru's
    if per_chat_order:
        assert [u for u in arrived if u <= 3] == [1, 2, 3]
        assert {tries[u] for u in (2, 3)} == {1}  # never posted while 1 was unconfirmed
    else:
        assert arrived.index(2) < arrived.index(1)  # harsher than Telegram: 2 overtakes 1


def test_the_chat_of_an_update() -> None:
    private = {"chat": {"id": 7, "type": "private"}, "from": {"id": 7}}
    assert update_chat({"update_id": 1, "message": private}) == ("chat", 7)
    press = {"id": "q", "from": {"id": 9}, "message": {"chat": {"id": -100}}}
    assert update_chat({"update_id": 2, "callback_query": press}) == ("chat", -100)
    inline = {"id": "q", "from": {"id": 9}, "query": "x"}
    assert update_chat({"update_id": 3, "inline_query": inline}) == ("user", 9)
    assert update_chat({"update_id": 4, "poll": {"id": "p"}}) is None
