"""Bad input gets a clear answer or is safely ignored: no crash, no lost or mixed-up data."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Update

from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer

APOLOGY = "Something went wrong"


def no_apology(user: SimUser) -> None:
    assert not any("пошло не так" in m.text or "қате шықты" in m.text for m in user.messages)


async def russian_user(telegram: FakeTelegramServer, user_id: int) -> SimUser:
    user = telegram.user(user_id, "Асель", language_code="ru")
    await user.send("/start")
    await user.wait_for(lambda m: m.has_buttons)
    await user.press("Русский")
    await user.wait_text("В каком регионе")
    await user.press("Пропустить")
    await user.wait_text("Главное меню")
    user.mark_read()
    return user


async def test_sticker_and_photo_without_caption_get_a_text_only_hint(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await russian_user(telegram, 6001)
    await user.send_sticker()
    assert "только текстовые сообщения" in (await user.next_message()).text
    await user.send_photo()
    assert "только текстовые сообщения" in (await user.next_message()).text
    no_apology(user)


async def test_huge_text_is_answered_within_telegram_limits(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await russian_user(telegram, 6002)
    await user.send("регистрация НПО " * 625)  # 10,000 characters
    reply = await user.next_message()
    assert 0 < len(reply.text) <= 4096
    no_apology(user)


async def test_unknown_command(running_bot: RunningBot, telegram: FakeTelegramServer) -> None:
    user = await russian_user(telegram, 6003)
    await user.send("/teleport now")
    assert "Такой команды я не знаю" in (await user.next_message()).text


async def test_forged_callback_data_is_refused_without_changing_anything(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await russian_user(telegram, 6004)
    menu = user.last
    assert menu is not None
    for forged in ("lg:xx:0", "rg:mars:1", "m:nope", "garbage", "lg:kk:notabool"):
        query = await user.press_data(forged, menu.message_id)
        answer = await user.wait_answer(query)
        assert answer.text == "Эта кнопка больше не действует.", forged
    async with running_bot.app.sessionmaker() as session:
        from db.repositories.users import UserRepository

        stored = await UserRepository(session).get(6004)
    assert stored is not None and stored.language == "ru" and stored.region is None
    no_apology(user)


def _message(chat: dict[str, object], text: str, message_id: int = 1) -> dict[str, object]:
    return {
        "message_id": message_id,
        "date": int(datetime.now(UTC).timestamp()),
        "chat": chat,
        "from": {"id": 6005, "is_bot": False, "first_name": "Ы", "language_code": "ru"},
        "text": text,
    }


async def test_group_messages_and_edits_are_ignored(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    """Fed straight to the dispatcher, so 'nothing was sent' is known once handling returns."""
    app = running_bot.app
    group = telegram.group(-100777, "NGO chat")
    private = telegram.user(6005, "Ы", language_code="ru")
    group_chat = {"id": -100777, "type": "supergroup", "title": "NGO chat"}
    private_chat = {"id": 6005, "type": "private", "first_name": "Ы"}
    updates = [
        {"update_id": 900001, "message": _message(group_chat, "/start")},
        {"update_id": 900002, "message": _message(group_chat, "как зарегистрировать НПО?")},
    ]
    for raw in updates:
        result = await app.dispatcher.feed_update(app.bot, Update.model_validate(raw))
        assert result is UNHANDLED
    # A private edit is looked at (the desk follows edits of a question's messages), but an edit
    # of anything else changes nothing and gets no answer.
    edit = {"update_id": 900003, "edited_message": _message(private_chat, "/start", 5)}
    await app.dispatcher.feed_update(app.bot, Update.model_validate(edit))
    assert group.messages == []
    assert private.messages == []


async def test_bot_keeps_working_after_bad_input(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    user = await russian_user(telegram, 6006)
    await user.send_document("report.exe", b"MZ\x00\x00", caption=None)
    await user.next_message()
    await user.send("/help")
    assert "Чем я могу помочь" in (await user.next_message()).text
    no_apology(user)


async def test_user_who_blocked_the_bot_mid_conversation_is_marked_unreachable(
    running_bot: RunningBot, telegram: FakeTelegramServer
) -> None:
    from bot.testing import eventually
    from db.repositories.users import UserRepository

    user = await russian_user(telegram, 6007)
    await user.send("/help")
    # Blocked before the answer goes out (no await in between: the bot cannot have replied);
    # writing to a blocked bot would unblock it, as in the Telegram apps.
    telegram.block(6007)

    async def unreachable() -> bool:
        async with running_bot.app.sessionmaker() as session:
            stored = await UserRepository(session).get(6007)
        return stored is not None and not stored.is_reachable

    await eventually(unreachable, what="user 6007 marked unreachable")
    assert "🏠" in user.messages[-1].text  # nothing new reached the blocked chat
