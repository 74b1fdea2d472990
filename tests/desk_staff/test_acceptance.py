"""The issue's acceptance flow, both sides through their real UIs: a person asks in Kazakh with a
photo (the ask dialog) → the question reaches the consultants (a topic with its card, or a
notification in private mode) → a consultant takes it → answers with a document → the person
gets it signed → their voice note reaches the consultant → marked answered → "Did this solve
it?" → 5 stars and a comment, stored."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.client import SimUser
from bot.services.desk.model import Status
from db.models.desk import Ticket
from tests.desk.test_person_e2e import ask
from tests.desk_staff.conftest import AIGERIM, Desk

QUESTION = "Жарғыға өзгерту енгізу үшін қандай құжаттар керек?"


async def ask_in_kazakh(desk: Desk) -> tuple[SimUser, int]:
    person = await desk.person()
    confirmation = await ask(person, QUESTION, None, topic="Тіркеу", send="Жіберу", nxt="Әрі қарай")
    async with desk.running.app.sessionmaker() as session:
        [ticket] = (await session.scalars(select(Ticket))).all()
    assert f"#{ticket.id}" in confirmation
    return person, ticket.id


async def rate_five_with_a_comment(desk: Desk, person: SimUser, ticket_id: int) -> None:
    await person.wait_for(lambda m: any("👍" in b for b in m.button_texts()))
    person.mark_read()
    await person.press(lambda b: b.text.startswith("👍"))
    await person.wait_for(lambda m: any("5⭐" in b for b in m.button_texts()))
    person.mark_read()
    await person.press("5⭐")
    await person.wait_text("Бағаңызға рақмет")
    person.mark_read()
    await person.send("Рақмет, бәрі түсінікті!")
    await person.wait_text("🙏")
    rated = await desk.ticket(ticket_id)
    assert (rated.status, rated.rating, rated.rating_comment) == (
        Status.CLOSED,
        5,
        "Рақмет, бәрі түсінікті!",
    )


async def test_acceptance_in_the_consultants_forum(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person, ticket_id = await ask_in_kazakh(desk)

    topic = await desk.forum.wait_topic(f"#{ticket_id}", timeout=15)
    card = await topic.wait_for(lambda m: m.has_buttons and QUESTION in m.text)
    await topic.wait_for(lambda m: m.kind == "photo")
    await aigerim.wait_answer(await aigerim.press("✋", message=card, chat=topic))
    await desk.until(ticket_id, lambda t: t.owner_id == AIGERIM, "taken")

    await aigerim.send_document("tizim.pdf", b"%PDF-1.4", "Құжаттар тізімі", chat=topic)
    got = await person.wait_for(lambda m: m.kind == "document")
    assert "Айгерим" in got.text and "Құжаттар тізімі" in got.text

    await person.send_voice()
    await topic.wait_for(lambda m: m.kind == "voice")

    await aigerim.wait_answer(await aigerim.press("✅", message=topic.messages[0], chat=topic))
    await rate_five_with_a_comment(desk, person, ticket_id)


async def test_acceptance_in_private_chats(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person, ticket_id = await ask_in_kazakh(desk)

    notice = await aigerim.wait_for(lambda m: f"#{ticket_id}" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=notice))
    await desk.until(ticket_id, lambda t: t.owner_id == AIGERIM, "taken")
    card = await desk.server.wait_until(
        lambda: next((m for m in aigerim.messages if "✅" in " ".join(m.button_texts())), None),
        what="her card",
    )
    photo = await desk.server.wait_until(
        lambda: next((m for m in aigerim.messages if m.kind == "photo"), None), what="the copy"
    )

    await aigerim.send_document(
        "tizim.pdf", b"%PDF-1.4", "Құжаттар тізімі", reply_to=photo.message_id
    )
    got = await person.wait_for(lambda m: m.kind == "document")
    assert "Айгерим" in got.text and "Құжаттар тізімі" in got.text

    await person.send_voice()
    await desk.server.wait_until(
        lambda: next((m for m in aigerim.messages if m.kind == "voice"), None), what="the voice"
    )

    await aigerim.wait_answer(await aigerim.press("✅", message=card))
    await rate_five_with_a_comment(desk, person, ticket_id)
