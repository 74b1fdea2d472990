"""The reminder job against a real database and the real outbox, driven by a fake clock."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, func, select

from bot.services.events.builtin import BUILTIN_DEADLINES, roll_recurring, seed_builtin_deadlines
from bot.services.events.notices import group_key
from db.models.events import Event, EventReminder, EventSubscription, EventWatch
from db.models.users import User
from db.repositories.events import EventRepository
from db.repositories.subscriptions import SubscriptionRepository
from db.repositories.users import UserRepository
from tests.events.conftest import EventsEnv, draft, local, plain


async def test_subscriber_gets_each_reminder_once_in_their_language(events_env: EventsEnv) -> None:
    env = events_env
    await env.add_user(1, language="kk", categories=["seminar"])
    await env.add_user(2, language="ru", categories=["seminar"])
    await env.add_user(3, language="ru", categories=["forum"])  # another category
    event = await env.create(draft(local(2026, 4, 15, 14, 0)))

    assert await env.run() == 0
    env.clock.set(local(2026, 4, 8, 14, 0))
    assert await env.run() == 2
    assert await env.run() == 0  # nothing twice
    kk, ru = await env.texts_for(1), await env.texts_for(2)
    assert "7 күннен кейін" in kk[0] and "Есеп беру семинары" in kk[0]
    assert "через 7 дней" in ru[0] and "Семинар по отчётности" in ru[0]
    assert "15 апреля 2026 г., 14:00" in ru[0]  # local time
    assert await env.texts_for(3) == []

    env.clock.set(local(2026, 4, 14, 14, 0))
    assert await env.run() == 2
    env.clock.set(local(2026, 4, 15, 13, 0))
    assert await env.run() == 2
    ru = await env.texts_for(2)
    assert ["через 7 дней" in ru[0], "завтра" in ru[1], "через 1 час" in ru[2]] == [True] * 3
    env.clock.set(local(2026, 4, 15, 14, 0))
    assert await env.run() == 0
    keys = [r.dedupe_key for r in await env.outbox_rows() if r.chat_id == 2]
    assert keys[0] == f"rem:{event.id}:2:10080:20260415T0900Z"
    assert all(r.group_key == group_key(event.id) for r in await env.outbox_rows())


async def test_quiet_hours_hold_the_day_reminder_but_not_the_hour_one(
    events_env: EventsEnv,
) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar"])
    await env.create(draft(local(2026, 4, 15, 23, 30)))
    env.clock.set(local(2026, 4, 8, 23, 30))
    assert await env.run() == 0  # 7 days before, but at night
    env.clock.set(local(2026, 4, 9, 8, 59))
    assert await env.run() == 0
    env.clock.set(local(2026, 4, 9, 9, 0))
    assert await env.run() == 1
    env.clock.set(local(2026, 4, 14, 23, 30))
    assert await env.run() == 0  # the 1-day one waits for the morning too
    env.clock.set(local(2026, 4, 15, 9, 0))
    assert await env.run() == 1
    env.clock.set(local(2026, 4, 15, 22, 30))
    assert await env.run() == 1  # urgent: sent inside quiet hours


async def test_after_downtime_only_the_closest_overdue_reminder_while_still_ahead(
    events_env: EventsEnv,
) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar"])
    event = await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 14, 18, 0))  # down through the 7-day and 1-day slots
    assert await env.run() == 1
    texts = await env.texts_for(1)
    assert len(texts) == 1 and "Напоминание: завтра" in texts[0]
    async with env.sessionmaker() as session:
        statuses = dict(
            (await session.execute(
                select(EventReminder.offset_minutes, EventReminder.status).where(
                    EventReminder.event_id == event.id
                )
            )).all()
        )  # fmt: skip
    assert statuses == {10080: "skipped", 1440: "sent"}
    env.clock.set(local(2026, 4, 15, 14, 5))  # down through the 1-hour slot and the start
    assert await env.run() == 0


async def test_two_instances_at_once_send_nothing_twice(events_env: EventsEnv) -> None:
    env = events_env
    for user_id in range(1, 31):
        await env.add_user(user_id, categories=["seminar"])
    await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 8, 14, 0))
    results = await asyncio.gather(env.run(), env.run(), env.run())
    assert sum(results) == 30
    assert len(await env.outbox_rows()) == 30


async def test_region_rules_watchers_and_unreachable_users(events_env: EventsEnv) -> None:
    env = events_env
    await env.add_user(1, region="almaty", categories=["forum"])  # only my region (default)
    await env.add_user(2, region="astana", categories=["forum"])
    await env.add_user(3, region=None, categories=["forum"])  # no region: everything
    await env.add_user(4, region="astana", categories=["forum"])
    await env.add_user(5, region="shymkent")  # not subscribed, pressed "Remind me"
    await env.add_user(6, region="almaty", categories=["forum"])
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).set_region_only(4, False)
        await UserRepository(session).mark_unreachable(6, "blocked")
    regional = await env.create(draft(local(2026, 4, 15, 14, 0), category="forum", region="almaty"))
    national = await env.create(
        draft(local(2026, 4, 15, 16, 0), category="forum", title_ru="Общий форум")
    )
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).watch(regional.id, 5, env.clock.now())
    env.clock.set(local(2026, 4, 8, 16, 0))
    await env.run()
    by_event: dict[int, set[int]] = {}
    for row in await env.outbox_rows():
        by_event.setdefault(int((row.group_key or "").split(":")[1]), set()).add(row.chat_id)
    assert by_event[regional.id] == {1, 3, 4, 5}
    assert by_event[national.id] == {1, 2, 3, 4}


async def test_moving_an_event_withdraws_pending_and_tells_who_was_reminded(
    events_env: EventsEnv,
) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar"])  # will have been reminded
    await env.add_user(2)  # watcher, not reminded yet (joined after the 7-day slot)
    event = await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 8, 14, 0))
    await env.run()
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).watch(event.id, 2, env.clock.now())
    env.clock.set(local(2026, 4, 9, 10, 0))
    async with env.sessionmaker() as session, session.begin():
        await env.service(session).update(
            event.id, draft(local(2026, 4, 10, 11, 0))
        )  # sooner: the 1-day slot is already overdue
    rows = await env.outbox_rows()
    assert [r.state for r in rows if r.category == "reminder"] == ["cancelled"]
    notices = [r for r in rows if r.category == "notice"]
    assert sorted(r.chat_id for r in notices) == [1, 2]
    assert "Событие изменилось" in (plain(notices[0].text or ""))
    assert "10 апреля 2026 г., 11:00" in (plain(notices[0].text or ""))
    assert "Было: 15 апреля 2026 г., 14:00" in (plain(notices[0].text or ""))
    # The notice replaces the overdue 1-day reminder; the 1-hour one still comes.
    assert await env.run() == 0
    env.clock.set(local(2026, 4, 10, 10, 0))
    assert await env.run() == 2


async def test_cancel_and_delete_notify_only_who_heard(events_env: EventsEnv) -> None:
    env = events_env
    await env.add_user(1, language="kk", categories=["seminar"])
    await env.add_user(2, categories=["forum"])  # never heard of it
    event = await env.create(draft(local(2026, 4, 15, 14, 0)))
    env.clock.set(local(2026, 4, 8, 14, 0))
    await env.run()
    async with env.sessionmaker() as session, session.begin():
        await env.service(session).cancel(event.id)
    notices = [r for r in await env.outbox_rows() if r.category == "notice"]
    assert [r.chat_id for r in notices] == [1]
    assert "Іс-шара тоқтатылды" in (plain(notices[0].text or ""))
    env.clock.set(local(2026, 4, 14, 14, 0))
    assert await env.run() == 0  # no reminders for a cancelled event
    async with env.sessionmaker() as session, session.begin():
        await env.service(session).delete(event.id)  # already announced: no second notice
    assert len([r for r in await env.outbox_rows() if r.category == "notice"]) == 1
    async with env.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(EventReminder)) == 0

    other = await env.create(draft(local(2026, 4, 25, 14, 0)))
    env.clock.set(local(2026, 4, 18, 14, 0))
    await env.run()
    async with env.sessionmaker() as session, session.begin():
        await env.service(session).delete(other.id)
    notices = [r for r in await env.outbox_rows() if r.category == "notice"]
    assert len(notices) == 2 and notices[-1].dedupe_key == f"evcnl:{other.id}:1:1"


async def test_builtin_deadlines_seed_once_and_roll_to_next_year(events_env: EventsEnv) -> None:
    env = events_env
    async with env.sessionmaker() as session, session.begin():
        assert await seed_builtin_deadlines(session, env.clock.now(), env.settings.tz) == 2
        assert await seed_builtin_deadlines(session, env.clock.now(), env.settings.tz) == 0
        events = EventRepository(session)
        ngo = await events.get_by_builtin_key(BUILTIN_DEADLINES[0].key)
    assert ngo is not None and ngo.all_day and ngo.recurrence == "yearly"
    # 1 April 2026: this year's 31 March is over, so the next one is 2027.
    assert ngo.starts_at == local(2027, 3, 31, 0, 0)

    await env.add_user(1, categories=["reporting-deadline"])
    env.clock.set(local(2027, 3, 24, 9, 0))
    assert await env.run() == 2  # both deadlines, 7 days ahead, in the morning
    assert "Срок — через 7 дней" in (await env.texts_for(1))[0]
    env.clock.set(local(2027, 4, 1, 0, 0))
    async with env.sessionmaker() as session, session.begin():
        assert await roll_recurring(session, env.clock.now(), env.settings.tz) == 2
        rolled = await EventRepository(session).get(ngo.id)
        count = await session.scalar(select(func.count()).select_from(Event))
    assert rolled is not None and rolled.starts_at == local(2028, 3, 31, 0, 0)
    assert count == 2


async def test_a_forgotten_user_takes_their_subscriptions_watches_and_log(
    events_env: EventsEnv,
) -> None:
    env = events_env
    await env.add_user(1, categories=["seminar", "forum"])
    event = await env.create(draft(local(2026, 4, 15, 14, 0)))
    async with env.sessionmaker() as session, session.begin():
        await SubscriptionRepository(session).watch(event.id, 1, env.clock.now())
    env.clock.set(local(2026, 4, 8, 14, 0))
    assert await env.run() == 1
    async with env.sessionmaker() as session, session.begin():
        await session.execute(delete(User).where(User.id == 1))
    async with env.sessionmaker() as session:
        for model in (EventSubscription, EventWatch, EventReminder):
            assert await session.scalar(select(func.count()).select_from(model)) == 0
        assert await session.get(Event, event.id) is not None
