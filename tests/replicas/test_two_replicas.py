"""Two real bot processes in webhook mode on one PostgreSQL database, behind a "load balancer".

The fake Telegram (in this process) posts the updates to both replicas in turn, one chat's
updates one after another as Telegram does (``per_chat_order``; bot.sandbox.webhook). 100 users
send 2,000 updates: FAQ questions, each with a text of its own, /subscriptions and two presses of
a category button. Meanwhile reminders, queued in the outbox as the reminder job queues them
(rows with a dedupe key), go out through whichever replica holds the lease (bot.leadership).
Then the leader is killed with SIGKILL while it sends: the other one takes over, sends what is
left, and answers one more question from every user (2,100 updates in all, 500 reminders).

What must hold: every update handled once (processed_updates; one search-log row per question);
each user's replies in the order of their messages; every reminder sent, once (a kill can repeat
only a send in flight at that instant), by one replica at a time; the outbox never faster than
DELIVERY_RATE overall; the takeover within 10 s. PostgreSQL only: SQLite is one process by rule
(test_sqlite_one_process.py). About two minutes on a busy two-core machine.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.delivery.messages import Category, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.delivery.sender import SenderConfig
from bot.leadership import JOBS_LEASE
from bot.sandbox.faults import HookedCall
from bot.sandbox.models import BotMessage, Button
from bot.sandbox.server import FakeTelegramServer
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.events import EventSubscription
from db.models.faq import FaqSearchRecord
from db.models.leases import Lease
from db.models.outbox import OutboxMessage
from db.models.updates import ProcessedUpdate
from db.repositories.users import UserRepository
from tests.conftest import TEST_TOKEN
from tests.databases import postgres_server_url, temporary_postgres_database
from tests.startup.process import ROOT, bot_env
from tests.webhook.conftest import free_port

T = TypeVar("T")

USERS = 100
FIRST_USER = 610_000
QUESTIONS_BEFORE, QUESTIONS_AFTER = 8, 9  # around /subscriptions and its two presses
UPDATES_PER_USER = QUESTIONS_BEFORE + 1 + 2 + QUESTIONS_AFTER
REMINDERS_AT_START = 2  # per user, sent while the users talk
REMINDERS_AT_KILL = 3  # per user, queued just before the leader is killed
KILL_AFTER = 75  # of those, sent before the kill
DELIVERY_RATE = 25.0  # the default
LEASE_SECONDS = 5  # a dead holder on this machine is replaced within a third of it
TAKEOVER_LIMIT = 10.0
JITTER = 0.5  # seconds: see the pace check
SECRET = "replicas-Test_secret"
WEBHOOK_URL = "https://kenes.example.org/telegram-webhook"
STARTUP = 90.0
REMINDER_MARK = "🔔 Напоминание"

# FAQ questions the search answers with their own entry whatever word is added; each question
# gets a word of its own (letters: the search log masks digits) so every text is unique.
TEMPLATES = (
    "Как НПО открыть банковский счёт?",
    "Какая минимальная заработная плата (МЗП) в 2026 году?",
    "Как подписаться на напоминания о форумах и сроках?",
    "Какие мои данные хранит бот?",
    "Что делать, если НПО получает деньги из-за рубежа?",
    "Правда ли, что готовится новый закон о НПО?",
    "Как попасть в реестр учёта волонтёрской деятельности?",
)
SYLLABLES = ("ба", "ве", "ги", "до", "жу", "зы", "ка", "ле", "ми", "но", "пу", "ры", "са", "те")


def unique_word(number: int) -> str:
    letters = []
    for _ in range(4):
        number, digit = divmod(number, len(SYLLABLES))
        letters.append(SYLLABLES[digit])
    return "".join(letters)


def question(user_index: int, number: int) -> tuple[str, str]:
    """(text, the heading its answer starts with)."""
    template = TEMPLATES[(user_index + number) % len(TEMPLATES)]
    word = unique_word(user_index * (UPDATES_PER_USER + 1) + number)
    return f"{template} Вопрос {word}", f"❓ {template}"


def is_category_toggle(button: Button) -> bool:
    return (button.callback_data or "").startswith("sb:cat:")


def is_subscriptions(message: BotMessage) -> bool:
    return any(is_category_toggle(b) for row in message.buttons for b in row)


# --------------------------------------------------------------------------------- processes


@dataclass
class Replica:
    name: str
    port: int
    log_path: Path
    process: asyncio.subprocess.Process
    log: IO[bytes]
    killed: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram-webhook"

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def check_alive(self) -> None:
        code = self.process.returncode
        if code is not None and not self.killed:
            raise AssertionError(f"{self.name} exited with {code}:\n{self.output()[-5000:]}")


async def start_replica(name: str, env: dict[str, str], folder: Path) -> Replica:
    port = free_port()
    log_path = folder / f"{name}.log"
    log = log_path.open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        "--webhook",
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=log,
        cwd=folder,
        env={**env, "WEBHOOK_PORT": str(port)},
    )
    return Replica(name, port, log_path, process, log)


async def stop_replica(replica: Replica) -> int:
    if replica.process.returncode is None:
        replica.process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(30):
                await replica.process.wait()
        except TimeoutError:
            replica.process.kill()
            await replica.process.wait()
    replica.log.close()
    assert replica.process.returncode is not None
    return replica.process.returncode


# --------------------------------------------------------------------------------- fixtures


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set: several replicas need PostgreSQL")
    with temporary_postgres_database(server) as url:
        yield url


@pytest.fixture
async def database(postgres_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade(postgres_url)
    engine = create_engine(postgres_url)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


@dataclass
class Sends:
    """Reminders as the fake Telegram took them: (monotonic time, chat, text)."""

    log: list[tuple[float, int, str]] = field(default_factory=list)

    def record(self, call: HookedCall) -> None:
        text = str(call.params.get("text", ""))
        if call.error is None and text.startswith(REMINDER_MARK):
            self.log.append((time.monotonic(), int(call.params["chat_id"]), text))

    def texts(self) -> Counter[str]:
        return Counter(text for _, _, text in self.log)

    def max_in_window(self, seconds: float) -> int:
        stamps = sorted(at for at, _, _ in self.log)
        best, start = 0, 0
        for end, at in enumerate(stamps):
            while at - stamps[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best


async def queue_reminders(
    sessionmaker: async_sessionmaker[AsyncSession], phase: str, per_user: int
) -> list[str]:
    """Reminders as the reminder job queues them: outbox rows with a dedupe key each."""
    messages = [
        OutgoingMessage.text_message(
            FIRST_USER + index,
            f"{REMINDER_MARK} {phase}-{index}-{number}",
            category=Category.REMINDER,
            dedupe_key=f"reminder:replicas:{phase}:{index}:{number}",
        )
        for number in range(per_user)
        for index in range(USERS)
    ]
    async with sessionmaker() as session, session.begin():
        assert await Outbox(SystemClock()).enqueue(session, *messages) == len(messages)
    return [m.text or "" for m in messages]


def holder_pid(holder: str | None) -> int:
    """The process id in a lease holder's name (host-pid-random; bot.leadership)."""
    assert holder is not None
    return int(holder.rsplit("-", 2)[1])


async def leader_pid(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return holder_pid(
            await session.scalar(select(Lease.holder).where(Lease.name == JOBS_LEASE))
        )


async def known_users(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with sessionmaker() as session, session.begin():
        users = UserRepository(session)
        for index in range(USERS):
            await users.touch(FIRST_USER + index, SystemClock().now())
            await users.set_language(FIRST_USER + index, "ru")


def webhooks_set(telegram: FakeTelegramServer) -> int:
    """setWebhook calls answered: each replica makes one once it serves."""
    return sum(c.method == "setWebhook" and c.status == 200 for c in telegram.calls)


async def subscriptions(sessionmaker: async_sessionmaker[AsyncSession]) -> set[tuple[int, str]]:
    async with sessionmaker() as session:
        rows = await session.execute(select(EventSubscription.user_id, EventSubscription.category))
        return {(user_id, category) for user_id, category in rows}


# --------------------------------------------------------------------------------- the test


async def test_two_replicas_share_the_work_and_survive_the_leader_being_killed(
    telegram: FakeTelegramServer,
    database: async_sessionmaker[AsyncSession],
    postgres_url: str,
    tmp_path: Path,
) -> None:
    started = time.monotonic()
    await known_users(database)
    subscribed_before = await subscriptions(database)
    sends = Sends()
    telegram.on_call("sendMessage", sends.record)
    # 2,000 updates at once keep a press waiting in the queue longer than the 15 s in which
    # Telegram accepts its answer; people press far slower, and that limit is tested elsewhere.
    telegram.callback_query_timeout = None
    telegram.webhook_retry_delay(0.05)
    env = bot_env(
        BOT_TOKEN=TEST_TOKEN,
        TELEGRAM_API_URL=telegram.base_url,
        DATABASE_URL=postgres_url,
        WEBHOOK_URL=WEBHOOK_URL,
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_HOST="127.0.0.1",
        LEADER_LEASE_SECONDS=str(LEASE_SECONDS),
        DELIVERY_RATE=str(DELIVERY_RATE),
        PYTHONPATH=str(ROOT),
    )
    replicas = [await start_replica(name, env, tmp_path) for name in ("replica-a", "replica-b")]
    telegram.webhook_targets([r.url for r in replicas], per_chat_order=True)

    async def until(check: Callable[[], T | None], within: float, what: str) -> T:
        def watched() -> T | None:
            for replica in replicas:
                replica.check_alive()
            return check()

        try:
            return await telegram.wait_until(watched, within, what)
        except AssertionError as error:
            logs = "\n".join(f"--- {r.name}\n{r.output()[-3000:]}" for r in replicas)
            raise AssertionError(f"{error}\n{logs}") from None

    try:
        await until(lambda: webhooks_set(telegram) >= 2 or None, STARTUP, "both replicas serving")
        ready = time.monotonic()

        # ---------------------------------------------------------- 2,000 updates, 100 users
        first_reminders = await queue_reminders(database, "start", REMINDERS_AT_START)
        users = [telegram.user(FIRST_USER + i, language_code="ru") for i in range(USERS)]
        presses: list[str] = []

        async def converse(index: int) -> None:
            user = users[index]
            for number in range(QUESTIONS_BEFORE):
                await user.send(question(index, number)[0])
            await user.send("/subscriptions")
            screen = await user.wait_until(
                lambda: next((m for m in user.messages if is_subscriptions(m)), None),
                timeout=120,
                what="the /subscriptions screen",
            )
            presses.append(await user.press(is_category_toggle, screen))
            presses.append(await user.press(is_category_toggle, screen))
            for number in range(QUESTIONS_BEFORE, QUESTIONS_BEFORE + QUESTIONS_AFTER):
                await user.send(question(index, number)[0])

        await asyncio.gather(*(converse(i) for i in range(USERS)))
        delivery = telegram.webhook_delivery
        total = USERS * UPDATES_PER_USER
        await until(lambda: delivery.delivered >= total or None, 150, f"{total} updates handled")
        handled = time.monotonic()

        async with database() as session:
            update_ids = set(await session.scalars(select(ProcessedUpdate.update_id)))
            searches = (
                await session.execute(
                    select(func.count(), func.count(func.distinct(FaqSearchRecord.query)))
                )
            ).one()
        assert update_ids == set(range(1, total + 1))  # each once: update_id is the key
        questions = USERS * (QUESTIONS_BEFORE + QUESTIONS_AFTER)
        assert tuple(searches) == (questions, questions)
        assert delivery.delivered == total and len(telegram.updates) == 0
        assert dict(delivery.delivered_by_target) == {r.url: total // 2 for r in replicas}
        # Two presses of the same category: back where each user started.
        assert await subscriptions(database) == subscribed_before
        assert all(telegram.callback_queries[q].answered for q in presses)

        for index, user in enumerate(users):
            assert replies_in_order(user.state.events, index, QUESTIONS_BEFORE + QUESTIONS_AFTER)

        # ---------------------------------------------------------- kill -9 the leader
        await until(
            lambda: len(sends.log) >= len(first_reminders) or None, 60, "the first reminders sent"
        )
        kill_reminders = await queue_reminders(database, "kill", REMINDERS_AT_KILL)
        sent_before = len(sends.log)
        await until(
            lambda: len(sends.log) >= sent_before + KILL_AFTER or None,
            60,
            f"{KILL_AFTER} reminders sent before the kill",
        )
        pid = await leader_pid(database)
        [leader] = [r for r in replicas if r.process.pid == pid]
        [survivor] = [r for r in replicas if r is not leader]
        leader.killed = True
        os.kill(pid, signal.SIGKILL)
        killed_at, killed_at_utc = time.monotonic(), datetime.now(UTC)
        await leader.process.wait()

        # Users keep asking: the updates posted to the dead replica go to the other one.
        for index, user in enumerate(users):
            await user.send(question(index, QUESTIONS_BEFORE + QUESTIONS_AFTER)[0])
        first_after = await until(
            lambda: next((at for at, _, _ in sends.log if at > killed_at), None),
            30,
            "a reminder sent after the kill",
        )
        takeover = first_after - killed_at
        all_reminders = first_reminders + kill_reminders
        await until(
            lambda: set(all_reminders) <= set(sends.texts()) or None, 60, "every reminder sent"
        )
        await until(
            lambda: delivery.delivered >= total + USERS or None, 60, "the updates after the kill"
        )
        finished = time.monotonic()
    finally:
        codes = {r.name: await stop_replica(r) for r in replicas}

    # ---------------------------------------------------------- after the kill
    assert takeover <= TAKEOVER_LIMIT, f"takeover took {takeover:.1f}s"
    assert await leader_pid(database) == survivor.process.pid
    async with database() as session:
        handled_ids = set(await session.scalars(select(ProcessedUpdate.update_id)))
        states = Counter(await session.scalars(select(OutboxMessage.state)))
        sent_by = (
            await session.execute(
                select(OutboxMessage.worker_id, OutboxMessage.sent_at)
                .where(OutboxMessage.state == "sent")
                .order_by(OutboxMessage.sent_at)
            )
        ).all()
    assert handled_ids == set(range(1, total + USERS + 1))
    assert states == {"sent": len(all_reminders)}
    # One sender at a time: the leader's until the kill, then the survivor's (a replica's
    # sender records its lease-holder name on what it sent).
    senders = [holder_pid(worker) for worker, _ in sent_by]
    handovers = [(a, b) for a, b in itertools.pairwise(senders) if a != b]
    assert handovers == [(pid, survivor.process.pid)], Counter(senders)
    assert all(at is not None and at <= killed_at_utc for w, at in sent_by if holder_pid(w) == pid)
    for index, user in enumerate(users):
        assert replies_in_order(user.state.events, index, QUESTIONS_BEFORE + QUESTIONS_AFTER + 1)

    # Each reminder once; the only repeat a kill may cause is a send in flight at that instant
    # (Telegram took it, the dead replica never recorded it).
    sent = sends.texts()
    repeated = {text: n for text, n in sent.items() if n > 1}
    first_sent: dict[str, float] = {}
    for at, _, text in sends.log:
        first_sent.setdefault(text, at)
    assert set(sent) == set(all_reminders)
    assert all(n == 2 for n in repeated.values()), repeated
    assert all(killed_at - 1.0 <= first_sent[text] <= killed_at for text in repeated), repeated
    assert len(repeated) <= SenderConfig().concurrency

    # The outbox's pace, both replicas together: the sender's token bucket allows at most
    # burst + rate × window in any window. Measured where Telegram takes the sends, which may
    # bunch up sends spaced at the sender by a busy event loop on either side: half a second of
    # slack. Two replicas sending at once would come near twice the rate.
    burst = SenderConfig().burst
    windows = {seconds: sends.max_in_window(seconds) for seconds in (1, 2, 5, 10)}
    for seconds, most in windows.items():
        assert most <= DELIVERY_RATE * (seconds + JITTER) + burst, windows

    assert codes == {leader.name: -signal.SIGKILL, survivor.name: 0}, codes
    survivor_log = survivor.output()
    assert "Traceback" not in survivor_log, survivor_log[-5000:]
    print(
        f"\ntwo replicas: {total} updates from {USERS} users handled in {handled - ready:.1f}s "
        f"({total / (handled - ready):.0f}/s); {len(all_reminders)} reminders, the most sent "
        f"in any 1 / 2 / 5 / 10 s: {' / '.join(str(n) for n in windows.values())} "
        f"(DELIVERY_RATE {DELIVERY_RATE:g}); takeover after kill -9: {takeover:.2f}s; "
        f"repeated by the kill: {len(repeated)}; {USERS} updates after the kill handled; "
        f"start-up {ready - started:.1f}s, whole run {finished - started:.1f}s"
    )


def replies_in_order(events: list[Any], index: int, questions: int) -> bool:
    """The bot's messages in the chat, in order: the answers to the questions before
    /subscriptions, its screen, the two edits of it, the answers to the rest."""
    screen: int | None = None
    seen: list[str] = []
    for event in events:
        message: BotMessage = event.message
        if not message.from_bot or message.text.startswith(REMINDER_MARK):
            continue
        if event.kind == "new" and is_subscriptions(message):
            screen = message.message_id
            seen.append("screen")
        elif event.kind == "edit" and message.message_id == screen:
            seen.append("screen edited")
        else:
            seen.append(f"{event.kind}: {message.text.splitlines()[0]}")
    headings = [f"new: {question(index, n)[1]}" for n in range(questions)]
    expected = [
        *headings[:QUESTIONS_BEFORE],
        "screen",
        "screen edited",
        "screen edited",
        *headings[QUESTIONS_BEFORE:],
    ]
    assert seen == expected, f"user {index}:\n{seen}\n!=\n{expected}"
    return True
