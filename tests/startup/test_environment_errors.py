"""Every wrong setting or unusable environment: one line naming it, a non-zero exit, no traceback.

Each case runs the real `python -m bot` in a subprocess with the environment set, as a person or
a supervisor would start it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.sandbox.server import FakeTelegramServer
from tests.conftest import TEST_TOKEN
from tests.databases import postgres_server_url
from tests.startup.fake_postgres import password_checking_postgres
from tests.startup.process import (
    ROOT,
    bot_env,
    refusing_port,
    run_bot,
    shared_folder,
    unprivileged,
)

TOKEN_REJECTED = "BOT_TOKEN was rejected by Telegram"
SECRET_PASSWORD = "pw-Do-Not-Print-9"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def postgres_url(port: int, user: str = "kenes") -> str:
    return f"postgresql+asyncpg://{user}:{SECRET_PASSWORD}@127.0.0.1:{port}/kenes"


# ------------------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",  # "bot" pasted from a URL
        '"110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"',  # quotes a docker env-file keeps
        "110201543:AAHdqTcvCH1vGWJx fSeofSAs0K5PALDsaw",
    ],
)
async def test_malformed_token_is_named_and_never_printed(token: str, tmp_path: Path) -> None:
    outcome = await run_bot("run", env=bot_env(BOT_TOKEN=token), cwd=tmp_path)
    outcome.assert_one_line_failure("Invalid setting BOT_TOKEN")
    assert outcome.code == 2
    assert token.strip('"').split(":")[-1] not in outcome.stderr + outcome.stdout


async def test_unknown_log_level_is_named(tmp_path: Path) -> None:
    outcome = await run_bot("migrate", env=bot_env(LOG_LEVEL="loud"), cwd=tmp_path)
    line = outcome.assert_one_line_failure("Invalid setting LOG_LEVEL")
    assert "DEBUG, INFO, WARNING, ERROR, CRITICAL" in line
    assert outcome.code == 2


# ----------------------------------------------------------------------------------- PostgreSQL


@pytest.mark.parametrize("command", ["run", "migrate"])
async def test_unreachable_postgres_names_host_and_port(command: str, tmp_path: Path) -> None:
    with refusing_port() as port:
        env = bot_env(BOT_TOKEN=TEST_TOKEN, DATABASE_URL=postgres_url(port))
        outcome = await run_bot(command, env=env, cwd=tmp_path)
    line = outcome.assert_one_line_failure(f"cannot reach PostgreSQL at 127.0.0.1:{port}")
    assert line.startswith("DATABASE_URL: ") and "connection refused" in line
    assert SECRET_PASSWORD not in outcome.stderr + outcome.stdout


async def test_debug_log_level_adds_the_traceback(tmp_path: Path) -> None:
    with refusing_port() as port:
        env = bot_env(DATABASE_URL=postgres_url(port), LOG_LEVEL="DEBUG")
        outcome = await run_bot("migrate", env=env, cwd=tmp_path)
    assert outcome.code == 1
    assert "Traceback" in outcome.stderr
    assert outcome.stderr.rstrip().splitlines()[-1] == (
        f"DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:{port} (connection refused)"
    )
    assert SECRET_PASSWORD not in outcome.stderr


async def test_wrong_postgres_password(tmp_path: Path) -> None:
    async with password_checking_postgres() as port:
        env = bot_env(DATABASE_URL=postgres_url(port))
        outcome = await run_bot("migrate", env=env, cwd=tmp_path)
    line = outcome.assert_one_line_failure(f"PostgreSQL at 127.0.0.1:{port} refused user 'kenes'")
    assert 'password authentication failed for user "kenes"' in line
    assert SECRET_PASSWORD not in outcome.stderr + outcome.stdout


def _real_postgres() -> str:
    server = postgres_server_url()
    if server is None:
        pytest.skip("TEST_DATABASE_URL is not set")
    return server


async def test_unknown_postgres_user(tmp_path: Path) -> None:
    url = make_url(_real_postgres()).set(username="no_such_kenes_role", password=SECRET_PASSWORD)
    env = bot_env(DATABASE_URL=url.render_as_string(hide_password=False))
    outcome = await run_bot("migrate", env=env, cwd=tmp_path)
    line = outcome.assert_one_line_failure("refused user 'no_such_kenes_role'")
    assert 'role "no_such_kenes_role" does not exist' in line
    assert SECRET_PASSWORD not in outcome.stderr + outcome.stdout


async def test_missing_postgres_database(tmp_path: Path) -> None:
    url = make_url(_real_postgres()).set(database="no_such_kenes_database")
    env = bot_env(DATABASE_URL=url.render_as_string(hide_password=False))
    outcome = await run_bot("migrate", env=env, cwd=tmp_path)
    outcome.assert_one_line_failure('database "no_such_kenes_database" does not exist')


async def test_migrate_on_real_postgres_passes_the_check(
    postgres_database_url: str, tmp_path: Path
) -> None:
    env = bot_env(DATABASE_URL=postgres_database_url)
    outcome = await run_bot("migrate", env=env, cwd=tmp_path)
    assert outcome.code == 0, outcome.stderr
    assert "Database is up to date." in outcome.stdout


# --------------------------------------------------------------------------------------- SQLite


def _unprivileged_or_skip() -> list[str]:
    prefix = unprivileged()
    if prefix is None:
        pytest.skip("running as root and cannot switch to an unprivileged user")
    return prefix


async def test_read_only_sqlite_file(tmp_path: Path) -> None:
    prefix = _unprivileged_or_skip()
    with shared_folder() as folder:
        database = folder / "bot.db"
        created = await run_bot(
            "migrate", env=bot_env(DATABASE_URL=sqlite_url(database)), cwd=tmp_path
        )
        assert created.code == 0, created.stderr
        database.chmod(0o444)
        folder.chmod(0o777)  # the folder is writable: only the file is read-only
        outcome = await run_bot(
            "migrate", env=bot_env(DATABASE_URL=sqlite_url(database)), cwd=folder, prefix=prefix
        )
    outcome.assert_one_line_failure(f"DATABASE_URL: the SQLite database {database} is read-only")


async def test_unwritable_database_folder(tmp_path: Path) -> None:
    prefix = _unprivileged_or_skip()
    with shared_folder() as folder:  # 0755 and someone else's: the bot may not write in it
        env = bot_env(DATABASE_URL=sqlite_url(folder / "bot.db"))
        outcome = await run_bot("migrate", env=env, cwd=folder, prefix=prefix)
    outcome.assert_one_line_failure(f"is {folder} writable?")


async def test_uncreatable_database_folder(tmp_path: Path) -> None:
    prefix = _unprivileged_or_skip()
    with shared_folder() as folder:
        env = bot_env(DATABASE_URL=sqlite_url(folder / "data" / "bot.db"))
        outcome = await run_bot("migrate", env=env, cwd=folder, prefix=prefix)
    outcome.assert_one_line_failure(
        f"DATABASE_URL: cannot create the folder {folder / 'data'} (Permission denied)"
    )


async def test_database_folder_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a folder")
    env = bot_env(DATABASE_URL=sqlite_url(tmp_path / "data" / "bot.db"))
    outcome = await run_bot("migrate", env=env, cwd=tmp_path)
    outcome.assert_one_line_failure(
        f"DATABASE_URL: cannot create the folder {tmp_path / 'data'} (a file is in the way)"
    )


# ------------------------------------------------------------------------------------- Telegram


async def test_unreachable_bot_api_names_the_url(tmp_path: Path) -> None:
    with refusing_port() as port:
        api = f"http://127.0.0.1:{port}"
        env = bot_env(
            BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_URL=api,
            DATABASE_URL=sqlite_url(tmp_path / "bot.db"),
        )
        outcome = await run_bot("run", env=env, cwd=tmp_path)
    outcome.assert_one_line_failure(f"TELEGRAM_API_URL: cannot reach {api} (connection refused)")
    assert TEST_TOKEN.split(":")[1] not in outcome.stderr + outcome.stdout


async def test_unreachable_bot_api_is_retried_with_backoff(tmp_path: Path) -> None:
    with refusing_port() as port:
        api = f"http://127.0.0.1:{port}"
        env = bot_env(
            BOT_TOKEN=TEST_TOKEN,
            TELEGRAM_API_URL=api,
            DATABASE_URL=sqlite_url(tmp_path / "bot.db"),
            STARTUP_RETRY_SECONDS="2",
        )
        outcome = await run_bot("run", env=env, cwd=tmp_path)
    line = outcome.assert_one_line_failure(f"cannot reach {api} (connection refused)")
    assert line.endswith("gave up after 3 attempts in 2 s"), line
    retries = [entry for entry in outcome.stderr.splitlines() if "retrying in" in entry]
    assert len(retries) == 2, outcome.stderr  # one log line per failed attempt
    assert "attempt 1 failed, retrying in 1 s" in retries[0]
    assert "attempt 2 failed, retrying in 1 s" in retries[1]  # 2 s, cut to the budget left


async def test_token_rejected_at_start(telegram: FakeTelegramServer, tmp_path: Path) -> None:
    env = bot_env(
        BOT_TOKEN="123456:not-the-token-the-server-knows",
        TELEGRAM_API_URL=telegram.base_url,
        DATABASE_URL=sqlite_url(tmp_path / "bot.db"),
    )
    outcome = await run_bot("run", env=env, cwd=tmp_path)
    line = outcome.assert_one_line_failure(TOKEN_REJECTED)
    assert line.startswith(TOKEN_REJECTED)
    assert outcome.code == 1
    assert "not-the-token" not in outcome.stderr + outcome.stdout


# ------------------------------------------------------------------------------------ packages


@pytest.mark.parametrize(
    ("blocked", "args"),
    [
        ("rapidfuzz", ["faq", "search", "--lang", "ru", "сколько стоит"]),  # the FAQ search
        ("pydantic_settings", ["migrate"]),  # needed before the CLI can even parse
    ],
)
async def test_missing_package_is_named_with_the_install_command(
    blocked: str, args: list[str], tmp_path: Path
) -> None:
    """A Python without the bot's packages (e.g. the system python3 instead of .venv/bin/python):
    simulated by making the import of one package fail."""
    import asyncio

    script = (
        f"import runpy, sys; sys.modules[{blocked!r}] = None; "
        "runpy.run_module('bot', run_name='__main__', alter_sys=True)"
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        script,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=bot_env(),
    )
    _, stderr = await process.communicate()
    text = stderr.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text and "invalid choice" not in text, text
    lines = text.strip().splitlines()
    assert len(lines) == 1, text
    assert f"Python module {blocked!r} is missing" in lines[0]
    assert "`.venv/bin/pip install -e .`" in lines[0]
    assert f"`.venv/bin/python -m bot {args[0]}" in lines[0]
