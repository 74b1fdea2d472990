"""Outbox benchmark: throughput within Telegram's limits, and a kill -9 in the middle.

    python benchmarks/outbox.py                       # 10,000 messages, then the crash run
    python benchmarks/outbox.py --messages 2000 --crash-messages 1000

Scenario 1 queues one message to each of N users in a SQLite file and lets one sender drain it
into the fake Bot API server, which enforces ~30 msg/s overall and 1 msg/s per chat (429 when
exceeded). Scenario 2 runs the sender in a subprocess against the same kind of setup, kills it
with SIGKILL mid-way, starts another, and checks that nothing is lost and that duplicates are
limited to what was in flight at the kill.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import func, insert, select

from bot.clock import SystemClock
from bot.config import Settings
from bot.delivery import Category, Outbox, OutgoingMessage
from bot.delivery.runtime import running_sender
from bot.delivery.sender import SenderConfig
from bot.sandbox import FakeTelegramServer, RateLimits
from bot.sandbox.state import ChatState
from db.engine import create_engine, create_sessionmaker
from db.migrate import upgrade
from db.models.outbox import OutboxMessage, OutboxState
from db.models.users import User

TOKEN = "123456:BENCHMARK-token"
FIRST_USER = 10_000_000


def settings_for(database_url: str, api_url: str, rate: float) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=SecretStr(TOKEN),
        telegram_api_url=api_url,
        database_url=database_url,
        delivery_rate=rate,
        per_chat_interval=1.0,
    )


def text_of(user_id: int) -> str:
    return f"Напоминание <b>№{user_id}</b>: вебинар завтра в 15:00"


async def prepare(database_url: str, users: list[int]) -> float:
    """Users and one queued message each; returns the seconds the enqueue took."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    clock = SystemClock()
    sessionmaker = create_sessionmaker(engine)
    now = clock.now()
    async with sessionmaker() as session, session.begin():
        for start in range(0, len(users), 1000):
            await session.execute(
                insert(User),
                [
                    {"id": u, "language": "ru", "created_at": now, "last_seen_at": now}
                    for u in users[start : start + 1000]
                ],
            )
    outbox = Outbox(clock)
    started = time.perf_counter()
    async with sessionmaker() as session, session.begin():
        messages = [
            OutgoingMessage.text_message(
                u,
                text_of(u),
                category=Category.BROADCAST,
                group_key="bench",
                dedupe_key=f"bench:{u}",
            )
            for u in users
        ]
        queued = await outbox.enqueue(session, *messages)
    took = time.perf_counter() - started
    await engine.dispose()
    assert queued == len(users), queued
    return took


def delivery_counts(server: FakeTelegramServer, users: list[int]) -> tuple[int, int]:
    """(lost, duplicated) judged by what each user's chat shows."""
    lost = duplicated = 0
    for user in users:
        texts = Counter(m.text for m in server.transcript(user)) if server.has_chat(user) else {}
        if not texts:
            lost += 1
        duplicated += sum(count - 1 for count in texts.values())
    return lost, duplicated


async def state_counts(database_url: str) -> dict[str, int]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await session.execute(
                select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
            )
            return {state: int(count) for state, count in result.all()}
    finally:
        await engine.dispose()


def row(label: str, value: str) -> None:
    print(f"  {label:<34}{value}", flush=True)


# --------------------------------------------------------------------------- scenario 1


async def throughput(messages: int, rate: float, workdir: Path) -> bool:
    database_url = f"sqlite+aiosqlite:///{workdir / 'throughput.db'}"
    users = list(range(FIRST_USER, FIRST_USER + messages))
    print(
        f"Scenario 1: throughput — {messages} messages to {messages} users, SQLite file, "
        "fake Bot API enforcing 30 msg/s overall and 1 msg/s per chat",
        flush=True,
    )
    enqueue_seconds = await prepare(database_url, users)
    async with FakeTelegramServer(token=TOKEN, limits=RateLimits()) as server:
        server.add_users(users)
        settings = settings_for(database_url, server.base_url, rate)
        started = time.perf_counter()
        async with running_sender(settings) as sender:
            await sender.wait_idle(within=messages / rate * 2 + 120)
            elapsed = time.perf_counter() - started
        lost, duplicated = delivery_counts(server, users)
        rate_limited = server.stats.rate_limited
        violations = list(server.violations)
    states = await state_counts(database_url)
    achieved = server.stats.sent / elapsed
    ratio = achieved / rate
    row("configured rate", f"{rate:.2f} msg/s")
    row("achieved rate", f"{achieved:.2f} msg/s ({server.stats.sent} in {elapsed:.1f} s)")
    row("ratio achieved ÷ configured", f"{ratio:.3f} (target ≥ 0.95)")
    row("429s received", f"{rate_limited} (target 0)")
    row("lost", f"{lost} (must be 0)")
    row("duplicated", f"{duplicated} (must be 0)")
    row("enqueue", f"{messages} messages in {enqueue_seconds:.2f} s")
    row("outbox rows by state", str(dict(sorted(states.items()))))
    if violations:
        row("API violations", str(violations[:5]))
    return (
        ratio >= 0.95
        and rate_limited == 0
        and lost == 0
        and duplicated == 0
        and not violations
        and states == {OutboxState.SENT: messages}
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
        str(args.rate),
        "--lease",
        str(args.lease),
        "--worker-id",
        name,
    ]


async def wait_until(check: Callable[[], Awaitable[bool]], deadline: float, what: str) -> None:
    """Polls the database with a deadline: the sender is another process."""
    while not await check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def crash(args: argparse.Namespace, workdir: Path) -> bool:
    messages = args.crash_messages
    kill_after = args.kill_after or messages // 2
    database_url = f"sqlite+aiosqlite:///{workdir / 'crash.db'}"
    users = list(range(FIRST_USER, FIRST_USER + messages))
    print(
        f"Scenario 2: kill -9 — {messages} messages; the sender runs in a subprocess, is killed "
        f"with SIGKILL while Telegram accepts send #{kill_after} (before it can record it), "
        f"and a new one is started (lease {args.lease:.0f} s)",
        flush=True,
    )
    await prepare(database_url, users)
    started = time.monotonic()
    async with FakeTelegramServer(token=TOKEN, limits=RateLimits()) as server:
        server.add_users(users)
        first = await asyncio.create_subprocess_exec(
            *worker_command(args, database_url, server.base_url, "bench-first")
        )
        kill_during_send(server, first.pid, kill_after)
        await asyncio.wait_for(first.wait(), messages / args.rate * 3 + 60)
        if first.returncode != -signal.SIGKILL:
            raise RuntimeError(f"the first sender exited with {first.returncode}")
        await settle(server)
        sent_at_kill = server.stats.sent
        # Rows the dead worker had claimed; of those, the ones Telegram already shows were
        # sent but not confirmed: only these may be sent a second time.
        claimed, unconfirmed = await in_flight_at_kill(database_url, server)

        second = await asyncio.create_subprocess_exec(
            *worker_command(args, database_url, server.base_url, "bench-second")
        )

        async def all_sent() -> bool:
            if second.returncode is not None:
                raise RuntimeError(f"the second sender exited with {second.returncode}")
            states = await state_counts(database_url)
            return bool(states.get(OutboxState.SENT, 0) == messages)

        try:
            await wait_until(
                all_sent, time.monotonic() + messages / args.rate * 3 + args.lease + 60, "drain"
            )
        finally:
            if second.returncode is None:
                second.send_signal(signal.SIGTERM)
                await second.wait()
        lost, duplicated = delivery_counts(server, users)
        rate_limited = server.stats.rate_limited
    row("sent before the kill", str(sent_at_kill))
    row(
        "claimed by the killed worker",
        f"{claimed} rows (at most {SenderConfig().concurrency} in flight)",
    )
    row("in flight at the kill", f"{unconfirmed} (sent, not yet confirmed: the duplicate bound)")
    row("lost", f"{lost} (must be 0)")
    row("duplicated", f"{duplicated} (must be ≤ {unconfirmed}, the in-flight count)")
    row("429s received", f"{rate_limited} (target 0)")
    row("total", f"{time.monotonic() - started:.1f} s")
    return lost == 0 and duplicated <= unconfirmed <= SenderConfig().concurrency


def kill_during_send(server: FakeTelegramServer, pid: int, after: int) -> None:
    """SIGKILL the sender while the server commits send number ``after``: the worst moment,
    Telegram has the message and the sender never learns it."""
    take_send_slot = server.take_send_slot
    fired = False

    def take_and_kill(chat: ChatState, method: str) -> None:
        nonlocal fired
        take_send_slot(chat, method)
        if not fired and server.stats.sent + 1 >= after:
            fired = True
            os.kill(pid, signal.SIGKILL)

    server.take_send_slot = take_and_kill  # type: ignore[method-assign]


async def settle(server: FakeTelegramServer) -> None:
    """Let requests the dead process had already written reach the server's handlers."""
    seen = -1
    while len(server.calls) != seen:
        seen = len(server.calls)
        await asyncio.sleep(0.3)


async def in_flight_at_kill(database_url: str, server: FakeTelegramServer) -> tuple[int, int]:
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await session.scalars(
                select(OutboxMessage.chat_id).where(OutboxMessage.state == OutboxState.SENDING)
            )
            chats = list(result.all())
    finally:
        await engine.dispose()
    unconfirmed = sum(1 for chat in chats if server.has_chat(chat) and server.transcript(chat))
    return len(chats), unconfirmed


# --------------------------------------------------------------------------- the subprocess


async def run_worker(args: argparse.Namespace) -> None:
    logging.basicConfig(level=logging.WARNING, format=f"  [{args.worker_id}] %(message)s")
    settings = settings_for(args.database_url, args.api_url, args.rate)
    config = replace(SenderConfig.from_settings(settings), lease=timedelta(seconds=args.lease))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    async with running_sender(settings, config=config, worker_id=args.worker_id):
        await stop.wait()


# --------------------------------------------------------------------------- main


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000, help="scenario 1 size")
    parser.add_argument("--crash-messages", type=int, default=2_000, help="scenario 2 size")
    parser.add_argument("--kill-after", type=int, default=0, help="sends before the kill")
    parser.add_argument(
        "--rate", type=float, default=Settings.model_fields["delivery_rate"].default
    )
    parser.add_argument("--lease", type=float, default=10.0, help="lease seconds in scenario 2")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-crash", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--api-url", help=argparse.SUPPRESS)
    parser.add_argument("--worker-id", help=argparse.SUPPRESS)
    return parser.parse_args()


async def main(args: argparse.Namespace) -> int:
    ok = True
    with tempfile.TemporaryDirectory(prefix="kenes-outbox-bench-") as tmp:
        workdir = Path(tmp)
        if not args.skip_throughput:
            ok &= await throughput(args.messages, args.rate, workdir)
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
