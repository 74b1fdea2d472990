"""`python -m bot sandbox` lets a person chat with the real bot in a terminal, no token needed."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEADLINE = 60.0


async def read_until(stream: asyncio.StreamReader, fragment: str, seen: list[str]) -> None:
    async with asyncio.timeout(DEADLINE):
        while True:
            line = (await stream.readline()).decode()
            if not line:
                raise AssertionError(f"sandbox ended before {fragment!r}:\n{''.join(seen)}")
            seen.append(line)
            if fragment in line:
                return


async def test_sandbox_chat_in_terminal(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=tmp_path,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    seen: list[str] = []
    try:
        await read_until(process.stdout, "[2] 🇷🇺 Русский", seen)
        process.stdin.write(b"2\n")
        await read_until(process.stdout, "В каком регионе", seen)
        process.stdin.write("Пропустить\n".encode())  # text, not a button: the bot answers it
        await read_until(process.stdout, "Пропустить", seen)
        process.stdin.write(b"/quit\n")
        await process.stdin.drain()
        async with asyncio.timeout(DEADLINE):
            code = await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert code == 0, "".join(seen)
    assert not any("Traceback" in line or " INFO " in line for line in seen), "".join(seen)
