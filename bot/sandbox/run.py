"""`python -m bot sandbox`: a fake Telegram and the real bot in one process; chat in a terminal.

The consultant desk is set up as in production: a forum group where the bot is an admin with
"manage topics" (the consultants' workspace, ``CONSULTANTS_CHAT_ID``) and a consultant. The
person at the keyboard plays both sides, switching with ``/chat``:

- ``--role user`` (or ``admin``: also in ``ADMIN_IDS``): you are an NGO founder in ``private``;
  ``group`` is the workspace, where you type as the consultant Aigerim, and ``consultant`` is
  Aigerim's private chat with the bot (her notifications, /queue, /duty);
- ``--role consultant``: you are the consultant, in ``private`` and in ``group``; ``founder`` is
  the private chat of a founder, Asel, who asks the questions.

Questions wait in the queue for a Take (no auto-assignment), so both sides can be tried.
``prepare_user`` runs once the bot is up, for anything more. Logs and tracebacks go to a file,
never into the chat.
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
OTHER_SIDE_ID = 777000002  # the consultant next to a founder, or the founder next to one
WORKSPACE_CHAT_ID = -1001777000001  # the consultants' forum group
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

ROLE_HELP = {
    "user": "an ordinary user",
    "admin": "an administrator (ADMIN_IDS), so /admin works too",
    "consultant": "a consultant",
}
CONSULTANT_NAME, FOUNDER_NAME = "Aigerim", "Asel"


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
                "consultants_chat_id": WORKSPACE_CHAT_ID,
                "desk_auto_assign": False,
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
        if role == "consultant":
            other = server.user(OTHER_SIDE_ID, FOUNDER_NAME, language_code="ru")
            consultant, other_place = user, "founder"
        else:
            other = server.user(OTHER_SIDE_ID, CONSULTANT_NAME, language_code="ru")
            consultant, other_place = other, "consultant"
        workspace.add_member(consultant, "administrator", can_manage_topics=True)
        if role == "admin":
            workspace.add_member(user, "administrator", can_manage_topics=True)
        running = await RunningBot.start(settings, server)
        try:
            write(_intro(role, log_file=log_file))
            await _staff_the_desk(running.app, consultant)
            if prepare_user is not None:
                await prepare_user(
                    SandboxContext(settings, running.app, server, user, workspace, role)
                )
            await user.send("/start")
            places = [
                Place("private", user, user),
                Place("group", consultant, workspace),
                Place(other_place, other, other),
            ]
            await Terminal(places, write).run(read_line)
        finally:
            await running.stop()


async def _staff_the_desk(app: Application, consultant: SimUser) -> None:
    async with app.sessionmaker() as session, session.begin():
        await app.services.for_session(session).consultants.add(
            consultant.id, str(consultant.info["first_name"]), by=None
        )


def _intro(role: str, *, log_file: Path) -> str:
    if role == "consultant":
        sides = (
            "Chats (switch with /chat): private (you and the bot), group (the consultants' "
            f"forum, as you) and founder ({FOUNDER_NAME}, who asks the questions).\n"
        )
    else:
        sides = (
            "Chats (switch with /chat): private (you and the bot), group (the consultants' "
            f"forum, where you type as the consultant {CONSULTANT_NAME}) and consultant "
            f"({CONSULTANT_NAME}'s private chat with the bot).\n"
        )
    return (
        "Kenes sandbox: a fake Telegram server and the real bot, with a temporary database.\n"
        f"You are {ROLE_HELP[role]}.\n"
        f"{sides}"
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
