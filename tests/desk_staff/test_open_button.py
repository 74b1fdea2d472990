"""«👀 Open» of /mine: in private mode it makes the question the one the consultant's messages
go to; with a consultants' group, questions are answered in their topics, so it says so and
leads there instead of promising a routing that does not happen."""

from __future__ import annotations

from bot.services.desk.model import Status
from tests.desk_staff.conftest import AIGERIM, FORUM, Desk


async def test_open_in_group_mode_points_to_the_topic(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person = await desk.person()
    ticket = await desk.ask(person)
    topic = await desk.take(aigerim, ticket)

    # In her private chat: /mine, «Open».
    aigerim.mark_read()
    await aigerim.send("/mine")
    mine = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    answer = await aigerim.wait_answer(await aigerim.press("👀", message=mine))
    assert "теме" in answer.text and f"#{ticket.id}" in answer.text, answer.text
    assert "идут" not in answer.text  # no promise that her messages go to the question
    # The card comes with a button that opens the question's topic.
    card = await aigerim.wait_for(lambda m: "✅" in " ".join(m.button_texts()))
    links = [b.url for row in card.buttons for b in row if b.url]
    assert links == [f"https://t.me/c/{str(FORUM).removeprefix('-100')}/{topic.id}"]

    # What she writes in her private chat is hers (the FAQ answers), not an answer to #1.
    stored = len(await desk.messages(ticket.id))
    aigerim.mark_read()
    await aigerim.send("Как зарегистрировать общественное объединение?")
    await aigerim.next_message()
    assert len(await desk.messages(ticket.id)) == stored
    assert not any("общественное объединение" in m.text for m in person.messages)

    # The same button pressed in the General topic: the same hint, nothing else happens.
    general = desk.forum.general
    await aigerim.send("/mine", chat=general)
    listed = await general.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    answer = await aigerim.wait_answer(await aigerim.press("👀", message=listed, chat=general))
    assert "теме" in answer.text and "идут" not in answer.text


async def test_open_in_private_mode_routes_the_next_message(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person = await desk.person()
    other = await desk.person(700102, "Бауыржан")
    first = await desk.ask(person)
    second = await desk.ask(other, "Есепті қашан тапсыру керек?")
    for ticket in (first, second):
        mark = f"#{ticket.id}"
        notice = await aigerim.wait_for(lambda m: mark in m.text and m.has_buttons)  # noqa: B023
        await aigerim.wait_answer(await aigerim.press("✋", message=notice))
        await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "taken")

    # She took #2 last, so it is current; «Open #1» makes #1 the one her messages go to.
    aigerim.mark_read()
    await aigerim.send("/mine")
    mine = await aigerim.wait_for(lambda m: f"#{first.id}" in m.text and m.has_buttons)
    answer = await aigerim.wait_answer(await aigerim.press(f"👀 Открыть #{first.id}", message=mine))
    assert f"#{first.id}" in answer.text
    await aigerim.send("Жарғының көшірмесін жіберіңіз")
    signed = await person.wait_text("Жарғының көшірмесін")
    assert "Айгерим" in signed.text
    assert not any("Жарғының" in m.text for m in other.messages)
    assert any(m.text == "Жарғының көшірмесін жіберіңіз" for m in await desk.messages(first.id))
    assert (await desk.ticket(first.id)).status == Status.IN_PROGRESS
