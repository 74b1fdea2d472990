"""Desk benchmark: many people asking at once, a few consultants answering, Telegram's limits on.

    python benchmarks/desk.py                        # 500 people, 4 consultants, group limit × 50
    python benchmarks/desk.py --people 100 --scale 1 # the group limit as Telegram has it

The real bot (its Dispatcher, the outbox, aiogram's HTTP session) runs against the fake Bot API
server, which enforces ~30 messages/s overall, ~1/s per chat and 20/minute in a group (429
beyond). The desk is open (`DESK_HOURS=always`), its workspace a forum group; new questions are
assigned automatically to the consultant with the fewest open ones.

At once, every person submits a question (through the desk's service, as the ask dialog does at
"Send"). The bot opens a topic per question, posts its card and copies the person's message
into it: **person → topic** is the time from the submit's commit to that copy. As soon as the
copy is in the topic, the question's consultant writes an answer there (a message in the topic,
an update the bot handles): **consultant → person** is the time from that message to the signed
answer in the person's chat. Lost: a question never copied, or an answer never delivered, within
the run's deadline. Misrouted: a copy in another question's topic, or an answer in another
person's chat.

`--scale K` multiplies the fake server's group limit by K and divides `GROUP_INTERVAL` by K
(the outbox's spacing of group messages), so a run takes minutes rather than hours; with K = 1
each question costs three group messages (topic, card, copy) at 20 a minute. The figures for
K = 1 are printed as a projection from the measured group message count.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

from pydantic import SecretStr

from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.faults import HookedCall
from bot.sandbox.harness import RunningBot
from bot.sandbox.ratelimit import RateLimits
from bot.sandbox.server import FakeTelegramServer
from bot.services.desk.model import Incoming
from bot.services.desk.schedule import parse_desk_hours

TOKEN = "123456:BENCHMARK-desk-token"
FORUM = -1001000000500
FIRST_CONSULTANT = 810000
FIRST_PERSON = 820000
GROUP_PER_MINUTE = 20.0
GROUP_MESSAGES_PER_QUESTION = 3  # the topic, its card, the copy of the question


@dataclass
class Run:
    people: dict[int, SimUser] = field(default_factory=dict)
    consultants: dict[int, SimUser] = field(default_factory=dict)
    ticket_of: dict[int, int] = field(default_factory=dict)  # person → question
    person_of: dict[int, int] = field(default_factory=dict)  # question → person
    owner_of: dict[int, int] = field(default_factory=dict)  # question → consultant
    submitted: dict[int, float] = field(default_factory=dict)  # person → commit time
    copied: dict[int, float] = field(default_factory=dict)  # person → copy in the topic
    copy_thread: dict[int, int] = field(default_factory=dict)  # person → thread of the copy
    answered_at: dict[int, float] = field(default_factory=dict)  # question → consultant wrote
    delivered: dict[int, float] = field(default_factory=dict)  # question → answer arrived
    misrouted: int = 0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def answer_text(ticket_id: int) -> str:
    return f"Answer A{ticket_id}: please bring the charter."


async def benchmark(people: int, consultants: int, scale: float, database_url: str) -> int:
    limits = RateLimits(group_per_minute=GROUP_PER_MINUTE * scale, per_chat_per_second=scale)
    async with FakeTelegramServer(token=TOKEN, limits=limits, record_calls=False) as server:
        forum = server.forum(FORUM, "Kenes consultants")
        settings = Settings(
            _env_file=None,
            bot_token=SecretStr(TOKEN),
            database_url=database_url,
            consultants_chat_id=FORUM,
            desk_hours=parse_desk_hours("always"),
            desk_auto_assign=True,
            desk_max_open=people,
            group_interval=3.0 / scale,
        )
        running = await RunningBot.start(settings, server)
        run = Run()
        try:
            await prepare(running, run, people, consultants)
            for member in run.consultants.values():
                forum.add_member(member, "administrator", can_manage_topics=True)
            server.on_call("copyMessage", lambda call: on_copy(call, run, forum))
            server.on_call("sendMessage", lambda call: on_answer(call, run))
            server.on_call("copyMessage", lambda call: on_answer(call, run))
            started = time.perf_counter()
            await submit_all(running, run)
            deadline = people * GROUP_MESSAGES_PER_QUESTION / (limits.group_per_minute or 1) * 60
            try:
                async with asyncio.timeout(deadline * 2 + 60):
                    await run.done.wait()
            except TimeoutError:
                print("deadline reached: counting what arrived")
            elapsed = time.perf_counter() - started
            await asyncio.gather(*run.tasks, return_exceptions=True)
            return report(run, server, scale, elapsed)
        finally:
            await running.stop()


async def prepare(running: RunningBot, run: Run, people: int, consultants: int) -> None:
    app = running.app
    for index in range(consultants):
        user_id = FIRST_CONSULTANT + index
        run.consultants[user_id] = await running.known_user(user_id, f"Consultant {index}", "ru")
        async with app.sessionmaker() as session, session.begin():
            await app.services.for_session(session).consultants.add(
                user_id, f"Consultant {index}", by=None
            )
    for index in range(people):
        user_id = FIRST_PERSON + index
        language = "kk" if index % 2 else "ru"
        run.people[user_id] = await running.known_user(user_id, f"Person {index}", language)


async def submit_all(running: RunningBot, run: Run) -> None:
    """Every person's question, as the ask dialog stores it: the message stays in their chat
    (the bot does not see it as an update) and the desk copies it from there."""
    app = running.app
    server = running.server
    with patch.object(server, "push_update", lambda *a, **k: None):
        message_ids = {
            user_id: await person.send(f"Question of {user_id}: how do we register a fund?")
            for user_id, person in run.people.items()
        }
    for user_id, person in run.people.items():
        async with app.sessionmaker() as session, session.begin():
            desk = app.services.for_session(session).desk
            language = "kk" if (user_id - FIRST_PERSON) % 2 else "ru"
            await desk.start(user_id, language=language, person_name=person.info["first_name"])
            await desk.add_to_draft(
                user_id,
                Incoming(
                    chat_id=user_id,
                    message_id=message_ids[user_id],
                    author_id=user_id,
                    kind="text",
                    text=f"Question of {user_id}",
                    media_group_id=None,
                    sent_at=datetime.now(UTC),
                ),
            )
            submitted = await desk.submit(user_id, "registration")
        run.submitted[user_id] = time.perf_counter()
        ticket = submitted.ticket
        run.ticket_of[user_id] = ticket.id
        run.person_of[ticket.id] = user_id
        if ticket.owner_id is not None:
            run.owner_of[ticket.id] = ticket.owner_id
        app.outbox.wake()


def on_copy(call: HookedCall, run: Run, forum: object) -> None:
    params = call.params
    if call.error is not None or int(params.get("chat_id", 0)) != FORUM:
        return
    person = int(params.get("from_chat_id", 0))
    if person not in run.people or person in run.copied:
        return
    run.copied[person] = time.perf_counter()
    thread = int(params.get("message_thread_id") or 0)
    run.copy_thread[person] = thread
    ticket_id = run.ticket_of.get(person)
    owner = run.owner_of.get(ticket_id or 0)
    if ticket_id is None or owner is None:
        return
    consultant = run.consultants[owner]

    async def answer() -> None:
        run.answered_at[ticket_id] = time.perf_counter()
        await consultant.send(answer_text(ticket_id), chat=forum.topic(thread))  # type: ignore[attr-defined]

    run.tasks.append(asyncio.create_task(answer()))


def on_answer(call: HookedCall, run: Run) -> None:
    params = call.params
    chat_id = int(params.get("chat_id", 0))
    if call.error is not None or chat_id not in run.people:
        return
    text = str(params.get("text") or params.get("caption") or "")
    for ticket_id, person in run.person_of.items():
        if answer_text(ticket_id) in text:
            if person != chat_id:
                run.misrouted += 1
            elif ticket_id not in run.delivered:
                run.delivered[ticket_id] = time.perf_counter()
            break
    if len(run.delivered) == len(run.person_of):
        run.done.set()


def report(run: Run, server: FakeTelegramServer, scale: float, elapsed: float) -> int:
    to_topic = [run.copied[p] - run.submitted[p] for p in run.copied if p in run.submitted]
    to_person = [
        run.delivered[t] - run.answered_at[t] for t in run.delivered if t in run.answered_at
    ]
    lost_copies = len(run.people) - len(run.copied)
    lost_answers = len(run.answered_at) - len(run.delivered)
    threads = {run.copy_thread[p] for p in run.copy_thread}
    misrouted_copies = len(run.copy_thread) - len(threads)
    people = len(run.people)
    print(f"{people} people asking at once, {len(run.consultants)} consultants answering")
    print(
        f"  group limit × {scale:g} ({GROUP_PER_MINUTE * scale:g}/min), GROUP_INTERVAL "
        f"{3.0 / scale:.3f} s; run {elapsed:.1f} s"
    )
    for name, values in (("person → topic", to_topic), ("consultant → person", to_person)):
        print(
            f"  {name:<22} p50 {statistics.median(values) if values else float('nan'):7.2f} s"
            f"   p99 {percentile(values, 0.99):7.2f} s   ({len(values)} measured)"
        )
    print(f"  lost                   {lost_copies} questions, {lost_answers} answers (target 0)")
    print(f"  misrouted              {misrouted_copies} copies, {run.misrouted} answers (target 0)")
    print(f"  429s received          {server.stats.rate_limited}")
    projected = people * GROUP_MESSAGES_PER_QUESTION / GROUP_PER_MINUTE
    print(
        f"  at Telegram's group limit (× 1) the last of {people} questions reaches the group "
        f"after ≈ {projected:.0f} min ({GROUP_MESSAGES_PER_QUESTION} group messages each at "
        f"{GROUP_PER_MINUTE:g}/min)"
    )
    ok = lost_copies == 0 and lost_answers == 0 and run.misrouted == 0 and misrouted_copies == 0
    print("RESULT:", "PASS (nothing lost or misrouted)" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--consultants", type=int, default=4)
    parser.add_argument("--scale", type=float, default=50.0)
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="kenes-desk-bench-") as folder:
        url = args.database_url or f"sqlite+aiosqlite:///{Path(folder) / 'desk.db'}"
        return asyncio.run(benchmark(args.people, args.consultants, args.scale, url))


if __name__ == "__main__":
    sys.exit(main())
