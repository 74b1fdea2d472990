"""At start-up the bot checks the consultants' group: a forum where it is an admin that may
manage topics; otherwise one clear line in the log (the bot still starts). And the sandbox's
consultant role works the desk in the sandbox's forum."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import sandbox_consultant
from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.sandbox.run import WORKSPACE_CHAT_ID, run_sandbox
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock
from tests.desk_staff.conftest import FORUM
from tests.sandbox.test_run_sandbox import Script

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


async def test_the_sandbox_consultant_works_the_desk(settings: Settings, tmp_path: Path) -> None:
    """`python -m bot sandbox --role consultant`: a consultant of the desk in the sandbox's
    forum group, where /queue answers."""
    script = Script(
        [
            ("[2] 🇷🇺 Русский", "/chat group"),
            ("── group «Kenes consultants» · General ──", "/queue"),
            ("📋", "/quit"),
        ]
    )
    code = await run_sandbox(
        settings,
        role="consultant",
        prepare_user=sandbox_consultant,
        settings_update={"consultants_chat_id": WORKSPACE_CHAT_ID},
        read_line=script.read_line,
        write=script.write,
        log_path=tmp_path / "sandbox.log",
    )
    assert code == 0
    assert "no consultant desk" not in script.text
    assert "📋" in script.text.split("/queue", 1)[-1]
