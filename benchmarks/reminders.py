"""Reminder job benchmark: queueing a big due batch, event-loop stalls, and the idle tick.

    python benchmarks/reminders.py                          # 20 events × 10,000 subscribers
    python benchmarks/reminders.py --events 5 --subscribers 2000
    TEST_DATABASE_URL=postgresql+asyncpg://postgres@127.0.0.1:5432/test \
        python benchmarks/reminders.py                      # and PostgreSQL

Builds the subscribers (half Kazakh, half Russian, a few "Remind me" watchers who are also
subscribed), events whose 7-day reminder is due at the same moment, runs the reminder job once
and prints how long queueing took, how many outbox rows it made and the longest event-loop
stall meanwhile (a probe task that asks to wake every 10 ms and records how late it woke).
Then the clock moves on a minute at a time with nothing due: the first of these ticks looks
through every audience once more (the job's re-check a tick after a slot falls due), the next
10 are idle ticks, whose median is printed. The job runs as the scheduler runs it. SQLite (a
temporary file) always; PostgreSQL too when TEST_DATABASE_URL is set (a throw-away database on
that server).

Targets (issue 9): 200,000 reminders in ≤ 5 s, no stall over 100 ms, idle tick ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import SecretStr
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.config import Settings
from bot.delivery import Outbox
from bot.i18n import compile_catalogues, create_i18n
from bot.services.events.reminders import SettledEvents, run_due_reminders
from bot.testing import FakeClock
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.events import Event, EventSubscription, EventWatch
from db.models.outbox import OutboxMessage
from db.models.users import User
from handlers.events.notices import EventNoticeTexts
from tests.databases import postgres_server_url, temporary_postgres_database

TOKEN = "123456:BENCHMARK-token"
FIRST_USER = 10_000_000
CATEGORY = "seminar"
# Every 20th subscriber also pressed "Remind me" on the first event: still one reminder.
WATCH_EVERY = 20
# A weekday noon in Almaty: outside quiet hours, so the 7-day slots are sent at once.
NOW = datetime(2026, 4, 8, 7, 0, tzinfo=UTC)
PROBE_INTERVAL = 0.010
IDLE_TICKS = 10
INSERT_CHUNK = 5_000
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Figures:
    queue_seconds: float
    queued: int
    outbox_rows: int
    queue_stall: float
    queue_collections: int
    recheck_seconds: float
    idle_median: float
    idle_stall: float


def chunks(items: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(items), INSERT_CHUNK):
        yield items[start : start + INSERT_CHUNK]


async def populate(
    sessionmaker: async_sessionmaker[AsyncSession], events: int, subscribers: int
) -> None:
    created = NOW - timedelta(days=30)
    users = [
        {
            "id": FIRST_USER + n,
            "language": "kk" if n % 2 else "ru",
            "region": None,
            "created_at": created,
            "last_seen_at": created,
        }
        for n in range(subscribers)
    ]
    subscriptions = [
        {"user_id": FIRST_USER + n, "category": CATEGORY, "created_at": created}
        for n in range(subscribers)
    ]
    async with sessionmaker() as session, session.begin():
        for chunk in chunks(users):
            await session.execute(insert(User), chunk)
        for chunk in chunks(subscriptions):
            await session.execute(insert(EventSubscription), chunk)
        first_event = 0
        for n in range(events):
            # Each starts a few minutes apart, all with their 7-day slot already reached.
            starts_at = NOW + timedelta(days=7) - timedelta(minutes=n)
            row = Event(
                category=CATEGORY,
                title_kk=f"Семинар №{n + 1}",
                title_ru=f"Семинар №{n + 1}",
                description_kk="ҮЕҰ есептері туралы",
                description_ru="Об отчётах НПО",
                starts_at=starts_at,
                place="Алматы, Абая 1",
                created_at=created,
                updated_at=created,
            )
            session.add(row)
            await session.flush()
            first_event = first_event or row.id
        watches = [
            {"event_id": first_event, "user_id": FIRST_USER + n, "created_at": created}
            for n in range(0, subscribers, WATCH_EVERY)
        ]
        for chunk in chunks(watches):
            await session.execute(insert(EventWatch), chunk)


@dataclass
class FullCollections:
    """Counts the interpreter's full garbage collections: with this process's few hundred
    thousand import-time objects, one stalls the loop for well over 100 ms by itself."""

    count: int = 0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "stop" and info["generation"] == 2:
            self.count += 1


async def probed(work: Callable[[], Awaitable[T]]) -> tuple[T, float, float, int]:
    """Runs `work` beside a loop-lag probe; returns its result, seconds taken, max stall and
    how many full garbage collections happened meanwhile."""
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    worst = 0.0
    gc.collect()  # the setup's garbage is not the job's: start each run from a settled heap
    collections = FullCollections()
    gc.callbacks.append(collections)

    async def probe() -> None:
        nonlocal worst
        while not done.is_set():
            asked = loop.time()
            await asyncio.sleep(PROBE_INTERVAL)
            worst = max(worst, loop.time() - asked - PROBE_INTERVAL)

    prober = asyncio.create_task(probe())
    await asyncio.sleep(0)  # let the probe start its first interval
    started = time.perf_counter()
    try:
        result = await work()
    finally:
        took = time.perf_counter() - started
        done.set()
        await prober
        gc.callbacks.remove(collections)
    return result, took, worst, collections.count


async def measure(database_url: str, events: int, subscribers: int) -> Figures:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        await populate(sessionmaker, events, subscribers)
        clock = FakeClock(NOW)
        settings = Settings(_env_file=None, bot_token=SecretStr(TOKEN), database_url=database_url)
        outbox = Outbox(clock)
        texts = EventNoticeTexts(create_i18n(), settings.tz)
        settled = SettledEvents()

        def tick() -> Awaitable[int]:
            return run_due_reminders(sessionmaker, outbox, clock, settings, texts, settled)

        queued, queue_seconds, queue_stall, queue_collections = await probed(tick)
        async with sessionmaker() as session:
            outbox_rows = int(
                await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0
            )
        times: list[float] = []
        idle_stall = 0.0
        for _ in range(1 + IDLE_TICKS):
            clock.advance(timedelta(minutes=1))
            again, took, stall, _ = await probed(tick)
            if again:
                raise RuntimeError(f"an idle tick queued {again} reminders")
            times.append(took)
            idle_stall = max(idle_stall, stall)
        return Figures(
            queue_seconds,
            queued,
            outbox_rows,
            queue_stall,
            queue_collections,
            times[0],
            statistics.median(times[1:]),
            idle_stall,
        )
    finally:
        await engine.dispose()


def report(name: str, figures: Figures, expected: int) -> bool:
    def row(label: str, value: str) -> None:
        print(f"  {label:<30}{value}", flush=True)

    print(name, flush=True)
    row("queue time", f"{figures.queue_seconds:.2f} s (target ≤ 5 s for 200,000)")
    row("rows queued", f"{figures.queued:,} (outbox holds {figures.outbox_rows:,})")
    row(
        "max event-loop stall",
        f"{figures.queue_stall * 1000:.0f} ms (target ≤ 100 ms); "
        f"{figures.queue_collections} full garbage collections meanwhile",
    )
    row("re-check tick", f"{figures.recheck_seconds * 1000:.0f} ms (once, a tick after a slot)")
    row(
        f"idle tick (median of {IDLE_TICKS})",
        f"{figures.idle_median * 1000:.1f} ms (target ≤ 50 ms); "
        f"max stall {figures.idle_stall * 1000:.0f} ms",
    )
    return (
        figures.queued == figures.outbox_rows == expected
        and figures.queue_stall <= 0.1
        and figures.idle_median <= 0.05
        and (expected < 200_000 or figures.queue_seconds <= 5)
    )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20)
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--skip-sqlite", action="store_true")
    return parser.parse_args()


def main(args: argparse.Namespace) -> int:
    compile_catalogues()
    expected = args.events * args.subscribers
    print(
        f"{args.events} events × {args.subscribers:,} subscribers = {expected:,} reminders due "
        "at once",
        flush=True,
    )
    ok = True
    if not args.skip_sqlite:
        with tempfile.TemporaryDirectory(prefix="kenes-reminders-bench-") as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bot.db'}"
            figures = asyncio.run(measure(url, args.events, args.subscribers))
            ok &= report("SQLite (file, WAL)", figures, expected)
    server = postgres_server_url()
    if server is not None:
        with temporary_postgres_database(server) as url:
            figures = asyncio.run(measure(url, args.events, args.subscribers))
            ok &= report("PostgreSQL", figures, expected)
    else:
        print("PostgreSQL: skipped (set TEST_DATABASE_URL to include it)", flush=True)
    # The machine may be shared: a wall-clock figure means little without the load beside it.
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    print("RESULT:", "pass" if ok else "FAIL", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main(parse_args()))
