"""The sender's lifecycle in the application: started, stopped, nothing lost in between."""

from __future__ import annotations

from dataclasses import replace

from bot.delivery import Outbox
from bot.delivery.runtime import DeliveryRuntime
from bot.delivery.sender import SenderConfig
from db.models.outbox import OutboxState
from tests.delivery.conftest import DeliveryEnv, text


async def test_runtime_runs_the_sender_between_start_and_stop(env: DeliveryEnv) -> None:
    outbox = Outbox(env.clock)
    config = replace(SenderConfig.from_settings(env.settings), poll_interval=0.5)
    runtime = DeliveryRuntime(outbox, env.settings, env.sessionmaker, env.clock, config=config)
    await env.add_users([5, 6])
    # Queued before start-up: a handler test feeding updates can queue without a sender.
    async with env.sessionmaker() as session, session.begin():
        await outbox.enqueue(session, text(5, "queued before start"))

    await runtime.start()
    try:
        assert runtime.sender is not None and runtime.sender.running
        await runtime.sender.wait_idle(10)
        async with env.sessionmaker() as session, session.begin():
            await outbox.enqueue(session, text(6, "queued while running"))
        await runtime.sender.wait_idle(10)
    finally:
        await runtime.stop()
    assert runtime.sender is None
    assert env.texts(5) == ["queued before start"]
    assert env.texts(6) == ["queued while running"]
    assert {r.state for r in await env.rows()} == {OutboxState.SENT}
