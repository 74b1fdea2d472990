"""Wiring into a Dispatcher: ``outbox`` for handlers, the sender started and stopped with it."""

from __future__ import annotations

from aiogram import Dispatcher

from bot.delivery import Outbox, setup_delivery
from bot.delivery.setup import RUNTIME_KEY, DeliveryRuntime
from db.models.outbox import OutboxState
from tests.delivery.conftest import DeliveryEnv, text


async def test_setup_delivery_runs_the_sender_with_the_dispatcher(env: DeliveryEnv) -> None:
    dp = Dispatcher(settings=env.settings, sessionmaker=env.sessionmaker, clock=env.clock)
    setup_delivery(dp, config_overrides={"poll_interval": 0.5})
    outbox = dp["outbox"]
    assert isinstance(outbox, Outbox)
    runtime = dp[RUNTIME_KEY]
    assert isinstance(runtime, DeliveryRuntime)
    await env.add_users([5, 6])
    # Queued before start-up: a handler test feeding updates can queue without a sender.
    async with env.sessionmaker() as session, session.begin():
        await outbox.enqueue(session, text(5, "queued before start"))

    await dp.emit_startup(bot=None, **dp.workflow_data)
    try:
        assert runtime.sender is not None and runtime.sender.running
        await runtime.sender.wait_idle(10)
        async with env.sessionmaker() as session, session.begin():
            await outbox.enqueue(session, text(6, "queued while running"))
        await runtime.sender.wait_idle(10)
    finally:
        await dp.emit_shutdown(bot=None, **dp.workflow_data)
    assert runtime.sender is None
    assert env.texts(5) == ["queued before start"]
    assert env.texts(6) == ["queued while running"]
    assert {r.state for r in await env.rows()} == {OutboxState.SENT}
