"""The person's edits and late messages, end to end against the fake Bot API.

- An edit of a message of an open question: the copy in the consultants' forum topic follows it
  (the text, or a photo's caption), and the database keeps the new text; a copy Telegram cannot
  edit (a sticker) gets a short "✏️ edited" note in reply. In private mode the consultant's copy
  follows too. An edit of a message outside any question, or of a closed question, changes
  nothing.
- A message within 7 days of a question's closing reopens it (and the person is told); later,
  the person is told the question was closed and offered "✍️ Ask a new question", which opens
  the ask dialog with that message as its first one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.config import Settings
from bot.sandbox.client import Media
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.sandbox.views import TopicView
from bot.services.desk.consultants import ConsultantAdmin
from bot.testing import FakeClock
from db.models.desk import TicketMessage
from db.models.outbox import OutboxMessage
from tests.desk.test_person_e2e import CONSULTANT_ID, ask, local, messages_of, tickets

FORUM_ID = -1001000000778


@pytest.fixture
def database_url(any_database_url: str) -> str:
    return any_database_url


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock(local(2026, 12, 1, 10, 0))  # a Tuesday, 10:00 in Almaty: the desk is open


@pytest.fixture
async def forum_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[RunningBot]:
    telegram.forum(FORUM_ID, "Kenes consultants")
    desk_settings = settings.model_copy(
        update={"consultants_chat_id": FORUM_ID, "group_interval": 0.0, "desk_auto_assign": False}
    )
    running = await RunningBot.start(desk_settings, telegram, clock=fake_clock)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def private_bot(
    settings: Settings, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> AsyncIterator[RunningBot]:
    # Private-chat mode, and questions go to the one consultant on duty at once.
    desk_settings = settings.model_copy(update={"desk_auto_assign": True})
    running = await RunningBot.start(desk_settings, telegram, clock=fake_clock)
    try:
        yield running
    finally:
        await running.stop()


async def outbox_kinds(bot: RunningBot, prefix: str) -> list[tuple[str, str]]:
    async with bot.app.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.dedupe_key.startswith(prefix))
            .order_by(OutboxMessage.id)
        )
        return [(row.kind, row.state) for row in rows]


def sent_id(row: TicketMessage) -> int:
    """The id of the person's message (only texts the bot wrote for a consultant have none)."""
    assert row.message_id is not None
    return row.message_id


async def idle(bot: RunningBot) -> None:
    sender = bot.app.delivery.sender
    assert sender is not None
    await sender.wait_idle(5.0)


async def test_edits_are_followed_in_the_topic(
    forum_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await forum_bot.known_user(7201, "Дана", "ru")
    await ask(
        user, "Сколько стоит регистрация?", None, topic="Другое", send="Отправить", nxt="Далее"
    )
    [ticket] = await tickets(forum_bot)
    forum = telegram.forum(FORUM_ID, "Kenes consultants")
    topic: TopicView = await forum.wait_topic(f"#{ticket.id}")
    text_copy = await topic.wait_for(lambda m: m.text == "Сколько стоит регистрация?")
    photo_copy = await topic.wait_for(lambda m: m.kind == "photo")
    first, photo = await messages_of(forum_bot, ticket.id)

    # The text: the copy is edited, its formatting kept; the database has the new text.
    topic.mark_read()
    await user.edit(sent_id(first), "Сколько стоит регистрация <b>фонда</b>?")
    edited = await topic.wait_for(lambda m: m.message_id == text_copy.message_id and m.edited)
    assert edited.text == "Сколько стоит регистрация <b>фонда</b>?"
    stored = await messages_of(forum_bot, ticket.id)
    assert stored[0].text == "Сколько стоит регистрация <b>фонда</b>?"
    # The card quotes the person's messages: it is brought up to date.
    card = await topic.wait_for(lambda m: m.text.startswith("❓") and "фонда" in m.text)
    assert "💬 Сколько стоит регистрация <b>фонда</b>?" in card.text

    # The photo's caption: editMessageCaption on its copy.
    topic.mark_read()
    await user.edit(sent_id(photo), "Первая страница устава")
    captioned = await topic.wait_for(lambda m: m.message_id == photo_copy.message_id and m.edited)
    assert (captioned.kind, captioned.text) == ("photo", "Первая страница устава")
    assert (await messages_of(forum_bot, ticket.id))[1].text == "Первая страница устава"
    assert [c.method for c in telegram.calls if c.method.startswith("editMessageC")] == [
        "editMessageCaption"
    ]

    # A sticker's copy cannot be edited: a short note in reply to it says what changed.
    topic.mark_read()
    sticker = await user.send_sticker()
    sticker_copy = await topic.wait_for(lambda m: m.kind == "sticker")
    topic.mark_read()
    await user.edit(sticker, "это про устав")
    note = await topic.wait_text("✏️")
    assert note.text == "✏️ изменено: это про устав"
    assert note.reply_to_message_id == sticker_copy.message_id
    assert not [m for m in topic.messages if m.message_id == sticker_copy.message_id and m.edited]


async def test_edits_outside_an_open_question_change_nothing(
    forum_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    user = await forum_bot.known_user(7202, "Дана", "ru")
    # A message that is no question's: an FAQ search.
    search = await user.send("регистрация НПО")
    await user.next_message()
    await user.edit(search, "регистрация фонда")

    await ask(user, "Мой вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [ticket] = await tickets(forum_bot)
    forum = telegram.forum(FORUM_ID, "Kenes consultants")
    topic = await forum.wait_topic(f"#{ticket.id}")
    copy = await topic.wait_for(lambda m: m.text == "Мой вопрос")
    [message] = await messages_of(forum_bot, ticket.id)
    async with forum_bot.app.sessionmaker() as session, session.begin():
        await forum_bot.app.services.for_session(session).desk.close(user.id, ticket.id)
    await idle(forum_bot)

    # An edit of a closed question's message: not stored, not relayed.
    await user.edit(sent_id(message), "Мой вопрос (исправлено)")
    user.mark_read()
    await user.send("/my")  # a later update: the edit before it has been handled
    await user.wait_text("Мои вопросы")
    await idle(forum_bot)
    assert (await messages_of(forum_bot, ticket.id))[0].text == "Мой вопрос"
    assert not [m for m in topic.messages if m.message_id == copy.message_id and m.edited]
    assert await outbox_kinds(forum_bot, "desk:edit:") == []
    assert not [c for c in telegram.calls if c.method.startswith("editMessageCaption")]


async def test_in_private_mode_the_consultants_copy_follows(
    private_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    async with private_bot.app.sessionmaker() as session, session.begin():
        await ConsultantAdmin(session, private_bot.app.services.desk).add(
            CONSULTANT_ID, "Асель", by=None
        )
    consultant = await private_bot.known_user(CONSULTANT_ID, "Асель", "ru")
    user = await private_bot.known_user(7203, "Дана", "ru")
    await ask(user, "Вопрос о гранте", topic="Гранты", send="Отправить", nxt="Далее")
    [ticket] = await tickets(private_bot)
    assert ticket.owner_id == CONSULTANT_ID
    copy = await consultant.wait_for(lambda m: m.text == "Вопрос о гранте")
    [message] = await messages_of(private_bot, ticket.id)
    consultant.mark_read()
    await user.edit(sent_id(message), "Вопрос о гранте на 2027 год")
    edited = await consultant.wait_for(lambda m: m.message_id == copy.message_id and m.edited)
    assert edited.text == "Вопрос о гранте на 2027 год"
    await idle(private_bot)
    assert await outbox_kinds(private_bot, "desk:edit:") == [("edit_text", "sent")]


async def test_within_a_week_a_message_reopens_the_question(
    forum_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    user = await forum_bot.known_user(7204, "Дана", "ru")
    await ask(user, "Вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [ticket] = await tickets(forum_bot)
    async with forum_bot.app.sessionmaker() as session, session.begin():
        await forum_bot.app.services.for_session(session).desk.close(user.id, ticket.id)
    fake_clock.advance(timedelta(days=6, hours=23))
    user.mark_read()
    await user.send("Ещё один вопрос по тому же")
    note = await user.wait_text("снова открыт")
    assert f"#{ticket.id}" in note.text
    [after] = await tickets(forum_bot)
    assert (after.status, after.closed_at) == ("waiting", None)
    assert after.reopened_at is not None
    assert [m.text for m in await messages_of(forum_bot, ticket.id)] == [
        "Вопрос",
        "Ещё один вопрос по тому же",
    ]
    forum = telegram.forum(FORUM_ID, "Kenes consultants")
    topic = await forum.wait_topic(f"#{ticket.id}")
    await topic.wait_text("открыт снова")
    await topic.wait_for(lambda m: m.text == "Ещё один вопрос по тому же")


async def test_after_a_week_the_message_starts_a_new_question(
    forum_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    user = await forum_bot.known_user(7205, "Дана", "ru")
    await ask(user, "Старый вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [old] = await tickets(forum_bot)
    async with forum_bot.app.sessionmaker() as session, session.begin():
        await forum_bot.app.services.for_session(session).desk.close(user.id, old.id)
    fake_clock.advance(timedelta(days=7, hours=1))
    user.mark_read()
    late = await user.send("А как продлить регистрацию?")
    note = await user.wait_for(lambda m: any("Задать новый вопрос" in b for b in m.button_texts()))
    assert f"#{old.id}" in note.text and "закрыт" in note.text
    [still] = await tickets(forum_bot)
    assert still.status == "closed"  # not reopened, and nothing stored yet
    assert [m.text for m in await messages_of(forum_bot, old.id)] == ["Старый вопрос"]

    # An album right after: kept too, with one more note for the whole album.
    user.mark_read()
    await user.send_album([Media.photo(), Media.photo()], caption="Свидетельство")
    await user.wait_for(lambda m: any("Задать новый вопрос" in b for b in m.button_texts()))
    await user.send("/my")  # a later update: the album has been handled
    await user.wait_text("Мои вопросы")
    notes = [m for m in user.messages if "Задать новый вопрос" in " ".join(m.button_texts())]
    assert len(notes) == 2

    user.mark_read()
    await user.press("Задать новый вопрос", message=note)
    window = await user.wait_text("пока 3 сообщения")
    assert "А как продлить регистрацию?" in window.text
    _, draft = await tickets(forum_bot)
    assert draft.status == "draft"
    first, *album = await messages_of(forum_bot, draft.id)
    assert (first.message_id, first.text, first.kind) == (
        late,
        "А как продлить регистрацию?",
        "text",
    )
    assert [(m.kind, m.media_group_id is not None) for m in album] == [("photo", True)] * 2

    # An edit while it is still a draft: the new text is kept for the question.
    await user.edit(late, "А как продлить регистрацию фонда?")
    await user.send("И что для этого нужно?")
    await user.wait_text("пока 4 сообщения")
    assert (await messages_of(forum_bot, draft.id))[0].text == "А как продлить регистрацию фонда?"
    # Sent as usual: the carried message is the first one in the new question's topic.
    user.mark_read()
    await user.press("Далее")
    window = await user.wait_for(lambda m: m.has_buttons and "Далее" not in m.html)
    if "Другое" not in " ".join(window.button_texts()):
        user.mark_read()
        await user.press(lambda b: b.text.startswith("➡️"))
        await user.wait_for(lambda m: "Другое" in " ".join(m.button_texts()))
    user.mark_read()
    await user.press("Другое")
    await user.wait_for(lambda m: "Отправить" in " ".join(m.button_texts()))
    user.mark_read()
    await user.press("Отправить")
    await user.wait_text(f"#{draft.id}")
    forum = telegram.forum(FORUM_ID, "Kenes consultants")
    topic = await forum.wait_topic(f"#{draft.id}")
    await topic.wait_for(lambda m: m.text == "А как продлить регистрацию фонда?")
    await topic.wait_for(lambda m: m.kind == "photo")


async def test_a_text_can_be_searched_instead_and_a_month_later_it_is_a_search(
    forum_bot: RunningBot, fake_clock: FakeClock
) -> None:
    user = await forum_bot.known_user(7206, "Дана", "ru")
    await ask(user, "Старый вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [old] = await tickets(forum_bot)
    async with forum_bot.app.sessionmaker() as session, session.begin():
        await forum_bot.app.services.for_session(session).desk.close(user.id, old.id)
    fake_clock.advance(timedelta(days=8))
    # 8 days on: the note; a text can still be looked up in the knowledge base from it.
    user.mark_read()
    await user.send("Сколько стоит регистрация НПО?")
    note = await user.wait_for(lambda m: "🔎 Поискать в базе знаний" in m.button_texts())
    user.mark_read()
    await user.press("Поискать в базе знаний", message=note)
    await user.wait_text("МРП")
    assert [t.status for t in await tickets(forum_bot)] == ["closed"]

    fake_clock.advance(timedelta(days=23))
    user.mark_read()
    await user.send("Сколько стоит регистрация НПО?")
    answer = await user.wait_text("МРП")
    assert "Задать новый вопрос" not in " ".join(answer.button_texts())
    assert len([m for m in user.messages if "✍️ Задать новый вопрос" in m.button_texts()]) == 1
    assert [t.status for t in await tickets(forum_bot)] == ["closed"]


async def test_an_offer_left_unanswered_for_a_day_carries_nothing_old(
    forum_bot: RunningBot, fake_clock: FakeClock
) -> None:
    user = await forum_bot.known_user(7207, "Дана", "ru")
    await ask(user, "Старый вопрос", topic="Другое", send="Отправить", nxt="Далее")
    [old] = await tickets(forum_bot)
    async with forum_bot.app.sessionmaker() as session, session.begin():
        await forum_bot.app.services.for_session(session).desk.close(user.id, old.id)
    fake_clock.advance(timedelta(days=8))
    user.mark_read()
    await user.send("Забытое сообщение")
    await user.wait_for(lambda m: any("Задать новый вопрос" in b for b in m.button_texts()))
    fake_clock.advance(timedelta(days=2))
    user.mark_read()
    fresh = await user.send("Новый вопрос о гранте")
    note = await user.wait_for(lambda m: any("Задать новый вопрос" in b for b in m.button_texts()))
    user.mark_read()
    await user.press("Задать новый вопрос", message=note)
    await user.wait_text("пока 1 сообщение")
    _, draft = await tickets(forum_bot)
    [first] = await messages_of(forum_bot, draft.id)
    assert (first.message_id, first.text) == (fresh, "Новый вопрос о гранте")
