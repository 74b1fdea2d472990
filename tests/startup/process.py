"""Run the real `python -m bot` as a subprocess and read its failure the way a person would."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOBODY = 65534
# A log record as bot.cli formats it; anything else on stderr is the person's line or a traceback.
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ ")
_DROPPED = {"BOT_TOKEN", "ADMIN_IDS", "DATABASE_URL", "TELEGRAM_API_URL", "LOG_LEVEL"}


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str

    @property
    def own_lines(self) -> list[str]:
        """stderr without log records: what the bot prints for the person."""
        return [line for line in self.stderr.splitlines() if not LOG_LINE.match(line)]

    def assert_one_line_failure(self, expected: str) -> str:
        """Non-zero exit, no traceback, and exactly one line of its own, containing `expected`."""
        report = f"exit {self.code}\n{self.stderr}"
        assert self.code != 0, report
        assert "Traceback" not in self.stderr, report
        assert len(self.own_lines) == 1, report
        line = self.own_lines[0]
        assert expected in line, report
        assert self.stderr.rstrip().endswith(line), report
        return line


def bot_env(**settings: str) -> dict[str, str]:
    """The test's environment minus the bot's settings, plus `settings` (a `.env` in the
    repository root is ignored because the commands run in a temporary folder unless told)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    env["STARTUP_RETRY_SECONDS"] = "0"
    env.update(settings)
    return env


async def run_bot(
    *args: str,
    env: dict[str, str],
    cwd: Path,
    deadline: float = 60,
    prefix: Sequence[str] = (),
) -> Outcome:
    """Runs `python -m bot ARGS` to its end (the test's event loop keeps serving meanwhile)."""
    process = await asyncio.create_subprocess_exec(
        *prefix,
        sys.executable,
        "-m",
        "bot",
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**env, "PYTHONPATH": str(ROOT)},
        cwd=cwd,
    )
    try:
        async with asyncio.timeout(deadline):
            stdout, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode is not None
    return Outcome(process.returncode, stdout.decode(), stderr.decode())


def unprivileged() -> list[str] | None:
    """A command prefix that takes file permissions seriously: as root every file is writable,
    so root runs the bot as `nobody` (through util-linux's setpriv). None when impossible here."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    probe = subprocess.run(
        [*prefix, sys.executable, "-c", "import bot.config"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        check=False,
    )
    return prefix if probe.returncode == 0 else None


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A temporary folder the unprivileged user can enter (pytest's tmp_path is private)."""
    with tempfile.TemporaryDirectory(prefix="kenes-test-") as name:
        folder = Path(name)
        folder.chmod(0o755)
        yield folder


@contextmanager
def refusing_port() -> Iterator[int]:
    """A local port on which connections are refused: bound, never listening, held till the end."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
