"""The sender against the fake Bot API over real HTTP: each message arrives exactly once."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import update

from bot.delivery import Button, Category, OutgoingMessage
from bot.testing import eventually
from db.models.outbox import OutboxMessage, OutboxState
from db.repositories.outbox import OutboxRepository
from db.repositories.users import UserRepository
from tests.delivery.conftest import DeliveryEnv, text


async def test_text_copy_and_document_arrive_once(any_env: DeliveryEnv) -> None:
    await any_env.add_users([11, 12])
    source = await any_env.server.user(12).send_document("plan.pdf", b"%PDF-plan", "plan")
    keyboard = ((Button("Подробнее", callback_data="ev:42"),),)
    await any_env.queue(
        text(11, "<b>Напоминание</b>: завтра вебинар", keyboard=keyboard),
        OutgoingMessage.copy_message(
            11, from_chat_id=12, message_id=source, category=Category.NOTICE
        ),
        OutgoingMessage.document_message(
            11, category=Category.NOTICE, data=b"a,b\n1,2\n", filename="report.csv", caption="Отчёт"
        ),
    )
    async with any_env.sender() as sender:
        await sender.wait_idle(10)

    messages = any_env.server.transcript(11)
    assert [m.kind for m in messages] == ["text", "document", "document"]
    reminder, copy, report = messages
    assert reminder.text == "Напоминание: завтра вебинар"
    assert reminder.button_texts() == ["Подробнее"]
    assert copy.raw["document"]["file_name"] == "plan.pdf" and copy.text == "plan"
    assert report.document is not None and report.document.data == b"a,b\n1,2\n"
    assert report.text == "Отчёт"
    rows = await any_env.rows()
    assert [r.state for r in rows] == [OutboxState.SENT] * 3
    assert [r.telegram_message_id for r in rows] == [m.message_id for m in messages]
    assert all(r.sent_at == any_env.clock.now() and r.attempts == 1 for r in rows)
    # Telegram has the file now: the bytes left the database, its file id stayed.
    assert rows[2].document_data is None and rows[2].document_file_id == report.document.file_id
    assert sender.stats.sent == 3 and sender.stats.retry_after == 0


async def test_429_pauses_every_send_and_loses_nothing(env: DeliveryEnv) -> None:
    users = list(range(100, 120))
    await env.add_users(users)
    await env.queue(*(text(u, f"news for {u}") for u in users))
    env.server.force_retry_after(1, count=2)
    async with env.sender() as sender:
        await sender.wait_idle(20)
    assert sender.stats.retry_after >= 1
    for user in users:
        assert env.texts(user) == [f"news for {user}"]
    assert {r.state for r in await env.rows()} == {OutboxState.SENT}
    # A 429 is not a failed attempt.
    assert {r.attempts for r in await env.rows()} == {1}


async def test_a_user_who_blocked_the_bot_is_marked_and_skipped(env: DeliveryEnv) -> None:
    await env.add_users([21, 22])
    env.server.block(21)
    await env.queue(text(21, "one"), text(21, "two"), text(21, "three"), text(22, "hello"))
    async with env.sender() as sender:
        await sender.wait_idle(10)
        async with env.sessionmaker() as session:
            user = await UserRepository(session).get(21)
        assert user is not None and not user.is_reachable
        # Nothing more is queued for them until they write to the bot again.
        assert await env.queue(text(21, "four")) == 0
    rows = {r.text: r for r in await env.rows()}
    assert {t: rows[t].state for t in ("one", "two", "three")} == {
        "one": OutboxState.SKIPPED,
        "two": OutboxState.SKIPPED,
        "three": OutboxState.SKIPPED,
    }
    assert "blocked" in (rows["one"].last_error or "")
    assert rows["hello"].state == OutboxState.SENT
    assert env.texts(22) == ["hello"]
    sends = [c for c in env.server.calls if c.method == "sendMessage" and c.params["chat_id"] == 21]
    assert len(sends) == 1


async def test_chat_not_found_counts_as_unreachable(env: DeliveryEnv) -> None:
    async with env.sessionmaker() as session, session.begin():
        await UserRepository(session).touch(31, env.clock.now())  # the server never saw 31
    await env.queue(text(31, "hello"))
    async with env.sender() as sender:
        await sender.wait_idle(10)
    [row] = await env.rows()
    assert row.state == OutboxState.SKIPPED and "chat not found" in (row.last_error or "")
    async with env.sessionmaker() as session:
        user = await UserRepository(session).get(31)
    assert user is not None and not user.is_reachable


async def test_server_errors_are_retried_with_backoff(env: DeliveryEnv) -> None:
    await env.add_users([41])
    env.server.fail_next("sendMessage", 502, count=2)
    await env.queue(text(41, "eventually"))
    async with env.sender(backoff_base=5.0) as sender:
        await sender.wait_idle(10)
        [row] = await env.rows()
        assert (row.state, row.attempts) == (OutboxState.PENDING, 1)
        assert row.not_before == env.clock.now() + timedelta(seconds=5)
        assert "Bad Gateway" in (row.last_error or "")
        env.clock.advance(timedelta(seconds=5))
        await sender.wait_idle(10)
        [row] = await env.rows()
        assert (row.state, row.attempts) == (OutboxState.PENDING, 2)
        assert row.not_before == env.clock.now() + timedelta(seconds=10)
        env.clock.advance(timedelta(seconds=10))
        await sender.wait_idle(10)
    [row] = await env.rows()
    assert (row.state, row.attempts) == (OutboxState.SENT, 3)
    assert env.texts(41) == ["eventually"]


async def test_gives_up_after_bounded_attempts(env: DeliveryEnv) -> None:
    await env.add_users([51])
    env.server.fail_next("sendMessage", 500, count=10)
    await env.queue(text(51, "never"))
    async with env.sender(max_attempts=3, backoff_base=1.0) as sender:
        for _ in range(3):
            await sender.wait_idle(10)
            env.clock.advance(timedelta(minutes=1))
        await sender.wait_idle(10)
    [row] = await env.rows()
    assert row.state == OutboxState.FAILED and row.attempts == 3
    assert row.last_error is not None and row.last_error.startswith("gave up after 3 attempts")
    assert env.texts(51) == []


async def test_other_bad_requests_fail_with_telegrams_description(env: DeliveryEnv) -> None:
    await env.add_users([61])
    await env.queue(
        OutgoingMessage.copy_message(61, from_chat_id=61, message_id=999, category=Category.REPLY)
    )
    async with env.sender() as sender:
        await sender.wait_idle(10)
    [row] = await env.rows()
    assert row.state == OutboxState.FAILED
    assert row.last_error == "Bad Request: message to copy not found"


async def test_per_chat_spacing_and_overall_limit_never_hit_429(env: DeliveryEnv) -> None:
    users = list(range(200, 230))
    await env.add_users(users)
    await env.queue(*(text(u, f"{u}: {n}") for n in range(3) for u in users))
    async with env.sender() as sender:
        await sender.wait_idle(30)
    assert env.server.stats.rate_limited == 0
    for user in users:
        assert env.texts(user) == [f"{user}: {n}" for n in range(3)]  # in order, once


async def test_a_reply_overtakes_a_broadcast(env: DeliveryEnv) -> None:
    users = list(range(300, 340))
    await env.add_users([*users, 399])
    await env.queue(*(text(u, "broadcast", category=Category.BROADCAST) for u in users))
    await env.queue(text(399, "your answer", category=Category.REPLY))
    async with env.sender() as sender:
        await eventually(lambda: _sent_to(env, 399), what="the reply")
        assert env.server.stats.sent <= 10
        await sender.wait_idle(10)


async def _sent_to(env: DeliveryEnv, chat_id: int) -> bool:
    return bool(env.texts(chat_id))


async def test_messages_not_yet_due_wait_for_their_time(env: DeliveryEnv) -> None:
    await env.add_users([71])
    at = env.clock.now() + timedelta(hours=1)
    await env.queue(text(71, "later", not_before=at), text(71, "now"))
    async with env.sender() as sender:
        await sender.wait_idle(10)
        assert env.texts(71) == ["now"]
        env.clock.set(at)
        await sender.wait_idle(10)
    assert env.texts(71) == ["now", "later"]


async def test_two_senders_on_one_database_never_send_the_same_message(
    any_env: DeliveryEnv,
) -> None:
    any_env.server.limiter = None  # two senders together may exceed one bot's limit here
    users = list(range(1000, 1100))
    await any_env.add_users(users)
    await any_env.queue(*(text(u, f"{u}/{n}") for n in range(3) for u in users))
    # Small batches, so that each sender holds only a few chats and both get work.
    fast: dict[str, Any] = {
        "rate": 400.0,
        "per_chat_interval": 0.0,
        "burst": 20.0,
        "batch_size": 10,
    }
    async with (
        any_env.sender(**fast, worker_id="a") as first,
        any_env.sender(**fast, worker_id="b") as second,
    ):
        await eventually(lambda: _all_sent(any_env, 300), within=30, what="every message sent")
    assert first.stats.sent + second.stats.sent == 300
    assert first.stats.sent > 0 and second.stats.sent > 0
    delivered = Counter((c.params["chat_id"], c.params["text"]) for c in any_env.server.calls)
    assert delivered == Counter({(u, f"{u}/{n}"): 1 for n in range(3) for u in users})
    for user in users:
        assert any_env.texts(user) == [f"{user}/{n}" for n in range(3)]


async def test_a_dead_workers_expired_lease_is_reclaimed(any_env: DeliveryEnv) -> None:
    await any_env.add_users([81, 82])
    await any_env.queue(text(81, "orphan"), text(82, "still leased"))
    now = any_env.clock.now()
    async with any_env.sessionmaker() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == 81)
            .values(state="sending", worker_id="dead", lease_until=now - timedelta(seconds=1))
        )
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == 82)
            .values(state="sending", worker_id="alive", lease_until=now + timedelta(minutes=1))
        )
    async with any_env.sender() as sender:
        await sender.wait_idle(10)
        assert any_env.texts(81) == ["orphan"]
        assert any_env.texts(82) == []  # its worker may still be sending it
        any_env.clock.advance(timedelta(minutes=2))
        await eventually(lambda: _sent_to(any_env, 82), within=30, what="the expired lease")
        await sender.wait_idle(10)
    assert {r.state for r in await any_env.rows()} == {OutboxState.SENT}


async def test_stop_finishes_in_flight_and_leaves_the_rest_queued(env: DeliveryEnv) -> None:
    users = list(range(400, 440))
    await env.add_users(users)
    await env.queue(*(text(u, "hi") for u in users))
    async with env.sender(rate=10.0, burst=1.0) as sender:
        await eventually(lambda: _count_sent(env, 5), what="a few sends")
    states = await env.states()
    assert OutboxState.SENDING not in states
    assert states[OutboxState.SENT] == sender.stats.sent == env.server.stats.sent
    assert states[OutboxState.PENDING] == 40 - sender.stats.sent
    async with env.sender() as sender:
        await sender.wait_idle(20)
    assert all(env.texts(u) == ["hi"] for u in users)


async def _all_sent(env: DeliveryEnv, count: int) -> bool:
    return (await env.states()).get(OutboxState.SENT) == count


async def _count_sent(env: DeliveryEnv, at_least: int) -> bool:
    return env.server.stats.sent >= at_least


async def test_a_verdict_that_could_not_be_recorded_is_not_stuck(
    env: DeliveryEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The send worked but the database refused the record: the row goes back to the queue
    (it will be sent again: unconfirmed means unsent) instead of staying ours forever."""
    await env.add_users([91])
    await env.queue(text(91, "hello"))
    mark_sent = OutboxRepository.mark_sent
    failures = [RuntimeError("database went away")]

    async def flaky_mark_sent(self: OutboxRepository, *args: Any, **kwargs: Any) -> bool:
        if failures:
            raise failures.pop()
        return await mark_sent(self, *args, **kwargs)

    monkeypatch.setattr(OutboxRepository, "mark_sent", flaky_mark_sent)
    async with env.sender() as sender:
        await eventually(lambda: _all_sent(env, 1), within=10, what="the row recorded as sent")
        await sender.wait_idle(10)
    assert env.texts(91) == ["hello", "hello"]
