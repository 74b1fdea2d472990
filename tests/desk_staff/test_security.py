"""Every desk action is authorised from the database: forged card buttons from an ordinary
user change nothing (ids out of range included), and a consultant removed from the desk loses
access at once."""

from __future__ import annotations

import logging

import pytest

from bot.services.desk.model import Status
from handlers.desk.callbacks import DeskCb
from tests.desk_staff.conftest import AIGERIM, BOLAT, ORDINARY, Desk


@pytest.fixture
def database_url(any_database_url: str) -> str:
    """On SQLite and PostgreSQL."""
    return any_database_url


async def test_forged_buttons_from_an_ordinary_user_are_refused(
    desk: Desk, caplog: pytest.LogCaptureFixture
) -> None:
    await desk.consultant(AIGERIM, "Айгерим")
    first = await desk.ask(await desk.person())
    other = await desk.person(700102, "Данияр")
    second = await desk.ask(other, "Грант туралы сұрақ", photo=False)
    await desk.forum.wait_topic(f"#{second.id}", timeout=15)
    await desk.until(second.id, lambda t: t.thread_id is not None, "the topics made")
    before = [await desk.ticket(first.id), await desk.ticket(second.id)]

    intruder = await desk.running.known_user(ORDINARY, "Ерлан", "ru")
    await intruder.send("/help")
    reply = await intruder.wait_for(lambda m: True)
    forged = [
        DeskCb(action="take", t=first.id),
        DeskCb(action="close", t=second.id),
        DeskCb(action="ban", t=second.id),
        DeskCb(action="answered", t=first.id),
        DeskCb(action="to", t=first.id, arg=ORDINARY),
        DeskCb(action="unban", t=second.id),
        DeskCb(action="draft", t=first.id),
    ]
    # Hand-made data the real buttons never carry: refused like the rest (or, when it does not
    # even parse as a desk button, answered as a stale one).
    handmade = [
        "dk:take:99999999999999:0",
        "dk:snip:1:999999",
        "dk:snip:1:99999999999",
        "dkf:1:no-such-entry",
        "dk:x",
    ]
    with caplog.at_level(logging.WARNING):
        for data in forged:
            query = await intruder.press_data(data.pack(), reply.message_id)
            answer = await intruder.wait_answer(query)
            assert answer.show_alert and "⛔" in answer.text

    for raw in handmade:
        answered = await intruder.wait_answer(await intruder.press_data(raw, reply.message_id))
        assert answered.answered
    assert [await desk.ticket(first.id), await desk.ticket(second.id)] == before
    assert before[0].status == Status.WAITING and before[0].owner_id is None
    assert await desk.bans() == []
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refused) >= len(forged)
    # Nothing was said to the people asking, and no one got a ban prompt.
    assert not any(m.has_buttons for m in other.messages)
    intruder.mark_read()
    await intruder.send("Просто вопрос про гранты")
    answer_to_text = await intruder.next_message()
    assert "/cancel" not in answer_to_text.text


async def test_a_removed_consultant_loses_access_at_once(desk: Desk) -> None:
    await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    person = await desk.person()
    ticket = await desk.ask(person, photo=False)
    topic = await desk.take(bolat, ticket)

    async with desk.running.app.sessionmaker() as session, session.begin():
        released = await desk.running.app.services.for_session(session).consultants.remove(BOLAT)
    assert released == 1
    after = await desk.ticket(ticket.id)
    assert (after.owner_id, after.status) == (None, Status.WAITING)

    # His message in the topic no longer reaches the person, and his buttons are refused.
    said = await bolat.send("Жауап беремін", chat=topic)
    await topic.wait_for(lambda m: "⛔" in m.text)
    take = DeskCb(action="take", t=ticket.id).pack()
    query = await bolat.press_data(take, topic.messages[0].message_id, chat=topic)
    assert "⛔" in (await bolat.wait_answer(query)).text
    assert (await desk.ticket(ticket.id)).owner_id is None
    assert all(m.message_id != said for m in await desk.messages(ticket.id))
    assert not any("Жауап беремін" in m.text for m in person.messages)
