"""Groups take about 20 messages a minute: the sender spaces them GROUP_INTERVAL apart, and
private chats keep their own, shorter spacing.

The fake Telegram's flood control (RateLimits: 20 a minute per group, burst 20) runs on a clock
SPEED times faster than the real one, and the production intervals are divided by SPEED: the
same arithmetic as in production, in a twentieth of the time.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.delivery.sender import SenderConfig
from bot.testing import eventually
from db.models.outbox import OutboxState
from tests.delivery.conftest import DeliveryEnv, make_env, text

SPEED = 20.0
GROUP = -100777


# Past the group's burst of 20, and enough that the private chats' pace would exceed 20 a minute
# even when each send takes twice its interval: 20 + 50/3 < 50.
COUNT = 50


async def fast_env_on(database_url: str) -> AsyncIterator[DeliveryEnv]:
    start = time.monotonic()
    async for value in make_env(
        database_url, server_clock=lambda: start + (time.monotonic() - start) * SPEED
    ):
        yield value


@pytest.fixture
async def fast_env(any_database_url: str) -> AsyncIterator[DeliveryEnv]:
    async for value in fast_env_on(any_database_url):
        yield value


@pytest.fixture
async def fast_sqlite_env(sqlite_url: str) -> AsyncIterator[DeliveryEnv]:
    async for value in fast_env_on(sqlite_url):
        yield value


def scaled(env: DeliveryEnv, *, group_interval: float | None = None) -> dict[str, Any]:
    """The production intervals on the fast server's time."""
    production = SenderConfig.from_settings(env.settings)
    assert (production.per_chat_interval, production.group_interval) == (1.0, 3.0)
    return {
        "per_chat_interval": production.per_chat_interval / SPEED,
        "group_interval": (group_interval or production.group_interval) / SPEED,
    }


async def test_group_spacing_stays_under_the_group_limit(fast_env: DeliveryEnv) -> None:
    fast_env.server.group(GROUP)
    users = list(range(500, 505))
    await fast_env.add_users(users)
    await fast_env.queue(
        *(text(GROUP, f"group {n}") for n in range(COUNT)),
        *(text(u, f"{u}: {n}") for n in range(3) for u in users),
    )
    async with fast_env.sender(**scaled(fast_env)) as sender:
        await eventually(lambda: _delivered(fast_env, 3), within=30, what="the private chats")
        # Private chats keep their pace: done while the group has had a few of its messages.
        assert len(fast_env.texts(GROUP)) < COUNT / 2
        await sender.wait_idle(60)
    assert fast_env.server.stats.rate_limited == 0
    assert fast_env.texts(GROUP) == [f"group {n}" for n in range(COUNT)]
    assert all(fast_env.texts(u) == [f"{u}: {n}" for n in range(3)] for u in users)


async def test_a_group_at_the_private_pace_meets_the_limit(fast_sqlite_env: DeliveryEnv) -> None:
    """The control: the fake Telegram's group limit is real, spacing is what keeps under it."""
    env = fast_sqlite_env
    env.server.group(GROUP)
    await env.queue(*(text(GROUP, f"group {n}") for n in range(COUNT)))
    async with env.sender(**scaled(env, group_interval=1.0)) as sender:
        await sender.wait_idle(60)
    assert env.server.stats.rate_limited > 0
    # Nothing lost to the 429s: the sender paused and went on.
    assert env.texts(GROUP) == [f"group {n}" for n in range(COUNT)]
    assert {r.state for r in await env.rows()} == {OutboxState.SENT}


async def _delivered(env: DeliveryEnv, per_user: int) -> bool:
    return all(len(env.texts(u)) == per_user for u in range(500, 505))
