"""Broadcast benchmark: a national broadcast to 23,000 users through the outbox, and a kill -9
half-way.

    python benchmarks/broadcast.py                     # 23,000 users, scale 4 (see below)
    python benchmarks/broadcast.py --users 2000 --scale 1

Telegram allows ~30 messages/s; at the default DELIVERY_RATE of 25/s, 23,000 people take about
15 minutes. ``--scale k`` multiplies both the fake server's global limit (30 → 30·k msg/s) and
DELIVERY_RATE (25 → 25·k) by the same factor to keep the run short; the ratio achieved ÷
configured is what is judged. Per-chat limits stay as they are (each person gets one message).

Scenario 1: users in a SQLite file (half Kazakh, half Russian), an admin starts a two-language
broadcast with the service (the same call the dialog's "Send" makes) while one sender runs and
the broadcast job edits the status message every 3 s. Measured: the time from "Send" to the
first delivery (the copies are queued with one INSERT … SELECT), achieved ÷ configured rate,
429s, lost and duplicated copies (judged by what each chat shows), and that a second "Send"
queues nothing. Scenario 2: the same broadcast with the sender in a subprocess, killed with
SIGKILL half-way (while Telegram accepts a send, before it is recorded), then a new sender:
lost must be 0, duplicates at most what was in flight.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from aiogram.utils.i18n import I18n
from pydantic import SecretStr
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import SystemClock
from bot.config import Settings
from bot.delivery import Outbox
from bot.delivery.runtime import running_sender
from bot.delivery.sender import SenderConfig
from bot.i18n import create_i18n
from bot.sandbox import FakeTelegramServer, RateLimits
from bot.sandbox.state import ChatState
from bot.services.broadcasts.service import BroadcastContext, BroadcastJobs, BroadcastService
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.outbox import OutboxMessage, OutboxState
from db.models.users import User
from db.repositories.broadcasts import Version
from handlers.broadcasts.notices import BroadcastNoticeTexts

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.outbox import kill_during_send, settle

TOKEN = "123456:BENCHMARK-token"
ADMIN = 900_000_001
FIRST_USER = 20_000_000
BASE_SERVER_LIMIT = 30.0
BASE_RATE = 25.0
RU = "<b>Республиканский форум НКО</b> 5 декабря в Астане. Регистрация открыта."
KK = "<b>ҮЕҰ республикалық форумы</b> 5 желтоқсанда Астанада. Тіркеу ашық."
BUTTONS = [[{"text": "Регистрация", "url": "https://forum.example.kz"}]]


def settings_for(database_url: str, api_url: str, rate: float) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        telegram_api_url=api_url,
        database_url=database_url,
        delivery_rate=rate,
        per_chat_interval=1.0,
        admin_ids=frozenset({ADMIN}),
    )


def row(label: str, value: str) -> None:
    print(f"  {label:<36}{value}", flush=True)


async def prepare_users(database_url: str, users: list[int]) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    now = SystemClock().now()
    async with create_sessionmaker(engine)() as session, session.begin():
        everyone = [ADMIN, *users]
        for start in range(0, len(everyone), 1000):
            await session.execute(
                insert(User),
                [
                    {
                        "id": u,
                        "language": "kk" if u % 2 else "ru",
                        "created_at": now,
                        "last_seen_at": now,
                    }
                    for u in everyone[start : start + 1000]
                ],
            )
    await engine.dispose()


def context(settings: Settings, outbox: Outbox, i18n: I18n) -> BroadcastContext:
    return BroadcastContext(
        settings, SystemClock(), outbox, BroadcastNoticeTexts(i18n, settings.tz)
    )


async def create_broadcast(
    sessionmaker: async_sessionmaker[AsyncSession], ctx: BroadcastContext
) -> int:
    async with sessionmaker() as session, session.begin():
        draft = await BroadcastService(session, ctx).create_draft(
            ADMIN,
            {"ru": Version("text", RU), "kk": Version("text", KK)},
            default_language="ru",
            buttons=BUTTONS,
        )
    return draft.id


async def send(
    sessionmaker: async_sessionmaker[AsyncSession], ctx: BroadcastContext, broadcast_id: int
) -> int:
    """What the dialog's "Send" does: one transaction; returns how many copies it queued."""
    async with sessionmaker() as session, session.begin():
        result = await BroadcastService(session, ctx).start(broadcast_id, ADMIN)
    return result.queued


def delivery_counts(server: FakeTelegramServer, users: list[int]) -> tuple[int, int, int]:
    """(lost, duplicated, wrong language) judged by what each user's chat shows."""
    lost = duplicated = wrong = 0
    for user in users:
        messages = server.transcript(user) if server.has_chat(user) else []
        if not messages:
            lost += 1
        duplicated += max(0, len(messages) - 1)
        expected = "ҮЕҰ" if user % 2 else "Республиканский"
        wrong += sum(1 for m in messages if not m.text.startswith(expected))
    return lost, duplicated, wrong


def watch_first_delivery(server: FakeTelegramServer, users: set[int]) -> dict[str, float]:
    """Records when Telegram first accepts a copy for one of ``users``."""
    seen: dict[str, float] = {}
    take_send_slot = server.take_send_slot

    def take(chat: ChatState, method: str) -> None:
        take_send_slot(chat, method)
        if chat.id in users:
            seen.setdefault("first", time.perf_counter())
            seen["last"] = time.perf_counter()

    server.take_send_slot = take  # type: ignore[method-assign]
    return seen


async def state_counts(database_url: str, group: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await session.execute(
                select(OutboxMessage.state, func.count())
                .where(OutboxMessage.group_key == group)
                .group_by(OutboxMessage.state)
            )
            return {state: int(count) for state, count in result.all()}
    finally:
        await engine.dispose()


async def job_loop(jobs: BroadcastJobs, stop: asyncio.Event) -> None:
    """The scheduler's broadcast job every 3 s: live status edits and the report."""
    while not stop.is_set():
        await jobs.tick()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 3.0)


# --------------------------------------------------------------------------- scenario 1


async def throughput(args: argparse.Namespace, workdir: Path) -> bool:
    rate, limit = BASE_RATE * args.scale, BASE_SERVER_LIMIT * args.scale
    database_url = f"sqlite+aiosqlite:///{workdir / 'broadcast.db'}"
    users = list(range(FIRST_USER, FIRST_USER + args.users))
    print(
        f"Scenario 1: a two-language broadcast to {args.users} users (+ the admin), SQLite file; "
        f"fake Bot API limit {limit:.0f} msg/s overall and 1 msg/s per chat, DELIVERY_RATE "
        f"{rate:.0f} (both × {args.scale:g} of Telegram's 30 and the default 25)",
        flush=True,
    )
    await prepare_users(database_url, users)
    limits = RateLimits(global_per_second=limit)
    async with FakeTelegramServer(token=TOKEN, limits=limits) as server:
        server.add_users([ADMIN, *users])
        settings = settings_for(database_url, server.base_url, rate)
        engine = create_engine(database_url)
        sessionmaker = create_sessionmaker(engine)
        outbox = Outbox(SystemClock())
        ctx = context(settings, outbox, create_i18n())
        broadcast_id = await create_broadcast(sessionmaker, ctx)
        first = watch_first_delivery(server, set(users))
        stop = asyncio.Event()
        async with running_sender(settings, outbox=outbox) as sender:
            jobs = asyncio.create_task(job_loop(BroadcastJobs(sessionmaker, ctx), stop))
            pressed = time.perf_counter()
            queued = await send(sessionmaker, ctx, broadcast_id)
            enqueue_seconds = time.perf_counter() - pressed
            again = await send(sessionmaker, ctx, broadcast_id)  # a double press
            await sender.wait_idle(within=args.users / rate * 2 + 120)
            elapsed = time.perf_counter() - pressed
            stop.set()
            await jobs
            await BroadcastJobs(sessionmaker, ctx).tick()
            await sender.wait_idle(within=30)
        await engine.dispose()
        lost, duplicated, wrong = delivery_counts(server, users)
        rate_limited = server.stats.rate_limited
        violations = list(server.violations)
        sent = server.stats.sent
        status_edits = server.stats.edits
        admin_messages = server.transcript(ADMIN)
    states = await state_counts(database_url, f"broadcast:{broadcast_id}")
    to_first = first["first"] - pressed if "first" in first else float("inf")
    # From "Send" to the last copy Telegram accepted: what the admin waits for.
    elapsed = first.get("last", pressed + elapsed) - pressed
    achieved = len(users) / elapsed
    ratio = achieved / rate
    row("copies queued by Send", f"{queued} in {enqueue_seconds:.2f} s (one INSERT … SELECT)")
    row("queued by a second Send", f"{again} (must be 0)")
    row("Send → first delivery", f"{to_first:.2f} s (target ≤ 2 s)")
    row("configured rate", f"{rate:.2f} msg/s")
    row(
        "achieved rate",
        f"{achieved:.2f} msg/s ({len(users)} copies from Send to the last in {elapsed:.1f} s; "
        f"{sent} sends in all, with the admin's status edits)",
    )
    row("ratio achieved ÷ configured", f"{ratio:.3f} (target ≥ 0.95)")
    row("429s received", f"{rate_limited} (target 0)")
    row("lost", f"{lost} (must be 0)")
    row("duplicated", f"{duplicated} (must be 0)")
    row("in the wrong language", str(wrong))
    row(
        "the admin's chat",
        f"{status_edits} status edits; {len(admin_messages)} messages (status, own copy, report)",
    )
    row("outbox rows by state", str(dict(sorted(states.items()))))
    if violations:
        row("API violations", str(violations[:5]))
    return (
        ratio >= 0.95
        and to_first <= 2.0
        and again == 0
        and rate_limited == 0
        and lost == duplicated == wrong == 0
        and not violations
    )


# --------------------------------------------------------------------------- scenario 2


def worker_command(
    args: argparse.Namespace, database_url: str, api_url: str, name: str
) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--database-url",
        database_url,
        "--api-url",
        api_url,
        "--rate",
        str(BASE_RATE * args.scale),
        "--lease",
        str(args.lease),
        "--worker-id",
        name,
    ]


async def crash(args: argparse.Namespace, workdir: Path) -> bool:
    rate, limit = BASE_RATE * args.scale, BASE_SERVER_LIMIT * args.scale
    database_url = f"sqlite+aiosqlite:///{workdir / 'crash.db'}"
    users = list(range(FIRST_USER, FIRST_USER + args.users))
    kill_after = args.users // 2
    print(
        f"Scenario 2: kill -9 — the same broadcast; the sender runs in a subprocess and is "
        f"killed with SIGKILL while Telegram accepts send #{kill_after}, then a new sender "
        f"starts (lease {args.lease:.0f} s)",
        flush=True,
    )
    await prepare_users(database_url, users)
    started = time.monotonic()
    async with FakeTelegramServer(
        token=TOKEN, limits=RateLimits(global_per_second=limit)
    ) as server:
        server.add_users([ADMIN, *users])
        settings = settings_for(database_url, server.base_url, rate)
        engine = create_engine(database_url)
        sessionmaker = create_sessionmaker(engine)
        ctx = context(settings, Outbox(SystemClock()), create_i18n())
        broadcast_id = await create_broadcast(sessionmaker, ctx)
        await send(sessionmaker, ctx, broadcast_id)
        group = f"broadcast:{broadcast_id}"
        first = await asyncio.create_subprocess_exec(
            *worker_command(args, database_url, server.base_url, "bench-first")
        )
        kill_during_send(server, first.pid, kill_after)
        await asyncio.wait_for(first.wait(), args.users / rate * 3 + 60)
        if first.returncode != -signal.SIGKILL:
            raise RuntimeError(f"the first sender exited with {first.returncode}")
        await settle(server)
        sent_at_kill = server.stats.sent
        async with sessionmaker() as session:
            chats = list(
                (
                    await session.scalars(
                        select(OutboxMessage.chat_id).where(
                            OutboxMessage.state == OutboxState.SENDING
                        )
                    )
                ).all()
            )
        unconfirmed = sum(1 for c in chats if server.has_chat(c) and server.transcript(c))
        second = await asyncio.create_subprocess_exec(
            *worker_command(args, database_url, server.base_url, "bench-second")
        )
        deadline = time.monotonic() + args.users / rate * 3 + args.lease + 60
        try:
            while True:
                if second.returncode is not None:
                    raise RuntimeError(f"the second sender exited with {second.returncode}")
                states = await state_counts(database_url, group)
                if not states.get(OutboxState.PENDING) and not states.get(OutboxState.SENDING):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("the second sender did not finish")
                await asyncio.sleep(0.5)
        finally:
            if second.returncode is None:
                second.send_signal(signal.SIGTERM)
                await second.wait()
        await engine.dispose()
        lost, duplicated, wrong = delivery_counts(server, users)
        rate_limited = server.stats.rate_limited
    row("sent before the kill", str(sent_at_kill))
    row("claimed by the killed worker", f"{len(chats)} rows")
    row("in flight at the kill", f"{unconfirmed} (sent, not confirmed: the duplicate bound)")
    row("lost", f"{lost} (must be 0)")
    row("duplicated", f"{duplicated} (must be ≤ {unconfirmed})")
    row("in the wrong language", str(wrong))
    row("429s received", f"{rate_limited}")
    row("outbox rows by state", str(dict(sorted(states.items()))))
    row("total", f"{time.monotonic() - started:.1f} s")
    return lost == 0 and wrong == 0 and duplicated <= unconfirmed <= SenderConfig().concurrency


async def run_worker(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format=f"  [{args.worker_id}] %(message)s")
    settings = settings_for(args.database_url, args.api_url, args.rate)
    config = replace(SenderConfig.from_settings(settings), lease=timedelta(seconds=args.lease))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with running_sender(settings, config=config, worker_id=args.worker_id):
        await stop.wait()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=23_000)
    parser.add_argument("--scale", type=float, default=4.0, help="× server limit and rate")
    parser.add_argument("--lease", type=float, default=10.0, help="lease seconds in scenario 2")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-crash", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--worker-id", help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    return parser.parse_args()


async def main(args: argparse.Namespace) -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="kenes-broadcast-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_throughput:
            ok &= await throughput(args, workdir)
        if not args.skip_crash:
            ok &= await crash(args, workdir)
    print("RESULT:", "pass" if ok else "FAIL", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    arguments = parse_args()
    if arguments.worker:
        asyncio.run(run_worker(arguments))
        sys.exit(0)
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(asyncio.run(main(arguments)))
