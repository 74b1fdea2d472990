"""Forum supergroups: topics, the bot's rights, members posting in topics, pins and edits."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramRetryAfter
from aiogram.types import (
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
)

from bot.sandbox import FakeTelegramServer, RateLimits, make_bot
from bot.sandbox.state import TOPIC_COLORS

FORUM = -1001000000001


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in pairs]]
    )


async def test_create_topic_and_post_in_it(server: FakeTelegramServer, bot: Bot) -> None:
    forum = server.forum(FORUM, "Consultants")
    topic = await bot.create_forum_topic(FORUM, "🟡 #1 · ҚАЗ · Гранттар · Aigerim")
    assert topic.name == "🟡 #1 · ҚАЗ · Гранттар · Aigerim"
    assert topic.icon_color == TOPIC_COLORS[0]
    colored = await bot.create_forum_topic(FORUM, "#2", icon_color=TOPIC_COLORS[3])
    assert colored.icon_color == TOPIC_COLORS[3]
    assert colored.message_thread_id != topic.message_thread_id

    card = await bot.send_message(
        FORUM,
        "Card",
        message_thread_id=topic.message_thread_id,
        reply_markup=keyboard(("Take", "t")),
    )
    assert card.message_thread_id == topic.message_thread_id and card.is_topic_message
    # Telegram's quirk: a topic message "replies" to the topic's creation message.
    assert card.reply_to_message is not None
    assert card.reply_to_message.forum_topic_created is not None
    board = await bot.send_message(FORUM, "Queue board")  # no thread: the General topic
    assert board.message_thread_id is None and not board.is_topic_message

    view = forum.topic(topic.message_thread_id)
    assert view.name == topic.name and view.exists and not view.closed
    assert [m.text for m in view.messages] == ["Card"]
    assert [m.text for m in forum.general.messages] == ["Queue board"]
    assert [m.text for m in forum.topic(colored.message_thread_id).messages] == []
    assert [m.text for m in server.topic_transcript(FORUM, topic.message_thread_id)] == ["Card"]
    assert [m.text for m in forum.messages] == ["Card", "Queue board"]  # the whole chat
    assert forum.find_topic("ҚАЗ") is not None
    assert server.stats.topics_created == 2
    assert server.violations == []


async def test_topic_errors(server: FakeTelegramServer, bot: Bot) -> None:
    server.forum(FORUM, "No rights", can_manage_topics=False)
    server.group(-100555, "Plain supergroup", bot_admin=True)
    server.forum(-100777, "Bot not admin", bot_admin=False)
    server.forum(-100888, "Fine")
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(FORUM, "x")
    with pytest.raises(TelegramBadRequest, match="not enough rights to create a topic"):
        await bot.create_forum_topic(-100777, "x")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-100555, "x")
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(server.user(1001).id, "x")
    assert server.violations == []
    with pytest.raises(TelegramBadRequest, match="icon_color must be one of"):
        await bot.create_forum_topic(-100888, "x", icon_color=0x123456)
    assert len(server.violations) == 1  # an undocumented colour is our bug, not a refusal


async def test_edit_close_reopen_delete(server: FakeTelegramServer, bot: Bot) -> None:
    forum = server.forum(FORUM, "Consultants")
    topic = await bot.create_forum_topic(FORUM, "🟡 #7 · Aigerim")
    thread = topic.message_thread_id
    assert await bot.edit_forum_topic(FORUM, thread, name="🔵 #7 · Aigerim")
    assert forum.topic(thread).name == "🔵 #7 · Aigerim"
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.edit_forum_topic(FORUM, thread, name="🔵 #7 · Aigerim")
    long_name = "я" * 200
    await bot.edit_forum_topic(FORUM, thread, name=long_name)
    assert forum.topic(thread).name == "я" * 128  # cut, not refused, like Telegram

    assert await bot.close_forum_topic(FORUM, thread)
    assert forum.topic(thread).closed
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(FORUM, thread)
    await bot.send_message(FORUM, "admins may still write", message_thread_id=thread)
    assert await bot.reopen_forum_topic(FORUM, thread)
    assert not forum.topic(thread).closed

    await bot.send_message(FORUM, "before", message_thread_id=thread)
    assert await bot.delete_forum_topic(FORUM, thread)
    assert not forum.topic(thread).exists and forum.topic(thread).messages == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "after", message_thread_id=thread)
    with pytest.raises(TelegramBadRequest, match="TOPIC_ID_INVALID"):
        await bot.edit_forum_topic(FORUM, thread, name="gone")
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(FORUM, "General is not addressed by id", message_thread_id=1)
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(server.user(5).id, "private chat", message_thread_id=3)
    # Outside forums the parameter is ignored.
    server.group(-100555, "Plain")
    plain = await bot.send_message(-100555, "x", message_thread_id=3)
    assert plain.message_thread_id is None
    assert server.violations == []


async def test_topics_people_make_close_and_delete(server: FakeTelegramServer, bot: Bot) -> None:
    forum = server.forum(FORUM, "Consultants", can_manage_topics=False)
    owner = server.user(2001, "Owner")
    forum.add_member(owner, "creator")
    topic = forum.create_topic("Chatter", by=owner)
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.forum_topic_created is not None
    assert update.message.message_thread_id == topic.thread_id
    await bot.send_message(FORUM, "hello", message_thread_id=topic.id)
    forum.close_topic(topic, by=owner)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(FORUM, "closed to us", message_thread_id=topic.id)
    with pytest.raises(TelegramBadRequest, match="not enough rights to close or open the topic"):
        await bot.reopen_forum_topic(FORUM, topic.id)
    forum.close_topic(topic, by=owner, closed=False)
    forum.delete_topic(topic)  # by hand: the bot hears nothing
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.copy_message(FORUM, owner.id, 1, message_thread_id=topic.id)


async def test_members_post_reply_and_press_in_a_topic(
    server: FakeTelegramServer, bot: Bot
) -> None:
    forum = server.forum(FORUM, "Consultants")
    consultant = server.user(3001, "Dana")
    forum.add_member(consultant)
    created = await bot.create_forum_topic(FORUM, "#1")
    topic = forum.topic(created.message_thread_id)
    card = await bot.send_message(
        FORUM, "Card", message_thread_id=topic.thread_id, reply_markup=keyboard(("Take", "take"))
    )
    note = await consultant.send("// internal note", chat=topic)
    reply = await consultant.send("Answer for the person", chat=topic, reply_to=card.message_id)
    general = await consultant.send("hi all", chat=forum)
    query = await consultant.press("Take", chat=topic)

    updates = await bot.get_updates()
    first, second, third, press = (u for u in updates)
    assert first.message is not None and first.message.message_id == note
    assert first.message.is_topic_message and first.message.message_thread_id == topic.thread_id
    assert first.message.reply_to_message is not None
    assert first.message.reply_to_message.forum_topic_created is not None
    assert second.message is not None and second.message.message_id == reply
    assert second.message.reply_to_message is not None
    assert second.message.reply_to_message.message_id == card.message_id
    assert third.message is not None and third.message.message_id == general
    assert third.message.message_thread_id is None
    assert press.callback_query is not None and press.callback_query.id == query
    assert press.callback_query.message is not None
    assert press.callback_query.message.message_thread_id == topic.thread_id  # type: ignore[union-attr]

    # The bot's answer to a reply without message_thread_id lands in the replied message's topic.
    answer = await bot.send_message(
        FORUM, "Taken by Dana", reply_parameters=ReplyParameters(message_id=reply)
    )
    assert answer.message_thread_id == topic.thread_id
    await bot.edit_message_text(
        "Card (Dana)",
        chat_id=FORUM,
        message_id=card.message_id,
        reply_markup=keyboard(("Hand over", "h")),
    )
    await bot.edit_message_reply_markup(chat_id=FORUM, message_id=card.message_id)
    edited = topic.messages[0]
    assert (edited.text, edited.edited, edited.buttons) == ("Card (Dana)", True, [])
    assert edited.thread_id == topic.thread_id
    with pytest.raises(AssertionError, match="is closed"):
        forum.close_topic(topic, by=consultant)
        await consultant.send("may I?", chat=topic)


async def test_rights_and_members(server: FakeTelegramServer, bot: Bot) -> None:
    forum = server.forum(FORUM, "Consultants")
    owner, consultant, stranger = server.user(1, "Owner"), server.user(2, "Dana"), server.user(3)
    forum.add_member(owner, "creator")
    forum.add_member(consultant)
    me = await bot.get_chat_member(FORUM, server.bot_user["id"])
    assert isinstance(me, ChatMemberAdministrator) and me.can_manage_topics and me.can_pin_messages
    assert isinstance(await bot.get_chat_member(FORUM, consultant.id), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(FORUM, stranger.id), ChatMemberLeft)
    with pytest.raises(TelegramBadRequest, match="user not found"):
        await bot.get_chat_member(FORUM, 424242)
    admins = await bot.get_chat_administrators(FORUM)
    assert {a.user.id for a in admins} == {owner.id, server.bot_user["id"]}
    assert await bot.get_chat_member_count(FORUM) == 3
    with pytest.raises(TelegramBadRequest, match="no administrators in the private chat"):
        await bot.get_chat_administrators(owner.id)
    chat = await bot.get_chat(FORUM)
    assert chat.is_forum and chat.type == "supergroup"

    forum.set_bot_rights(can_manage_topics=False, by=owner)
    me = await bot.get_chat_member(FORUM, server.bot_user["id"])
    assert isinstance(me, ChatMemberAdministrator) and not me.can_manage_topics
    forum.remove_bot(by=owner)
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the supergroup chat"):
        await bot.send_message(FORUM, "still here?")
    updates = await bot.get_updates()
    changes = [u.my_chat_member for u in updates if u.my_chat_member]
    assert [c.new_chat_member.status for c in changes] == ["administrator", "kicked"]
    assert all(c.from_user.id == owner.id for c in changes)
    assert server.violations == []


async def test_pins(server: FakeTelegramServer, bot: Bot) -> None:
    forum = server.forum(FORUM, "Consultants")
    board = await bot.send_message(FORUM, "Queue: empty")
    assert await bot.pin_chat_message(FORUM, board.message_id, disable_notification=True)
    chat = await bot.get_chat(FORUM)
    assert chat.pinned_message is not None and chat.pinned_message.message_id == board.message_id
    assert forum.pinned == [board.message_id]
    assert [m.text for m in forum.messages] == ["Queue: empty"]  # the service message is hidden
    await bot.edit_message_text("Queue: #1", chat_id=FORUM, message_id=board.message_id)
    assert forum.general.messages[0].text == "Queue: #1"
    assert await bot.unpin_chat_message(FORUM)
    with pytest.raises(TelegramBadRequest, match="message to unpin not found"):
        await bot.unpin_chat_message(FORUM)
    with pytest.raises(TelegramBadRequest, match="message to pin not found"):
        await bot.pin_chat_message(FORUM, 999)
    server.forum(-100999, "No pin rights", can_pin_messages=False)
    other = await bot.send_message(-100999, "x")
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages"):
        await bot.pin_chat_message(-100999, other.message_id)
    user = server.user(1001)
    private = await bot.send_message(user.id, "pinned in a private chat")
    assert await bot.pin_chat_message(user.id, private.message_id)
    assert server.violations == []


async def test_group_flood_limit_spans_topics() -> None:
    limits = RateLimits(global_per_second=None, per_chat_per_second=None, group_per_minute=20)
    async with FakeTelegramServer(limits=limits) as server:
        bot = make_bot(server)
        try:
            server.forum(FORUM, "Consultants")
            one = await bot.create_forum_topic(FORUM, "one")
            two = await bot.create_forum_topic(FORUM, "two")
            for i in range(20):
                thread = (one, two)[i % 2].message_thread_id
                await bot.send_message(FORUM, f"m{i}", message_thread_id=thread)
            with pytest.raises(TelegramRetryAfter) as caught:
                await bot.send_message(FORUM, "21st", message_thread_id=one.message_thread_id)
            assert caught.value.retry_after == 3  # 20 a minute: one slot every 3 s
            await bot.send_message(server.user(1001).id, "private chats are not limited by it")
        finally:
            await bot.session.close()


async def test_general_topic_and_deleting_members_messages(
    server: FakeTelegramServer, bot: Bot
) -> None:
    forum = server.forum(FORUM, "Consultants", can_delete_messages=False)
    member = server.user(2)
    assert await bot.close_general_forum_topic(FORUM)
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_general_forum_topic(FORUM)
    await bot.send_message(FORUM, "admins may write in a closed General")
    forum.set_bot_rights(can_manage_topics=False, can_delete_messages=False)
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(FORUM, "but not without the right")
    assert forum.general.closed
    posted = await member.send("spam", chat=forum)
    with pytest.raises(TelegramBadRequest, match="message can't be deleted"):
        await bot.delete_message(FORUM, posted)
    forum.set_bot_rights()  # every right back
    assert await bot.delete_message(FORUM, posted)
    assert await bot.reopen_general_forum_topic(FORUM)
    assert await bot.edit_general_forum_topic(FORUM, "Queue")
    assert forum.general.name == "Queue" and not forum.general.closed
