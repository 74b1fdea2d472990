"""The new kinds are checked where they are built, against Telegram's limits."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.delivery import REACTION_EMOJI, Category, Kind, OutgoingMessage
from bot.sandbox.spec_check import default_spec
from db.repositories.outbox import OutboxRepository
from tests.delivery.conftest import DeliveryEnv

NOTICE = Category.NOTICE
FORUM = -1001000000001


def test_reaction_emoji_are_the_bot_api_specs() -> None:
    assert default_spec().reaction_emoji == REACTION_EMOJI


def test_a_reaction_takes_one_allowed_emoji() -> None:
    assert OutgoingMessage.reaction(1, "👍", message_id=5, category=NOTICE).emoji == "👍"
    # The emoji as keyboards type it (with VS16) is stored as Telegram lists it.
    assert OutgoingMessage.reaction(1, "❤️", message_id=5, category=NOTICE).emoji == "❤"
    assert OutgoingMessage.reaction(1, "❤️‍🔥", message_id=5, category=NOTICE).emoji == "❤\u200d🔥"
    for wrong in ("✓", "✅", "", "👍👍"):
        with pytest.raises(ValueError, match="not one of Telegram's reaction emoji"):
            OutgoingMessage.reaction(1, wrong, message_id=5, category=NOTICE)


@pytest.mark.parametrize(
    ("build", "error"),
    [
        (
            lambda: OutgoingMessage.reaction(1, "👍", category=NOTICE),
            "exactly one of message_id or target_ref",
        ),
        (
            lambda: OutgoingMessage.reaction(
                1, "👍", message_id=5, target_ref="a", category=NOTICE
            ),
            "exactly one of message_id or target_ref",
        ),
        (
            lambda: OutgoingMessage.pin(1, message_id=0, category=NOTICE),
            "message_id must be positive",
        ),
        (
            lambda: OutgoingMessage.rename_topic(FORUM, "ticket:1", "   ", category=NOTICE),
            "a topic name must be 1–128 characters",
        ),
        (
            lambda: OutgoingMessage.rename_topic(FORUM, "ticket:1", "x" * 129, category=NOTICE),
            "a topic name must be 1–128 characters",
        ),
        (
            lambda: OutgoingMessage.close_topic(FORUM, "k" * 65, category=NOTICE),
            "thread_key must be 1–64 characters",
        ),
        (
            lambda: OutgoingMessage(chat_id=FORUM, kind=Kind.REOPEN_TOPIC, category=NOTICE),
            "reopen_topic needs the thread_key of its topic",
        ),
        (
            lambda: OutgoingMessage.edit_text(1, "card", "", category=NOTICE),
            "a text message needs text",
        ),
        (
            lambda: OutgoingMessage.edit_text(1, "card", "x" * 4097, category=NOTICE),
            "longer than 4096",
        ),
        (
            lambda: OutgoingMessage.edit_text(1, "card", "x", category=NOTICE, thread_key="t"),
            "takes no thread_key",
        ),
        (
            lambda: OutgoingMessage.text_message(1, "x", category=NOTICE, target_ref="r" * 201),
            "target_ref must be 1–200 characters",
        ),
        (
            lambda: OutgoingMessage(chat_id=1, kind=Kind.EDIT_TEXT, category=NOTICE, text="x"),
            "edit_text needs the target_ref",
        ),
        (
            lambda: OutgoingMessage(
                chat_id=1, kind=Kind.PIN, category=NOTICE, message_id=3, text="hello"
            ),
            "a pin carries no text or buttons",
        ),
    ],
)
def test_wrong_changes_are_refused_when_built(
    build: Callable[[], OutgoingMessage], error: str
) -> None:
    with pytest.raises(ValueError, match=error):
        build()


def test_topic_names_are_tidied_and_a_pin_is_silent() -> None:
    rename = OutgoingMessage.rename_topic(FORUM, "ticket:1", "  🟢 #1 ·\nready ", category=NOTICE)
    assert rename.topic_name == "🟢 #1 · ready"
    assert rename.payload() == {"name": "🟢 #1 · ready"}
    assert OutgoingMessage.pin(FORUM, "card:1", category=NOTICE).silent
    assert not OutgoingMessage.pin(FORUM, "card:1", category=NOTICE, silent=False).silent


async def test_rows_keep_thread_target_and_payload(env: DeliveryEnv) -> None:
    await env.queue(
        OutgoingMessage.text_message(
            FORUM, "card", category=NOTICE, thread_key="ticket:1", target_ref="first"
        ),
        OutgoingMessage.reaction(7, "👍", message_id=41, category=NOTICE),
        OutgoingMessage.pin(FORUM, "card:1", category=NOTICE),
        OutgoingMessage.rename_topic(FORUM, "ticket:1", "#1", category=NOTICE),
    )
    text, reaction, pin, rename = await env.rows()
    assert (text.thread_key, text.target_ref, text.payload) == ("ticket:1", "first", None)
    assert (reaction.kind, reaction.payload, reaction.source_message_id) == (
        "reaction",
        {"emoji": "👍", "message_id": 41},
        None,
    )
    assert (pin.target_ref, pin.payload, pin.silent) == ("card:1", None, True)
    assert (rename.thread_key, rename.payload) == ("ticket:1", {"name": "#1"})


async def test_forgetting_a_person_clears_what_pointed_at_their_messages(env: DeliveryEnv) -> None:
    await env.queue(
        OutgoingMessage.reaction(7, "👍", target_ref="answer:7", category=NOTICE),
        OutgoingMessage.edit_text(7, "answer:7", "x", category=NOTICE),
    )
    async with env.sessionmaker() as session, session.begin():
        await OutboxRepository(session).anonymise_chat(7)
    for row in await env.rows():
        assert (row.chat_id, row.target_ref, row.payload, row.text) == (0, None, None, None)
