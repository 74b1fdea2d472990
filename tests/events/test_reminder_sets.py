"""The set-based reminder job: the database applies the planner's rule to a whole audience, a
slice of users at a time, and the scheduler's memory skips only what is already settled."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import Session

from bot.services.events import reminders
from bot.services.events.planner import ahead_until, choose, event_slots
from bot.services.events.reminders import SettledEvents, quiet_hours, run_due_reminders
from bot.testing import FakeClock
from db.models.events import EventReminder, EventSubscription, EventWatch
from db.models.outbox import OutboxMessage
from db.models.users import User
from db.repositories.reminders import DueSlot, Occurrence, ReminderRepository, ReminderRound
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from tests.events.conftest import EventsEnv, draft, local

OFFSETS = (10080, 1440, 120, 60)


def engine_of(env: EventsEnv) -> AsyncEngine:
    bind = env.sessionmaker.kw["bind"]
    assert isinstance(bind, AsyncEngine)
    return bind


@contextmanager
def statements(env: EventsEnv) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    target = engine_of(env).sync_engine
    event.listen(target, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(target, "before_cursor_execute", record)


async def log_rows(env: EventsEnv) -> set[tuple[int, int, str, datetime]]:
    async with env.sessionmaker() as session:
        rows = await session.execute(
            select(
                EventReminder.user_id,
                EventReminder.offset_minutes,
                EventReminder.status,
                EventReminder.created_at,
            )
        )
        return {(user, offset, status, at) for user, offset, status, at in rows}


async def test_the_database_applies_the_planners_rule_to_every_user(
    events_env: EventsEnv,
) -> None:
    """Random people (asked at random moments, by subscription and/or "Remind me", some with
    slots already handled) at moments around quiet hours and downtime: what the job records
    and queues is what `planner.choose` says for each of them."""
    env = events_env
    settings = env.settings.model_copy(update={"reminder_offsets": OFFSETS})
    # 09:30: the 2-hour slot (07:30) is held to 09:00, after the urgent 1-hour one (08:30).
    start = local(2026, 4, 15, 9, 30)
    created = await env.create(draft(start))
    quiet = quiet_hours(settings)
    slots = event_slots(start, False, OFFSETS, quiet)
    limit = ahead_until(start, False, quiet.tz)
    rng = random.Random(20260415)
    window = (start - local(2026, 4, 1)).total_seconds()

    def asked_at(rng: random.Random) -> datetime:
        if rng.random() < 0.15:  # right at a slot: asking at that moment earns it
            return rng.choice(slots).send_at
        return local(2026, 4, 1) + timedelta(seconds=rng.uniform(0, window))

    asked: dict[int, datetime] = {}
    async with env.sessionmaker() as session, session.begin():
        for user_id in range(1, 121):
            requests = [asked_at(rng)]
            await UserRepository(session).touch(user_id, local(2026, 4, 1))
            await session.execute(
                insert(EventSubscription).values(
                    user_id=user_id, category="seminar", created_at=requests[0]
                )
            )
            if rng.random() < 0.3:
                requests.append(asked_at(rng))
                await session.execute(
                    insert(EventWatch).values(
                        event_id=created.id, user_id=user_id, created_at=requests[1]
                    )
                )
            asked[user_id] = min(requests)
            if rng.random() < 0.25:  # slots handled before (by an earlier run or a notice)
                for offset in rng.sample(OFFSETS, rng.randint(1, 2)):
                    await session.execute(
                        insert(EventReminder).values(
                            event_id=created.id,
                            user_id=user_id,
                            offset_minutes=offset,
                            starts_at=start,
                            status=rng.choice(["sent", "skipped"]),
                            created_at=local(2026, 4, 1),
                        )
                    )
    moments = [
        local(2026, 4, 14, 11, 0),  # down through the 7-day slot: the 1-day one, 7-day skipped
        local(2026, 4, 14, 23, 0),  # nothing new at night
        local(2026, 4, 15, 8, 40),  # the urgent hour slot; the 2-hour one is held to 09:00
        local(2026, 4, 15, 9, 0),  # the 2-hour slot: only for who had nothing as close
        local(2026, 4, 15, 9, 10),
    ]
    expected_total = skipped_total = 0
    for now in moments:
        before = await log_rows(env)
        handled: dict[int, set[int]] = {}
        for user, offset, _status, _at in before:
            handled.setdefault(user, set()).add(offset)
        expected: set[tuple[int, int, str]] = set()
        for user, since in asked.items():
            choice = choose(
                slots,
                now=now,
                limit=limit,
                quiet=quiet,
                opted_in_at=since,
                handled=handled.get(user, set()),
            )
            if choice.send is not None:
                expected.add((user, choice.send.offset_minutes, "sent"))
            expected.update((user, slot.offset_minutes, "skipped") for slot in choice.skip)
        env.clock.set(now)
        queued = await run_due_reminders(
            env.sessionmaker, env.outbox, env.clock, settings, env.texts
        )
        recorded = {
            (user, offset, status) for user, offset, status, _ in await log_rows(env) - before
        }
        assert recorded == expected, now
        sent = {(user, offset) for user, offset, status in expected if status == "sent"}
        assert queued == len(sent)
        expected_total += len(sent)
        skipped_total += len(expected) - len(sent)
        keys = {row.dedupe_key for row in await env.outbox_rows()}
        stamp = "20260415T0430Z"
        assert {f"rem:{created.id}:{user}:{offset}:{stamp}" for user, offset in sent} <= keys
    assert len(await env.outbox_rows()) == expected_total
    assert expected_total > 100 and skipped_total > 30  # the rule was exercised


async def test_a_big_audience_goes_a_slice_at_a_time_each_woken_after_its_commit(
    events_env: EventsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = events_env
    monkeypatch.setattr(reminders, "SLICE_USERS", 4)
    for user_id in range(1, 12):
        await env.add_user(user_id, language="kk" if user_id % 2 else "ru", categories=["seminar"])
    async with env.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == 2).values(language=None))
        await UserRepository(session).mark_unreachable(5, "blocked")
    created = await env.create(draft(local(2026, 4, 15, 14, 0)))
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).watch(created.id, 3, env.clock.now())
    timeline: list[str] = []
    env.outbox.connect_sender(lambda: timeline.append("wake"))

    def committed(_session: Session) -> None:
        timeline.append("commit")

    def queued(*args: Any) -> None:
        if args[2].startswith("INSERT INTO outbox"):
            timeline.append("queue")

    event.listen(Session, "after_commit", committed)
    event.listen(engine_of(env).sync_engine, "before_cursor_execute", queued)
    try:
        env.clock.set(local(2026, 4, 8, 14, 0))
        assert await env.run() == 10  # 11 subscribers, one of them unreachable
    finally:
        event.remove(Session, "after_commit", committed)
        event.remove(engine_of(env).sync_engine, "before_cursor_execute", queued)
    # 10 people owed, 4 per transaction; the sender is woken after each commit. On PostgreSQL
    # two slices are in flight at once, so their steps may interleave.
    assert timeline[0] == "commit"  # the job's first transaction: rolling yearly deadlines
    slices = timeline[1:]
    assert sorted(slices) == sorted(["queue", "commit", "wake"] * 3)
    for end in range(len(slices) + 1):
        before = slices[:end]
        assert before.count("wake") <= before.count("commit") <= before.count("queue"), timeline
    rows = await env.outbox_rows()
    assert sorted(row.chat_id for row in rows) == [1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    assert "7 күннен кейін" in (await env.texts_for(3))[0]
    assert "через 7 дней" in (await env.texts_for(2))[0]  # no language: Russian
    assert {row.reply_markup is not None for row in rows} == {True}


async def test_instances_racing_over_slices_at_different_moments_queue_each_once(
    events_env: EventsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = events_env
    monkeypatch.setattr(reminders, "SLICE_USERS", 3)
    for user_id in range(1, 21):
        await env.add_user(user_id, categories=["seminar"])
    await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 8, 14, 0))
    later = FakeClock(local(2026, 4, 8, 14, 1))
    results = await asyncio.gather(
        env.run(),
        env.run(),
        run_due_reminders(env.sessionmaker, env.outbox, later, env.settings, env.texts),
    )
    assert sum(results) == 20
    rows = await env.outbox_rows()
    assert sorted(row.chat_id for row in rows) == list(range(1, 21))
    assert len(await log_rows(env)) == 20


async def test_an_unreachable_user_is_left_out_and_gets_the_next_slot_once_back(
    events_env: EventsEnv,
) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar"])
    await env.add_user(2, categories=["seminar"])
    async with env.sessionmaker() as session, session.begin():
        await UserRepository(session).mark_unreachable(2, "blocked")
    await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 8, 14, 0))
    assert await env.run() == 1
    assert {user for user, *_ in await log_rows(env)} == {1}  # nothing recorded for 2
    async with env.sessionmaker() as session, session.begin():
        await UserRepository(session).touch(2, env.clock.now())  # wrote to the bot again
    env.clock.set(local(2026, 4, 14, 14, 0))
    assert await env.run() == 2
    assert len(await env.texts_for(2)) == 1 and "завтра" in (await env.texts_for(2))[0]


async def test_subscribed_and_watching_is_one_person_who_asked_at_the_earlier_moment(
    events_env: EventsEnv,
) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar"])  # subscribed and watching: one reminder
    await env.add_user(2)  # watching since now, subscribes after the 7-day slot
    await env.add_user(3)  # asks only after the 7-day slot
    created = await env.create(draft(local(2026, 4, 15, 14, 0)))
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).watch(created.id, 1, env.clock.now())
        await SubscriptionRepository(session).watch(created.id, 2, env.clock.now())
    env.clock.set(local(2026, 4, 8, 15, 0))
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).subscribe(2, "seminar", env.clock.now())
        await SubscriptionRepository(session).subscribe(3, "seminar", env.clock.now())
    assert await env.run() == 2
    assert sorted(row.chat_id for row in await env.outbox_rows()) == [1, 2]
    env.clock.set(local(2026, 4, 14, 14, 0))
    assert await env.run() == 3  # the 1-day slot: user 3 asked before it


async def test_an_idle_tick_asks_nothing_per_event_once_the_slots_are_worked_through(
    events_env: EventsEnv,
) -> None:
    env = events_env
    settled = SettledEvents()
    for user_id in range(1, 4):
        await env.add_user(user_id, categories=["seminar"])
    for day in range(10, 16):
        await env.create(draft(local(2026, 4, day, 14, 0)))

    async def tick() -> int:
        return await run_due_reminders(
            env.sessionmaker, env.outbox, env.clock, env.settings, env.texts, settled
        )

    env.clock.set(local(2026, 4, 9, 14, 0))
    assert await tick() == 18  # six events' 7-day slots (the first one's 1-day slot)
    env.clock.advance(timedelta(minutes=1))
    assert await tick() == 0  # the re-check, a tick later
    env.clock.advance(timedelta(minutes=1))
    with statements(env) as executed:
        assert await tick() == 0
    assert not [sql for sql in executed if "event_subscriptions" in sql]
    assert len([sql for sql in executed if sql.lstrip().upper().startswith("SELECT")]) == 2
    env.clock.set(local(2026, 4, 10, 13, 0))  # the first event's hour slot
    assert await tick() == 3


async def test_the_recheck_catches_a_subscription_committed_during_the_first_pass(
    events_env: EventsEnv,
) -> None:
    env = events_env
    settled = SettledEvents()
    await env.add_user(1, categories=["seminar"])
    await env.add_user(2)
    await env.add_user(3)
    await env.create(draft(local(2026, 4, 15, 14, 0)))
    slot = local(2026, 4, 8, 14, 0)

    async def tick() -> int:
        return await run_due_reminders(
            env.sessionmaker, env.outbox, env.clock, env.settings, env.texts, settled
        )

    async def subscribed_just_before_the_slot(user_id: int) -> None:
        async with env.sessionmaker() as session, session.begin():
            await session.execute(
                insert(EventSubscription).values(
                    user_id=user_id, category="seminar", created_at=slot - timedelta(seconds=1)
                )
            )

    env.clock.set(slot)
    assert await tick() == 1
    await subscribed_just_before_the_slot(2)  # its commit came after the first pass read
    env.clock.advance(timedelta(minutes=1))
    assert await tick() == 1
    assert len(await env.texts_for(2)) == 1
    # Later than a tick: the slot is settled, so this one waits for the next slot.
    await subscribed_just_before_the_slot(3)
    env.clock.advance(timedelta(minutes=1))
    assert await tick() == 0
    env.clock.set(local(2026, 4, 14, 14, 0))
    assert await tick() == 3


async def test_an_edited_event_is_looked_at_again(events_env: EventsEnv) -> None:
    env = events_env
    settled = SettledEvents()
    await env.add_user(1, region="almaty", categories=["forum"])
    await env.add_user(2, region="astana", categories=["forum"])  # only their region
    created = await env.create(draft(local(2026, 4, 15, 14, 0), category="forum", region="almaty"))

    async def tick() -> int:
        return await run_due_reminders(
            env.sessionmaker, env.outbox, env.clock, env.settings, env.texts, settled
        )

    env.clock.set(local(2026, 4, 8, 14, 0))
    assert await tick() == 1
    env.clock.advance(timedelta(minutes=1))
    assert await tick() == 0
    env.clock.advance(timedelta(minutes=1))
    async with env.sessionmaker() as session, session.begin():
        await env.service(session).update(
            created.id, draft(local(2026, 4, 15, 14, 0), category="forum", region=None)
        )  # now for all of Kazakhstan
    env.clock.advance(timedelta(minutes=1))
    assert await tick() == 1
    assert len(await env.texts_for(2)) == 1


async def test_the_memory_keeps_quiet_hours_and_downtime_as_they_were(
    events_env: EventsEnv,
) -> None:
    env = events_env
    settled = SettledEvents()
    await env.add_user(1, categories=["seminar"])
    await env.create(draft(local(2026, 4, 15, 23, 30)))

    async def tick() -> int:
        return await run_due_reminders(
            env.sessionmaker, env.outbox, env.clock, env.settings, env.texts, settled
        )

    env.clock.set(local(2026, 4, 14, 23, 40))  # down through the 7-day and 1-day slots
    assert await tick() == 0  # overdue at night: both wait for the morning
    env.clock.set(local(2026, 4, 15, 8, 59))
    assert await tick() == 0
    env.clock.set(local(2026, 4, 15, 9, 0))
    assert await tick() == 1
    assert "завтра" not in (await env.texts_for(1))[0]  # sent in the morning, event tonight
    env.clock.set(local(2026, 4, 15, 9, 1))
    assert await tick() == 0
    env.clock.set(local(2026, 4, 15, 22, 30))
    assert await tick() == 1  # urgent: inside quiet hours
    statuses = {(offset, status) for _, offset, status, _ in await log_rows(env)}
    assert statuses == {(10080, "skipped"), (1440, "sent"), (60, "sent")}


async def test_a_cancelled_occurrence_is_not_claimed(events_env: EventsEnv) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar"])
    created = await env.create(draft(local(2026, 4, 15, 14, 0)))
    occurrence = Occurrence(created.id, created.starts_at, created.category, created.region)
    now = local(2026, 4, 8, 14, 0)
    due = (DueSlot(10080, now),)
    async with env.sessionmaker() as session, session.begin():
        await env.service(session).cancel(created.id)
    async with env.sessionmaker() as session, session.begin():
        claimed = await ReminderRepository(session).claim_due(
            ReminderRound(occurrence, due, now), (1, 1)
        )
        assert not claimed
    moved = await env.create(draft(local(2026, 4, 16, 14, 0)))
    stale = Occurrence(moved.id, created.starts_at, moved.category, moved.region)
    async with env.sessionmaker() as session, session.begin():
        claimed = await ReminderRepository(session).claim_due(
            ReminderRound(stale, due, now), (1, 1)
        )
        assert not claimed
    assert await log_rows(env) == set()


async def test_the_log_not_the_queue_says_what_was_sent(events_env: EventsEnv) -> None:
    """Delivered rows may be purged from the outbox: the reminder log still says the slot was
    handled, so it is not queued again when the job next queues someone else."""
    env = events_env
    await env.add_user(1, categories=["seminar"])
    await env.add_user(2, categories=["seminar"])
    async with env.sessionmaker() as session, session.begin():
        await UserRepository(session).mark_unreachable(1, "blocked")
    await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 8, 14, 0))
    assert await env.run() == 1
    async with env.sessionmaker() as session, session.begin():
        await session.execute(delete(OutboxMessage))
        await UserRepository(session).mark_reachable(1)
    env.clock.advance(timedelta(minutes=1))
    assert await env.run() == 1
    assert [row.chat_id for row in await env.outbox_rows()] == [1]


async def test_events_side_by_side_each_queue_once_and_a_failing_one_leaves_the_rest(
    events_env: EventsEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = events_env
    monkeypatch.setattr(reminders, "SLICE_USERS", 3)
    settled = SettledEvents()
    for user_id in range(1, 11):
        await env.add_user(user_id, categories=["seminar"])
    created = [await env.create(draft(local(2026, 4, day, 14, 0))) for day in range(15, 19)]
    broken = created[1].id
    real = reminders.queue_slice

    async def queue_slice(session: Any, round_: ReminderRound, *args: Any) -> Any:
        if round_.occurrence.event_id == broken:
            raise RuntimeError("the database went away for this event")
        return await real(session, round_, *args)

    async def tick() -> int:
        return await run_due_reminders(
            env.sessionmaker, env.outbox, env.clock, env.settings, env.texts, settled
        )

    monkeypatch.setattr(reminders, "queue_slice", queue_slice)
    env.clock.set(local(2026, 4, 11, 14, 0))  # every event's 7-day slot is due
    assert await tick() == 30  # 10 subscribers × the 3 events that work
    monkeypatch.setattr(reminders, "queue_slice", real)
    env.clock.advance(timedelta(minutes=1))
    assert await tick() == 10  # the failed one is not settled: retried
    rows = await env.outbox_rows()
    keys = [row.dedupe_key for row in rows]
    assert len(keys) == len(set(keys)) == 40
    assert {(row.group_key, row.chat_id) for row in rows} == {
        (f"event:{event.id}", user) for event in created for user in range(1, 11)
    }
