"""The consultants' commands and tools: /queue with Take buttons, /duty, /name, /snippets
(add in both languages, send the person's language, delete after confirming), an FAQ answer
attached in the person's language, a question saved as an FAQ draft; the admins'
/consultants (add by id, forward or Telegram's user picker; remove after confirming)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot.sandbox.models import Call
from bot.services.desk.model import Status
from db.models.desk import FaqDraft
from db.repositories.desk import ConsultantRepository
from tests.conftest import ADMIN_ID
from tests.desk_staff.conftest import AIGERIM, BOLAT, Desk

KAZAKH_LETTERS = set("әғқңөұүһіӘҒҚҢӨҰҮҺІ")


async def test_queue_duty_and_name_in_private(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    first = await desk.ask(await desk.person(), photo=False)
    second = await desk.ask(await desk.person(700102, "Данияр"), "Грант", photo=False)
    desk.clock.advance(timedelta(hours=1, minutes=30))

    aigerim.mark_read()
    await aigerim.send("/queue")
    board = await aigerim.wait_for(lambda m: "📋" in m.text and m.has_buttons)
    assert board.text.index(f"#{first.id}") < board.text.index(f"#{second.id}")
    assert "1.5" in board.text and "Айгерим — 0" in board.text
    await aigerim.wait_answer(await aigerim.press(f"#{second.id}", message=board))
    await desk.until(second.id, lambda t: t.owner_id == AIGERIM, "taken from /queue")

    await aigerim.send("/duty")
    await aigerim.wait_text("⚫")
    async with desk.running.app.sessionmaker() as session:
        consultant = await ConsultantRepository(session).get(AIGERIM)
    assert consultant is not None and not consultant.on_duty
    await aigerim.send("/duty")
    await aigerim.wait_text("🟢")

    await aigerim.send("/name Айгерим Сейткали")
    await aigerim.wait_text("Айгерим Сейткали")
    await aigerim.send("Сәлеметсіз бе!")  # to her current question, #2
    person = desk.server.user(700102)
    signed = await person.wait_text("Сәлеметсіз бе!")
    assert "Айгерим Сейткали" in signed.text

    # An ordinary user's /queue is just an unknown command.
    stranger = await desk.running.known_user(700300, "Гүл", "ru")
    await stranger.send("/queue")
    reply = await stranger.next_message()
    assert "#" not in reply.text


async def test_snippets_faq_answer_and_draft_in_the_topic(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    aigerim.mark_read()
    await aigerim.send("/snippets")
    await aigerim.wait_for(lambda m: m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("➕"))
    await aigerim.wait_text("/cancel")
    await aigerim.send("құжаттар")
    await aigerim.next_message()
    await aigerim.send("Жарғы мен хаттаманы әкеліңіз.")
    await aigerim.next_message()
    await aigerim.send("Принесите устав и протокол.")
    listing = await aigerim.wait_for(lambda m: "құжаттар" in m.text and m.has_buttons)
    assert "Принесите устав" in listing.text

    person = await desk.person()  # Kazakh
    ticket = await desk.ask(
        person, "Қоғамдық бірлестікті тіркеу үшін қандай құжаттар керек?", photo=False
    )
    topic = await desk.take(aigerim, ticket)

    # The card's snippet button: the person gets the Kazakh text.
    await aigerim.wait_answer(await aigerim.press("📋", message=topic.messages[0], chat=topic))
    choice = await topic.wait_for(lambda m: "құжаттар" in " ".join(m.button_texts()))
    await aigerim.wait_answer(await aigerim.press("📋 құжаттар", message=choice, chat=topic))
    await person.wait_text("Жарғы мен хаттаманы әкеліңіз.")
    # And by command (a moment later: the same snippet twice at one instant is one message).
    desk.clock.advance(timedelta(seconds=5))
    await aigerim.send("/snippet құжаттар", chat=topic)
    await topic.wait_for(lambda m: "құжаттар" in m.text and "#" in m.text)
    await desk.server.wait_until(
        lambda: sum("Жарғы мен хаттаманы" in m.text for m in person.messages) == 2 or None,
        what="the snippet twice",
    )

    # An FAQ answer: Aigerim (Russian) chooses from Russian questions, the person gets Kazakh.
    await aigerim.wait_answer(await aigerim.press("📚", message=topic.messages[0], chat=topic))
    faq = await topic.wait_for(lambda m: m.text.startswith("📚") and m.has_buttons)
    choices = [t for t in faq.button_texts() if t.startswith("📚")]
    assert choices and not any(KAZAKH_LETTERS & set(t) for t in choices), choices
    await aigerim.wait_answer(
        await aigerim.press(lambda b: b.text.startswith("📚"), message=faq, chat=topic)
    )
    signed = await person.wait_for(lambda m: "Айгерим" in m.text and len(m.text) > 100)
    assert KAZAKH_LETTERS & set(signed.text)

    # Save as FAQ draft: the question and the answers she wrote.
    await aigerim.send("Жарғы, хаттама және өтініш керек.", chat=topic)
    await person.wait_text("өтініш керек")
    query = await aigerim.press("📝", message=topic.messages[0], chat=topic)
    assert "📝" in (await aigerim.wait_answer(query)).text
    async with desk.running.app.sessionmaker() as session:
        drafts = list((await session.scalars(select(FaqDraft))).all())
    assert len(drafts) == 1
    assert "құжаттар керек" in drafts[0].question and "өтініш керек" in drafts[0].answer
    # The snippet and the FAQ answer she sent with the buttons are part of her answers.
    assert drafts[0].answer.count("Жарғы мен хаттаманы әкеліңіз.") == 2
    assert len(drafts[0].answer) > 300

    # Delete the snippet, after confirming.
    await aigerim.send("/snippets")
    listing = await aigerim.wait_for(lambda m: "🗑 құжаттар" in m.button_texts())
    await aigerim.wait_answer(await aigerim.press("🗑 құжаттар", message=listing))
    confirm = await aigerim.wait_for(lambda m: "?" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("🗑", message=confirm))
    await aigerim.wait_for(lambda m: "🗑 құжаттар" not in m.button_texts() and m.has_buttons)
    assert (await desk.ticket(ticket.id)).status == Status.IN_PROGRESS


def scoped(call: Call, method: str, chat_id: int) -> bool:
    scope = call.params.get("scope") or {}
    if isinstance(scope, str):
        scope = json.loads(scope)
    return call.method == method and scope.get("chat_id") == chat_id


async def test_admins_manage_consultants(desk: Desk) -> None:
    admin = await desk.running.known_user(ADMIN_ID, "Админ", "ru")
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    ticket = await desk.ask(await desk.person(), photo=False)
    await desk.take(aigerim, ticket)

    await admin.send("/admin")
    menu = await admin.wait_for(lambda m: m.has_buttons)
    await admin.wait_answer(await admin.press("👩‍💼", message=menu))
    listing = await admin.wait_for(lambda m: "Айгерим" in m.text)
    assert f"#{ticket.id}" in listing.text

    # Add by the user picker.
    bolat = desk.server.user(BOLAT, "Болат")
    await admin.wait_answer(await admin.press("➕", message=listing))
    await admin.wait_for(lambda m: m.reply_keyboard is not None)
    await admin.share_users([bolat])
    await admin.wait_text("Болат")
    menu_call = await desk.server.wait_until(
        lambda: next((c for c in desk.server.calls if scoped(c, "setMyCommands", BOLAT)), None),
        what="Bolat's command menu",
    )
    assert menu_call.status == 200 and "queue" in str(menu_call.params["commands"])
    # Add by a forwarded message, and by id.
    await admin.wait_answer(await admin.press("➕"))
    await admin.send_forwarded("салем", desk.server.user(700003, "Дана"))
    await admin.wait_text("Дана")
    await admin.wait_answer(await admin.press("➕"))
    # Bad input is explained, and the step waits for a good one.
    await admin.wait_for(lambda m: m.reply_keyboard is not None)
    await admin.send("Дана")
    assert "/cancel" in (await admin.next_message()).text
    await admin.send_forwarded("салем", "Скрытый Пользователь")
    assert "👤" in (await admin.next_message()).text
    await admin.send("700004")
    await admin.wait_text("700004")
    async with desk.running.app.sessionmaker() as session:
        ids = {c.user_id for c in await ConsultantRepository(session).all()}
    assert ids == {AIGERIM, BOLAT, 700003, 700004}

    # Remove Aigerim: after confirming; her question goes back to the queue.
    await admin.send("/consultants")
    listing = await admin.wait_for(lambda m: "Айгерим" in " ".join(m.button_texts()))
    await admin.wait_answer(await admin.press(lambda b: "Айгерим" in b.text, message=listing))
    confirm = await admin.wait_for(lambda m: "?" in m.text)
    assert (await desk.ticket(ticket.id)).owner_id == AIGERIM  # not yet
    await admin.wait_answer(await admin.press("🗑", message=confirm))
    released = await desk.until(ticket.id, lambda t: t.owner_id is None, "back in the queue")
    assert released.status == Status.WAITING
    await desk.server.wait_until(
        lambda: next(
            (c for c in desk.server.calls if scoped(c, "deleteMyCommands", AIGERIM)), None
        ),
        what="Aigerim's command menu reset",
    )

    # An ordinary user cannot reach /consultants.
    stranger = await desk.running.known_user(700300, "Гүл", "ru")
    await stranger.send("/consultants")
    assert "Айгерим" not in (await stranger.next_message()).text


async def test_a_consultant_added_before_starting_the_bot_is_flagged_until_they_do(
    desk: Desk,
) -> None:
    admin = await desk.running.known_user(ADMIN_ID, "Админ", "ru")
    await admin.send("/consultants")
    await admin.wait_text("Консультанты")
    await admin.wait_answer(await admin.press("➕"))
    await admin.wait_for(lambda m: m.reply_keyboard is not None)
    await admin.send("700005")
    added = await admin.wait_text("Добавлены в консультанты")
    # Added all the same, with a warning that nothing reaches them yet.
    assert "ещё не запускал(а) бота" in added.text and "700005" in added.text
    listing = await admin.wait_text("Консультанты")
    row = next(line for line in listing.text.split("\n") if "700005" in line)
    assert "—" not in row.split("700005")[0]
    assert "ещё не запускал(а) бота" in listing.text
    async with desk.running.app.sessionmaker() as session:
        assert 700005 in {c.user_id for c in await ConsultantRepository(session).all()}

    # Once they open the bot, the list shows their name and no warning.
    dana = desk.server.user(700005, "Дана", language_code="ru")
    await dana.send("/start")
    await dana.wait_for(lambda m: m.has_buttons)
    await admin.send("/consultants")
    listing = await admin.wait_for(lambda m: "Консультанты" in m.text and "700005" in m.text)
    assert "ещё не запускал(а) бота" not in listing.text
