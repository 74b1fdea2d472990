"""A consultant corrects a message already sent: the person's copy follows (a text keeps its
signature, a document's caption is edited), the database keeps the new text, and a colleague's
note reaches no one. In the consultants' group and in private mode."""

from __future__ import annotations

from bot.sandbox.client import SimUser
from bot.testing import eventually
from db.repositories.desk import MessageDTO
from tests.desk_staff.conftest import AIGERIM, BOLAT, Desk


async def _stored(desk: Desk, ticket_id: int, text: str) -> MessageDTO:
    async def probe() -> MessageDTO | None:
        return next((m for m in await desk.messages(ticket_id) if m.text == text), None)

    return await eventually(probe, what=f"{text!r} stored")


async def _person_texts(person: SimUser) -> list[tuple[int, str, bool]]:
    return [(m.message_id, m.text, m.edited) for m in person.messages]


async def test_the_owners_corrections_follow_in_the_persons_chat(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    person = await desk.person()
    ticket = await desk.ask(person)
    topic = await desk.take(aigerim, ticket)

    sent = await aigerim.send("Жарғыны әкеліңіз", chat=topic)
    answer = await person.wait_for(lambda m: "Жарғыны әкеліңіз" in m.text)
    await aigerim.edit(sent, "Жарғы мен хаттаманы әкеліңіз", chat=topic)
    fixed = await person.wait_for(lambda m: m.message_id == answer.message_id and m.edited)
    assert "Айгерим" in fixed.text and "Жарғы мен хаттаманы әкеліңіз" in fixed.text
    assert (await _stored(desk, ticket.id, "Жарғы мен хаттаманы әкеліңіз")).direction == "out"

    document = await aigerim.send_document("form.pdf", b"%PDF-1.4", "Нысан", chat=topic)
    copy = await person.wait_for(lambda m: m.kind == "document")
    await aigerim.edit(document, "Толтырылған нысанның үлгісі", chat=topic)
    recaptioned = await person.wait_for(lambda m: m.message_id == copy.message_id and m.edited)
    assert "Айгерим" in recaptioned.text and "Толтырылған нысанның үлгісі" in recaptioned.text

    # A colleague's note: its new text is kept among colleagues; nothing goes to the person.
    note = await bolat.send("Менің ойымша, жарғы да керек", chat=topic)
    await desk.server.wait_until(lambda: desk.forum.reactions(note) == ["🙈"] or None, what="🙈")
    before = await _person_texts(person)
    await bolat.edit(note, "Жарғы міндетті түрде керек", chat=topic)
    assert (await _stored(desk, ticket.id, "Жарғы міндетті түрде керек")).direction == "note"
    assert await _person_texts(person) == before


async def test_corrections_in_private_mode(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person = await desk.person()
    ticket = await desk.ask(person, photo=False)
    notice = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=notice))
    await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "Aigerim owns it")

    sent = await aigerim.send("Мөрді ұмытпаңыз")
    answer = await person.wait_for(lambda m: "Мөрді ұмытпаңыз" in m.text)
    await aigerim.edit(sent, "Мөр мен ЭЦҚ-ны ұмытпаңыз")
    fixed = await person.wait_for(lambda m: m.message_id == answer.message_id and m.edited)
    assert "Айгерим" in fixed.text and "Мөр мен ЭЦҚ-ны ұмытпаңыз" in fixed.text
    await _stored(desk, ticket.id, "Мөр мен ЭЦҚ-ны ұмытпаңыз")
