"""`run_sandbox`: roles, the prepare_user hook, the forum workspace, and logs kept out of the
chat, with the real bot and scripted input."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import build_parser
from bot.config import Settings
from bot.sandbox.run import SANDBOX_USER_ID, WORKSPACE_CHAT_ID, SandboxContext, run_sandbox
from db.repositories.desk import ConsultantRepository


class Script:
    """Feeds lines one at a time, each only after the expected output appeared."""

    def __init__(self, steps: list[tuple[str, str | Callable[[str], str] | None]]) -> None:
        self.steps = steps
        self.output: list[str] = []
        self._changed = asyncio.Event()
        self._mark = 0

    def write(self, text: str) -> None:
        self.output.append(text)
        self._changed.set()

    @property
    def text(self) -> str:
        return "".join(self.output)

    async def read_line(self) -> str | None:
        if not self.steps:
            return None
        expected, line = self.steps.pop(0)
        async with asyncio.timeout(30):
            while expected not in self.text[self._mark :]:
                self._changed.clear()
                await self._changed.wait()
        typed = line(self.text[self._mark :]) if callable(line) else line
        self._mark = len(self.text)  # the next step waits for what comes after this line
        return typed


async def test_admin_role_prepare_user_and_log_file(settings: Settings, tmp_path: Path) -> None:
    log_file = tmp_path / "sandbox.log"
    seen: list[SandboxContext] = []

    async def prepare(context: SandboxContext) -> None:
        seen.append(context)
        logging.getLogger("tests.sandbox").warning("prepare_user ran for %s", context.user.id)

    script = Script(
        [
            ("[2] 🇷🇺 Русский", "/chat group"),
            ("── group «Kenes consultants» · General ──", "/quit"),
        ]
    )
    code = await run_sandbox(
        settings,
        role="admin",
        prepare_user=prepare,
        read_line=script.read_line,
        write=script.write,
        log_path=log_file,
    )
    assert code == 0
    [context] = seen
    assert context.role == "admin" and context.user.id == SANDBOX_USER_ID
    assert context.settings.admin_ids == frozenset({SANDBOX_USER_ID})
    assert context.settings.database_url != settings.database_url  # a temporary database
    assert context.workspace.chat_id == WORKSPACE_CHAT_ID and context.workspace.is_forum
    assert context.workspace.member_status(SANDBOX_USER_ID) == "administrator"
    out = script.text
    assert "You are an administrator" in out and f"Logs and tracebacks go to {log_file}" in out
    assert "prepare_user ran" not in out and " INFO " not in out
    logged = log_file.read_text(encoding="utf-8")
    assert "prepare_user ran for 777000001" in logged and " INFO " in logged


async def test_user_role_and_a_crash_goes_to_the_log(settings: Settings, tmp_path: Path) -> None:
    log_file = tmp_path / "sandbox.log"

    async def broken_input() -> str | None:
        raise RuntimeError("keyboard on fire")

    lines: list[str] = []
    code = await run_sandbox(
        settings, read_line=broken_input, write=lines.append, log_path=log_file
    )
    out = "".join(lines)
    assert code == 1
    assert "You are an ordinary user" in out
    assert f"The sandbox stopped: RuntimeError. The traceback is in {log_file}" in out
    assert "Traceback" not in out and "keyboard on fire" not in out
    logged = log_file.read_text(encoding="utf-8")
    assert "Traceback" in logged and "keyboard on fire" in logged
    assert logging.getLogger().handlers  # the test's own logging set-up is back


async def test_consultant_role_is_on_the_desk_next_to_a_founder(
    settings: Settings, tmp_path: Path
) -> None:
    lines: list[str] = []
    staff: list[list[int]] = []

    async def prepare(context: SandboxContext) -> None:
        async with context.app.sessionmaker() as session:
            staff.append([c.user_id for c in await ConsultantRepository(session).all()])
        assert context.settings.consultants_chat_id == WORKSPACE_CHAT_ID

    async def leave() -> str | None:
        return None

    code = await run_sandbox(
        settings,
        role="consultant",
        prepare_user=prepare,
        read_line=leave,
        write=lines.append,
        log_path=tmp_path / "l",
    )
    assert code == 0
    assert staff == [[SANDBOX_USER_ID]]
    out = "".join(lines)
    assert "You are a consultant" in out and "founder (Asel" in out
    with pytest.raises(ValueError, match="role must be one of"):
        await run_sandbox(settings, role="owner")


def button(label: str) -> Callable[[str], str]:
    """The line that presses the latest button whose label starts with `label`."""

    def press(output: str) -> str:
        return re.findall(rf"\[(\d+)\] {re.escape(label)}", output)[-1]

    return press


def topic_of(question: str) -> Callable[[str], str]:
    def switch(output: str) -> str:
        return "/topic " + re.findall(rf"{re.escape(question)}.*: /topic (\d+)", output)[-1]

    return switch


async def test_a_founder_asks_and_the_consultant_answers_in_one_run(
    settings: Settings, tmp_path: Path
) -> None:
    script = Script(
        [
            ("[2] 🇷🇺 Русский", "2"),
            ("Пропустить", button("Пропустить")),
            ("Главное меню", "/ask"),
            ("Ваш вопрос консультанту", "Сосед по офису шумит, что делать?"),
            ("➡️ Далее", button("➡️ Далее")),
            ("О чём ваш вопрос?", button("Другое")),
            ("Отправить консультантам?", button("✅ Отправить")),
            ("отправлен", "/chat group"),
            ("── group", "/topic"),
            ("#1", topic_of("#1")),
            ("Сосед по офису шумит", button("✋")),
            ("🔵", "Поговорите с арендодателем."),
            ("Поговорите с арендодателем.", "/chat private"),
            ("Aigerim", None),
        ]
    )
    code = await run_sandbox(
        settings, read_line=script.read_line, write=script.write, log_path=tmp_path / "l"
    )
    assert code == 0, (tmp_path / "l").read_text(encoding="utf-8")[-3000:]
    out = script.text
    assert "where you type as the consultant Aigerim" in out
    answer = out[out.rindex("── private") :]
    assert "Aigerim" in answer and "Поговорите с арендодателем." in answer


def test_role_option_in_cli_help(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["sandbox", "--role", "consultant"])
    assert args.role == "consultant"
    assert build_parser().parse_args(["sandbox"]).role == "user"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["sandbox", "--help"])
    help_text = capsys.readouterr().out
    assert "--role {user,consultant,admin}" in help_text and "administrator" in help_text
