"""SLA in working hours, with the controllable clock: a question no one took is escalated to
the admins after SLA_UNCLAIMED (2) working hours — not counting the weekend — and flagged
on the queue board."""

from __future__ import annotations

from tests.conftest import ADMIN_ID
from tests.desk_staff.conftest import AIGERIM, Desk, local


async def test_unclaimed_question_escalates_after_two_working_hours(desk: Desk) -> None:
    admin = await desk.running.known_user(ADMIN_ID, "Админ", "ru")
    await desk.consultant(AIGERIM, "Айгерим")
    desk.clock.set(local(2026, 4, 10, 17, 0))  # Friday, an hour before closing
    ticket = await desk.ask(await desk.person(), photo=False)
    await desk.forum.wait_topic(f"#{ticket.id}", timeout=15)
    scheduler = desk.running.app.scheduler

    for moment in (
        local(2026, 4, 10, 18, 30),  # Friday evening: 1 working hour
        local(2026, 4, 11, 15, 0),  # Saturday
        local(2026, 4, 12, 23, 0),  # Sunday night
        local(2026, 4, 13, 9, 59),  # Monday: 1 h 59 min (April: no public holiday)
    ):
        desk.clock.set(moment)
        assert await scheduler.desk_tick() == 0
        assert (await desk.ticket(ticket.id)).escalated_unclaimed_at is None

    desk.clock.set(local(2026, 4, 13, 10, 0))  # two working hours
    assert await scheduler.desk_tick() == 1
    escalated = await desk.ticket(ticket.id)
    assert escalated.escalated_unclaimed_at == local(2026, 4, 13, 10, 0)
    alert = await admin.wait_for(lambda m: f"#{ticket.id}" in m.text and "⏰" in m.text)
    assert "2" in alert.text
    board = await desk.forum.general.wait_for(lambda m: f"🔴 #{ticket.id}" in m.text)
    assert board.message_id in desk.forum.pinned

    # Taken once: no second escalation.
    desk.clock.set(local(2026, 4, 13, 12, 0))
    assert await scheduler.desk_tick() == 0


async def test_taken_but_unanswered_reminds_the_owner_then_the_admins(desk: Desk) -> None:
    admin = await desk.running.known_user(ADMIN_ID, "Админ", "ru")
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    desk.clock.set(local(2026, 4, 14, 9, 0))  # Tuesday, opening
    ticket = await desk.ask(await desk.person(), photo=False)
    topic = await desk.take(aigerim, ticket)
    scheduler = desk.running.app.scheduler

    desk.clock.set(local(2026, 4, 14, 12, 59))
    assert await scheduler.desk_tick() == 0
    desk.clock.set(local(2026, 4, 14, 13, 0))  # four working hours: her reminder
    assert await scheduler.desk_tick() == 1
    await aigerim.wait_for(lambda m: "⏰" in m.text and f"#{ticket.id}" in m.text)
    desk.clock.set(local(2026, 4, 15, 9, 0))  # 9 working hours, past 2 × 4: the admins
    assert await scheduler.desk_tick() == 1
    await admin.wait_for(lambda m: "⏰" in m.text and f"#{ticket.id}" in m.text)

    # Her answer resets the clock: nothing more is due.
    await aigerim.send("Жауап дайын", chat=topic)
    await desk.until(ticket.id, lambda t: t.waiting_since is None, "answered by her")
    desk.clock.set(local(2026, 4, 16, 18, 0))
    assert await scheduler.desk_tick() == 0
