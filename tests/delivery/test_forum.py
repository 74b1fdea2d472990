"""Forum topics, edits, pins and reactions through the outbox, against the fake Telegram's forum:
topics named by thread_key and created by a ThreadResolver, messages named by target_ref."""

from __future__ import annotations

from datetime import timedelta

from bot.delivery import Button, Category, OutgoingMessage
from db.models.outbox import OutboxState
from db.repositories.outbox import OutboxRepository
from tests.delivery.conftest import DeliveryEnv, text
from tests.delivery.topics import TopicsByKey

FORUM = -1001000000001
NOTICE = Category.NOTICE


async def test_messages_land_in_their_topics_in_order(any_env: DeliveryEnv) -> None:
    forum = any_env.server.forum(FORUM)
    await any_env.add_users([77])
    scan = await any_env.server.user(77).send_document("charter.pdf", b"%PDF-1", "my charter")
    topics = TopicsByKey()
    await any_env.queue(
        text(FORUM, "card #1", thread_key="ticket:1", dedupe_key="card:1"),
        OutgoingMessage.copy_message(
            FORUM, from_chat_id=77, message_id=scan, category=NOTICE, thread_key="ticket:1"
        ),
        text(FORUM, "card #2", thread_key="ticket:2"),
        text(FORUM, "a note on #1", thread_key="ticket:1", target_ref="card:1"),
        OutgoingMessage.document_message(
            FORUM, category=NOTICE, data=b"answer", filename="a.txt", thread_key="ticket:2"
        ),
        text(FORUM, "to the General topic"),
    )
    async with any_env.sender(threads=topics) as sender:
        await sender.wait_idle(20)

    one, two = forum.find_topic("ticket:1"), forum.find_topic("ticket:2")
    assert one is not None and two is not None
    assert [(m.kind, m.text) for m in one.messages] == [
        ("text", "card #1"),
        ("document", "my charter"),
        ("text", "a note on #1"),
    ]
    card, _, note = one.messages
    assert note.reply_to_message_id == card.message_id
    assert [m.kind for m in two.messages] == ["text", "document"]
    assert [m.text for m in forum.general.messages] == ["to the General topic"]
    assert topics.created == ["ticket:1", "ticket:2"]  # each topic once
    rows = await any_env.rows()
    assert {r.state for r in rows} == {OutboxState.SENT}
    sent_ids = sorted(r.telegram_message_id or 0 for r in rows)
    assert sent_ids == sorted(m.message_id for m in forum.messages)


async def test_edit_pin_and_react_by_target_ref(any_env: DeliveryEnv) -> None:
    forum = any_env.server.forum(FORUM)
    await any_env.add_users([78])
    person = any_env.server.user(78)
    question = await person.send("Как зарегистрировать фонд?")
    topics = TopicsByKey()
    taken = ((Button("Передать", callback_data="hand:1"),),)
    await any_env.queue(
        text(
            FORUM,
            "🟡 #1 waiting",
            thread_key="ticket:1",
            dedupe_key="card:1",
            group_key="ticket:1",
            keyboard=((Button("Взять", callback_data="take:1"),),),
        ),
        OutgoingMessage.pin(FORUM, "card:1", category=NOTICE, dedupe_key="pin"),
        OutgoingMessage.reaction(FORUM, "👀", target_ref="card:1", category=NOTICE),
        OutgoingMessage.edit_text(FORUM, "card:1", "🔵 #1 Aigerim", taken, category=NOTICE),
        # The same edit again (as after a crash): Telegram says "not modified", which is done.
        OutgoingMessage.edit_text(
            FORUM, "card:1", "🔵 #1 Aigerim", taken, category=NOTICE, dedupe_key="again"
        ),
        OutgoingMessage.reaction(78, "❤️", message_id=question, category=NOTICE),
    )
    async with any_env.sender(threads=topics) as sender:
        await sender.wait_idle(20)
        await any_env.settled()

    topic = forum.find_topic("ticket:1")
    assert topic is not None
    [card] = topic.messages
    assert (card.text, card.edited, card.button_texts()) == ("🔵 #1 Aigerim", True, ["Передать"])
    assert forum.pinned == [card.message_id]
    assert forum.reactions(card.message_id) == ["👀"]
    assert person.reactions(question) == ["❤"]
    pins = [c for c in any_env.server.calls if c.method == "pinChatMessage"]
    assert [c.params.get("disable_notification") for c in pins] == [True]
    edits = [c.status for c in any_env.server.calls if c.method == "editMessageText"]
    assert edits == [200, 400]
    rows = await any_env.rows()
    assert {r.state for r in rows} == {OutboxState.SENT}
    assert (await any_env.row("pin")).telegram_message_id == card.message_id
    assert (await any_env.row("again")).telegram_message_id == card.message_id
    # A reply to the card leads back to its row (and its group), not to the edits or the pin.
    async with any_env.sessionmaker() as session:
        found = await OutboxRepository(session).find_by_message(FORUM, card.message_id)
        assert found is not None
        assert (found.dedupe_key, found.group_key, found.kind) == ("card:1", "ticket:1", "text")
        assert await OutboxRepository(session).find_by_message(FORUM, 999) is None


async def test_rename_close_and_reopen_a_topic(any_env: DeliveryEnv) -> None:
    forum = any_env.server.forum(FORUM)
    topics = TopicsByKey()
    await any_env.queue(
        text(FORUM, "card #5", thread_key="ticket:5"),
        OutgoingMessage.rename_topic(FORUM, "ticket:5", "🟢  #5 · answered ", category=NOTICE),
        OutgoingMessage.close_topic(FORUM, "ticket:5", category=NOTICE),
        OutgoingMessage.close_topic(FORUM, "ticket:5", category=NOTICE),  # already closed
    )
    async with any_env.sender(threads=topics) as sender:
        await sender.wait_idle(20)
        topic = forum.topic(topics.threads[(FORUM, "ticket:5")])
        assert (topic.name, topic.closed) == ("🟢 #5 · answered", True)
        await any_env.queue(
            OutgoingMessage.reopen_topic(FORUM, "ticket:5", category=NOTICE),
            text(FORUM, "reopened: a follow-up", thread_key="ticket:5"),
        )
        await sender.wait_idle(20)
    assert not topic.closed
    assert [m.text for m in topic.messages] == ["card #5", "reopened: a follow-up"]
    rows = await any_env.rows()
    assert [(r.kind, r.state, r.telegram_message_id is None) for r in rows[1:5]] == [
        ("rename_topic", OutboxState.SENT, True),
        ("close_topic", OutboxState.SENT, True),
        ("close_topic", OutboxState.SENT, True),
        ("reopen_topic", OutboxState.SENT, True),
    ]
    assert topics.created == ["ticket:5"]


async def test_a_deleted_topic_is_made_again(any_env: DeliveryEnv) -> None:
    forum = any_env.server.forum(FORUM)
    topics = TopicsByKey()
    await any_env.queue(text(FORUM, "first", thread_key="ticket:9"))
    async with any_env.sender(threads=topics) as sender:
        await sender.wait_idle(10)
        old = forum.find_topic("ticket:9")
        assert old is not None
        forum.delete_topic(old)  # by hand: Telegram tells the bot nothing
        await any_env.queue(
            text(FORUM, "second", thread_key="ticket:9", dedupe_key="second"),
            OutgoingMessage.rename_topic(FORUM, "ticket:9", "renamed", category=NOTICE),
        )
        await sender.wait_idle(10)

    assert topics.lost == ["ticket:9"]
    assert topics.created == ["ticket:9", "ticket:9"]
    new = forum.topic(topics.threads[(FORUM, "ticket:9")])
    assert new.id != old.id and not old.exists
    assert (new.name, [m.text for m in new.messages]) == ("renamed", ["second"])
    second = await any_env.row("second")
    assert (second.state, second.attempts) == (OutboxState.SENT, 2)
    assert second.last_error == "Bad Request: message thread not found"


async def test_a_thread_key_without_a_resolver_fails_clearly(env: DeliveryEnv) -> None:
    env.server.forum(FORUM)
    await env.queue(text(FORUM, "card", thread_key="ticket:1"), text(FORUM, "plain"))
    async with env.sender() as sender:
        await sender.wait_idle(10)
    card, plain = await env.rows()
    assert card.state == OutboxState.FAILED
    assert "thread_key 'ticket:1' needs a ThreadResolver" in (card.last_error or "")
    assert plain.state == OutboxState.SENT
    assert env.server.calls[0].method == "sendMessage"  # nothing was tried for the card


async def test_a_target_that_never_arrived(any_env: DeliveryEnv) -> None:
    await any_env.add_users([81, 82])
    later = any_env.clock.now() + timedelta(hours=1)
    await any_env.queue(
        # Fails: Telegram has no message 999 to copy.
        OutgoingMessage.copy_message(
            81, from_chat_id=81, message_id=999, category=NOTICE, dedupe_key="lost"
        ),
        text(81, "cancelled", dedupe_key="gone", not_before=later),
        text(82, "elsewhere", dedupe_key="elsewhere"),
    )
    async with any_env.sessionmaker() as session, session.begin():
        await any_env.outbox.cancel_pending(session, dedupe_prefix="gone")
    await any_env.queue(
        OutgoingMessage.edit_text(81, "lost", "x", category=NOTICE, dedupe_key="e1"),
        OutgoingMessage.edit_text(81, "gone", "x", category=NOTICE, dedupe_key="e2"),
        OutgoingMessage.edit_text(81, "nobody", "x", category=NOTICE, dedupe_key="e3"),
        OutgoingMessage.pin(81, "elsewhere", category=NOTICE, dedupe_key="e4"),
        text(81, "the answer", target_ref="lost", dedupe_key="answer"),
    )
    async with any_env.sender() as sender:
        await sender.wait_idle(20)

    errors = {key: (await any_env.row(key)).last_error for key in ("e1", "e2", "e3", "e4")}
    assert errors == {
        "e1": "target_ref 'lost' was never delivered (failed)",
        "e2": "target_ref 'gone' was never delivered (cancelled)",
        "e3": "target_ref 'nobody' names no queued message (never queued, or forgotten)",
        "e4": "target_ref 'elsewhere' is a message in another chat",
    }
    assert {(await any_env.row(key)).state for key in errors} == {OutboxState.FAILED}
    # A reply whose message never arrived still goes, without the quote.
    assert (await any_env.row("answer")).state == OutboxState.SENT
    [answer] = any_env.server.transcript(81)
    assert (answer.text, answer.reply_to_message_id) == ("the answer", None)
    assert not [
        c for c in any_env.server.calls if c.method in ("editMessageText", "pinChatMessage")
    ]


async def test_a_change_waits_for_the_message_it_changes(any_env: DeliveryEnv) -> None:
    await any_env.add_users([83])
    later = any_env.clock.now() + timedelta(hours=1)
    await any_env.queue(
        text(83, "board", dedupe_key="board", not_before=later),
        # A higher priority than the message it edits: it comes up first and must wait.
        OutgoingMessage.edit_text(
            83, "board", "board (live)", category=Category.REPLY, dedupe_key="edit"
        ),
    )
    async with any_env.sender(reference_wait=2.0) as sender:
        await sender.wait_idle(10)
        edit = await any_env.row("edit")
        assert (edit.state, edit.attempts, edit.not_before) == (OutboxState.PENDING, 0, later)
        any_env.clock.set(later)
        await sender.wait_idle(10)
        assert any_env.texts(83) == ["board"]
        edit = await any_env.row("edit")
        assert (edit.state, edit.not_before) == (OutboxState.PENDING, later + timedelta(seconds=2))
        any_env.clock.advance(timedelta(seconds=2))
        await sender.wait_idle(10)
    assert any_env.texts(83) == ["board (live)"]
    assert {r.state for r in await any_env.rows()} == {OutboxState.SENT}
    assert (await any_env.row("edit")).attempts == 1


async def test_copies_are_edited_text_or_caption(any_env: DeliveryEnv) -> None:
    forum = any_env.server.forum(FORUM)
    await any_env.add_users([79])
    person = any_env.server.user(79)
    words = await person.send("Вопрос")
    scan = await person.send_document("charter.pdf", b"%PDF-1", "устав")
    topics = TopicsByKey()

    def copy(message_id: int, key: str) -> OutgoingMessage:
        return OutgoingMessage.copy_message(
            FORUM, from_chat_id=79, message_id=message_id, category=NOTICE,
            thread_key="ticket:1", dedupe_key=key,
        )  # fmt: skip

    await any_env.queue(
        copy(words, "words"),
        copy(scan, "scan"),
        OutgoingMessage.edit_text(FORUM, "words", "Вопрос <b>о фонде</b>", category=NOTICE),
        OutgoingMessage.edit_caption(FORUM, "scan", "устав, 2 стр.", category=NOTICE),
        # The same caption again (a resend after a crash): "not modified" counts as done.
        OutgoingMessage.edit_caption(
            FORUM, "scan", "устав, 2 стр.", category=NOTICE, dedupe_key="again"
        ),
        # Telegram refuses a caption edit of a text message: failed, not retried.
        OutgoingMessage.edit_caption(FORUM, "words", "x", category=NOTICE, dedupe_key="wrong"),
    )
    async with any_env.sender(threads=topics) as sender:
        await sender.wait_idle(20)

    topic = forum.find_topic("ticket:1")
    assert topic is not None
    text_copy, scan_copy = topic.messages
    assert (text_copy.text, text_copy.edited) == ("Вопрос о фонде", True)
    assert (scan_copy.kind, scan_copy.text, scan_copy.edited) == ("document", "устав, 2 стр.", True)
    assert (await any_env.row("again")).state == OutboxState.SENT
    wrong = await any_env.row("wrong")
    assert wrong.state == OutboxState.FAILED
    assert "no caption in the message" in (wrong.last_error or "")
