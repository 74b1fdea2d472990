"""Observers hear every verdict with its row, after it is recorded; a failing one breaks nothing."""

from __future__ import annotations

import logging

import pytest

from bot.delivery import Category, OutgoingMessage, RowSummary, SendOutcome, SendResult
from db.models.outbox import OutboxState
from tests.delivery.conftest import DeliveryEnv, text


async def test_observers_hear_each_rows_fate(
    any_env: DeliveryEnv, caplog: pytest.LogCaptureFixture
) -> None:
    await any_env.add_users([91, 92])
    any_env.server.block(92)
    any_env.server.fail_next("sendMessage", 502)
    await any_env.queue(
        text(91, "answer", group_key="ticket:7", dedupe_key="t7:answer", category=Category.REPLY),
        text(92, "one", group_key="ticket:8", dedupe_key="t8:one"),
        text(92, "two", group_key="ticket:8", dedupe_key="t8:two"),
        OutgoingMessage.edit_text(
            91, "nothing", "x", category=Category.NOTICE, group_key="ticket:7", dedupe_key="t7:e"
        ),
    )
    heard: list[tuple[RowSummary, SendOutcome, str]] = []

    async def desk(row: RowSummary, outcome: SendOutcome) -> None:
        # Told after the verdict is in the database: the row's state is already the new one.
        [stored] = [r for r in await any_env.rows() if r.id == row.id]
        heard.append((row, outcome, stored.state))

    def broken(row: RowSummary, outcome: SendOutcome) -> None:
        raise RuntimeError("a bug in an observer")

    with caplog.at_level(logging.ERROR, logger="bot.delivery.sender"):
        async with any_env.sender(observers=[broken, desk], backoff_base=0.0) as sender:
            await sender.wait_idle(20)

    by_key: dict[str | None, list[tuple[SendResult, bool, str]]] = {}
    for row, outcome, state in heard:
        by_key.setdefault(row.dedupe_key, []).append((outcome.result, outcome.final, state))
    # One of the first sends met the 502 and was tried again.
    retried = [k for k, seen in by_key.items() if seen[0][0] is SendResult.RETRY]
    assert len(retried) == 1 and retried[0] in ("t7:answer", "t8:one")
    for seen in by_key.values():
        if seen[0][0] is SendResult.RETRY:
            assert seen.pop(0) == (SendResult.RETRY, False, OutboxState.PENDING)
    assert by_key == {
        "t7:answer": [(SendResult.OK, True, OutboxState.SENT)],
        "t8:one": [(SendResult.BLOCKED, True, OutboxState.SKIPPED)],
        "t8:two": [(SendResult.BLOCKED, True, OutboxState.SKIPPED)],
        "t7:e": [(SendResult.FAILED, True, OutboxState.FAILED)],
    }
    final = {row.dedupe_key: (row, outcome) for row, outcome, _ in heard if outcome.final}
    row, outcome = final["t7:answer"]
    [delivered] = any_env.server.transcript(91)
    assert (row.chat_id, row.group_key, row.category, row.kind) == (91, "ticket:7", "reply", "text")
    assert outcome.delivered and outcome.message_id == delivered.message_id
    blocked, skipped = final["t8:one"][1], final["t8:two"][1]
    assert blocked.unreachable and blocked.attempted
    assert skipped.unreachable and not skipped.attempted  # skipped without a call
    assert blocked.reason == skipped.reason == "Forbidden: bot was blocked by the user"
    row, outcome = final["t7:e"]
    assert outcome.failed and outcome.reason is not None
    assert outcome.reason.startswith("target_ref 'nothing' names no queued message")
    rows = {r.dedupe_key: r.id for r in await any_env.rows()}
    assert {row.dedupe_key: row.id for row, _ in final.values()} == rows
    assert caplog.text.count("an outbox observer failed") == len(heard)
