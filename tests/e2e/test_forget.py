"""/forget deletes what the bot keeps about a user, only after confirmation, and only theirs."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import eventually
from db.models.users import User


async def user_count(running: RunningBot, user_id: int) -> int:
    async with running.app.sessionmaker() as session:
        count = await session.scalar(
            select(func.count()).select_from(User).where(User.id == user_id)
        )
    return int(count or 0)


async def onboard(telegram: FakeTelegramServer, user_id: int, language: str) -> None:
    user = telegram.user(user_id, "Ы", language_code=language)
    await user.send("/start")
    await user.wait_for(lambda m: m.has_buttons)
    await user.press("Русский")
    await user.wait_text("В каком регионе")
    await user.press("Астана")
    await user.wait_text("Главное меню")


async def test_forget_asks_then_deletes_only_that_user(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    await onboard(telegram, 7001, "ru")
    await onboard(telegram, 7002, "ru")
    user = telegram.user(7001)

    await user.send("/forget")
    question = await user.wait_text("Удалить ваши данные?")
    assert "вопросы консультантам" in question.text  # they go too (desk tickets cascade)
    await user.press("Нет, оставить")
    await user.wait_text("Главное меню")
    assert await user_count(running_bot, 7001) == 1

    await user.send("/forget")
    await user.wait_text("Удалить ваши данные?")
    await user.press("Да, удалить")
    await user.wait_text("Ваши данные удалены")
    assert question.message_id != user.last.message_id  # type: ignore[union-attr]

    async def gone() -> bool:
        return await user_count(running_bot, 7001) == 0

    await eventually(gone, what="user 7001 deleted")
    assert await user_count(running_bot, 7002) == 1

    # A menu from before: the language comes first, not the FAQ in a language never chosen.
    menu = [m for m in user.messages if "Главное меню" in m.text][-1]
    user.mark_read()
    await user.wait_answer(await user.press("Вопросы и ответы", message=menu))
    asked = await user.wait_for(lambda m: "Выберите язык" in m.text)
    assert asked.message_id == menu.message_id
    assert await user_count(running_bot, 7001) == 1  # known again, with no language yet

    user.mark_read()
    await user.send("/start")
    fresh = await user.next_message()
    assert "Выберите язык" in fresh.text  # starts from scratch
