"""/metrics after a real scenario: updates, latency, sends, reminders, outbox and desk queue."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiogram.types import Update
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Settings
from bot.delivery.messages import Category, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.metrics import Metrics, MetricsMiddleware, MetricsServer, OutboxProbe, metrics_app
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock, eventually
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.repositories.desk import TicketRepository
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from tests.conftest import ADMIN_ID
from tests.events.conftest import draft, local

ASKER, REMINDED, BLOCKER = 61001, 61002, 61003


def sample(text: str, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    raise AssertionError(f"no sample {name} {labels} in /metrics")


async def scrape(server: MetricsServer) -> str:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}/metrics") as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return await response.text()


@pytest.fixture
async def metered_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[RunningBot]:
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
def metrics(metered_bot: RunningBot) -> Metrics:
    return metered_bot.app.metrics


@pytest.fixture
async def metrics_server(
    metered_bot: RunningBot, metrics: Metrics, fake_clock: FakeClock
) -> AsyncIterator[MetricsServer]:
    probe = OutboxProbe(metered_bot.app.sessionmaker, fake_clock)
    server = MetricsServer(metrics_app(metrics, probe), "127.0.0.1", 0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_counters_move_after_a_scenario(
    metered_bot: RunningBot,
    metrics_server: MetricsServer,
    telegram: FakeTelegramServer,
    fake_clock: FakeClock,
) -> None:
    before = await scrape(metrics_server)
    assert sample(before, "kenes_outbox_sends_total", result="ok", category="reminder") == 0
    assert sample(before, "kenes_outbox_pending") == 0

    # A stranger picks a language by button, then asks a question.
    asker = telegram.user(ASKER, "Асель", language_code="ru")
    await asker.send("/start")
    await asker.wait_for(lambda m: m.has_buttons)
    await asker.press("Русский")
    await asker.wait_text("В каком регионе")
    await asker.press("Астана")
    await asker.wait_text("Главное меню")
    await asker.send("Сколько стоит регистрация НКО?")
    await asker.next_message()

    # A subscriber gets the 7-day reminder of a seminar; someone who blocked the bot does not.
    await metered_bot.known_user(REMINDED, "Ерлан", "ru")
    blocker = await metered_bot.known_user(BLOCKER, "Дана", "ru")
    app = metered_bot.app
    async with app.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).subscribe(REMINDED, "seminar", fake_clock.now())
        await app.services.for_session(session).events.create(
            draft(local(2026, 3, 15, 14, 0)), actor_id=ADMIN_ID
        )
    telegram.block(BLOCKER)
    async with app.sessionmaker() as session, session.begin():
        await app.outbox.enqueue(
            session, OutgoingMessage.text_message(BLOCKER, "Notice", category=Category.NOTICE)
        )
    fake_clock.set(local(2026, 3, 8, 14, 0))
    assert await app.scheduler.reminder_tick() == 1
    reminded = telegram.user(REMINDED)
    await reminded.wait_text("Семинар по отчётности")
    assert blocker.messages == []

    async def sends_recorded() -> str | None:
        text = await scrape(metrics_server)
        done = sample(text, "kenes_outbox_sends_total", result="blocked", category="notice")
        # An update is counted when its handling ends, which may be after its reply arrived.
        updates = sample(text, "kenes_updates_total", type="message", outcome="handled")
        return text if done and updates >= 2 else None

    after = await eventually(sends_recorded, what="the blocked send and both messages counted")
    assert sample(after, "kenes_outbox_sends_total", result="ok", category="reminder") == 1
    assert sample(after, "kenes_outbox_sends_total", result="failed", category="reminder") == 0
    assert sample(after, "kenes_reminders_due_total") == 1
    assert sample(after, "kenes_reminders_queued_total") == 1
    # /start, the question; the language and region buttons.
    assert sample(after, "kenes_updates_total", type="message", outcome="handled") >= 2
    assert sample(after, "kenes_updates_total", type="callback_query", outcome="handled") >= 2
    handled = sum(
        sample(after, "kenes_updates_total", type=kind, outcome="handled")
        for kind in ("message", "callback_query")
    )
    timed = sum(
        sample(after, "kenes_update_duration_seconds_count", type=kind)
        for kind in ("message", "callback_query")
    )
    assert timed == handled
    assert sample(after, "kenes_update_duration_seconds_sum", type="message") > 0
    assert sample(after, "kenes_outbox_pending") == 0
    assert sample(after, "kenes_outbox_oldest_due_age_seconds") == 0
    assert sample(after, "kenes_desk_waiting_questions") == 0
    assert sample(after, "process_resident_memory_bytes") > 0


async def test_a_failing_handler_is_counted_as_an_error(metrics: Metrics) -> None:
    middleware = MetricsMiddleware(metrics)
    update = Update.model_validate(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5, "type": "private"},
                "text": "hi",
            },
        }
    )

    async def broken(_event: object, _data: object) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await middleware(broken, update, {})
    text = metrics.render().decode()
    assert sample(text, "kenes_updates_total", type="message", outcome="error") == 1
    assert sample(text, "kenes_update_duration_seconds_count", type="message") == 1


async def test_outbox_depth_and_age_come_from_the_database(any_database_url: str) -> None:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    clock = FakeClock()
    outbox, metrics = Outbox(clock), Metrics()
    sessionmaker = create_sessionmaker(engine)
    try:
        now = clock.now()
        async with sessionmaker() as session, session.begin():
            await outbox.enqueue(
                session,
                OutgoingMessage.text_message(
                    1, "due", category=Category.NOTICE, not_before=now - timedelta(minutes=5)
                ),
                OutgoingMessage.text_message(
                    2, "later", category=Category.NOTICE, not_before=now + timedelta(hours=1)
                ),
                OutgoingMessage.text_message(3, "now", category=Category.NOTICE),
            )
        probe = OutboxProbe(sessionmaker, clock)
        metrics.record_outbox(await probe.summary(), clock.now())
        text = metrics.render().decode()
        assert sample(text, "kenes_outbox_pending") == 3
        assert sample(text, "kenes_outbox_oldest_due_age_seconds") == 300
        clock.advance(timedelta(seconds=30))
        metrics.record_outbox(await probe.summary(), clock.now())
        assert sample(metrics.render().decode(), "kenes_outbox_oldest_due_age_seconds") == 330
    finally:
        await engine.dispose()


async def test_a_database_that_does_not_answer_makes_the_gauges_unknown() -> None:
    engine = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/nothing")
    clock, metrics = FakeClock(), Metrics()
    probe = OutboxProbe(create_sessionmaker(engine), clock)
    try:
        metrics.record_outbox(await probe.summary(), clock.now())
        metrics.record_desk_queue(await probe.desk_queue(), clock.now())
    finally:
        await engine.dispose()
    text = metrics.render().decode()
    assert sample(text, "kenes_metrics_database_errors_total") == 2
    assert math.isnan(sample(text, "kenes_desk_waiting_questions"))
    assert math.isnan(sample(text, "kenes_outbox_pending"))
    assert math.isnan(sample(text, "kenes_outbox_oldest_due_age_seconds"))


async def test_the_desk_queue_comes_from_the_database(any_database_url: str) -> None:
    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    clock, metrics = FakeClock(), Metrics()
    sessionmaker = create_sessionmaker(engine)
    try:
        now = clock.now()
        async with sessionmaker() as session, session.begin():
            await UserRepository(session).touch(ASKER, now)
            tickets = TicketRepository(session)
            for status, asked in (
                ("waiting", now - timedelta(minutes=10)),
                ("waiting", now - timedelta(minutes=2)),
                ("in_progress", now - timedelta(hours=3)),
                ("draft", None),
            ):
                await tickets.create(
                    {
                        "user_id": ASKER,
                        "language": "ru",
                        "person_name": "Асель",
                        "status": status,
                        "created_at": now - timedelta(hours=4),
                        "submitted_at": asked,
                    }
                )
        probe = OutboxProbe(sessionmaker, clock)
        metrics.record_desk_queue(await probe.desk_queue(), clock.now())
        text = metrics.render().decode()
        assert sample(text, "kenes_desk_waiting_questions") == 2
        assert sample(text, "kenes_desk_oldest_waiting_age_seconds") == 600
    finally:
        await engine.dispose()
