"""`python -m bot sandbox`: a fake Telegram and the real bot in one process; chat in a terminal."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bot.config import Settings
from bot.sandbox.harness import RunningBot
from bot.sandbox.ratelimit import RateLimits
from bot.sandbox.server import FakeTelegramServer
from bot.sandbox.terminal import chat_loop, stdin_reader

SANDBOX_USER_ID = 777000001

INTRO = """\
Kenes sandbox: a fake Telegram server and the real bot, with a temporary database.
Type a message and press Enter; type a number to press that button; /quit to leave.
You are an administrator here, so /admin works too.
"""


async def run_sandbox(settings: Settings) -> int:
    with tempfile.TemporaryDirectory(prefix="kenes-sandbox-") as folder:
        sandbox_settings = settings.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{Path(folder) / 'sandbox.db'}",
                "admin_ids": frozenset({SANDBOX_USER_ID}),
            }
        )
        async with FakeTelegramServer(limits=RateLimits()) as server:
            user = server.user(SANDBOX_USER_ID, "Sandbox", language_code=None)
            running = await RunningBot.start(sandbox_settings, server)
            try:
                sys.stdout.write(INTRO)
                await user.send("/start")
                await chat_loop(user, stdin_reader, _write)
            finally:
                await running.stop()
    return 0


def _write(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()
