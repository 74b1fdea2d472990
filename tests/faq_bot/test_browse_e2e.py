"""Browsing the FAQ through the fake Bot API: topics → questions → answer, and back."""

from __future__ import annotations

from collections.abc import Callable

from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.models import BotMessage
from bot.sandbox.server import FakeTelegramServer


async def all_answered(user: SimUser) -> None:
    """Every press got its answerCallbackQuery (it follows the edit, so wait for it)."""
    await user.wait_until(lambda: True if not user.unanswered_queries else None, what="answers")


def edited(message: BotMessage, fragment: str) -> Callable[[BotMessage], bool]:
    """A predicate: the same message, edited in place, now showing ``fragment``."""
    return lambda m: m.message_id == message.message_id and fragment in m.text


async def test_browse_to_an_answer_and_back_to_the_menu(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(6001, "Dana", "ru")
    await user.send("/menu")
    menu = await user.wait_text("Главное меню")
    await user.press("Вопросы и ответы")
    topics = await user.wait_for(edited(menu, "Выберите тему"))
    assert topics.button_texts() == ["Регистрация", "Помощь", "⬅️ Назад"]

    await user.press("Регистрация")
    page1 = await user.wait_for(edited(menu, "Страница 1 из 2"))
    assert page1.button_texts() == [
        "Сколько стоит регистрация НПО?",
        "Какие документы нужны для регистрации?",
        "Сколько учредителей нужно общественному объединению?",
        "Сколько длится регистрация?",
        "Что должно быть в уставе?",
        "Как открыть филиал?",
        "▶️",
        "⬅️ Назад",
    ]
    await user.press("▶️")
    page2 = await user.wait_for(edited(menu, "Страница 2 из 2"))
    assert page2.button_texts() == [
        "Как ликвидировать организацию?",
        "Когда нужна перерегистрация?",
        "◀️",
        "⬅️ Назад",
    ]

    await user.press("Как ликвидировать организацию?")
    answer = await user.wait_for(edited(menu, "ликвидационная комиссия"))
    assert answer.text.startswith("❓ Как ликвидировать организацию?")
    assert "Источники" in answer.text and "Проверено: 15.01.2026" in answer.text
    assert answer.button_texts() == [
        "👍 Полезно",
        "👎 Не помогло",
        "🇰🇿 На казахском",
        "✍️ Спросить консультанта",
        "⬅️ Назад",
        "🏠 Главное меню",
    ]

    await user.press("⬅️ Назад")
    await user.wait_for(edited(menu, "Страница 2 из 2"))
    await user.press("◀️")
    await user.wait_for(edited(menu, "Страница 1 из 2"))
    await user.press("⬅️ Назад")
    await user.wait_for(edited(menu, "Выберите тему"))
    await user.press("⬅️ Назад")
    await user.wait_for(edited(menu, "Выберите раздел ниже"))
    # Every step edited the one message in place; every press was answered.
    assert [m.message_id for m in user.messages] == [menu.message_id]
    await all_answered(user)


async def test_faq_command_in_kazakh(faq_bot: RunningBot, telegram: FakeTelegramServer) -> None:
    user = await faq_bot.known_user(6002, "Ерлан", "kk")
    await user.send("/faq")
    topics = await user.wait_text("Сұрақтар мен жауаптар")
    assert topics.button_texts() == ["Тіркеу", "Көмек", "⬅️ Артқа"]
    await user.press("Көмек")
    await user.wait_for(edited(topics, "Сұрақты таңдаңыз"))
    await user.press("Тегін кеңесті қайдан алуға болады?")
    answer = await user.wait_for(edited(topics, "ресурстық орталықтары"))
    assert "Дереккөздер" in answer.text
    assert "👍 Пайдалы" in answer.button_texts()


async def test_forged_callback_data_is_handled_safely(
    faq_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await faq_bot.known_user(6003, "Forger", "ru")
    await user.send("/faq")
    topics = await user.wait_text("Выберите тему")

    async def press(data: str) -> str:
        query = await user.wait_answer(await user.press_data(data, topics.message_id))
        return query.text

    assert await press("fe:no-such-entry") == "Этот вопрос больше недоступен."
    assert await press("fc:no-such-topic:0") == "Эта тема больше недоступна."
    assert await press("fv:no-such-entry:1") == "Этот вопрос больше недоступен."
    assert await press("fc:registration:abc") == "Эта кнопка больше не действует."
    assert await press("fv:liquidation:maybe") == "Эта кнопка больше не действует."

    # Out-of-range pages land on the nearest real page.
    assert await press("fc:registration:99") == ""
    await user.wait_for(edited(topics, "Страница 2 из 2"))
    assert await press("fc:registration:-3") == ""
    await user.wait_for(edited(topics, "Страница 1 из 2"))
    await all_answered(user)
