"""The consultants' forum group: a topic per question with its card, Take, answers signed to
the person, notes kept among colleagues, mark answered, hand over, close, ban."""

from __future__ import annotations

from bot.sandbox.models import BotMessage
from bot.services.desk.model import Status
from tests.desk_staff.conftest import AIGERIM, BOLAT, Desk


def is_card(message: BotMessage) -> bool:
    return "#1" in message.text and message.has_buttons


async def test_take_answer_with_a_document_notes_and_mark_answered(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    person = await desk.person()
    ticket = await desk.ask(person)

    topic = await desk.forum.wait_topic(f"#{ticket.id}", timeout=15)
    assert topic.name.startswith(f"🟡 #{ticket.id} · ҚАЗ")
    card = await topic.wait_for(lambda m: m.has_buttons and f"#{ticket.id}" in m.text)
    await topic.wait_for(lambda m: m.kind == "photo")  # the person's photo, copied

    query = await aigerim.press("✋", message=card, chat=topic)
    answer = await aigerim.wait_answer(query)
    assert f"#{ticket.id}" in (answer.text or "")
    owned = await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "Aigerim owns it")
    assert owned.status == Status.IN_PROGRESS
    await desk.server.wait_until(lambda: "🔵" in topic.name or None, what="topic renamed")
    assert "Айгерим" in topic.name

    # The owner answers with a document: the person gets it, signed with her name.
    await aigerim.send_document("form.pdf", b"%PDF-1.4 form", "Мына нысанды толтырыңыз", chat=topic)
    got = await person.wait_for(lambda m: m.kind == "document")
    assert "Айгерим" in got.text and "Мына нысанды толтырыңыз" in got.text

    # A colleague's words and a // note stay in the topic, marked 🙈.
    note = await bolat.send("Менің ойымша, жарғы да керек", chat=topic)
    internal = await aigerim.send("// тексеру керек", chat=topic)
    await desk.server.wait_until(
        lambda: all(desk.forum.reactions(m) == ["🙈"] for m in (note, internal)) or None,
        what="both notes marked",
    )
    directions = [(m.direction, m.text) for m in await desk.messages(ticket.id)]
    assert ("note", "Менің ойымша, жарғы да керек") in directions
    assert ("note", "// тексеру керек") in directions

    # Mark answered: the person is asked whether it solved it, in Kazakh.
    card = topic.messages[0]
    query = await aigerim.press("✅", message=card, chat=topic)
    await aigerim.wait_answer(query)
    asked = await person.wait_for(lambda m: m.has_buttons)
    assert f"#{ticket.id}" in asked.text
    assert asked.text != f"✅ Your question #{ticket.id} is answered. Did this solve it?"
    answered = await desk.until(ticket.id, lambda t: t.status == Status.ANSWERED, "answered")
    assert answered.answered_at is not None and answered.first_response_at is not None

    texts = [m.text for m in person.messages]
    assert not any("жарғы да керек" in t or "тексеру" in t for t in texts)
    assert not aigerim.unanswered_queries


async def test_hand_over_close_reopen_and_ban(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    person = await desk.person()
    ticket = await desk.ask(person, photo=False)
    topic = await desk.forum.wait_topic(f"#{ticket.id}", timeout=15)
    card = await topic.wait_for(lambda m: m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=card, chat=topic))
    await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "taken")

    # Release: back in the queue; then she takes it again.
    await desk.server.wait_until(
        lambda: "↩️" in " ".join(topic.messages[0].button_texts()) or None, what="card redrawn"
    )
    await aigerim.wait_answer(await aigerim.press("↩️", message=topic.messages[0], chat=topic))
    released = await desk.until(ticket.id, lambda t: t.owner_id is None, "released")
    assert released.status == Status.WAITING
    await desk.server.wait_until(
        lambda: "✋" in " ".join(topic.messages[0].button_texts()) or None, what="Take again"
    )
    await aigerim.wait_answer(await aigerim.press("✋", message=topic.messages[0], chat=topic))
    await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "taken again")

    # Bolat is not the owner: he cannot close it.
    query = await bolat.press("🔒", message=topic.messages[0], chat=topic)
    assert "⛔" in ((await bolat.wait_answer(query)).text or "")
    assert (await desk.ticket(ticket.id)).status == Status.IN_PROGRESS

    # Hand over: the owner picks a colleague.
    await aigerim.wait_answer(await aigerim.press("🔁", message=topic.messages[0], chat=topic))
    picker = await topic.wait_for(lambda m: "Болат" in " ".join(m.button_texts()))
    await aigerim.wait_answer(
        await aigerim.press(lambda b: "Болат" in b.text, message=picker, chat=topic)
    )
    await desk.until(ticket.id, lambda t: t.owner_id == BOLAT, "handed over")

    # Now Bolat answers; Aigerim's words are a note.
    await bolat.send("Жарғыны әкеліңіз", chat=topic)
    await person.wait_text("Жарғыны әкеліңіз")
    helper = await aigerim.send("Мен де көмектесемін", chat=topic)
    await desk.server.wait_until(
        lambda: desk.forum.reactions(helper) == ["🙈"] or None, what="a note now"
    )

    # Close, reopen.
    await bolat.wait_answer(await bolat.press("🔒", message=topic.messages[0], chat=topic))
    await desk.until(ticket.id, lambda t: t.status == Status.CLOSED, "closed")
    await person.wait_text(f"#{ticket.id}")
    await desk.server.wait_until(lambda: "⚪" in topic.name or None, what="topic renamed")
    await desk.server.wait_until(
        lambda: len(topic.messages[0].buttons) == 1 or None, what="the card of a closed one"
    )
    await bolat.wait_answer(await bolat.press("♻️", message=topic.messages[0], chat=topic))
    await desk.until(ticket.id, lambda t: t.status == Status.IN_PROGRESS, "reopened")

    # Ban with a reason, then lift it.
    await desk.server.wait_until(
        lambda: len(topic.messages[0].buttons) > 1 or None, what="the card of an open one"
    )
    await bolat.wait_answer(await bolat.press("⛔", message=topic.messages[0], chat=topic))
    await topic.wait_for(lambda m: "/cancel" in m.text)
    await bolat.send("Спам", chat=topic)
    banned = await topic.wait_for(lambda m: "Спам" in m.text and m.has_buttons)
    assert not any("Спам" in m.text for m in person.messages)
    assert await desk.bans() == [person.id]
    assert (await desk.ticket(ticket.id)).status == Status.CLOSED
    await bolat.wait_answer(await bolat.press(lambda b: True, message=banned, chat=topic))
    await eventually_no_bans(desk)


async def eventually_no_bans(desk: Desk) -> None:
    from bot.testing import eventually

    async def none_left() -> bool | None:
        return True if not await desk.bans() else None

    await eventually(none_left, what="the ban lifted")


async def test_a_ban_reason_is_read_only_in_its_topic(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    first_person = await desk.person()
    second_person = await desk.person(700102, "Данияр")
    first = await desk.ask(first_person, photo=False)
    second = await desk.ask(second_person, "Грант туралы", photo=False)
    one = await desk.forum.wait_topic(f"#{first.id}", timeout=15)
    two = await desk.forum.wait_topic(f"#{second.id}", timeout=15)
    card_two = await two.wait_for(lambda m: m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=card_two, chat=two))
    await desk.until(second.id, lambda t: t.owner_id == AIGERIM, "taken")
    card_one = await one.wait_for(lambda m: m.has_buttons)

    await aigerim.wait_answer(await aigerim.press("⛔", message=card_one, chat=one))
    await one.wait_for(lambda m: "/cancel" in m.text)
    # Meanwhile she answers in the other topic: an answer, not a reason.
    await aigerim.send("Грант бойынша өтінім келесі аптада", chat=two)
    await second_person.wait_text("келесі аптада")
    assert await desk.bans() == []
    await aigerim.send("Жарнама", chat=one)
    await one.wait_for(lambda m: "Жарнама" in m.text and m.has_buttons)
    assert await desk.bans() == [first_person.id]
    assert not any("Жарнама" in m.text for m in first_person.messages)


async def test_the_consultant_learns_when_the_person_blocked_the_bot(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person = await desk.person()
    ticket = await desk.ask(person, photo=False)
    topic = await desk.forum.wait_topic(f"#{ticket.id}", timeout=15)
    card = await topic.wait_for(lambda m: m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=card, chat=topic))
    await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "taken")

    person.block_bot()
    await aigerim.send("Жауап: жарғы керек", chat=topic)
    await topic.wait_for(lambda m: "📵" in m.text and f"#{ticket.id}" in m.text)
    assert not any("жарғы керек" in m.text for m in person.messages)


async def test_the_general_topic_and_other_topics_are_left_alone(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    await aigerim.send("Сәлем, әріптестер!", chat=desk.forum.general)
    chat = desk.forum.create_topic("Жиналыс", by=aigerim)
    await aigerim.send("Ертең сағат 10-да", chat=chat)
    await aigerim.send("/snippet 1", chat=chat)
    # The bot answers only the command (there is no question here), and nothing else.
    answer = await chat.wait_for(lambda m: "/snippet" in m.text)
    assert [m.message_id for m in chat.messages] == [answer.message_id]
    assert desk.forum.general.messages == [] or all(
        "📋" in m.text for m in desk.forum.general.messages
    )
