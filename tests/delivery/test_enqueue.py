"""Queueing: deduplication, cancellation, unreachable users, the caller's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from bot.delivery import Button, Category, OutgoingMessage
from db.models.outbox import OutboxState
from db.repositories.users import UserRepository
from tests.delivery.conftest import DeliveryEnv, text


async def test_same_dedupe_key_is_queued_once(any_env: DeliveryEnv) -> None:
    first = text(1, "Reminder", dedupe_key="reminder:42:60:1", group_key="event:42")
    assert await any_env.queue(first) == 1
    assert await any_env.queue(first) == 0
    # Within one call too, and next to a message that is new.
    again = text(1, "Reminder again", dedupe_key="reminder:42:60:1")
    other = text(2, "Reminder", dedupe_key="reminder:42:60:2")
    assert await any_env.queue(again, again, other) == 1
    rows = await any_env.rows()
    assert [(r.chat_id, r.text, r.state) for r in rows] == [
        (1, "Reminder", OutboxState.PENDING),
        (2, "Reminder", OutboxState.PENDING),
    ]


async def test_messages_without_keys_are_all_queued(any_env: DeliveryEnv) -> None:
    assert await any_env.queue(*(text(i, f"Hello {i}") for i in range(1, 1201))) == 1200
    assert len(await any_env.rows()) == 1200


async def test_cancel_by_group_prefix_and_key(any_env: DeliveryEnv) -> None:
    await any_env.queue(
        text(1, "a", group_key="event:42", dedupe_key="r:42:1"),
        text(2, "b", group_key="event:42", dedupe_key="r:42:2"),
        text(1, "c", group_key="event:420"),
        text(1, "d", group_key="event:7"),
        text(3, "e", group_key="event_%"),
    )
    async with any_env.sessionmaker() as session, session.begin():
        assert await any_env.outbox.cancel_pending(session, group_key="event:42") == 2
        # LIKE wildcards in a prefix are taken literally.
        assert await any_env.outbox.cancel_pending(session, group_prefix="event_") == 1
        assert await any_env.outbox.cancel_pending(session, group_prefix="event:4") == 1
        with pytest.raises(ValueError, match="at least one filter"):
            await any_env.outbox.cancel_pending(session)
        progress = await any_env.outbox.progress(session, "event:7")
    assert progress == {OutboxState.PENDING: 1}
    states = {r.text: r.state for r in await any_env.rows()}
    assert states == {
        "a": OutboxState.CANCELLED,
        "b": OutboxState.CANCELLED,
        "c": OutboxState.CANCELLED,
        "d": OutboxState.PENDING,
        "e": OutboxState.CANCELLED,
    }
    # Cancelled keys stay taken unless released.
    assert await any_env.queue(text(1, "a2", dedupe_key="r:42:1")) == 0


async def test_cancel_can_release_keys_for_requeueing(env: DeliveryEnv) -> None:
    await env.queue(text(1, "old time", group_key="event:5", dedupe_key="r:5:1"))
    async with env.sessionmaker() as session, session.begin():
        await env.outbox.cancel_pending(session, group_key="event:5", release_keys=True)
    assert await env.queue(text(1, "new time", group_key="event:5", dedupe_key="r:5:1")) == 1


async def test_unreachable_users_are_not_queued(env: DeliveryEnv) -> None:
    await env.add_users([1, 2])
    async with env.sessionmaker() as session, session.begin():
        await UserRepository(session).mark_unreachable(2, "Forbidden: bot was blocked by the user")
    # Chat 3 is unknown to the users table (a group, an admin id): it is queued.
    assert await env.queue(text(1, "x"), text(2, "x"), text(3, "x")) == 2
    assert sorted(r.chat_id for r in await env.rows()) == [1, 3]


async def test_queueing_belongs_to_the_callers_transaction(env: DeliveryEnv) -> None:
    woken: list[bool] = []
    env.outbox.connect_sender(lambda: woken.append(True))
    async with env.sessionmaker() as session:
        async with session.begin():
            assert await env.outbox.enqueue(session, text(1, "rolled back")) == 1
            await session.rollback()
        assert await env.rows() == []
        assert woken == []
        async with session.begin():
            await env.outbox.enqueue(session, text(1, "committed"))
        # Committing woke the sender: it need not wait for its next poll.
        assert woken == [True]
    assert [r.text for r in await env.rows()] == ["committed"]


async def test_stored_fields(env: DeliveryEnv) -> None:
    keyboard = ((Button("Open", callback_data="ev:42"),),)
    later = env.clock.now() + timedelta(hours=3)
    await env.queue(
        OutgoingMessage.text_message(
            7, "<b>Hi</b>", category=Category.REPLY, keyboard=keyboard, silent=True
        ),
        OutgoingMessage.copy_message(
            7, from_chat_id=-100, message_id=5, category=Category.BROADCAST, not_before=later
        ),
        OutgoingMessage.document_message(
            7, category=Category.NOTICE, data=b"%PDF", filename="a.pdf", caption="Report"
        ),
    )
    reply, copy, document = await env.rows()
    assert reply.kind == "text" and reply.category == "reply" and reply.priority == 0
    assert reply.reply_markup == {"inline_keyboard": [[{"text": "Open", "callback_data": "ev:42"}]]}
    assert reply.silent is True
    assert reply.not_before == env.clock.now() and reply.created_at == env.clock.now()
    assert (copy.kind, copy.from_chat_id, copy.source_message_id) == ("copy", -100, 5)
    assert copy.not_before == later and copy.priority == 3
    assert (document.document_data, document.filename, document.text) == (
        b"%PDF",
        "a.pdf",
        "Report",
    )


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (lambda: text(1, ""), "needs text"),
        (lambda: text(1, "<b></b>"), "needs text"),
        (lambda: text(1, "я" * 4097), "split it"),
        (
            lambda: text(1, "x", category="spam"),
            "spam",
        ),  # strings are coerced, unknown ones refused
        (lambda: text(1, "x", dedupe_key="k" * 201), "dedupe_key"),
        (
            lambda: OutgoingMessage.copy_message(
                1, from_chat_id=2, message_id=3, category=Category.NOTICE, caption="c" * 1025
            ),
            "caption",
        ),
        (lambda: OutgoingMessage.document_message(1, category=Category.NOTICE), "exactly one"),
        (
            lambda: OutgoingMessage.document_message(1, category=Category.NOTICE, data=b"x"),
            "filename",
        ),
    ],
)
def test_messages_telegram_would_refuse_are_refused_early(
    build: Callable[[], OutgoingMessage], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        build()


def test_html_markup_does_not_count_towards_the_limit() -> None:
    body = "<b>" + "я" * 4000 + "</b> &amp; " + "x" * 90
    assert OutgoingMessage.text_message(1, body, category=Category.REPLY).text == body
