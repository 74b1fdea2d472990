"""Telegram's bad days (issue 9, "Faults"): about 10 % of every Bot API call fails — a JSON 500,
nginx's HTML 502 page, or a connection dropped without an answer — for a whole scenario and for
20 starts.

The scenario runs a real `python -m bot`, started under the faults: people onboard, ask, press
buttons, an admin creates events through the wizard, the bot is restarted and reminders go out
through the outbox. Every reply the person waits for arrives (or they are told once that
something went wrong), and every reminder arrives exactly once.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.faults import FaultPlan, FaultStats
from bot.sandbox.harness import RunningBot
from bot.sandbox.models import BotMessage
from bot.sandbox.server import FakeTelegramServer
from bot.sandbox.views import Predicate
from bot.startup_checks import RetryPolicy
from bot.telegram_check import check_bot_api
from bot.testing import eventually
from db.engine import create_engine, create_sessionmaker
from db.models.outbox import OutboxMessage
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from tests.conftest import ADMIN_ID, TEST_TOKEN
from tests.crash.scenario import BotDatabase, wizard_answers
from tests.crash.supervisor import BotSupervisor
from tests.crash.traffic import showing

SEED = 9
# About one call in ten fails, in each of the three ways Telegram's front end fails.
PLAN = FaultPlan(json_500=0.04, html_502=0.03, drop=0.03, seed=SEED)
STARTS = 20
REPLY = 30.0  # seconds: retries and polling back-off included
DELIVERED = 120.0  # seconds for the outbox to deliver every reminder (its retries wait 5 s, 10 s…)
APOLOGY = "⚠️"  # how "something went wrong on my side, try again" begins
START_UP_CALLS = ("getMe", "setMyCommands")
ALMATY = ZoneInfo("Asia/Almaty")
SUBSCRIBERS = range(7_300_101, 7_300_113)


@dataclass
class Replies:
    """What the people waited for, and what came."""

    awaited: int = 0
    arrived: int = 0
    told: Counter[int] = field(default_factory=Counter)  # apologies, per person

    async def exchange(
        self, user: SimUser, action: Callable[[], Awaitable[object]], expect: Predicate
    ) -> BotMessage:
        """Act, then wait for the reply. Told that something went wrong, the person does it
        again, once: told twice is a failure."""
        self.awaited += 1
        for attempt in (1, 2):
            user.mark_read()
            await action()
            reply = await user.wait_for(lambda m: expect(m) or m.text.startswith(APOLOGY), REPLY)
            if not reply.text.startswith(APOLOGY):
                self.arrived += 1
                return reply
            self.told[user.id] += 1
            assert attempt == 1, f"{user.id} was told twice that something went wrong"
        raise AssertionError("unreachable")


def injected(stats: FaultStats, methods: tuple[str, ...] | None = None) -> Counter[str]:
    """Faults injected so far by kind, for `methods` (all when None)."""
    found: Counter[str] = Counter()
    for (fault, method), count in stats.by_method.items():
        if methods is None or method in methods:
            found[fault] += count
    return found


def local_start(minutes: int) -> str:
    moment = datetime.now(UTC).astimezone(ALMATY) + timedelta(minutes=minutes)
    return moment.strftime("%d.%m.%Y %H:%M")


@pytest.fixture
async def flaky_telegram() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer(token=TEST_TOKEN, faults=PLAN) as server:
        yield server
        assert server.violations == [], server.violations_report()


async def subscribe_earlier(database_url: str, user_ids: range) -> None:
    """People who subscribed to seminars two days ago (reminders are only for slots after
    the subscription), half in Kazakh, half in Russian, all in Almaty."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            earlier = datetime.now(UTC) - timedelta(days=2)
            users = UserRepository(session)
            for number, user_id in enumerate(user_ids):
                await users.touch(user_id, earlier)
                await users.set_language(user_id, "kk" if number % 2 else "ru")
                await users.set_region(user_id, "almaty")
                await SubscriptionRepository(session).subscribe(user_id, "seminar", earlier)
    finally:
        await engine.dispose()


async def onboard(replies: Replies, user: SimUser, language: str) -> None:
    """/start, a language, a region — each step's reply awaited (or an apology)."""
    await replies.exchange(user, lambda: user.send("/start"), lambda m: m.has_buttons)
    shown = await replies.exchange(
        user, lambda: user.press(language), lambda m: "📍" in m.text and m.has_buttons
    )
    await replies.exchange(user, lambda: user.press("Алматы", message=shown), _menu)


def _menu(message: BotMessage) -> bool:
    return "🏠" in message.text


def anything(_message: BotMessage) -> bool:
    return True


async def ask_and_vote(replies: Replies, user: SimUser, number: int) -> None:
    for question in (
        "сколько стоит регистрация НПО",
        f"как открыть счет в банке для фонда, вопрос {number}",
        f"какие отчеты сдает НКО, вопрос {number}",
    ):
        answer = await replies.exchange(user, partial(user.send, question), anything)
        if any("👍" in text for text in answer.button_texts()):
            query = await user.press("👍", message=answer)
            replies.awaited += 1
            if (await user.wait_answer(query, REPLY)).text:
                replies.arrived += 1


async def toggle_seminars(replies: Replies, user: SimUser, label: str) -> None:
    screen = await replies.exchange(
        user, lambda: user.send("/subscriptions"), lambda m: "🔔" in m.text and m.has_buttons
    )
    await replies.exchange(
        user,
        lambda: user.press(label, message=screen),
        lambda m: m.message_id == screen.message_id and f"✅ {label}" in m.button_texts(),
    )


async def create_event(replies: Replies, admin: SimUser, title: str, start: str) -> None:
    screen = await replies.exchange(
        admin, partial(admin.send, "/admin"), showing("Администрирование")
    )
    for label, prompt in (
        ("События и сроки", "(управление)"),
        ("Новое событие", "шаг 1 из 9"),
        ("Семинары", "название на казахском"),
    ):
        screen = await replies.exchange(admin, partial(admin.press, label, screen), showing(prompt))
    for text, prompt in wizard_answers(title, start):
        screen = await replies.exchange(admin, partial(admin.send, text), showing(prompt))
    preview = await replies.exchange(
        admin, partial(admin.press, "Алматы", screen), showing("Предпросмотр")
    )
    await replies.exchange(admin, partial(admin.press, "Сохранить", preview), showing("Сохранено"))


async def test_a_full_scenario_with_one_call_in_ten_failing(
    flaky_telegram: FakeTelegramServer, any_database_url: str, tmp_path: Path
) -> None:
    telegram = flaky_telegram
    bot = BotSupervisor(
        telegram, any_database_url, tmp_path, admin_ids=str(ADMIN_ID), warm_standby=False
    )
    database = BotDatabase(any_database_url)
    replies = Replies()
    try:
        await bot.start()  # getMe, setMyCommands and polling under the faults
        at_start = injected(telegram.faults.stats)
        await subscribe_earlier(any_database_url, SUBSCRIBERS)
        subscribers = [telegram.user(i, f"Subscriber {i}") for i in SUBSCRIBERS]

        people = [
            (telegram.user(7_300_001 + n, f"Person {n}", language_code=lang), lang, label)
            for n, (lang, label) in enumerate(
                [("Қазақша", "Семинарлар"), ("Русский", "Семинары")] * 2
            )
        ]
        admin = telegram.user(ADMIN_ID, "Admin", language_code="ru")

        async def person(user: SimUser, language: str, label: str) -> None:
            await onboard(replies, user, language)
            await ask_and_vote(replies, user, user.id)
            await toggle_seminars(replies, user, label)

        async def administrator() -> None:
            await onboard(replies, admin, "Русский")
            for number, minutes in enumerate((40, 45), start=1):
                await create_event(
                    replies, admin, f"Семинар под сбоями {number}", local_start(minutes)
                )

        await asyncio.gather(*(person(*p) for p in people), administrator())
        titles = ["Семинар под сбоями 1", "Семинар под сбоями 2"]

        # A clean restart: its first scheduler pass finds the reminders due (1 h before each
        # event) and the outbox sends them, under the same faults.
        assert await bot.stop() == 0
        await bot.start()

        expected = {(user.id, title) for user in subscribers for title in titles}

        def received_now() -> Counter[tuple[int, str]]:
            return Counter(
                (user.id, title)
                for user in subscribers
                for message in user.messages
                for title in titles
                if title in message.text
            )

        await telegram.wait_until(
            lambda: True if set(received_now()) >= expected else None,
            DELIVERED,
            "every reminder delivered",
        )

        async def settled() -> bool:
            # A row is marked sent once Telegram's answer is back: just after the message.
            open_rows = await database.scalar(
                select(func.count()).where(OutboxMessage.state.in_(("pending", "sending")))
            )
            return bool(open_rows == 0)

        await eventually(settled, within=REPLY, what="the outbox settled")
        received = received_now()
        states = Counter(await database.scalars(select(OutboxMessage.state)))
        assert await bot.stop() == 0
        logs = bot.logs()
    finally:
        await bot.close()
        await database.close()

    stats = telegram.faults.stats
    print(
        "\n".join(
            [
                f"faults ({database.engine.dialect.name}): {stats.total} injected "
                f"({stats.json_500} JSON 500, {stats.html_502} HTML 502, {stats.dropped} dropped) "
                f"of {sum(telegram.stats.requests.values())} calls; at the first start "
                f"{sum(at_start.values())}, on start-up calls in all "
                f"{sum(injected(stats, START_UP_CALLS).values())}",
                f"  interactive replies awaited {replies.awaited}, arrived {replies.arrived}, "
                f"after being told 'something went wrong, try again' once: "
                f"{sum(replies.told.values())}",
                f"  reminders expected {len(expected)}, arrived {sum(received.values())}, "
                f"duplicates {sum(n - 1 for n in received.values() if n > 1)}, missing "
                f"{len(expected - set(received))}; outbox rows {dict(states)}",
                f"  starts of python -m bot {bot.starts} of 2; log errors {len(logs.errors)}, "
                f"tracebacks {logs.tracebacks}",
            ]
        )
    )
    assert replies.arrived == replies.awaited
    assert set(received) == expected and set(received.values()) == {1}
    assert states == {"sent": len(expected)}
    assert stats.json_500 and stats.html_502 and stats.dropped
    assert logs.tracebacks == 0, bot.log_text()


async def test_twenty_starts_with_one_call_in_ten_failing(
    flaky_telegram: FakeTelegramServer, any_database_url: str
) -> None:
    """Each start as `python -m bot` makes it: the getMe check with its retries, then the
    application (migrations, FAQ, setMyCommands, scheduler, outbox, polling) in process."""
    settings = Settings(
        _env_file=None,
        bot_token=TEST_TOKEN,
        database_url=any_database_url,
        telegram_api_url=flaky_telegram.base_url,
        admin_ids=frozenset({ADMIN_ID}),
    )
    user = flaky_telegram.user(7_300_201, "Dana", language_code="ru")
    started = answered = 0
    for _ in range(STARTS):
        await check_bot_api(settings, retry=RetryPolicy(budget=60, first_delay=0.2))
        running = await RunningBot.start(settings, flaky_telegram)
        try:
            started += 1
            user.mark_read()
            await user.send("/help")
            await user.wait_for(lambda m: m.has_buttons or m.text.startswith(APOLOGY), REPLY)
            answered += 1
        finally:
            await running.stop()
    stats = flaky_telegram.faults.stats
    on_start = injected(stats, START_UP_CALLS)
    print(
        f"starts with faults ({any_database_url.split('+')[0]}): {started} of {STARTS} started, "
        f"{answered} answered /help; faults on start-up calls {sum(on_start.values())} "
        f"({dict(on_start)}), on getUpdates {sum(injected(stats, ('getUpdates',)).values())}, "
        f"{stats.total} in all"
    )
    assert started == answered == STARTS
    assert sum(on_start.values()) > 0
