"""What a new user tripped over (issue 7), each reproduced through the fake Telegram.

An admin is also a user; an old dialog button must not change the current step; leaving a dialog
says so; dates suggested are ahead of now; a cancelled event is not offered for the calendar;
one representation per event; a stranger (or someone who used /forget) chooses a language first.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock, eventually
from db.models.events import Event
from db.repositories.users import UserRepository
from tests.conftest import ADMIN_ID
from tests.events.conftest import draft, local, press_listed

SOMETHING_WRONG = ("Что-то пошло не так", "Бір ақау шықты")


def no_apology(user: SimUser) -> None:
    for message in user.messages:
        assert not any(phrase in message.text for phrase in SOMETHING_WRONG), message.text


async def add_event(running: RunningBot, **changes: object) -> int:
    start = changes.pop("start", local(2026, 3, 15, 14, 0))
    async with running.app.sessionmaker() as session, session.begin():
        events = running.app.services.for_session(session).events
        event = await events.create(draft(start, **changes), actor_id=ADMIN_ID)  # type: ignore[arg-type]
    return event.id


async def test_an_admin_uses_every_user_feature(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    """Every admin used to get "something went wrong" for any message without a document."""
    admin = await running_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("сколько стоит регистрация НПО")
    assert "МРП" in (await admin.next_message()).text
    await admin.send("/events")
    assert "События и сроки" in (await admin.next_message()).text
    await admin.send("/subscriptions")
    assert "Напоминания" in (await admin.next_message()).text
    await admin.send("/faq")
    assert "Вопросы и ответы" in (await admin.next_message()).text
    await admin.send_sticker()
    assert "только текстовые сообщения" in (await admin.next_message()).text
    await admin.send_photo(caption="фото устава")
    assert "только текстовые сообщения" in (await admin.next_message()).text
    await admin.send_document("charter.pdf", b"%PDF-1.4", caption="устав")
    assert "только текстовые сообщения" in (await admin.next_message()).text
    await admin.send("спасибо")
    assert "Пожалуйста" in (await admin.next_message()).text
    await admin.send("/help")
    help_text = (await admin.next_message()).text
    assert "/admin" in help_text  # admins are told where their tools are
    await admin.send("/menu")
    menu = await admin.next_message()
    assert "🛠 Администрирование" in menu.button_texts()
    await admin.press("Администрирование")
    await admin.wait_text("Выберите раздел")
    no_apology(admin)


async def test_a_button_of_an_earlier_wizard_step_is_refused(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await running_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/admin")
    await admin.wait_text("Выберите раздел")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await admin.press("Новое событие")
    await admin.wait_text("шаг 1 из 9")
    await admin.press("Семинары")
    earlier = await admin.wait_text("название на казахском")
    back = _button_data(earlier, "Назад")
    await admin.send("Есеп беру семинары")
    current = await admin.wait_text("название на русском")
    assert current.message_id != earlier.message_id
    # "Back" on the earlier step's message (as if Telegram had not removed its keyboard yet).
    query = await admin.press_data(back, earlier.message_id)
    assert "предыдущего шага" in (await admin.wait_answer(query)).text
    # The dialog is where it was: the next text is the Russian title, not the Kazakh one.
    await admin.send("Семинар по отчётности")
    await admin.wait_text("описание на казахском")
    await admin.send("ҮЕҰ есептері туралы")
    await admin.wait_text("описание на русском")
    await admin.send("Об отчётах")
    await admin.wait_text("Когда начало")
    await admin.send("15.03.2026 14:00")
    await admin.wait_text("Когда окончание")
    await admin.press("Пропустить")
    await admin.wait_text("Где?")
    await admin.press("Пропустить")
    await admin.wait_text("Для какого региона")
    await admin.press("Алматы")
    preview = await admin.wait_text("Предпросмотр")
    assert "🇰🇿 Есеп беру семинары" in preview.text
    assert "🇷🇺 Семинар по отчётности" in preview.text
    no_apology(admin)


def _button_data(message: object, fragment: str) -> str:
    for row in message.buttons:  # type: ignore[attr-defined]
        for button in row:
            if fragment in button.text and button.callback_data:
                return str(button.callback_data)
    raise AssertionError(f"no button {fragment!r}")


async def test_a_command_in_the_middle_of_a_dialog_closes_it_and_says_so(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    admin = await running_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/admin")
    await admin.wait_text("Выберите раздел")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await admin.press("Новое событие")
    await admin.wait_text("шаг 1 из 9")
    await admin.press("Семинары")
    await admin.wait_text("название на казахском")
    await admin.send("/language")
    await admin.wait_text("закрыл незавершённый диалог")
    await admin.wait_text("Выберите язык бота")
    # The next text is a question, not the event's title.
    await admin.send("сколько стоит регистрация НПО")
    assert "МРП" in (await admin.next_message()).text
    async with running_bot.app.sessionmaker() as session:
        assert (
            await session.scalars(select(Event).where(Event.created_by == ADMIN_ID))
        ).all() == []


async def test_regions_are_listed_in_the_users_alphabet(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    for language, button, first_regions in (
        ("Қазақша", "Менің өңірім", ["Абай облысы", "Ақмола облысы", "Ақтөбе облысы"]),
        ("Русский", "Мой регион", ["Абайская область", "Акмолинская область"]),
    ):
        user = telegram.user(7101 if language == "Қазақша" else 7102, "Dana")
        await user.send("/start")
        await user.wait_for(lambda m: m.has_buttons)
        await user.press(language)
        regions = await user.wait_text("📍")
        names = regions.button_texts()
        assert names[:3] == ["Астана", "Алматы", "Шымкент"]
        assert names[3 : 3 + len(first_regions)] == first_regions
        await user.press("Алматы")
        saved = await user.wait_for(lambda m: "Алматы" in m.text and "✅" in m.text)
        assert "🏠" in saved.text
        await user.press(button)
        await user.wait_text("Алматы")


async def test_date_examples_are_ahead_of_now(
    running_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    fake_clock.set(datetime(2026, 12, 20, 6, 0, tzinfo=UTC))
    admin = await running_bot.known_user(ADMIN_ID, "Admin", "ru")
    await admin.send("/admin")
    await admin.wait_text("Выберите раздел")
    await admin.press("События и сроки")
    await admin.wait_text("(управление)")
    await admin.press("Новое событие")
    await admin.wait_text("шаг 1 из 9")
    await admin.press("Семинары")
    for text in ("Есеп беру", "Семинар", "Сипаттама", "Описание"):
        await admin.wait_for(lambda m: "шаг" in m.text)
        admin.mark_read()
        await admin.send(text)
    prompt = await admin.wait_text("Когда начало")
    assert "15.01.2027 10:00" in prompt.text and "31.01.2027" in prompt.text
    await admin.send("32.13.2027")
    error = await admin.wait_text("⚠️")
    assert "2026" not in error.text and "15.01.2027 10:00" in error.text


async def test_a_cancelled_event_is_not_offered_for_the_calendar(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    event_id = await add_event(running_bot)
    user = await running_bot.known_user(7103, "Dana", "ru")
    await user.send("/events")
    await user.wait_text("События и сроки")
    await press_listed(user, "Семинар по отчётности")
    card = await user.wait_text("Семинар по отчётности")
    assert "📅 Добавить в календарь" in card.button_texts()
    async with running_bot.app.sessionmaker() as session, session.begin():
        await running_bot.app.services.for_session(session).events.cancel(event_id)
    await user.press("Назад", message=card)
    await user.wait_text("Нажмите на номер")
    await press_listed(user, "Семинар по отчётности")
    cancelled = await user.wait_for(lambda m: "Отменено" in m.text)
    assert "📅 Добавить в календарь" not in cancelled.button_texts()
    # An older message's calendar button now gives the file that removes it, and says so.
    query = await user.press_data(f"ev:ics:{event_id}:0", cancelled.message_id)
    await user.wait_answer(query)
    ics = await user.wait_for(lambda m: m.document is not None)
    assert "отменено" in ics.text and "убрать" in ics.text


async def test_events_are_listed_once_with_full_titles_and_the_date_first(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    title = "Республиканский форум гражданского общества и некоммерческих организаций 2026"
    await add_event(running_bot, title_ru=title)
    user = await running_bot.known_user(7104, "Dana", "ru")
    await user.send("/events")
    listing = await user.wait_text("События и сроки")
    line = next(line for line in listing.text.splitlines() if title in line)
    assert line.startswith("1. 15 мар.")
    assert not any(title[:20] in button for button in listing.button_texts())


async def test_after_forget_the_person_chooses_a_language_and_their_question_is_answered(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await running_bot.known_user(7105, "Dana", "kk")
    await user.send("/forget")
    await user.wait_for(lambda m: m.has_buttons)
    await user.press("Иә")
    await user.wait_text("өшірілді")

    async def gone() -> bool:
        async with running_bot.app.sessionmaker() as session:
            return await UserRepository(session).get(7105) is None

    await eventually(gone, what="the user forgotten")
    user.mark_read()
    await user.send("сколько стоит регистрация НПО")
    picker = await user.next_message()
    assert "Тілді таңдаңыз · Выберите язык" in picker.text
    await user.press("Русский", message=picker)
    answer = await user.wait_text("МРП")
    assert answer.text.startswith("❓")


async def test_small_talk_and_acknowledgements_get_a_human_answer(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await running_bot.known_user(7106, "Dana", "kk")
    for text, expected in (
        ("ok", "Жақсы"),
        ("👍", "Жақсы"),
        ("🙏", "Оқасы жоқ"),
        ("рахмет", "Оқасы жоқ"),
    ):
        await user.send(text)
        reply = (await user.next_message()).text
        assert expected in reply, (text, reply)
        assert "таппадым" not in reply


async def test_single_suggestion_is_the_answer_and_back_returns_to_suggestions(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await running_bot.known_user(7107, "Dana", "ru")
    await user.send("сроки и документы")
    suggestions = await user.next_message()
    assert "Не уверен, что правильно понял" in suggestions.text
    assert "🏠 Главное меню" in suggestions.button_texts()
    first = next(b for b in suggestions.button_texts() if b.startswith("🔹"))
    await user.press(first, message=suggestions)
    answer = await user.wait_for(
        lambda m: m.message_id == suggestions.message_id and m.text.startswith("❓")
    )
    await user.press("⬅️ Назад", message=answer)
    await user.wait_for(lambda m: m.message_id == suggestions.message_id and "Не уверен" in m.text)


async def test_an_answer_can_be_read_in_the_other_language(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await running_bot.known_user(7108, "Dana", "kk")
    await user.send("ҮЕҰ тіркеу алымы қанша")
    answer = await user.next_message()
    assert "АЕК" in answer.text
    await user.press("🇷🇺 Орысша", message=answer)
    russian = await user.wait_for(lambda m: m.message_id == answer.message_id and "МРП" in m.text)
    assert "👍 Пайдалы" in russian.button_texts()  # the buttons stay in the interface language
    await user.press("🇰🇿 Қазақша", message=russian)
    await user.wait_for(lambda m: m.message_id == answer.message_id and "АЕК" in m.text)
