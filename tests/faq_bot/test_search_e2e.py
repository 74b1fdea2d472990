"""Free-text questions through the fake Bot API: answers, suggestions, honesty, votes, the log."""

from __future__ import annotations

from aiogram.fsm.storage.base import StorageKey

from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from tests.faq_bot.helpers import search_log, wait_search_log, wait_vote


async def test_russian_question_from_a_kazakh_user_gets_the_kazakh_answer_and_a_vote(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(7001, "Айгерим", "kk")
    # A Russian question (the wording of a Russian phrasing, so index tuning cannot flip it).
    await user.send("Сколько платить за регистрацию?")
    answer = await user.next_message()
    assert answer.text.startswith("❓ ҮЕҰ-ны тіркеу қанша тұрады?")
    assert "Тіркеу алымы — 6,5\u00a0АЕК (28\u00a0112,5\u00a0₸, 2026 ж.)" in answer.text
    assert "Регистрационный" not in answer.text
    assert "Ұқсас басқа сұрақтар төменде" in answer.text
    buttons = answer.button_texts()
    assert buttons[:2] == ["👍 Пайдалы", "👎 Көмектеспеді"]
    related = [b for b in buttons if b.startswith("🔹 ")]
    assert 1 <= len(related) <= 3
    assert buttons[-3:] == ["✍️ Кеңесшіге сұрақ қою", "⬅️ Артқа", "🏠 Басты мәзір"]

    rows = await wait_search_log(faq_bot, 1)
    assert (rows[0].query, rows[0].language) == ("Сколько платить за регистрацию?", "kk")
    assert (rows[0].best_entry_id, rows[0].confident) == ("registration-fee", True)

    query = await user.press("👍")
    assert (await user.wait_answer(query)).text == "Рақмет! Жауап көмектескеніне қуаныштымыз."
    assert user.answer(query).show_alert
    vote = await wait_vote(faq_bot, 7001, "registration-fee", helpful=True)
    assert vote.language == "kk"
    # 👎 asks what was missing; the one reply is kept masked, with the search that led here.
    await user.press("👎", message=answer)
    await user.wait_text("Не жетпеді?")
    await user.send("Банк шоты туралы жоқ. Менің нөмірім +7 701 123 45 67")
    await user.wait_text("Жауапты жазатындарға жеткіздім")
    vote = await wait_vote(faq_bot, 7001, "registration-fee", helpful=False, with_reason=True)
    assert vote.reason == "Банк шоты туралы жоқ. Менің нөмірім [number]"
    assert vote.query == "Сколько платить за регистрацию?"

    # A related question replaces the answer in place; Back leads to its topic's page.
    await user.press("🔹 Тіркеу қанша уақыт алады?", message=answer)
    other = await user.wait_for(
        lambda m: m.message_id == answer.message_id and "он жұмыс" in m.text
    )
    assert not any(b.startswith("🔹") for b in other.button_texts())
    await user.press("⬅️ Артқа", message=answer)
    await user.wait_for(lambda m: m.message_id == answer.message_id and "1-беті" in m.text)


async def test_latin_kazakh_from_a_russian_user_gets_the_russian_answer(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(7002, "Dana", "ru")
    await user.send("tirkeu alymy kansha")
    answer = await user.next_message()
    assert answer.text.startswith("❓ Сколько стоит регистрация НПО?")
    assert "Регистрационный сбор — 6,5\u00a0МРП" in answer.text


async def test_a_lone_weak_candidate_is_shown_with_a_doubt(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    """One candidate is not worth a choice, but the bot is not sure: it says so."""
    for user_id, lang, question, doubt in (
        (7010, "ru", "устав футбольного клуба", "🤔 Не уверен, что вы спрашивали именно об этом."),
        (7011, "kk", "филиал банка рядом", "🤔 Сұрағыңыз дәл осы туралы ма, сенімді емеспін."),
    ):
        user = await faq_bot.known_user(user_id, "Dana", lang)
        await user.send(question)
        reply = await user.next_message()
        assert reply.text.startswith(doubt), reply.text
        assert "❓ " in reply.text
        assert any("✍️" in b for b in reply.button_texts())
    rows = await wait_search_log(faq_bot, 2)
    assert [(r.best_entry_id, r.confident) for r in rows] == [
        ("charter-requirements", False),
        ("branches", False),
    ]
    # A confident answer carries no doubt.
    user = await faq_bot.known_user(7012, "Dana", "ru")
    await user.send("Сколько платить за регистрацию?")
    assert not (await user.next_message()).text.startswith("🤔")


async def test_off_topic_text_is_honestly_not_found_and_the_consultant_button_works(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(7003, "Dana", "ru")
    await user.send("какой сегодня курс доллара?")
    reply = await user.next_message()
    assert "не нашёл ответа" in reply.text
    assert reply.button_texts() == ["✍️ Спросить консультанта", "📚 Все темы", "🏠 Главное меню"]
    rows = await wait_search_log(faq_bot, 1)
    assert (rows[0].best_entry_id, rows[0].confident, rows[0].result_count) == (None, False, 0)

    await user.press("Спросить консультанта")
    coming = await user.wait_text("Ваш вопрос")
    assert coming.message_id != reply.message_id  # the search reply stays in view
    assert "не нашёл ответа" in user.state.messages[reply.message_id].text
    # What they searched for is the start of their question to the consultants.
    assert "пока 1 сообщение" in coming.text and "какой сегодня курс доллара?" in coming.text


async def test_a_vague_question_gets_suggestions(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(7004, "Dana", "ru")
    await user.send("сроки и документы")
    reply = await user.next_message()
    assert "Не уверен, что правильно понял" in reply.text
    assert sorted(reply.button_texts()[:2]) == [
        "🔹 Какие документы нужны для регистрации?",
        "🔹 Сколько длится регистрация?",
    ]
    assert reply.button_texts()[2:] == [
        "✍️ Спросить консультанта",
        "📚 Все темы",
        "🏠 Главное меню",
    ]
    await user.press("Сколько длится регистрация?")
    await user.wait_for(lambda m: m.message_id == reply.message_id and "рабочих дней" in m.text)
    rows = await wait_search_log(faq_bot, 1)
    assert (rows[0].confident, rows[0].result_count) == (False, 2)


async def test_what_is_not_searched(faq_bot: RunningBot, telegram: FakeTelegramServer) -> None:
    user = await faq_bot.known_user(7005, "Dana", "ru")

    await user.send_sticker()
    assert "только текстовые сообщения" in (await user.next_message()).text

    await user.send("/nosuchcommand")
    assert "Такой команды я не знаю" in (await user.next_message()).text

    # Inside another dialog, text belongs to that dialog, never to the search.
    dispatcher = faq_bot.app.dispatcher
    key = StorageKey(bot_id=faq_bot.app.bot.id, chat_id=user.id, user_id=user.id)
    await dispatcher.fsm.storage.set_state(key, "SomeDialog:waiting_for_text")
    await user.send("госпошлина за регистрацию")
    assert "не понял" in (await user.next_message()).text
    await dispatcher.fsm.storage.set_state(key, None)
    await user.send("госпошлина за регистрацию")
    assert "Регистрационный сбор" in (await user.next_message()).text
    rows = await wait_search_log(faq_bot, 1)
    assert [r.query for r in rows] == ["госпошлина за регистрацию"]
    assert len(await search_log(faq_bot)) == 1


async def test_a_long_letter_is_answered(faq_bot: RunningBot, telegram: FakeTelegramServer) -> None:
    """Telegram delivers up to 4096 characters; a question in a long letter is still found."""
    user = await faq_bot.known_user(7006, "Dana", "ru")
    letter = (
        "Здравствуйте! Мы инициативная группа из Караганды, работаем с подростками уже три года, "
        "проводим кружки и летние лагеря, помогаем семьям в трудной ситуации. "
        "Сейчас хотим оформиться официально, чтобы подавать на гранты. "
    ) * 5 + "Подскажите, пожалуйста, сколько стоит регистрация НПО?"
    assert len(letter) > 1000
    await user.send(letter)
    assert "Регистрационный сбор" in (await user.next_message()).text
