"""Load benchmark: the bot against a bare aiogram echo bot, on the project's fake Bot API server.

    python benchmarks/load.py                          # SQLite (a temporary file)
    python benchmarks/load.py --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test
    python benchmarks/load.py --database-url sqlite --database-url postgresql+asyncpg://...
    python benchmarks/load.py --updates 400 --latency-seconds 10 --seconds 15   # a short run
    python benchmarks/load.py --profile                # cProfile of the bot's FAQ run, top spots

Both bots run in this process, in turn, against one FakeTelegramServer, with aiogram's real HTTP
session: the bot as in production (Application: long polling that confirms after the commit,
the update's transaction, the real database), the echo bot as aiogram's documentation writes it
(``Dispatcher`` + ``start_polling`` + one handler that answers the text back).

1. Throughput: N updates queued at once from 200 people, handled as fast as each bot can:
   FAQ questions (from people who already chose a language) and /start (from new people).
   Printed: updates/s of each and the ratio bot ÷ echo (target ≥ 0.4).
2. Latency at a fixed rate: 50 updates/s (FAQ questions, then /start), time from the update
   being queued on the server to the bot's handling finished (reply sent, transaction
   committed): p50 and p99 (target p99 ≤ 100 ms).
3. A slow Bot API: every call but getUpdates takes 150–350 ms; 12 questions/s for --seconds:
   "database is locked" errors (target 0) and the p95 handling time (target ≤ 1 s).
4. The floor: reference bots that do only part of what the bot must do for a question, to show
   what the ratio target leaves for the rest. Each is the echo bot, except that it
   - answers with the very text and keyboard the bot answered (captured from the bot's run);
   - and before that runs the one transaction exactly-once needs (read the person, record the
     update id, log the search, commit) through SQLAlchemy, as the bot's repositories do;
   - or that transaction on the bare driver (aiosqlite, asyncpg), without SQLAlchemy.
   Printed: updates/s and the ratio to the echo bot of each.

A database URL per run: "sqlite" (the default) is a temporary SQLite file; a PostgreSQL URL names
a server on which a throw-away database is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import itertools
import json
import logging
import os
import pstats
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiosqlite
import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import InlineKeyboardMarkup, Message, Update
from pydantic import SecretStr
from sqlalchemy import event, insert, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import Application, freeze_startup_heap
from bot.config import Settings
from bot.sandbox import FakeTelegramServer, FaultPlan
from bot.sandbox.harness import RunningBot
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.faq import FaqSearchRecord
from db.models.updates import ProcessedUpdate
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.databases import temporary_postgres_database

TOKEN = "123456:LOAD-benchmark-token"
PEOPLE = 200
FIRST_KNOWN = 20_000_000  # people who chose Russian already: they ask questions
FIRST_NEW = 30_000_000  # each /start comes from someone new
QUESTIONS = (
    "сколько стоит регистрация НПО",
    "как зарегистрировать общественное объединение",
    "какие отчеты сдает некоммерческая организация",
    "где найти гранты для НПО",
    "что такое государственный социальный заказ",
    "нужна ли печать общественному фонду",
    "как открыть счет для общественного фонда",
    "ҮЕҰ қалай тіркеледі",
    "налоги некоммерческой организации",
    "как подать заявку на грант",
    "сроки сдачи отчетности НПО",
    "как закрыть общественное объединение",
)
SLOW_METHODS = (
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendChatAction",
    "sendDocument",
    "deleteMessage",
    "setMessageReaction",
)


# --------------------------------------------------------------------------- timing


@dataclass
class Timing:
    """When each update was queued on the server and when its handling finished."""

    queued: dict[int, float] = field(default_factory=dict)
    done: dict[int, float] = field(default_factory=dict)
    target: int = 0
    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def expect(self, count: int) -> None:
        self.queued.clear()
        self.done.clear()
        self.target = count
        self.reached = asyncio.Event()

    def finished(self, update_id: int) -> None:
        if update_id in self.queued and update_id not in self.done:
            self.done[update_id] = time.perf_counter()
            if len(self.done) >= self.target:
                self.reached.set()

    def latencies(self) -> list[float]:
        return sorted(self.done[u] - self.queued[u] for u in self.done)

    def rate(self) -> float:
        start = min(self.queued.values())
        return len(self.done) / (max(self.done.values()) - start)


def time_feed_update(dispatcher: Dispatcher, timing: Timing) -> None:
    """Wraps this dispatcher's feed_update: both pollers (ours and aiogram's) call it per update,
    and it returns once the update was handled (for the bot: committed and answered)."""
    feed = dispatcher.feed_update

    async def timed(bot: Bot, update: Update, **kwargs: Any) -> Any:
        try:
            return await feed(bot, update, **kwargs)
        finally:
            timing.finished(update.update_id)

    dispatcher.feed_update = timed  # type: ignore[method-assign]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, round(fraction * len(values)) - 1))
    return values[index]


class LockedErrors(logging.Handler):
    """Counts log records that mention SQLite's "database is locked" (message or traceback),
    and every ERROR (an update that failed)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.locked = 0
        self.errors = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += logging.Formatter().formatException(record.exc_info)
        if "database is locked" in text:
            self.locked += 1
        if record.levelno >= logging.ERROR:
            self.errors += 1


# --------------------------------------------------------------------------- traffic


class Traffic:
    """Builds message updates as Telegram sends them and queues them on the server."""

    def __init__(self, server: FakeTelegramServer) -> None:
        self.server = server
        self._message_ids = itertools.count(1)
        self._new = itertools.count(FIRST_NEW)
        self._known = itertools.cycle(range(FIRST_KNOWN, FIRST_KNOWN + PEOPLE))
        self._questions = itertools.cycle(QUESTIONS)
        server.add_users(range(FIRST_KNOWN, FIRST_KNOWN + PEOPLE))

    def question(self) -> tuple[int, str]:
        return next(self._known), next(self._questions)

    def start(self) -> tuple[int, str]:
        user = next(self._new)
        self.server.add_users([user])
        return user, "/start"

    def push(self, user: int, text: str, timing: Timing) -> None:
        info = {"id": user, "is_bot": False, "first_name": f"User {user}", "language_code": "ru"}
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "from": info,
            "chat": {"id": user, "type": "private", "first_name": info["first_name"]},
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
        update_id = self.server.push_update("message", message)
        assert update_id is not None
        timing.queued[update_id] = time.perf_counter()


async def burst(
    traffic: Traffic, make: Callable[[], tuple[int, str]], count: int, timing: Timing
) -> tuple[float, float]:
    """Queue `count` updates at once; updates/s until the last was handled, and the process's
    CPU seconds an update (the fake server's share included, as for both bots)."""
    timing.expect(count)
    cpu = time.process_time()
    for _ in range(count):
        traffic.push(*make(), timing)
    await asyncio.wait_for(timing.reached.wait(), timeout=count * 0.5 + 60)
    return timing.rate(), (time.process_time() - cpu) / count


async def paced(
    traffic: Traffic,
    make: Callable[[], tuple[int, str]],
    rate: float,
    seconds: float,
    timing: Timing,
    *,
    drain: float = 120.0,
) -> list[float]:
    """Queue updates at a fixed `rate` for `seconds`; the handling latencies, sorted."""
    count = max(1, round(rate * seconds))
    timing.expect(count)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for index in range(count):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        traffic.push(*make(), timing)
    try:
        await asyncio.wait_for(timing.reached.wait(), timeout=drain)
    except TimeoutError:
        print(f"    ! {count - len(timing.done)} of {count} not handled within {drain:.0f} s")
    return timing.latencies()


# --------------------------------------------------------------------------- the two bots


def echo_dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "?")

    return dispatcher


@contextmanager
def echo_polling_quiet() -> Iterator[None]:
    """aiogram logs every handled update at INFO; the bot's own logs are at WARNING here."""
    logger = logging.getLogger("aiogram.event")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


class EchoBot:
    """aiogram's own polling with `dispatcher` (the echo bot's unless given)."""

    def __init__(
        self, server: FakeTelegramServer, timing: Timing, dispatcher: Dispatcher | None = None
    ) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        self.bot = Bot(server.token, session=session)
        self.dispatcher = dispatcher or echo_dispatcher()
        time_feed_update(self.dispatcher, timing)
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> EchoBot:
        started = asyncio.Event()
        self.dispatcher.startup.register(started.set)
        self._task = asyncio.create_task(
            self.dispatcher.start_polling(self.bot, handle_signals=False, close_bot_session=True)
        )
        await asyncio.wait_for(started.wait(), 30)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.dispatcher.stop_polling()
        if self._task is not None:
            await self._task


# --------------------------------------------------------------------------- the floor

Transaction = Callable[[Message, int], Awaitable[None]]


@dataclass(frozen=True)
class Answer:
    """What the bot sent for a question: the floor bots send the same."""

    text: str
    keyboard: InlineKeyboardMarkup | None
    parse_mode: str | None

    @classmethod
    def of(cls, params: dict[str, Any]) -> Answer:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        keyboard = InlineKeyboardMarkup.model_validate(markup) if markup else None
        return cls(params["text"], keyboard, params.get("parse_mode"))


def floor_dispatcher(answer: Answer, transaction: Transaction | None) -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def reply(message: Message, event_update: Update) -> None:
        if transaction is not None:
            await transaction(message, event_update.update_id)
        await message.answer(
            answer.text, reply_markup=answer.keyboard, parse_mode=answer.parse_mode
        )

    return dispatcher


def search_log_row(message: Message, now: object) -> dict[str, Any]:
    return {
        "created_at": now,
        "query": (message.text or "")[:200],
        "language": "ru",
        "best_entry_id": "registration-fee",
        "score": 0.5,
        "confident": True,
        "result_count": 1,
    }


def sqlalchemy_transaction(sessionmaker: async_sessionmaker[AsyncSession]) -> Transaction:
    async def run(message: Message, update_id: int) -> None:
        now = datetime.now().astimezone()
        assert message.from_user is not None
        async with sessionmaker() as session:
            await session.get(User, message.from_user.id)
            await session.execute(
                insert_ignoring_conflicts(session, ProcessedUpdate).values(
                    update_id=update_id, handled_at=now
                )
            )
            await session.execute(insert(FaqSearchRecord).values(search_log_row(message, now)))
            await session.commit()

    return run


@contextlib.asynccontextmanager
async def driver_transaction(database_url: str) -> AsyncIterator[Transaction]:
    """The same statements on aiosqlite (one connection, as the bot's engine) or asyncpg."""
    url = make_url(database_url)
    record = "INSERT INTO processed_updates (update_id, handled_at) VALUES ({}, {})"
    record += " ON CONFLICT DO NOTHING"
    log_row = (
        "INSERT INTO faq_search_log (created_at, query, language, best_entry_id, score,"
        " confident, result_count) VALUES ({}, {}, {}, {}, {}, {}, {})"
    )
    if url.get_backend_name() == "sqlite":
        lock = asyncio.Lock()
        async with aiosqlite.connect(url.database or "", isolation_level=None) as connection:
            await connection.execute("PRAGMA journal_mode=WAL")
            await connection.execute("PRAGMA synchronous=NORMAL")

            async def on_sqlite(message: Message, update_id: int) -> None:
                now = datetime.now().astimezone().isoformat(" ")
                assert message.from_user is not None
                async with lock:
                    await connection.execute("BEGIN IMMEDIATE")
                    cursor = await connection.execute(
                        "SELECT * FROM users WHERE id = ?", (message.from_user.id,)
                    )
                    await cursor.fetchall()
                    await connection.execute(record.format("?", "?"), (update_id, now))
                    row = search_log_row(message, now)
                    await connection.execute(log_row.format(*"???????"), tuple(row.values()))
                    await connection.execute("COMMIT")

            yield on_sqlite
        return
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    async with asyncpg.create_pool(dsn, min_size=2, max_size=10) as pool:

        async def on_postgres(message: Message, update_id: int) -> None:
            now = datetime.now().astimezone()
            assert message.from_user is not None
            async with pool.acquire() as connection, connection.transaction():
                await connection.fetch("SELECT * FROM users WHERE id = $1", message.from_user.id)
                await connection.execute(record.format("$1", "$2"), update_id, now)
                numbered = (f"${n}" for n in range(1, 8))
                await connection.execute(
                    log_row.format(*numbered), *search_log_row(message, now).values()
                )

        yield on_postgres


async def seed_known_people(database_url: str, now: datetime) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            await session.execute(
                insert(User),
                [
                    {"id": u, "language": "ru", "created_at": now, "last_seen_at": now}
                    for u in range(FIRST_KNOWN, FIRST_KNOWN + PEOPLE)
                ],
            )
    finally:
        await engine.dispose()


def bot_settings(database_url: str) -> Settings:
    return Settings(_env_file=None, bot_token=SecretStr(TOKEN), database_url=database_url)


@contextmanager
def profiled(enabled: bool, label: str, dump: str | None = None) -> Iterator[None]:
    if not enabled:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        if dump:
            profile.dump_stats(dump)
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        print(f"  cProfile of {label}, by own time (top 25):")
        print("\n".join("    " + line for line in out.getvalue().splitlines()[:60]))


# --------------------------------------------------------------------------- scenarios


def row(label: str, value: str) -> None:
    print(f"  {label:<48}{value}", flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


async def run_database(args: argparse.Namespace, database_url: str, name: str) -> dict[str, Any]:
    """Every scenario on one database; returns the figures for the summary."""
    print(f"\n== {name}", flush=True)
    results: dict[str, Any] = {}
    timing = Timing()
    await seed_known_people(database_url, datetime.now().astimezone())
    log_counter = LockedErrors()
    logging.getLogger().addHandler(log_counter)
    try:
        async with FakeTelegramServer(token=TOKEN, record_calls=False) as server:
            traffic = Traffic(server)

            statements = [0]

            def count_statement(*_args: object) -> None:
                statements[0] += 1

            def prepare(app: Application) -> None:
                time_feed_update(app.dispatcher, timing)
                if not args.no_freeze:
                    app.dispatcher.startup.register(freeze_startup_heap)  # as `python -m bot`
                event.listen(app.engine.sync_engine, "before_cursor_execute", count_statement)

            running = await RunningBot.start(bot_settings(database_url), server, prepare=prepare)
            try:
                # A warm-up, so that first-use costs (imports, caches) are not measured.
                await burst(traffic, traffic.question, 50, timing)
                answer = await capture_answer(server, traffic, timing)
                for kind, make in (("FAQ", traffic.question), ("/start", traffic.start)):
                    before = statements[0]
                    with profiled(
                        args.profile and kind == "FAQ", f"the bot, {kind}", args.profile_out
                    ):
                        rate, cpu = await burst(traffic, make, args.updates, timing)
                    results[f"bot {kind}"], results[f"bot cpu {kind}"] = rate, cpu
                    per_update = (statements[0] - before) / args.updates
                    row(
                        f"bot: {kind} updates/s",
                        f"{rate:.0f}, {cpu * 1000:.2f} ms CPU an update ({per_update:.1f} SQL "
                        "statements an update, the outbox sender's and leases' included)",
                    )
                for kind, make in (("FAQ", traffic.question), ("/start", traffic.start)):
                    latencies = await paced(traffic, make, 50, args.latency_seconds, timing)
                    results[f"p50 {kind}"] = percentile(latencies, 0.5)
                    results[f"p99 {kind}"] = percentile(latencies, 0.99)
                    row(
                        f"bot: {kind} at 50/s for {args.latency_seconds:.0f} s",
                        f"p50 {ms(results[f'p50 {kind}'])}, p99 {ms(results[f'p99 {kind}'])} "
                        f"(target p99 ≤ 100 ms)",
                    )
                server.faults.configure(
                    FaultPlan(latency=(0.15, 0.35), latency_methods=SLOW_METHODS)
                )
                locked_before, errors_before = log_counter.locked, log_counter.errors
                latencies = await paced(traffic, traffic.question, 12, args.seconds, timing)
                server.faults.configure(FaultPlan())
                results["locked"] = log_counter.locked - locked_before
                results["failed"] = log_counter.errors - errors_before
                results["p95 slow"] = percentile(latencies, 0.95)
                results["handled slow"] = f"{len(latencies)}/{round(12 * args.seconds)}"
                row(
                    f"bot: 12 questions/s for {args.seconds:.0f} s, API 150–350 ms",
                    f"{results['handled slow']} handled, {results['locked']} 'database is "
                    f"locked', {results['failed']} errors, p50 "
                    f"{ms(percentile(latencies, 0.5))}, p95 {ms(results['p95 slow'])} "
                    "(target 0 and ≤ 1 s)",
                )
            finally:
                await running.stop()

            async with EchoBot(server, timing):
                await burst(traffic, traffic.question, 50, timing)
                for kind, make in (("FAQ", traffic.question), ("/start", traffic.start)):
                    rate, cpu = await burst(traffic, make, args.updates, timing)
                    results[f"echo {kind}"], results[f"echo cpu {kind}"] = rate, cpu
                    row(
                        f"echo bot: {kind} updates/s",
                        f"{rate:.0f}, {cpu * 1000:.2f} ms CPU an update",
                    )
            for kind in ("FAQ", "/start"):
                ratio = results[f"bot {kind}"] / results[f"echo {kind}"]
                results[f"ratio {kind}"] = ratio
                row(f"ratio bot ÷ echo, {kind}", f"{ratio:.2f} (target ≥ 0.4)")
            await run_floor(args, database_url, server, traffic, timing, answer, results)
            if server.violations:
                row("API violations", str(server.violations[:5]))
    finally:
        logging.getLogger().removeHandler(log_counter)
    return results


async def capture_answer(server: FakeTelegramServer, traffic: Traffic, timing: Timing) -> Answer:
    server.record_calls = True
    try:
        await burst(traffic, traffic.question, 1, timing)
    finally:
        server.record_calls = False
    sent = [call for call in server.calls if call.method == "sendMessage"]
    server.calls.clear()
    return Answer.of(sent[-1].params)


FLOORS = (
    ("floor answer", "the bot's answer"),
    ("floor sqlalchemy", "+ transaction, SQLAlchemy"),
    ("floor driver", "+ transaction, bare driver"),
)


async def run_floor(
    args: argparse.Namespace,
    database_url: str,
    server: FakeTelegramServer,
    traffic: Traffic,
    timing: Timing,
    answer: Answer,
    results: dict[str, Any],
) -> None:
    engine = create_engine(database_url)
    try:
        async with driver_transaction(database_url) as on_driver:
            transactions = (None, sqlalchemy_transaction(create_sessionmaker(engine)), on_driver)
            for (key, label), transaction in zip(FLOORS, transactions, strict=True):
                dispatcher = floor_dispatcher(answer, transaction)
                async with EchoBot(server, timing, dispatcher):
                    await burst(traffic, traffic.question, 50, timing)
                    rate, cpu = await burst(traffic, traffic.question, args.updates, timing)
                results[key] = rate / results["echo FAQ"]
                row(
                    f"floor: echo, {label}",
                    f"{rate:.0f} updates/s, {cpu * 1000:.2f} ms CPU an update, "
                    f"ratio {results[key]:.2f}",
                )
    finally:
        await engine.dispose()


@contextmanager
def database_for(spec: str, workdir: Path, index: int) -> Iterator[tuple[str, str]]:
    if spec == "sqlite" or spec.startswith("sqlite"):
        url = spec if spec != "sqlite" else f"sqlite+aiosqlite:///{workdir / f'load-{index}.db'}"
        yield url, "SQLite"
        return
    with temporary_postgres_database(spec) as url:
        yield url, "PostgreSQL"


def summary(all_results: list[tuple[str, dict[str, Any]]]) -> bool:
    print("\n== Summary")
    names = [name for name, _ in all_results]
    print(f"  {'':<38}" + "".join(f"{n:>16}" for n in names))
    lines: list[tuple[str, str, Callable[[Any], str]]] = [
        ("FAQ updates/s, bot", "bot FAQ", lambda v: f"{v:.0f}"),
        ("FAQ updates/s, echo", "echo FAQ", lambda v: f"{v:.0f}"),
        ("FAQ ratio (≥ 0.4)", "ratio FAQ", lambda v: f"{v:.2f}"),
        ("FAQ CPU ms an update, bot", "bot cpu FAQ", lambda v: f"{v * 1000:.2f}"),
        ("FAQ CPU ms an update, echo", "echo cpu FAQ", lambda v: f"{v * 1000:.2f}"),
        ("/start updates/s, bot", "bot /start", lambda v: f"{v:.0f}"),
        ("/start updates/s, echo", "echo /start", lambda v: f"{v:.0f}"),
        ("/start ratio (≥ 0.4)", "ratio /start", lambda v: f"{v:.2f}"),
        ("/start CPU ms an update, bot", "bot cpu /start", lambda v: f"{v * 1000:.2f}"),
        ("/start CPU ms an update, echo", "echo cpu /start", lambda v: f"{v * 1000:.2f}"),
        ("FAQ at 50/s p50", "p50 FAQ", ms),
        ("FAQ at 50/s p99 (≤ 100 ms)", "p99 FAQ", ms),
        ("/start at 50/s p50", "p50 /start", ms),
        ("/start at 50/s p99 (≤ 100 ms)", "p99 /start", ms),
        ("slow API: handled", "handled slow", str),
        ("slow API: database is locked (0)", "locked", str),
        ("slow API: errors", "failed", str),
        ("slow API: p95 (≤ 1 s)", "p95 slow", ms),
        *((f"floor: {label}", key, lambda v: f"{v:.2f}") for key, label in FLOORS),
    ]
    for label, key, fmt in lines:
        print(f"  {label:<38}" + "".join(f"{fmt(r[key]):>16}" for _, r in all_results))
    ok = all(
        r["ratio FAQ"] >= 0.4
        and r["ratio /start"] >= 0.4
        and r["p99 FAQ"] <= 0.1
        and r["p99 /start"] <= 0.1
        and r["locked"] == 0
        and r["p95 slow"] <= 1.0
        for _, r in all_results
    )
    print("RESULT:", "all targets met" if ok else "some targets missed", flush=True)
    return ok


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help='"sqlite" (default: a temporary file) or a PostgreSQL server URL; repeatable',
    )
    parser.add_argument("--updates", type=int, default=1000, help="updates per throughput run")
    parser.add_argument(
        "--latency-seconds", type=float, default=20.0, help="seconds of each 50 updates/s run"
    )
    parser.add_argument(
        "--seconds", type=float, default=40.0, help="seconds of the slow-API run (12/s)"
    )
    parser.add_argument("--profile", action="store_true", help="cProfile the bot's FAQ run")
    parser.add_argument(
        "--no-freeze", action="store_true", help="skip gc.freeze() after start-up (for comparison)"
    )
    parser.add_argument("--profile-out", help="also save that profile (pstats) to this file")
    return parser.parse_args()


def main(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.WARNING, format="  [%(name)s] %(levelname)s %(message)s")
    all_results: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="kenes-load-bench-") as tmp:
        for index, spec in enumerate(args.database_url or ["sqlite"]):
            with database_for(spec, Path(tmp), index) as (url, name):
                run: Awaitable[dict[str, Any]] = run_database(args, url, name)
                all_results.append((name, asyncio.run(run)))  # type: ignore[arg-type]
    return 0 if summary(all_results) else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(parse_args()))
