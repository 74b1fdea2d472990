"""The person's side of the desk, end to end: the real application against the fake Bot API.

Ask (text + photo, in Kazakh) → confirmation with #N, place and expectation; follow-ups stored
and marked ✓; /my; "Did this solve it?" → stars → comment; /cancel; forged buttons; admins and
consultants ask too; the out-of-hours opening quoted right, and its note once a day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.sandbox.client import Media, SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.services.desk.consultants import ConsultantAdmin
from bot.services.desk.staff import StaffDeskService
from bot.testing import FakeClock
from db.models.desk import Ticket, TicketMessage
from db.repositories.desk import BanRepository
from handlers.desk.callbacks import AskCb
from handlers.desk.person.messages import STORED_REACTION
from tests.conftest import ADMIN_ID

ALMATY = ZoneInfo("Asia/Almaty")
CONSULTANT_ID = 910001


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY)


@pytest.fixture
def database_url(any_database_url: str) -> str:
    """SQLite, and PostgreSQL too when TEST_DATABASE_URL is set."""
    return any_database_url


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(local(2026, 12, 1, 10, 0))  # a Tuesday, 10:00 in Almaty: the desk is open


@pytest.fixture
async def desk_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[RunningBot]:
    # Private-chat mode (no group); auto-assignment off, so questions wait in the queue.
    desk_settings = settings.model_copy(update={"desk_auto_assign": False})
    running = await RunningBot.start(desk_settings, telegram, clock=fake_clock)
    try:
        yield running
    finally:
        await running.stop()


async def tickets(bot: RunningBot) -> list[Ticket]:
    async with bot.app.sessionmaker() as session:
        return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


async def messages_of(bot: RunningBot, ticket_id: int) -> list[TicketMessage]:
    async with bot.app.sessionmaker() as session:
        rows = await session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id)
        )
        return list(rows.all())


async def add_consultant(bot: RunningBot, session: AsyncSession) -> None:
    await ConsultantAdmin(session, bot.app.services.desk).add(CONSULTANT_ID, "Асель", by=None)


async def ask(user: SimUser, *parts: str | None, topic: str, send: str, nxt: str) -> str:
    """/ask, write the parts (None = a photo), press Next, skip suggestions, pick the topic,
    send; returns the confirmation's text."""
    await user.send("/ask")
    await user.wait_for(lambda m: m.has_buttons or "/cancel" in m.text)
    for part in parts:
        user.mark_read()
        if part is None:
            await user.send_photo("фото")
        else:
            await user.send(part)
        await user.wait_for(lambda m: any(nxt in b for b in m.button_texts()))
    user.mark_read()
    await user.press(nxt)
    window = await user.wait_for(lambda m: m.has_buttons and nxt not in " ".join(m.button_texts()))
    if topic not in " ".join(window.button_texts()):
        # Up to three FAQ answers first: "No, ask a person" goes on.
        user.mark_read()
        await user.press(lambda b: b.text.startswith("➡️"))
        await user.wait_for(lambda m: topic in " ".join(m.button_texts()))
    user.mark_read()
    await user.press(topic)
    await user.wait_for(lambda m: send in " ".join(m.button_texts()))
    user.mark_read()
    await user.press(send)
    confirmation = await user.wait_for(lambda m: "#" in m.text and send not in m.text)
    return confirmation.text


async def test_ask_in_kazakh_with_a_photo_then_follow_up_and_my(desk_bot: RunningBot) -> None:
    user = await desk_bot.known_user(7101, "Айгерім", "kk")
    text = await ask(
        user,
        "Жарғыға өзгерту енгізу үшін қандай құжаттар керек?",
        None,
        topic="Тіркеу",
        send="Жіберу",
        nxt="Әрі қарай",
    )
    [ticket] = await tickets(desk_bot)
    assert f"#{ticket.id}" in text
    assert "Кезектегі орныңыз: 1" in text
    assert "сағат ішінде жауап береді" in text  # within working hours
    assert (ticket.status, ticket.topic, ticket.language) == ("waiting", "registration", "kk")
    stored = await messages_of(desk_bot, ticket.id)
    assert [m.kind for m in stored] == ["text", "photo"]
    assert stored[0].text and "Жарғыға" in stored[0].text

    # A voice note while the question is open: stored, then marked ✓ (a reaction).
    voice = await user.send_voice()
    await user.wait_until(lambda: user.reactions(voice) or None, what="the ✓ reaction")
    assert user.reactions(voice) == [STORED_REACTION]
    stored = await messages_of(desk_bot, ticket.id)
    assert [m.kind for m in stored] == ["text", "photo", "voice"]

    user.mark_read()
    await user.send("/my")
    listing = await user.wait_text("Менің сұрақтарым")
    assert f"🟡 <b>#{ticket.id}</b>" in listing.html
    user.mark_read()
    await user.press(f"#{ticket.id}")
    card = await user.wait_text(f"#{ticket.id}")
    assert "Мәселе шешілді" in " ".join(card.button_texts())


async def test_answered_then_yes_five_stars_and_a_comment(desk_bot: RunningBot) -> None:
    user = await desk_bot.known_user(7102, "Дана", "ru")
    await ask(user, "Как сдать отчёт?", topic="Отчётность", send="Отправить", nxt="Далее")
    [ticket] = await tickets(desk_bot)
    async with desk_bot.app.sessionmaker() as session, session.begin():
        services = desk_bot.app.services.for_session(session)
        await ConsultantAdmin(session, desk_bot.app.services.desk).add(
            CONSULTANT_ID, "Асель", by=None
        )
        staff: StaffDeskService = services.desk_staff
        await staff.take(ticket.id, CONSULTANT_ID)
        await staff.mark_answered(ticket.id, CONSULTANT_ID)
    asked = await user.wait_for(lambda m: any("👍" in b for b in m.button_texts()))
    user.mark_read()
    await user.press(lambda b: b.text.startswith("👍"))
    await user.wait_for(lambda m: any("5⭐" in b for b in m.button_texts()))
    user.mark_read()
    await user.press("5⭐")
    await user.wait_text("комментарий")
    user.mark_read()
    await user.send("Спасибо, всё понятно!")
    await user.wait_text("Спасибо! Ваш отзыв")
    [after] = await tickets(desk_bot)
    assert (after.status, after.rating, after.rating_comment) == (
        "closed",
        5,
        "Спасибо, всё понятно!",
    )
    assert asked.message_id


async def test_not_solved_reopens_to_the_same_consultant(desk_bot: RunningBot) -> None:
    user = await desk_bot.known_user(7103, "Дана", "ru")
    await ask(user, "Как сдать отчёт?", topic="Отчётность", send="Отправить", nxt="Далее")
    [ticket] = await tickets(desk_bot)
    async with desk_bot.app.sessionmaker() as session, session.begin():
        services = desk_bot.app.services.for_session(session)
        await ConsultantAdmin(session, desk_bot.app.services.desk).add(
            CONSULTANT_ID, "Асель", by=None
        )
        await services.desk_staff.take(ticket.id, CONSULTANT_ID)
        await services.desk_staff.mark_answered(ticket.id, CONSULTANT_ID)
    await user.wait_for(lambda m: any("👎" in b for b in m.button_texts()))
    user.mark_read()
    await user.press(lambda b: b.text.startswith("👎"))
    await user.wait_text("снова у консультанта")
    [after] = await tickets(desk_bot)
    assert (after.status, after.owner_id) == ("in_progress", CONSULTANT_ID)


async def test_cancel_drops_the_draft(desk_bot: RunningBot) -> None:
    user = await desk_bot.known_user(7104, "Дана", "ru")
    await user.send("/ask")
    await user.wait_text("/cancel")
    user.mark_read()
    await user.send("Черновик вопроса")
    await user.wait_text("пока 1 сообщение")
    [draft] = await tickets(desk_bot)
    assert draft.status == "draft"
    user.mark_read()
    await user.send("/cancel")
    await user.wait_text("Недописанный вопрос удалён")
    assert await tickets(desk_bot) == []
    # Free text afterwards is an FAQ search again, not a question.
    user.mark_read()
    await user.send("регистрация НПО")
    await user.next_message()
    assert await tickets(desk_bot) == []


async def test_a_forged_button_for_another_persons_question_is_refused(
    desk_bot: RunningBot,
) -> None:
    owner = await desk_bot.known_user(7105, "Дана", "ru")
    await ask(owner, "Мой вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [ticket] = await tickets(desk_bot)
    other = await desk_bot.known_user(7106, "Ерлан", "ru")
    await other.send("/my")
    mine = await other.wait_text("Мои вопросы")
    for action, arg in (("close", 0), ("solved", 1), ("stars", 1), ("write", 0)):
        forged = AskCb(action=action, t=ticket.id, arg=arg).pack()
        query = await other.press_data(forged, mine.message_id)
        answered = await other.wait_answer(query)
        assert answered.text == "Этот вопрос недоступен."
    [after] = await tickets(desk_bot)
    assert (after.status, after.rating, after.closed_at) == ("waiting", None, None)


async def test_an_admin_and_a_consultant_can_ask_too(desk_bot: RunningBot) -> None:
    async with desk_bot.app.sessionmaker() as session, session.begin():
        await ConsultantAdmin(session, desk_bot.app.services.desk).add(
            CONSULTANT_ID, "Асель", by=None
        )
    admin = await desk_bot.known_user(ADMIN_ID, "Админ", "ru")
    consultant = await desk_bot.known_user(CONSULTANT_ID, "Асель", "ru")
    for person in (admin, consultant):
        text = await ask(person, "Вопрос о грантах", topic="Гранты", send="Отправить", nxt="Далее")
        assert "отправлен консультантам" in text
    owners = [t.user_id for t in await tickets(desk_bot)]
    assert owners == [ADMIN_ID, CONSULTANT_ID]


async def test_out_of_hours_friday_evening_and_independence_day(
    desk_bot: RunningBot, fake_clock: FakeClock
) -> None:
    fake_clock.set(local(2026, 12, 4, 18, 30))  # Friday, after hours
    user = await desk_bot.known_user(7107, "Дана", "ru")
    text = await ask(user, "Вопрос в пятницу", topic="Другое", send="Отправить", nxt="Далее")
    assert "Консультанты вернутся в понедельник в 09:00" in text.replace("Они", "Консультанты")
    # A follow-up the same evening: ✓, and no second out-of-hours note.
    user.mark_read()
    follow = await user.send("И ещё одно")
    await user.wait_until(lambda: user.reactions(follow) or None, what="the ✓ reaction")
    assert not [m for m in user.messages if m.message_id > follow and "вернутся" in m.text]

    fake_clock.set(local(2026, 12, 16, 11, 0))  # Independence Day, a Wednesday
    user.mark_read()
    later = await user.send("Ещё вопрос в праздник")
    note = await user.wait_text("вернутся")
    assert "завтра в 09:00" in note.text
    assert user.reactions(later) == [STORED_REACTION]


async def test_an_album_a_document_and_a_restart_in_the_middle(desk_bot: RunningBot) -> None:
    user = await desk_bot.known_user(7108, "Дана", "ru")
    await user.send("/ask")
    await user.wait_text("/cancel")
    user.mark_read()
    album = await user.send_album([Media.photo(), Media.photo()], caption="Устав, две страницы")
    window = await user.wait_text("пока 2 сообщения")
    assert window.edited  # one window for the whole album, brought up to date
    user.mark_read()
    await user.send_document("protocol.pdf", b"%PDF-1.4 protocol", "Протокол", "application/pdf")
    await user.wait_text("пока 3 сообщения")
    # The draft is in the database and the dialog's step in the FSM storage: a restart keeps both.
    await desk_bot.restart()
    user.mark_read()
    await user.send("Что ещё нужно для изменения устава?")
    await user.wait_text("пока 4 сообщения")
    user.mark_read()
    await user.press("Далее")
    await user.wait_for(lambda m: m.has_buttons and "Далее" not in " ".join(m.button_texts()))
    [draft] = await tickets(desk_bot)
    kinds = [m.kind for m in await messages_of(desk_bot, draft.id)]
    assert kinds == ["photo", "photo", "document", "text"]
    assert album


async def test_not_helpful_carries_the_search_and_offers_faq_answers_once(
    desk_bot: RunningBot,
) -> None:
    user = await desk_bot.known_user(7109, "Дана", "ru")
    search = await user.send("Сколько стоит регистрация НПО?")
    answer = await user.wait_text("МРП")
    user.mark_read()
    await user.press("👎", message=answer)
    await user.wait_text("Чего в нём не хватило")
    user.mark_read()
    await user.press("Спросить консультанта")
    window = await user.wait_text("пока 1 сообщение")
    assert "Сколько стоит регистрация НПО?" in window.text
    [draft] = await tickets(desk_bot)
    assert draft.origin_query == "Сколько стоит регистрация НПО?"
    [first] = await messages_of(desk_bot, draft.id)
    assert (first.message_id, first.text) == (search, "Сколько стоит регистрация НПО?")
    # The answer they disliked is not offered again; other close ones may be (three at most).
    user.mark_read()
    await user.press("Далее")
    offer = await user.wait_for(lambda m: m.has_buttons and "Далее" not in m.html)
    offered = [b for b in offer.button_texts() if b.startswith("🔹")]
    assert 1 <= len(offered) <= 3
    assert all("Сколько стоит регистрация" not in b for b in offered)
    # One tap opens one; «Ask a consultant» under it resumes the same draft.
    user.mark_read()
    await user.press(offered[0])
    opened = await user.wait_for(lambda m: "✍️ Спросить консультанта" in m.button_texts())
    assert opened.text.startswith("❓ " + offered[0].removeprefix("🔹 "))
    user.mark_read()
    await user.press("Спросить консультанта", message=opened)
    await user.wait_text("пока 1 сообщение")
    user.mark_read()
    await user.press("Далее")
    # Offered once per question: now straight to the topic.
    await user.wait_for(lambda m: "Другое" in " ".join(m.button_texts()))


async def test_flooding_is_slowed_with_a_note_and_nothing_is_dropped(
    desk_bot: RunningBot,
) -> None:
    user = await desk_bot.known_user(7110, "Дана", "ru")
    await ask(user, "Вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [ticket] = await tickets(desk_bot)
    user.mark_read()
    sent = [await user.send(f"сообщение {n}") for n in range(25)]
    await user.wait_until(lambda: user.reactions(sent[-1]) or None, timeout=20, what="the last ✓")
    notes = [m for m in user.messages if "очень быстро" in m.text]
    assert len(notes) == 1
    stored = await messages_of(desk_bot, ticket.id)
    assert len(stored) == 1 + 25
    assert all(user.reactions(m) == [STORED_REACTION] for m in sent)


async def test_in_the_consultants_forum_the_question_gets_its_topic(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    forum = telegram.forum(-1001000000777, "Kenes consultants")
    desk_settings = settings.model_copy(
        update={"consultants_chat_id": forum.chat_id, "group_interval": 0.0}
    )
    running = await RunningBot.start(desk_settings, telegram, clock=fake_clock)
    try:
        user = await running.known_user(7111, "Айгерім", "kk")
        await ask(
            user, "Грант туралы сұрақ", None, topic="Гранттар", send="Жіберу", nxt="Әрі қарай"
        )
        [ticket] = await tickets(running)
        topic = await forum.wait_topic(f"#{ticket.id}")
        assert "ҚАЗ" in topic.name
        await topic.wait_for(lambda m: m.kind == "photo")
        assert any("Грант туралы сұрақ" in m.text for m in topic.messages)
    finally:
        await running.stop()


async def test_where_a_reaction_is_refused_a_short_note_says_it_is_stored(
    desk_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await desk_bot.known_user(7112, "Дана", "ru")
    await ask(user, "Вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [ticket] = await tickets(desk_bot)
    telegram.fail_next(
        "setMessageReaction", status=400, description="Bad Request: REACTION_INVALID"
    )
    user.mark_read()
    follow = await user.send("Уточнение")
    note = await user.wait_text("Добавлено к вопросу")
    assert f"#{ticket.id}" in note.text
    assert user.reactions(follow) == []
    assert len(await messages_of(desk_bot, ticket.id)) == 2


async def test_stars_only_for_a_closed_question_and_only_one_to_five(desk_bot: RunningBot) -> None:
    user = await desk_bot.known_user(7113, "Дана", "ru")
    await ask(user, "Вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [ticket] = await tickets(desk_bot)
    confirmation = user.messages[-1]
    for arg in (5, 9):
        query = await user.press_data(
            AskCb(action="stars", t=ticket.id, arg=arg).pack(), confirmation.message_id
        )
        assert (await user.wait_answer(query)).text == "Этот вопрос недоступен."
    [after] = await tickets(desk_bot)
    assert (after.status, after.rating) == ("waiting", None)


async def test_cancel_button_asks_first_and_limits_are_explained(
    desk_bot: RunningBot, fake_clock: FakeClock
) -> None:
    user = await desk_bot.known_user(7114, "Дана", "ru")
    await user.send("/ask")
    await user.wait_text("/cancel")
    user.mark_read()
    await user.send("Передумаю")
    await user.wait_text("пока 1 сообщение")
    user.mark_read()
    await user.press("Отмена")
    await user.wait_text("Удалить недописанный вопрос?")
    user.mark_read()
    await user.press("Нет, продолжить")
    await user.wait_text("пока 1 сообщение")  # nothing lost
    user.mark_read()
    await user.press("Отмена")
    await user.wait_text("Удалить недописанный вопрос?")
    user.mark_read()
    await user.press("Да, удалить")
    await user.wait_text("Ничего не отправлено")
    assert await tickets(desk_bot) == []

    # At most DESK_USER_MAX_OPEN (3) open questions at a time: the fourth is explained.
    for n in range(3):
        await ask(user, f"Вопрос {n}", topic="Другое", send="Отправить", nxt="Далее")
    user.mark_read()
    await user.send("/ask")
    refusal = await user.wait_text("У вас уже 3 открытых вопроса")
    assert "/my" in refusal.text

    # A banned person is told so, and nothing is started.
    banned = await desk_bot.known_user(7115, "Ерлан", "ru")
    async with desk_bot.app.sessionmaker() as session, session.begin():
        await BanRepository(session).ban(banned.id, "spam", ADMIN_ID, fake_clock.now())
    await banned.send("/ask")
    await banned.wait_text("нельзя задавать вопросы консультантам")
    assert [t.user_id for t in await tickets(desk_bot)] == [user.id] * 3
