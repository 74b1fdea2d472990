"""What simulated users send arrives as updates aiogram parses, and their files download."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.types import (
    KeyboardButton,
    KeyboardButtonRequestUsers,
    Message,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    ReplyKeyboardMarkup,
)

from bot.sandbox import FakeTelegramServer, Media


async def messages(bot: Bot) -> list[Message]:
    updates = await bot.get_updates()
    if updates:
        await bot.get_updates(offset=updates[-1].update_id + 1)
    return [u.message for u in updates if u.message is not None]


async def download(bot: Bot, file_id: str) -> bytes:
    file = await bot.get_file(file_id)
    assert file.file_path is not None
    data = await bot.download_file(file.file_path)
    assert data is not None
    return data.read()


async def test_every_content_type(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001, "Aigerim", language_code="kk")
    await user.send("Сәлем")
    await user.send_photo("фото", b"\xff\xd8jpeg")
    await user.send_document("charter.pdf", b"%PDF-1.7", "жарғы", "application/pdf")
    await user.send_voice(b"OggS-voice", duration=12)
    await user.send_video("видео", b"mp4-bytes", duration=9)
    await user.send_audio(b"ID3-song", "ән.mp3")
    await user.send_sticker("🙏")
    await user.send_contact("+77011234567", "Aigerim", user_id=user.id)
    await user.send_location(43.238949, 76.889709)
    await user.send_poll("Қашан?", ["Дүйсенбі", "Сейсенбі"])
    got = await messages(bot)
    text, photo, document, voice, video, audio, sticker, contact, location, poll = got
    assert text.text == "Сәлем"
    assert photo.photo is not None and photo.caption == "фото"
    assert document.document is not None and document.document.file_name == "charter.pdf"
    assert document.document.mime_type == "application/pdf" and document.caption == "жарғы"
    assert voice.voice is not None and voice.voice.duration == 12
    assert video.video is not None and video.video.duration == 9 and video.caption == "видео"
    assert audio.audio is not None and audio.audio.file_name == "ән.mp3"
    assert sticker.sticker is not None and sticker.sticker.emoji == "🙏"
    assert contact.contact is not None and contact.contact.user_id == user.id
    assert location.location is not None and location.location.latitude == pytest.approx(43.238949)
    assert poll.poll is not None and [o.text for o in poll.poll.options] == ["Дүйсенбі", "Сейсенбі"]
    # Every file a user sent can be fetched by the bot.
    assert await download(bot, photo.photo[-1].file_id) == b"\xff\xd8jpeg"
    assert await download(bot, document.document.file_id) == b"%PDF-1.7"
    assert await download(bot, voice.voice.file_id) == b"OggS-voice"
    assert await download(bot, video.video.file_id) == b"mp4-bytes"
    assert await download(bot, audio.audio.file_id) == b"ID3-song"
    assert [m.kind for m in user.state.messages.values()] == [
        "text", "photo", "document", "voice", "video", "audio", "sticker", "contact",
        "location", "poll",
    ]  # fmt: skip
    assert server.violations == []


async def test_album_and_edits(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    ids = await user.send_album(
        [Media.photo(b"1"), Media.photo(b"2"), Media.document("a.pdf", b"%PDF")], caption="үшеуі"
    )
    await user.edit(ids[0], "үшеуі, түзетілген")
    text = await user.send("typo")
    await user.edit(text, "fixed")
    updates = await bot.get_updates()
    *album, typo = [u.message for u in updates if u.message is not None]
    assert typo.text == "typo"
    assert len(album) == 3 and len({m.media_group_id for m in album}) == 1
    assert album[0].media_group_id is not None
    assert [m.caption for m in album] == ["үшеуі", None, None]
    edits = [u.edited_message for u in updates if u.edited_message is not None]
    assert [(e.message_id, e.caption, e.text) for e in edits] == [
        (ids[0], "үшеуі, түзетілген", None),
        (text, None, "fixed"),
    ]
    assert all(e.edit_date for e in edits)
    with pytest.raises(ValueError, match="2 to 10"):
        await user.send_album([Media.photo()])


async def test_forwarded_messages(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    friend = server.user(1002, "Friend")
    channel_like = server.group(-100321, "NGO news")
    await user.send_forwarded("from a friend", friend)
    await user.send_forwarded("/start from someone hidden", "Hidden Person")
    await user.send_forwarded("from a group", channel_like)
    first, second, third = await messages(bot)
    assert isinstance(first.forward_origin, MessageOriginUser)
    assert first.forward_origin.sender_user.id == friend.id
    assert isinstance(second.forward_origin, MessageOriginHiddenUser)
    assert second.forward_origin.sender_user_name == "Hidden Person"
    assert second.entities is None  # a forwarded "/start" is not a command
    assert isinstance(third.forward_origin, MessageOriginChat)
    assert third.forward_origin.sender_chat.id == channel_like.chat_id


async def test_sharing_a_user_with_a_request_users_button(
    server: FakeTelegramServer, bot: Bot
) -> None:
    admin = server.user(1001, "Admin")
    colleague = server.user(1002, "Dana", username="dana_kz")
    with pytest.raises(AssertionError, match="no request_users button"):
        await admin.share_users([colleague])
    markup = ReplyKeyboardMarkup(
        keyboard=[
            [
                KeyboardButton(
                    text="Choose a consultant",
                    request_users=KeyboardButtonRequestUsers(
                        request_id=7, request_name=True, request_username=True
                    ),
                )
            ]
        ],
        resize_keyboard=True,
    )
    await bot.send_message(admin.id, "Who?", reply_markup=markup)
    assert admin.reply_keyboard == [["Choose a consultant"]]
    await admin.share_users([colleague])
    [message] = await messages(bot)
    assert message.users_shared is not None and message.users_shared.request_id == 7
    [shared] = message.users_shared.users
    assert (shared.user_id, shared.first_name, shared.username) == (colleague.id, "Dana", "dana_kz")
    with pytest.raises(AssertionError, match="1 to 1 users"):
        await admin.share_users([colleague, 1003])
    assert server.violations == []


async def test_block_unblock_groups_and_reactions(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    group = server.group(-100123, "NGO chat")
    user.block_bot()
    user.unblock_bot()
    in_group = await user.send("hello group", chat=group)
    await bot.get_updates(allowed_updates=["message", "my_chat_member", "message_reaction"])
    sent = await bot.send_message(user.id, "answer")
    await user.react(sent.message_id, "👍")
    updates = await bot.get_updates()
    statuses = [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member]
    assert statuses == ["kicked", "member"]
    [group_message] = [u.message for u in updates if u.message is not None]
    assert group_message.chat.type == "supergroup" and group_message.message_id == in_group
    assert group.member_status(user.id) == "member"
    [reaction] = [u.message_reaction for u in updates if u.message_reaction is not None]
    assert reaction.message_id == sent.message_id
    assert [r.emoji for r in reaction.new_reaction] == ["👍"]  # type: ignore[union-attr]
