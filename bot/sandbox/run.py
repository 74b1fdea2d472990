"""`python -m bot sandbox`: a fake Telegram and the real bot in one process; chat in a terminal.

Two chats are there: the private chat with the bot, and a forum group where the bot is an admin
(the consultants' workspace), switched with ``/chat``. ``--role`` decides who the person at the
keyboard is: an ordinary user, an administrator (``ADMIN_IDS``), or a consultant, whom the
``prepare_user`` callback stores as one (the desk's code provides it). Logs and tracebacks go
to a file, never into the chat.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.app import Application
from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.groups import SimGroup
from bot.sandbox.harness import RunningBot
from bot.sandbox.ratelimit import RateLimits
from bot.sandbox.server import FakeTelegramServer
from bot.sandbox.terminal import Place, ReadLine, Terminal, Write, stdin_reader

log = logging.getLogger(__name__)

ROLES = ("user", "consultant", "admin")
SANDBOX_USER_ID = 777000001
WORKSPACE_CHAT_ID = -1001777000001  # the consultants' forum group
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

ROLE_HELP = {
    "user": "an ordinary user",
    "admin": "an administrator (ADMIN_IDS), so /admin works too",
    "consultant": "a consultant",
}


@dataclass(frozen=True, slots=True)
class SandboxContext:
    """What ``prepare_user`` gets: the running sandbox, before the person types anything."""

    settings: Settings  # the sandbox's own (temporary database, ADMIN_IDS for the role)
    app: Application
    server: FakeTelegramServer
    user: SimUser  # the person at the keyboard
    workspace: SimGroup  # the consultants' forum group
    role: str


PrepareUser = Callable[[SandboxContext], Awaitable[None]]


def _stdout(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


async def run_sandbox(
    settings: Settings,
    *,
    role: str = "user",
    prepare_user: PrepareUser | None = None,
    settings_update: Mapping[str, Any] | None = None,
    read_line: ReadLine = stdin_reader,
    write: Write = _stdout,
    log_path: Path | None = None,
) -> int:
    """Run the sandbox until /quit or end of input; 0 on a normal end, 1 after a crash.

    ``settings_update`` overrides settings of the sandbox's bot (e.g. the workspace's chat id
    ``WORKSPACE_CHAT_ID``); ``prepare_user`` runs once the bot is up, whatever the role.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    log_file = log_path or _new_log_file()
    with (
        tempfile.TemporaryDirectory(prefix="kenes-sandbox-") as folder,
        _logging_to(log_file, settings.log_level),
    ):
        sandbox_settings = settings.model_copy(
            update={
                "database_url": f"sqlite+aiosqlite:///{Path(folder) / 'sandbox.db'}",
                "admin_ids": frozenset({SANDBOX_USER_ID}) if role == "admin" else frozenset(),
                **(settings_update or {}),
            }
        )
        try:
            await _run(sandbox_settings, role, prepare_user, read_line, write, log_file)
        except Exception as error:
            log.exception("the sandbox stopped")
            write(f"The sandbox stopped: {type(error).__name__}. The traceback is in {log_file}\n")
            return 1
    return 0


async def _run(
    settings: Settings,
    role: str,
    prepare_user: PrepareUser | None,
    read_line: ReadLine,
    write: Write,
    log_file: Path,
) -> None:
    async with FakeTelegramServer(limits=RateLimits()) as server:
        user = server.user(SANDBOX_USER_ID, "Sandbox", language_code=None)
        workspace = server.forum(WORKSPACE_CHAT_ID, "Kenes consultants")
        if role == "user":
            workspace.add_member(user)
        else:
            workspace.add_member(user, "administrator", can_manage_topics=True)
        running = await RunningBot.start(settings, server)
        try:
            write(_intro(role, prepared=prepare_user is not None, log_file=log_file))
            if prepare_user is not None:
                await prepare_user(
                    SandboxContext(settings, running.app, server, user, workspace, role)
                )
            await user.send("/start")
            places = [Place("private", user, user), Place("group", user, workspace)]
            await Terminal(places, write).run(read_line)
        finally:
            await running.stop()


def _intro(role: str, *, prepared: bool, log_file: Path) -> str:
    who = ROLE_HELP[role]
    if role == "consultant" and not prepared:
        who += (
            " (this version has no consultant desk to register you with: you chat as an "
            "ordinary user)"
        )
    return (
        "Kenes sandbox: a fake Telegram server and the real bot, with a temporary database.\n"
        f"You are {who}.\n"
        "Chats: private (you and the bot) and group (the consultants' forum); switch with /chat.\n"
        f"Logs and tracebacks go to {log_file}\n"
    )


def _new_log_file() -> Path:
    handle, name = tempfile.mkstemp(prefix="kenes-sandbox-", suffix=".log")
    os.close(handle)
    return Path(name)


@contextlib.contextmanager
def _logging_to(path: Path, level: str) -> Iterator[None]:
    """Send every log record (and warning) to ``path`` only; restore the old set-up after."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    for old in saved_handlers:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    try:
        yield
    finally:
        logging.captureWarnings(False)
        root.removeHandler(handler)
        handler.close()
        for old in saved_handlers:
            root.addHandler(old)
        root.setLevel(saved_level)
