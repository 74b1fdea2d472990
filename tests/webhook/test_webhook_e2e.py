"""Webhook mode end to end: the real Application serves its webhook, the fake Telegram posts to it
(or a test posts as someone else would), and what matters is what the user sees and what the
database holds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import aiohttp
import asyncpg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from bot.app import Application
from bot.config import Settings
from bot.sandbox.faults import HookedCall
from bot.sandbox.server import MALFORMED_MESSAGE, FakeTelegramServer
from bot.testing import FakeClock
from bot.webhook import WebhookServer
from db.migrate import upgrade
from db.models.updates import ProcessedUpdate
from db.repositories.users import UserRepository
from tests.databases import postgres_server_url, temporary_postgres_database
from tests.webhook.conftest import SECRET, WebhookBot, free_port, serving, webhook_settings

USER = 7301
LANGUAGE_PROMPT = "Тілді таңдаңыз"


def start_update(update_id: int, user_id: int = USER, text: str = "/start") -> dict[str, Any]:
    """An update as Telegram posts it: a private message from a user."""
    person = {"id": user_id, "is_bot": False, "first_name": "Aru", "language_code": "kk"}
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": "Aru"},
        "from": person,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return {"update_id": update_id, "message": message}


async def processed(webhook_bot: WebhookBot) -> set[int]:
    async with webhook_bot.app.sessionmaker() as session:
        return set(await session.scalars(select(ProcessedUpdate.update_id)))


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_is_handled(
    webhook_bot: WebhookBot, telegram: FakeTelegramServer
) -> None:
    user = telegram.user(USER, "Aru", language_code="kk")
    assert await webhook_bot.post(start_update(9001), secret="webhook-Secret_43") == 401
    assert await webhook_bot.post(start_update(9002), secret=None) == 401
    assert await webhook_bot.post(start_update(9003), secret="") == 401
    assert await webhook_bot.post(start_update(9004), secret="webhook-Secret_42-and-more") == 401
    # The right secret: answered by the time Telegram gets its 200.
    assert await webhook_bot.post(start_update(9005)) == 200
    assert await processed(webhook_bot) == {9005}
    [welcome] = user.messages
    assert LANGUAGE_PROMPT in welcome.text


async def test_the_right_secret_is_handled_once_and_answered_before_the_200(
    webhook_bot: WebhookBot, telegram: FakeTelegramServer
) -> None:
    user = telegram.user(USER, "Aru", language_code="kk")
    update = start_update(9101)
    assert await webhook_bot.post(update) == 200
    # No waiting: the 200 comes after the commit and the reply.
    assert await processed(webhook_bot) == {9101}
    assert len(user.messages) == 1 and LANGUAGE_PROMPT in user.messages[0].text
    # Telegram did not see the 200 and posts it again: recognised, not answered twice.
    assert await webhook_bot.post(update) == 200
    assert len(user.messages) == 1
    assert await processed(webhook_bot) == {9101}


async def test_updates_from_telegram_reach_the_bot_through_its_webhook(
    webhook_bot: WebhookBot, telegram: FakeTelegramServer
) -> None:
    hook = telegram.webhook
    assert hook is not None and hook["url"] == webhook_bot.url
    assert hook["secret_token"] and "message" in hook["allowed_updates"]
    user = telegram.user(USER, "Aru", language_code="kk")
    await user.send("/start")
    welcome = await user.wait_for(lambda m: m.has_buttons)
    assert LANGUAGE_PROMPT in welcome.text
    await user.press("Русский")
    await user.wait_text("регион")
    delivery = telegram.webhook_delivery
    await telegram.wait_until(lambda: delivery.delivered == 2 or None, what="two 200s")
    assert delivery.failed_attempts == 0 and len(telegram.updates) == 0
    assert await processed(webhook_bot) == {1, 2}
    async with webhook_bot.app.sessionmaker() as session:
        person = await UserRepository(session).get(USER)
    assert person is not None and person.language == "ru"


async def test_an_unparsable_update_is_confirmed_and_skipped(
    webhook_bot: WebhookBot, telegram: FakeTelegramServer
) -> None:
    assert await webhook_bot.post("{not json") == 200
    assert await webhook_bot.post({"update_id": 9201, "message": dict(MALFORMED_MESSAGE)}) == 200
    assert await webhook_bot.post({"no": "update_id"}) == 200
    assert await webhook_bot.post({"update_id": 9202, "message": None}) == 200  # no event in it
    # Through Telegram: the bad one is confirmed (not posted forever) and blocks nobody.
    user = telegram.user(USER, "Aru", language_code="kk")
    bad = telegram.push_malformed_update()
    await user.send("/start")
    await user.wait_for(lambda m: m.has_buttons)
    delivery = telegram.webhook_delivery
    await telegram.wait_until(lambda: delivery.delivered == 2 or None, what="two 200s")
    assert [a.status for a in delivery.attempts if a.update_id == bad] == [200]
    assert await processed(webhook_bot) == {bad + 1}
    assert len(user.messages) == 1


async def test_health_readiness_and_metrics(
    webhook_bot: WebhookBot, telegram: FakeTelegramServer
) -> None:
    assert await webhook_bot.get("/healthz") == (200, "ok")
    assert await webhook_bot.get("/readyz") == (200, "ready")
    user = telegram.user(USER, "Aru", language_code="kk")
    await user.send("/start")
    await user.wait_for(lambda m: m.has_buttons)
    status, metrics = await webhook_bot.get("/metrics")
    assert status == 200
    assert 'kenes_updates_total{outcome="handled",type="message"} 1.0' in metrics


# ----------------------------------------------------------------------------- readiness


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    with temporary_postgres_database(server) as url:
        yield url


async def on_the_server(url: str, sql: str) -> None:
    admin = make_url(url).set(drivername="postgresql", database="postgres")
    connection = await asyncpg.connect(admin.render_as_string(hide_password=False))
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def test_readiness_fails_while_the_database_is_gone_and_recovers(
    fresh_postgres_url: str, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    url = fresh_postgres_url
    name = make_url(url).database
    settings = Settings(_env_file=None, database_url=url)
    async with serving(settings, telegram, fake_clock) as webhook_bot:
        assert await webhook_bot.get("/readyz") == (200, "ready")

        await on_the_server(url, f'DROP DATABASE "{name}" WITH (FORCE)')
        assert await webhook_bot.get("/readyz") == (503, "database unavailable")
        assert await webhook_bot.get("/readyz") == (503, "database unavailable")
        assert await webhook_bot.get("/healthz") == (200, "ok")  # alive: do not restart it

        await on_the_server(url, f'CREATE DATABASE "{name}"')
        assert await webhook_bot.get("/readyz") == (503, "migrations pending")
        await upgrade(url)
        assert await webhook_bot.get("/readyz") == (200, "ready")
        # And it serves again.
        user = telegram.user(USER, "Aru", language_code="kk")
        await user.send("/start")
        welcome = await user.wait_for(lambda m: m.has_buttons, timeout=10)
        assert LANGUAGE_PROMPT in welcome.text


async def test_an_update_over_the_budget_gets_503_and_its_redelivery_is_not_run_again(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    port = free_port()
    app = await Application.create(webhook_settings(settings, telegram, port), clock=fake_clock)
    server = WebhookServer(
        app.bot,
        app.dispatcher,
        path="/webhook",
        secret=SECRET,
        engine=app.engine,
        metrics=app.metrics,
        probe=app.metrics_probe,
        handling_budget=0.2,
    )
    await server.start("127.0.0.1", port)
    user = telegram.user(USER, "Aru", language_code="kk")
    slow = asyncio.Event()

    async def telegram_is_slow(_call: HookedCall) -> None:
        await slow.wait()

    telegram.on_call("sendMessage", telegram_is_slow, before=True, once=True)
    try:
        async with aiohttp.ClientSession() as session:
            running = WebhookBot(app, None, f"http://127.0.0.1:{port}", session)
            update = start_update(9301)
            assert await running.post(update) == 503  # Telegram will post it again
            # ... and does, maybe while the first still runs (it then waits for the person's
            # lock): either way it finds the update handled and does not answer again.
            again = asyncio.create_task(running.post(update))
            slow.set()
            assert await again == 200
            assert await processed(running) == {9301}
    finally:
        await server.stop()
        await app.close()
    [welcome] = user.messages
    assert LANGUAGE_PROMPT in welcome.text
