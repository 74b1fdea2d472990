"""Sending, editing and deleting through a real aiogram Bot over HTTP."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.sandbox import FakeTelegramServer


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in pairs]]
    )


async def test_send_message_returns_realistic_message(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001, "Aigerim", language_code="kk")
    first = await bot.send_message(user.id, "<b>Сәлем</b> &amp; <i>hi</i>")
    second = await bot.send_message(user.id, "again")
    assert first.text == "Сәлем & hi"
    assert first.entities is not None
    assert [(e.type, e.offset, e.length) for e in first.entities] == [
        ("bold", 0, 5),
        ("italic", 8, 2),
    ]
    assert first.from_user is not None and first.from_user.is_bot
    assert second.message_id == first.message_id + 1
    assert [m.text for m in user.messages] == ["Сәлем & hi", "again"]
    assert user.last is not None and user.last.html == "again"
    assert server.stats.sent == 2
    assert server.violations == []


async def test_message_ids_are_per_chat(server: FakeTelegramServer, bot: Bot) -> None:
    a, b = server.user(1), server.user(2)
    await a.send("hi")
    first_a = await bot.send_message(a.id, "x")
    first_b = await bot.send_message(b.id, "y")
    assert (first_a.message_id, first_b.message_id) == (2, 1)


async def test_edit_text_and_markup(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_message(user.id, "Choose", reply_markup=keyboard(("A", "a"), ("B", "b")))
    edited = await bot.edit_message_text(
        "Chosen A", chat_id=user.id, message_id=sent.message_id, reply_markup=keyboard(("OK", "ok"))
    )
    assert not isinstance(edited, bool) and edited.edit_date is not None
    assert user.last is not None and user.last.text == "Chosen A" and user.last.edited
    assert user.last.button_texts() == ["OK"]
    await bot.edit_message_reply_markup(chat_id=user.id, message_id=sent.message_id)
    assert user.last.message_id == sent.message_id
    assert user.last is not None and not user.last.has_buttons
    assert len(user.messages) == 1


async def test_edit_without_markup_drops_keyboard(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_message(user.id, "Choose", reply_markup=keyboard(("A", "a")))
    await bot.edit_message_text("Thanks", chat_id=user.id, message_id=sent.message_id)
    assert user.last is not None and user.last.buttons == []


async def test_edit_not_modified_and_not_found(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_message(user.id, "<b>Same</b>")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "<strong>Same</strong>", chat_id=user.id, message_id=sent.message_id
        )
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=999)
    mine = await user.send("user text")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=user.id, message_id=mine)
    assert server.violations == []


async def test_delete_message(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_message(user.id, "temporary")
    assert await bot.delete_message(user.id, sent.message_id)
    assert user.messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(user.id, sent.message_id)


async def test_text_limits(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    await bot.send_message(user.id, "я" * 4096)
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(user.id, "я" * 4097)
    # Markup does not count: the limit applies after entity parsing.
    await bot.send_message(user.id, "<b>" + "x" * 4096 + "</b>")
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(user.id, "  <b> </b> ")
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_document(user.id, BufferedInputFile(b"1", "a.txt"), caption="c" * 1025)
    assert server.violations == []


async def test_cyrillic_callback_data_over_64_bytes(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    ok = "ж" * 32  # 64 bytes
    await bot.send_message(user.id, "ok", reply_markup=keyboard(("A", ok)))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(user.id, "bad", reply_markup=keyboard(("A", "ж" * 33)))
    assert len(user.messages) == 1


async def test_malformed_html(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    with pytest.raises(TelegramBadRequest, match="can't parse entities: Unsupported start tag"):
        await bot.send_message(user.id, "Price < 5 and <div>x</div>")
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(user.id, "<b>unclosed")
    await bot.send_message(user.id, "1 < 2", parse_mode=None)
    assert user.last is not None and user.last.text == "1 < 2"


async def test_chat_not_found(server: FakeTelegramServer, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "hello")
    server.add_users(range(10_000, 20_000))
    sent = await bot.send_message(15_000, "hello")
    assert sent.chat.id == 15_000
    assert [m.text for m in server.transcript(15_000)] == ["hello"]


async def test_reply_keyboard(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    markup = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Қазақша"), KeyboardButton(text="Русский")]],
        resize_keyboard=True,
    )
    await bot.send_message(user.id, "Тіл / Язык", reply_markup=markup)
    assert user.reply_keyboard == [["Қазақша", "Русский"]]
    message_id = await user.tap("Рус")
    assert user.state.messages[message_id].text == "Русский"


async def test_file_upload_and_download(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    payload = "Есеп\n".encode() * 1000
    sent = await bot.send_document(
        user.id, BufferedInputFile(payload, "report.csv"), caption="<b>Есеп</b>"
    )
    assert sent.document is not None and sent.document.file_name == "report.csv"
    assert sent.caption == "Есеп"
    assert user.last is not None and user.last.document is not None
    assert user.last.document.data == payload
    assert user.last.document.mime_type == "text/csv"
    file = await bot.get_file(sent.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == payload
    # Re-sending by file_id reuses the stored file.
    again = await bot.send_document(user.id, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    photo = await bot.send_photo(user.id, BufferedInputFile(b"\xff\xd8jpeg", "p.jpg"))
    assert photo.photo is not None and user.last is not None and user.last.kind == "photo"


async def test_user_document_can_be_downloaded(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    await user.send_document("charter.pdf", b"%PDF-1.4", caption="our charter")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.document is not None
    file = await bot.get_file(update.message.document.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None and downloaded.read() == b"%PDF-1.4"


async def test_copy_and_forward(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    admin = server.user(2002, "Admin")
    question = await user.send("Қалай тіркелеміз?")
    copied = await bot.copy_message(admin.id, user.id, question)
    forwarded = await bot.forward_message(admin.id, user.id, question)
    assert copied.message_id == 1
    assert forwarded.forward_origin is not None
    assert [m.text for m in admin.messages] == ["Қалай тіркелеміз?"] * 2
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(admin.id, user.id, 999)


async def test_group_chat(server: FakeTelegramServer, bot: Bot) -> None:
    group = server.group(-100123, "NGO chat")
    user = server.user(1001)
    await user.send_in(group, "/help@kenes_test_bot")
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.chat.type == "supergroup"
    assert update.message.from_user is not None and update.message.from_user.id == user.id
    await bot.send_message(group.chat_id, "Hello group", reply_markup=keyboard(("Join", "join")))
    assert group.last is not None and group.last.text == "Hello group"
    assert user.messages == []
    await user.press("Join", chat=group)
    [_, press] = await bot.get_updates(offset=update.update_id)
    assert press.callback_query is not None and press.callback_query.message is not None
    assert press.callback_query.message.chat.id == group.chat_id


async def test_chat_action_get_chat_and_commands(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001, "Aigerim")
    assert await bot.send_chat_action(user.id, "typing")
    assert user.chat_actions == ["typing"]
    chat = await bot.get_chat(user.id)
    assert chat.first_name == "Aigerim"
    from aiogram.types import BotCommand, BotCommandScopeChat, MenuButtonCommands

    await bot.set_my_commands([BotCommand(command="start", description="Бастау")])
    await bot.set_my_commands([BotCommand(command="help", description="Көмек")], language_code="kk")
    await bot.set_my_commands(
        [BotCommand(command="admin", description="Admin")],
        scope=BotCommandScopeChat(chat_id=user.id),
    )
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(language_code="kk")] == ["help"]
    scoped = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=user.id))
    assert [c.command for c in scoped] == ["admin"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == []
    assert await bot.set_chat_menu_button(chat_id=user.id, menu_button=MenuButtonCommands())
    assert server.violations == []


async def test_replies(server: FakeTelegramServer, bot: Bot) -> None:
    from aiogram.types import ReplyParameters

    user = server.user(1001)
    question = await user.send("Сұрақ")
    answer = await bot.send_message(
        user.id, "Жауап", reply_parameters=ReplyParameters(message_id=question)
    )
    assert answer.reply_to_message is not None and answer.reply_to_message.text == "Сұрақ"
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(user.id, "x", reply_parameters=ReplyParameters(message_id=999))
    await bot.send_message(
        user.id,
        "x",
        reply_parameters=ReplyParameters(message_id=999, allow_sending_without_reply=True),
    )


async def test_bulk_user_keeps_transcript_when_simulated_later(
    server: FakeTelegramServer, bot: Bot
) -> None:
    server.add_users([5])
    await bot.send_message(5, "early")
    user = server.user(5, "Late")
    assert [m.text for m in user.messages] == ["early"]
    assert (await bot.get_chat(5)).first_name == "Late"
