"""Media the bot sends, copies and forwards (albums included), and reactions it sets."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import (
    BufferedInputFile,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    ReactionTypeCustomEmoji,
    ReactionTypeEmoji,
    ReactionTypePaid,
)

from bot.sandbox import FakeTelegramServer, Media

FORUM = -1001000000001


async def test_bot_sends_every_media_kind(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    voice = await bot.send_voice(user.id, BufferedInputFile(b"OggS..", "a.ogg"), duration=4)
    video = await bot.send_video(user.id, BufferedInputFile(b"mp4..", "v.mp4"), caption="<b>V</b>")
    audio = await bot.send_audio(user.id, BufferedInputFile(b"ID3..", "s.mp3"), title="Song")
    sticker = await bot.send_sticker(user.id, BufferedInputFile(b"RIFF", "s.webp"), emoji="🙂")
    assert voice.voice is not None and voice.voice.duration == 4
    assert video.video is not None and video.caption == "V"
    assert audio.audio is not None and audio.audio.title == "Song"
    assert sticker.sticker is not None and sticker.sticker.emoji == "🙂"
    assert [m.kind for m in user.messages] == ["voice", "video", "audio", "sticker"]
    assert user.messages[0].document is not None and user.messages[0].document.data == b"OggS.."
    again = await bot.send_voice(user.id, voice.voice.file_id)  # by file_id
    assert again.voice is not None and again.voice.file_id == voice.voice.file_id
    assert server.violations == []


async def test_send_media_group(server: FakeTelegramServer, bot: Bot) -> None:
    user = server.user(1001)
    sent = await bot.send_media_group(
        user.id,
        [
            InputMediaPhoto(media=BufferedInputFile(b"jpeg-1", "1.jpg"), caption="<i>Two</i>"),
            InputMediaPhoto(media=BufferedInputFile(b"jpeg-2", "2.jpg")),
        ],
    )
    assert len(sent) == 2 and sent[0].caption == "Two" and sent[1].caption is None
    assert sent[0].media_group_id is not None
    assert sent[0].media_group_id == sent[1].media_group_id
    assert [m.document.data for m in user.messages if m.document] == [b"jpeg-1", b"jpeg-2"]
    with pytest.raises(TelegramBadRequest, match="too many messages to send as an album"):
        await bot.send_media_group(user.id, [InputMediaPhoto(media=sent[0].photo[-1].file_id)] * 11)  # type: ignore[index]
    mixed = await bot.send_media_group(
        user.id,
        [
            InputMediaPhoto(media=BufferedInputFile(b"j", "1.jpg")),
            InputMediaVideo(media=BufferedInputFile(b"v", "1.mp4")),
        ],
    )
    assert [m.photo is not None for m in mixed] == [True, False]
    with pytest.raises(TelegramBadRequest, match="document can't be mixed"):
        await bot.send_media_group(
            user.id,
            [
                InputMediaPhoto(media=BufferedInputFile(b"j", "1.jpg")),
                InputMediaDocument(media=BufferedInputFile(b"d", "1.pdf")),
            ],
        )
    assert len(user.messages) == 4
    assert server.violations == []


async def test_copy_media_into_a_topic_keeps_kind_and_caption(
    server: FakeTelegramServer, bot: Bot
) -> None:
    forum = server.forum(FORUM, "Consultants")
    person = server.user(1001, "Aigerim")
    topic = await bot.create_forum_topic(FORUM, "#1 · Aigerim")
    thread = topic.message_thread_id
    sent = [
        await person.send_photo("жарғы"),
        await person.send_document("charter.pdf", b"%PDF-1.7", "our charter", "application/pdf"),
        await person.send_voice(duration=7),
        await person.send_video("видео"),
        await person.send_audio(),
        await person.send_sticker("🙏"),
        await person.send("просто текст"),
    ]
    for message_id in sent:
        await bot.copy_message(FORUM, person.id, message_id, message_thread_id=thread)
    copies = forum.topic(thread).messages
    assert [m.kind for m in copies] == [
        "photo", "document", "voice", "video", "audio", "sticker", "text",
    ]  # fmt: skip
    assert [m.text for m in copies] == ["жарғы", "our charter", "", "видео", "", "", "просто текст"]
    assert copies[1].document is not None and copies[1].document.data == b"%PDF-1.7"
    assert all(m.raw["from"]["id"] == server.bot_user["id"] for m in copies)
    assert all("forward_origin" not in m.raw for m in copies)
    # A new caption replaces the old one; a text message keeps its text.
    await bot.copy_message(
        FORUM, person.id, sent[0], message_thread_id=thread, caption="<b>Фото</b> Aigerim"
    )
    assert [m.text for m in forum.topic(thread).messages][-1] == "Фото Aigerim"
    forwarded = await bot.forward_message(FORUM, person.id, sent[2], message_thread_id=thread)
    assert forwarded.voice is not None and forwarded.forward_origin is not None
    assert forwarded.forward_origin.sender_user.id == person.id  # type: ignore[union-attr]
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(FORUM, person.id, 999, message_thread_id=thread)
    assert server.violations == []


async def test_copy_and_forward_albums(server: FakeTelegramServer, bot: Bot) -> None:
    forum = server.forum(FORUM, "Consultants")
    person = server.user(1001)
    album = await person.send_album(
        [Media.photo(b"p1"), Media.video(), Media.photo(b"p3")], caption="three"
    )
    lone = await person.send("and a note")
    thread = (await bot.create_forum_topic(FORUM, "#1")).message_thread_id
    copied = await bot.copy_messages(
        FORUM, person.id, [*album, lone, 999], message_thread_id=thread
    )
    assert len(copied) == 4  # the missing 999 is skipped
    copies = forum.topic(thread).messages
    assert [m.kind for m in copies] == ["photo", "video", "photo", "text"]
    groups = {m.media_group_id for m in copies[:3]}
    assert len(groups) == 1 and None not in groups and groups != {None}
    assert groups.isdisjoint({person.state.messages[album[0]].media_group_id})
    assert copies[3].media_group_id is None and copies[0].text == "three"
    single = await bot.copy_message(FORUM, person.id, album[1], message_thread_id=thread)
    assert forum.topic(thread).messages[-1].media_group_id is None  # alone, not an album
    assert single.message_id == forum.topic(thread).messages[-1].message_id
    forwarded = await bot.forward_messages(FORUM, person.id, album, message_thread_id=thread)
    assert len(forwarded) == 3
    with pytest.raises(TelegramBadRequest, match="strictly increasing order"):
        await bot.copy_messages(FORUM, person.id, [album[1], album[0]])
    with pytest.raises(TelegramBadRequest, match="there are no messages to forward"):
        await bot.copy_messages(FORUM, person.id, [998, 999])
    assert server.violations == []


async def test_reactions(server: FakeTelegramServer, bot: Bot) -> None:
    person = server.user(1001)
    question = await person.send("Сұрақ")
    assert await bot.set_message_reaction(person.id, question, [ReactionTypeEmoji(emoji="👌")])
    assert person.reactions(question) == ["👌"]
    assert server.reactions_on(person.id, question) == ["👌"]
    for bad in ("✅", "✓", "👍🏻"):
        with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
            await bot.set_message_reaction(person.id, question, [ReactionTypeEmoji(emoji=bad)])
    with pytest.raises(TelegramBadRequest, match="REACTION_INVALID"):
        await bot.set_message_reaction(
            person.id, question, [ReactionTypeCustomEmoji(custom_emoji_id="5368324170671202286")]
        )
    with pytest.raises(TelegramBadRequest, match="invalid reaction type specified"):
        await bot.set_message_reaction(person.id, question, [ReactionTypePaid()])
    with pytest.raises(TelegramBadRequest, match="REACTIONS_TOO_MANY"):
        await bot.set_message_reaction(
            person.id, question, [ReactionTypeEmoji(emoji="👍"), ReactionTypeEmoji(emoji="🔥")]
        )
    with pytest.raises(TelegramBadRequest, match="message to react not found"):
        await bot.set_message_reaction(person.id, 999, [ReactionTypeEmoji(emoji="👍")])
    assert person.reactions(question) == ["👌"]
    await bot.set_message_reaction(person.id, question, [])
    assert person.reactions(question) == []
    person.block_bot()
    with pytest.raises(TelegramForbiddenError, match="blocked"):
        await bot.set_message_reaction(person.id, question, [ReactionTypeEmoji(emoji="👍")])
    assert server.stats.reactions == 2
    assert server.violations == []


async def post(server: FakeTelegramServer, method: str, **data: Any) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{server.base_url}/bot{server.token}/{method}", data=data) as response,
    ):
        return response.status, await response.json()


async def test_new_methods_are_checked_against_the_spec(server: FakeTelegramServer) -> None:
    server.forum(FORUM, "Consultants")
    status, body = await post(server, "createForumTopic", chat_id=str(FORUM), name="x", colour="1")
    assert status == 400 and 'unknown parameter "colour"' in body["description"]
    status, body = await post(server, "setMessageReaction", chat_id=str(FORUM))
    assert status == 400 and 'parameter "message_id" is required' in body["description"]
    status, body = await post(
        server, "setMessageReaction", chat_id="1", message_id="1", reaction='[{"type": "love"}]'
    )
    assert status == 400 and "can't parse reaction JSON object" in body["description"]
    status, body = await post(
        server, "copyMessages", chat_id="1", from_chat_id="1", message_ids="1"
    )
    assert status == 400 and "message_ids" in body["description"]
    assert len(server.violations) == 4
