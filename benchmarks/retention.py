"""Retention benchmark: how long the daily purge takes, and how long the bot waits meanwhile.

    python benchmarks/retention.py                         # SQLite, 200,000 outbox rows
    python benchmarks/retention.py --rows 50000 --database-url postgresql+asyncpg://…/db

Fills the outbox with finished rows (half of them past RETENTION_DAYS, a few old ones still
pending) and the search log alike, then purges while a second task writes one row every 10 ms,
as the bot does when it answers. Prints the purge's duration and the writer's worst wait: on
SQLite that wait is how long one batch holds the single write lock.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.retention import BATCH_SIZE, purge_expired
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.faq import FaqSearchRecord
from db.models.outbox import OutboxMessage, OutboxState

NOW = datetime(2026, 9, 1, tzinfo=UTC)
KEEP = timedelta(days=180)
CHUNK = 5000


def outbox_row(n: int, total: int) -> dict[str, object]:
    old = n < total // 2
    created = NOW - (timedelta(days=365) if old else timedelta(days=30)) + timedelta(seconds=n)
    pending = n % 1000 == 0  # a few rows wait for a later date, however old
    return {
        "chat_id": 1_000_000 + n % 20_000,
        "kind": "text",
        "category": "reminder",
        "priority": 2,
        "state": OutboxState.PENDING if pending else OutboxState.SENT,
        "text": f"Напоминание №{n}: вебинар завтра в 15:00",
        "not_before": created,
        "created_at": created,
        "attempts": 0 if pending else 1,
    }


def search_row(n: int, total: int) -> dict[str, object]:
    old = n < total // 2
    created = NOW - (timedelta(days=365) if old else timedelta(days=30)) + timedelta(seconds=n)
    return {
        "created_at": created,
        "query": f"как зарегистрировать НКО {n}",
        "language": "ru",
        "confident": True,
        "result_count": 1,
    }


async def fill(sessionmaker: async_sessionmaker[AsyncSession], rows: int) -> None:
    for start in range(0, rows, CHUNK):
        numbers = range(start, min(rows, start + CHUNK))
        async with sessionmaker() as session, session.begin():
            await session.execute(insert(OutboxMessage), [outbox_row(n, rows) for n in numbers])
            await session.execute(insert(FaqSearchRecord), [search_row(n, rows) for n in numbers])


async def writer(
    sessionmaker: async_sessionmaker[AsyncSession], stop: asyncio.Event, waits: list[float]
) -> None:
    """A write like the bot's per-update transaction, every 10 ms; records each one's duration."""
    while not stop.is_set():
        started = time.perf_counter()
        async with sessionmaker() as session, session.begin():
            session.add(FaqSearchRecord(**search_row(10**9, 0), best_entry_id="live"))
        waits.append(time.perf_counter() - started)
        await asyncio.sleep(0.01)


async def count(sessionmaker: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="outbox rows (and searches)")
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        await upgrade(url)
        engine = create_engine(url)
        sessionmaker = create_sessionmaker(engine)
        try:
            print(f"filling {args.rows:,} outbox rows and {args.rows:,} searches …")
            await fill(sessionmaker, args.rows)
            baseline: list[float] = []
            stop = asyncio.Event()
            idle = asyncio.create_task(writer(sessionmaker, stop, baseline))
            await asyncio.sleep(1.0)
            stop.set()
            await idle

            waits: list[float] = []
            stop = asyncio.Event()
            busy = asyncio.create_task(writer(sessionmaker, stop, waits))
            started = time.perf_counter()
            report = await purge_expired(sessionmaker, now=NOW, keep=KEEP)
            took = time.perf_counter() - started
            stop.set()
            await busy
            left = await count(sessionmaker, OutboxMessage)
        finally:
            await engine.dispose()
    print(f"database: {url.split(':')[0]}, batch size {BATCH_SIZE}")
    print(f"purged {report.outbox:,} outbox rows and {report.searches:,} searches in {took:.2f}s")
    print(f"outbox rows left: {left:,} (recent ones and old pending ones)")
    for label, sample in (("idle", baseline), ("during the purge", waits)):
        print(
            f"a bot write, {label}: median {statistics.median(sample) * 1000:.1f} ms, "
            f"worst {max(sample) * 1000:.1f} ms over {len(sample)} writes"
        )


if __name__ == "__main__":
    asyncio.run(main())
