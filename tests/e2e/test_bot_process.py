"""`python -m bot` with a token: a real process talks to TELEGRAM_API_URL and stops on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

from bot.sandbox.server import FakeTelegramServer
from tests.conftest import ADMIN_ID, TEST_TOKEN

STARTUP = 60.0


async def test_bot_process_serves_users_and_stops_cleanly(
    telegram: FakeTelegramServer, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_URL": telegram.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}",
        "ADMIN_IDS": str(ADMIN_ID),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
        env=env,
    )
    try:
        await telegram.wait_polling(timeout=STARTUP)
        user = telegram.user(8001, "Нұрлан", language_code="kk")
        await user.send("/start")
        welcome = await user.wait_for(lambda m: m.has_buttons, timeout=10)
        assert "Тілді таңдаңыз" in welcome.text

        admin_scope = json.dumps({"type": "chat", "chat_id": ADMIN_ID}, sort_keys=True)
        admin_commands = {c["command"] for c in telegram.commands[(admin_scope, "ru")]}
        assert "admin" in admin_commands
        default_scope = json.dumps({"type": "default"}, sort_keys=True)
        assert "admin" not in {c["command"] for c in telegram.commands[(default_scope, "ru")]}

        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.stdout is not None
    output = (await process.stdout.read()).decode()
    assert code == 0, output
    assert "Traceback" not in output, output
    assert TEST_TOKEN.split(":")[1] not in output  # the token is never logged
    assert (tmp_path / "data" / "bot.db").exists()
