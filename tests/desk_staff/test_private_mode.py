"""Without a consultants' group the desk works in the consultants' private chats: a
notification per question with Take, the card after taking it, replies by replying to the
bot's copy or simply to the question they have open; anything else is an ordinary message."""

from __future__ import annotations

from bot.services.desk.model import Status
from bot.testing import eventually
from db.repositories.outbox import OutboxRepository
from tests.desk_staff.conftest import AIGERIM, BOLAT, Desk


async def recorded(desk: Desk, chat_id: int, message_id: int) -> None:
    async def found() -> bool | None:
        async with desk.running.app.sessionmaker() as session:
            row = await OutboxRepository(session).find_by_message(chat_id, message_id)
        return True if row is not None else None

    await eventually(found, what="the sent message recorded")


async def test_the_desk_in_private_chats(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    person = await desk.person()
    ticket = await desk.ask(person)

    notice = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    bolat_notice = await bolat.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    # A reply to a question no one has taken yet: a note, and a hint to take it first. (The
    # sender records which message it sent just after Telegram answered: a person replying
    # at once could come before that; a test could.)
    await recorded(desk, BOLAT, bolat_notice.message_id)
    early = await bolat.send("Бұл тіркеу туралы", reply_to=bolat_notice.message_id)
    await bolat.wait_for(lambda m: "✋" in m.text and "🙈" in m.text)
    assert bolat.reactions(early) == ["🙈"]
    await aigerim.wait_answer(await aigerim.press("✋", message=notice))
    await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "Aigerim owns it")
    # Her card (sent at once) and the person's messages so far (through the outbox), in either
    # order.
    card = await desk.server.wait_until(
        lambda: next((m for m in aigerim.messages if "✅" in " ".join(m.button_texts())), None),
        what="her card",
    )
    assert "//" in card.text and "теме" not in card.text  # no topic to write in here
    copy = await desk.server.wait_until(
        lambda: next((m for m in aigerim.messages if m.kind == "photo"), None), what="the copy"
    )

    # A reply to the copy, with a document: to the person, signed.
    await aigerim.send_document(
        "form.pdf", b"%PDF-1.4", "Нысанды толтырыңыз", reply_to=copy.message_id
    )
    got = await person.wait_for(lambda m: m.kind == "document")
    assert "Айгерим" in got.text and "Нысанды толтырыңыз" in got.text
    # A plain message goes to the question she has open.
    await aigerim.send("Тағы бір кеңес: мөрді ұмытпаңыз")
    await person.wait_text("мөрді ұмытпаңыз")

    # Bolat replies to his notification: not his question, so a note; so is a // message.
    note = await bolat.send("Мен көмектесе аламын", reply_to=bolat_notice.message_id)
    internal = await aigerim.send("// мөр туралы тексеру")
    await desk.server.wait_until(lambda: bolat.reactions(note) == ["🙈"] or None, what="note")
    await desk.server.wait_until(
        lambda: aigerim.reactions(internal) == ["🙈"] or None, what="// note"
    )

    # Mark answered from her card: the person is asked whether it solved it.
    await aigerim.wait_answer(await aigerim.press("✅", message=card))
    asked = await person.wait_for(lambda m: m.has_buttons)
    assert f"#{ticket.id}" in asked.text
    await desk.until(ticket.id, lambda t: t.status == Status.ANSWERED, "answered")
    texts = " ".join(m.text for m in person.messages)
    assert "Мен көмектесе аламын" not in texts and "тексеру" not in texts

    # Bolat has no question open: his message is an ordinary one (the FAQ answers him).
    stored = len(await desk.messages(ticket.id))
    bolat.mark_read()
    await bolat.send("Как зарегистрировать общественное объединение?")
    await bolat.next_message()
    assert len(await desk.messages(ticket.id)) == stored


async def test_hand_over_in_private_chats_and_mine(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    person = await desk.person()
    ticket = await desk.ask(person)
    notice = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=notice))
    card = await aigerim.wait_for(lambda m: "🔁" in " ".join(m.button_texts()))

    await aigerim.wait_answer(await aigerim.press("🔁", message=card))
    picker = await aigerim.wait_for(lambda m: "Болат" in " ".join(m.button_texts()))
    await aigerim.wait_answer(await aigerim.press(lambda b: "Болат" in b.text, message=picker))
    await desk.until(ticket.id, lambda t: t.owner_id == BOLAT, "handed over")
    # Bolat gets the question so far, and answers by replying to it.
    copy = await bolat.wait_for(lambda m: m.kind == "photo")
    await bolat.send("Жарғының көшірмесін жіберіңіз", reply_to=copy.message_id)
    signed = await person.wait_text("Жарғының көшірмесін")
    assert "Болат" in signed.text
    # /mine lists his questions; «Open» shows the card, from which he marks it answered.
    bolat.mark_read()
    await bolat.send("/mine")
    mine = await bolat.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    await bolat.wait_answer(await bolat.press("👀", message=mine))
    his_card = await bolat.wait_for(lambda m: "✅" in " ".join(m.button_texts()))
    await bolat.wait_answer(await bolat.press("✅", message=his_card))
    await desk.until(ticket.id, lambda t: t.status == Status.ANSWERED, "answered")
    await person.wait_for(lambda m: m.has_buttons)
    # Aigerim's words no longer go to it: she has no question open, so it is an ordinary message.
    aigerim.mark_read()
    await aigerim.send("Мен де жазайын")
    await aigerim.next_message()
    assert all(m.text != "Мен де жазайын" for m in await desk.messages(ticket.id))
    assert not any("Мен де жазайын" in m.text for m in person.messages)

    # Once he closes it, what he writes is his own again.
    await bolat.wait_answer(await bolat.press("🔒", message=his_card))
    await desk.until(ticket.id, lambda t: t.status == Status.CLOSED, "closed")
    bolat.mark_read()
    await bolat.send("Как подать отчёт в налоговую?")
    await bolat.next_message()
    assert all(m.text != "Как подать отчёт в налоговую?" for m in await desk.messages(ticket.id))
