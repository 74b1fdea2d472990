"""At start-up the bot checks the consultants' group: a forum where it is an admin that may
manage topics; otherwise one clear line in the log (the bot still starts)."""

from __future__ import annotations

import logging

import pytest

from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from tests.desk_staff.conftest import FORUM

PROBLEM = "the consultants' group is not ready"


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ({}, None),
        ({"can_manage_topics": False}, "may not manage topics"),
        ({"bot_admin": False}, "not an admin"),
        ("no forum", "no topics"),
        ("absent", "cannot see this chat"),
    ],
)
async def test_workspace_rights_are_checked(
    settings: Settings,
    telegram: FakeTelegramServer,
    fake_clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
    setup: dict[str, bool] | str,
    expected: str | None,
) -> None:
    if setup == "no forum":
        telegram.group(FORUM, "Consultants", bot_admin=True)
    elif isinstance(setup, dict):
        telegram.forum(FORUM, "Consultants", **setup)
    with caplog.at_level(logging.ERROR, logger="bot.app"):
        running = await RunningBot.start(
            settings.model_copy(update={"consultants_chat_id": FORUM}), telegram, clock=fake_clock
        )
        await running.stop()
    lines = [r.getMessage() for r in caplog.records if PROBLEM in r.getMessage()]
    if expected is None:
        assert lines == []
    else:
        assert (
            len(lines) == 1 and expected in lines[0] and f"CONSULTANTS_CHAT_ID={FORUM}" in lines[0]
        )
