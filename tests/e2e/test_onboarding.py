"""A user opens the bot, picks a language and a region, and the choice survives a restart."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.models import BotMessage
from bot.sandbox.server import FakeTelegramServer
from bot.testing import eventually
from db.models.users import User


async def stored_user(running: RunningBot, user_id: int, **expected: object) -> User:
    """The user's row once it shows the expected values (the commit follows the reply)."""

    async def check() -> User | None:
        async with running.app.sessionmaker() as session:
            row = await session.scalar(select(User).where(User.id == user_id))
        if row is None or any(getattr(row, k) != v for k, v in expected.items()):
            return None
        return row

    return await eventually(check, what=f"user {user_id} with {expected}")


async def test_start_choose_kazakh_then_russian_and_restart(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = telegram.user(5001, "Aigerim", language_code="en")
    await user.send("/start")
    welcome = await user.wait_for(lambda m: m.has_buttons)
    labels = [button.text for row in welcome.buttons for button in row]
    assert "🇰🇿 Қазақша" in labels and "🇷🇺 Русский" in labels

    await user.press("Қазақша")
    region_prompt = await user.wait_text("Ұйымыңыз қай өңірде")
    assert any("Өткізіп жіберу" in b.text for row in region_prompt.buttons for b in row)
    await user.press("Алматы облысы")
    menu = await user.wait_text("Басты мәзір")
    assert "Сұрақтар мен жауаптар" in " ".join(b.text for row in menu.buttons for b in row)

    await stored_user(running_bot, 5001, language="kk", region="almaty-reg")

    await user.send("/language")
    await user.wait_text("Бот тілін таңдаңыз")
    await user.press("Русский")
    await user.wait_text("Главное меню")
    await stored_user(running_bot, 5001, language="ru")

    await running_bot.restart()
    user.mark_read()
    await user.send("/start")
    again = await user.next_message()
    assert "Главное меню" in again.text
    assert not any("Қазақша" in b.text for r in again.buttons for b in r)


async def test_a_stranger_chooses_the_language_first_and_commands_per_language(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    # Telegram's language is only a guess: someone the bot does not know chooses first.
    user = telegram.user(5002, "Ерлан", language_code="kk")
    await user.send("/help")
    assert "Тілді таңдаңыз · Выберите язык" in (await user.next_message()).text
    await user.press("Қазақша")
    await user.wait_text("Тіл сақталды")
    await user.send("/help")
    assert "Қалай көмектесе аламын" in (await user.next_message()).text

    default_scope = json.dumps({"type": "default"})
    kk_commands = telegram.commands[(default_scope, "kk")]
    ru_commands = telegram.commands[(default_scope, "ru")]
    assert {c["command"] for c in kk_commands} == {c["command"] for c in ru_commands}
    assert any(c["description"] == "Тілді ауыстыру" for c in kk_commands)
    assert any(c["description"] == "Сменить язык" for c in ru_commands)


async def test_cancel_and_back_to_menu(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await running_bot.known_user(5003, "Dana", "ru")
    await user.send("/cancel")
    reply = await user.next_message()
    assert "Отменять нечего" in reply.text and "Главное меню" in reply.text
    await user.press("Справка")
    await user.wait_text("Чем я могу помочь")
    await user.press("Главное меню")
    await user.wait_text("Выберите раздел ниже")


async def pick_region(user: SimUser, opener: str, region: str, saved: str) -> BotMessage:
    """Opens the region picker with the button ``opener`` of the newest screen, chooses
    ``region``, and returns the screen that says ``saved``."""
    await user.press(opener)
    await user.wait_text("Ваш регион")
    await user.press(region)
    return await user.wait_text(saved)


async def test_a_region_chosen_from_reminders_returns_to_reminders(running_bot: RunningBot) -> None:
    user = await running_bot.known_user(5011, "Dana", "ru")
    await user.send("/subscriptions")
    reminders = await user.wait_text("Вы не выбрали регион")
    assert "Напоминания" in reminders.text
    # Back leads where the person came from, too.
    await pick_region(user, "Выбрать мой регион", "⬅️ Назад", "Вы не выбрали регион")
    back = await pick_region(user, "Выбрать мой регион", "Алматы", "Регион сохранён: Алматы")
    assert "Напоминания" in back.text and "Только мой регион" in " ".join(back.button_texts())
    await stored_user(running_bot, 5011, region="almaty")
    # From the main menu it still ends in the main menu.
    await user.send("/start")
    await user.wait_for(lambda m: "📍 Мой регион" in m.button_texts())
    saved = await pick_region(user, "Мой регион", "Весь Казахстан", "Сохранено: весь Казахстан")
    assert "Напоминания" not in saved.text.split("\n")[0]
    assert "Мой регион" in " ".join(saved.button_texts())
    await stored_user(running_bot, 5011, region=None)
