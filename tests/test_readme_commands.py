"""Every command in README.md's indented command blocks runs as written from the repository root.

"After the set-up command": this test runs in the environment the set-up made, so `.venv/bin/` in
a command means the directory of the Python running the tests. Each command is run by bash
exactly as written, with these exceptions, each exercised as described by `plan`:

- the set-up steps (`python3 -m venv .venv`, `.venv/bin/pip install …`) are what made this
  environment; CI (`.ci/run`) runs the README's test command verbatim from a fresh checkout;
- `.venv/bin/python -m pytest -q` would run this test inside itself: it runs with `--collect-only`;
- `.venv/bin/python -m bot` (run) polls Telegram until stopped: it runs with BOT_TOKEN empty and
  must give the two-line explanation that names the sandbox command;
- `… -m bot migrate` runs on a temporary SQLite database, not the developer's `data/bot.db`;
- `… -m bot sandbox` gets `/quit` once it shows the language buttons (its scheduler's first
  run may otherwise still be in flight when it stops: that shutdown race is not the README's);
- the benchmarks run for minutes (all but `faq_search.py`): `--help` shows each starts and parses
  its arguments;
- `pybabel` rewrites the catalogues: it runs in a copy of `bot/`, `handlers/` and `locales/`.

Any other command must finish within the timeout with exit status 0.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
VENV_BIN = Path(sys.executable).parent
TIMEOUT = 180
SETUP_STEP = re.compile(r"^(python3 -m venv \.venv|\.venv/bin/pip install( -q)? -e \S+)$")


def readme_blocks() -> list[list[str]]:
    """Runs of lines indented by four spaces (Markdown code blocks), outside fenced blocks; the
    lines of one block are run in order (`pybabel update` reads what `pybabel extract` wrote)."""
    blocks: list[list[str]] = []
    current: list[str] = []
    fenced = False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and line.startswith("    ") and line.strip():
            current.append(line.strip())
        elif current and line.strip():
            blocks.append(current)
            current = []
    return [*blocks, current] if current else blocks


def readme_commands() -> list[str]:
    return [command for block in readme_blocks() for command in block]


@dataclass
class Plan:
    command: str  # what bash runs
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    stdin_after: str = ""  # output to wait for before writing stdin
    cwd: Path = ROOT
    expect_code: int = 0
    expect_output: str = ""


def _without_setup(command: str) -> str:
    steps = [step.strip() for step in command.split("&&")]
    while len(steps) > 1 and SETUP_STEP.match(steps[0]):
        steps.pop(0)
    # Never rebuild the environment this test runs in: a changed set-up must be taught here.
    assert not any("-m venv" in step or "/pip " in step for step in steps), command
    return " && ".join(steps)


def plan(written: str, tmp_path: Path) -> Plan:
    command = _without_setup(written).replace(".venv/bin/", f"{VENV_BIN}/")
    bot = f"{VENV_BIN}/python -m bot"
    words = re.sub(r"\s+#.*$", "", command).split()
    if command.endswith("-m pytest -q"):
        return Plan(f"{command} --collect-only", expect_output="tests collected")
    if words in (bot.split(), [*bot.split(), "run"]):
        return Plan(
            command,
            env={"BOT_TOKEN": ""},
            expect_code=1,
            expect_output=".venv/bin/python -m bot sandbox",
        )
    if words == [*bot.split(), "migrate"]:
        url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return Plan(command, env={"DATABASE_URL": url}, expect_output="Database is up to date.")
    if words == [*bot.split(), "sandbox"]:
        return Plan(command, stdin="/quit\n", stdin_after="🇷🇺 Русский", expect_output="Kenes")
    benchmark = next((w for w in words if w.startswith("benchmarks/")), None)
    if benchmark is not None and benchmark != "benchmarks/faq_search.py":
        return Plan(f"{VENV_BIN}/python {benchmark} --help", expect_output="usage")
    if words and words[0].endswith("/pybabel"):
        copy = tmp_path / "repo"
        if not copy.exists():
            for name in ("bot", "handlers", "locales"):
                shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("*.mo"))
        return Plan(command, cwd=copy)
    return Plan(command)


async def run(step: Plan, env: dict[str, str]) -> tuple[int, str]:
    """bash -c COMMAND; returns the exit status and stdout with stderr."""
    process = await asyncio.create_subprocess_exec(
        "bash",
        "-c",
        step.command,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        cwd=step.cwd,
        env=env,
    )
    assert process.stdin is not None and process.stdout is not None
    seen = b""
    try:
        async with asyncio.timeout(TIMEOUT):
            while step.stdin_after and step.stdin_after.encode() not in seen:
                line = await process.stdout.readline()
                if not line:
                    break
                seen += line
            output, _ = await process.communicate(step.stdin.encode())
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return process.returncode, (seen + output).decode()


@pytest.mark.parametrize("block", readme_blocks(), ids=lambda block: block[0][:60])
async def test_readme_commands_work_as_written(block: list[str], tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"BOT_TOKEN", "DATABASE_URL"}}
    for written in block:
        step = plan(written, tmp_path)
        code, output = await run(step, {**env, **step.env})
        assert code == step.expect_code, f"{written}\n{output}"
        assert "Traceback" not in output, f"{written}\n{output}"
        assert step.expect_output in output, f"{written}\n{output}"


def test_readme_commands_are_found() -> None:
    commands = readme_commands()
    assert any(c.endswith("-m pytest -q") for c in commands)
    assert any("faq search" in c and "--json -" in c for c in commands)
    assert all("python -m" not in c or ".venv/bin/python -m" in c for c in commands), commands


def test_readme_names_no_missing_file() -> None:
    """A command reading a file (`< FILE`) must name one that exists in the repository."""
    for command in readme_commands():
        for name in re.findall(r"<\s*(\S+)", command):
            assert (ROOT / name).exists(), f"{command}: {name} does not exist"
