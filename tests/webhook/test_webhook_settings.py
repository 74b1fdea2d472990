"""`python -m bot run --webhook` with a setting missing or wrong: one line naming it, a non-zero
exit, no traceback, before anything is started (a real process, as a supervisor starts it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import TEST_TOKEN
from tests.startup.process import bot_env, run_bot

URL = "https://kenes.example.org/telegram"
SECRET = "a-Long_random-secret"


def webhook_env(**settings: str) -> dict[str, str]:
    env = bot_env(BOT_TOKEN=TEST_TOKEN, **settings)
    for name in ("WEBHOOK_URL", "WEBHOOK_SECRET", "WEBHOOK_HOST", "WEBHOOK_PORT"):
        if name not in settings:
            env.pop(name, None)
    return env


async def test_webhook_mode_without_a_secret_names_it(tmp_path: Path) -> None:
    outcome = await run_bot("run", "--webhook", env=webhook_env(WEBHOOK_URL=URL), cwd=tmp_path)
    line = outcome.assert_one_line_failure("WEBHOOK_SECRET")
    assert outcome.code == 2
    assert "A-Z, a-z, 0-9, _ and -" in line


async def test_a_webhook_url_alone_means_webhook_mode_and_needs_the_secret(tmp_path: Path) -> None:
    outcome = await run_bot("run", env=webhook_env(WEBHOOK_URL=URL), cwd=tmp_path)
    outcome.assert_one_line_failure("WEBHOOK_SECRET")


async def test_webhook_mode_without_a_url_names_it(tmp_path: Path) -> None:
    outcome = await run_bot(
        "run", "--webhook", env=webhook_env(WEBHOOK_SECRET=SECRET), cwd=tmp_path
    )
    outcome.assert_one_line_failure("WEBHOOK_URL")
    assert outcome.code == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_SECRET", "has spaces in it"),
        ("WEBHOOK_SECRET", "x" * 257),
        ("WEBHOOK_URL", "http://kenes.example.org/telegram"),
        ("WEBHOOK_PORT", "70000"),
    ],
)
async def test_a_wrong_webhook_setting_is_named_and_never_printed(
    name: str, value: str, tmp_path: Path
) -> None:
    settings = {"WEBHOOK_URL": URL, "WEBHOOK_SECRET": SECRET, name: value}
    outcome = await run_bot("run", "--webhook", env=webhook_env(**settings), cwd=tmp_path)
    outcome.assert_one_line_failure(f"Invalid setting {name}")
    assert outcome.code == 2
    if name == "WEBHOOK_SECRET":
        assert value not in outcome.stderr + outcome.stdout
