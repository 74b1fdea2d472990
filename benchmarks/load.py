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

A database URL per run: "sqlite" (the default) is a temporary SQLite file; a PostgreSQL URL names
a server on which a throw-away database is created and dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import itertools
import logging
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message, Update
from pydantic import SecretStr
from sqlalchemy import event, insert

from bot.app import Application, freeze_startup_heap
from bot.config import Settings
from bot.sandbox import FakeTelegramServer, FaultPlan
from bot.sandbox.harness import RunningBot
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.users import User

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
    def __init__(self, server: FakeTelegramServer, timing: Timing) -> None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        self.bot = Bot(server.token, session=session)
        self.dispatcher = echo_dispatcher()
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
            if server.violations:
                row("API violations", str(server.violations[:5]))
    finally:
        logging.getLogger().removeHandler(log_counter)
    return results


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
    print(f"  {'':<34}" + "".join(f"{n:>16}" for n in names))
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
    ]
    for label, key, fmt in lines:
        print(f"  {label:<34}" + "".join(f"{fmt(r[key]):>16}" for _, r in all_results))
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
