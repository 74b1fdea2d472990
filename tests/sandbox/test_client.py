"""The simulated user's helpers: waiting, pressing buttons, edits and membership updates."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox import Button, FakeTelegramServer


def markup(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=t, url=v)
                if v.startswith("https://")
                else InlineKeyboardButton(text=t, callback_data=v)
                for t, v in row
            ]
            for row in rows
        ]
    )


async def test_next_message_sees_new_messages_and_edits(
    server: FakeTelegramServer, bot: Bot
) -> None:
    user = server.user(1001)

    async def bot_side() -> None:
        sent = await bot.send_message(user.id, "first")
        await bot.edit_message_text("first, edited", chat_id=user.id, message_id=sent.message_id)
        await bot.send_message(user.id, "second")

    task = asyncio.create_task(bot_side())
    first = await user.next_message()
    edit = await user.next_message()
    second = await user.next_message()
    await task
    assert (first.text, first.edited) == ("first", False)
    assert (edit.text, edit.edited, edit.message_id) == ("first, edited", True, first.message_id)
    assert second.text == "second"
    with pytest.raises(AssertionError, match=r"(?s)timed out after 0\.05s.*first, edited"):
        await user.next_message(timeout=0.05)


async def test_wait_for_skips_non_matching(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    await bot.send_message(user.id, "typing…")
    task = asyncio.create_task(bot.send_message(user.id, "Answer: 42"))
    found = await user.wait_for(lambda m: m.text.startswith("Answer"))
    await task
    assert found.text == "Answer: 42"
    user.mark_read()
    with pytest.raises(AssertionError, match="waiting for a matching message"):
        await user.wait_for(lambda m: True, timeout=0.01)


async def test_press_buttons(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    old = await bot.send_message(user.id, "old", reply_markup=markup([("Old", "old")]))
    await bot.send_message(
        user.id,
        "menu",
        reply_markup=markup([("📅 Кеңес алу", "book"), ("Сайт", "https://example.org")]),
    )
    await bot.send_message(user.id, "no keyboard")
    query = await user.press("Кеңес")  # the newest message with buttons
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert (update.callback_query.id, update.callback_query.data) == (query, "book")
    assert update.callback_query.from_user.id == user.id
    await user.press(lambda b: b.callback_data == "old", message=user.messages[0])
    with pytest.raises(AssertionError, match=r"available buttons: \[\['📅 Кеңес алу', 'Сайт'\]\]"):
        await user.press("Old")  # only the newest keyboard counts without message=
    with pytest.raises(AssertionError, match="not a callback button"):
        await user.press("Сайт")
    forged = await user.press_data("admin:delete_all", old.message_id)
    assert user.answer(forged).data == "admin:delete_all"
    assert user.unanswered_queries == [query, user.unanswered_queries[1], forged]
    await bot.answer_callback_query(query, text="Жазылдыңыз", show_alert=True)
    assert user.alerts == ["Жазылдыңыз"] and user.answer(query).show_alert
    assert user.messages[1].buttons[0] == [
        Button("📅 Кеңес алу", "book"),
        Button("Сайт", url="https://example.org"),
    ]


async def test_answer_callback_checks(server: FakeTelegramServer, bot: Bot) -> None:
    from aiogram.exceptions import TelegramBadRequest

    user = server.user(1001)
    await bot.send_message(user.id, "menu", reply_markup=markup([("A", "a")]))
    query = await user.press("A")
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query, text="x" * 201)
    await bot.answer_callback_query(query)
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query)


async def test_user_edits_and_media(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001, "Aigerim", language_code="kk")
    first = await user.send("Сәлем")
    await user.edit(first, "Сәлеметсіз бе")
    await user.send_sticker()
    await user.send_photo(caption="фото")
    updates = await bot.get_updates()
    assert updates[0].message is not None and updates[0].message.text == "Сәлем"
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "Сәлеметсіз бе"
    assert updates[2].message is not None and updates[2].message.sticker is not None
    assert updates[3].message is not None and updates[3].message.photo is not None
    assert updates[3].message.caption == "фото"
    with pytest.raises(AssertionError):
        await user.tap("nothing")


async def test_many_users_are_cheap(server: FakeTelegramServer, bot: Bot) -> None:
    server.add_users(range(1, 10_001))
    assert server.has_chat(10_000) and not server.has_chat(10_001)
    await bot.send_message(9_999, "hi")
    assert [m.text for m in server.transcript(9_999)] == ["hi"]
