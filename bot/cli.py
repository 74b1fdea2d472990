"""`python -m bot [run|migrate|backup|restore|sandbox|faq|consultants]`.

Everything a person can get wrong (a setting, the database, the network, the token, a missing
package) ends in one line on stderr and a non-zero exit; LOG_LEVEL=DEBUG adds the traceback.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.config import MissingTokenError, Settings, SettingsError, load_settings
from bot.dependencies import missing_dependency_line
from bot.logging_setup import configure_logging

log = logging.getLogger(__name__)

EXIT_ENVIRONMENT = 1  # the database, the network or the token: fix it and start again
EXIT_SETTINGS = 2  # a setting has a wrong value
EXIT_INTERRUPTED = 130

SANDBOX_COMMAND = ".venv/bin/python -m bot sandbox"
NO_TOKEN_HELP = (
    "BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot) and put its token "
    "in .env as BOT_TOKEN=...\n"
    f"To try Kenes without a token or internet, run: {SANDBOX_COMMAND}"
)


def build_parser() -> argparse.ArgumentParser:
    # Imported here, not hidden when it fails: a missing package must say so, not "invalid choice".
    from bot.consultants_cli import add_consultants_parser
    from bot.services.faq.cli import add_faq_parser

    parser = argparse.ArgumentParser(prog="python -m bot", description="Kenes NGO consultation bot")
    commands = parser.add_subparsers(dest="command")
    run = commands.add_parser(
        "run", help="run the bot: long polling (default), or a webhook server with --webhook"
    )
    run.add_argument(
        "--webhook",
        action="store_true",
        help="serve Telegram's webhook (WEBHOOK_URL, WEBHOOK_SECRET; also when WEBHOOK_URL is set)",
    )
    commands.add_parser("migrate", help="apply database migrations and exit")
    backup = commands.add_parser(
        "backup",
        help="copy the SQLite database to PATH while the bot runs (PostgreSQL: prints pg_dump)",
    )
    backup.add_argument("path", type=Path, metavar="PATH")
    restore = commands.add_parser(
        "restore",
        help="replace the SQLite database with the backup at PATH; run with the bot stopped",
    )
    restore.add_argument("path", type=Path, metavar="PATH")
    sandbox = commands.add_parser(
        "sandbox",
        help="chat with the bot in this terminal, against a fake Telegram",
        description="Chat with the real bot in this terminal, against a fake Telegram server "
        "and a temporary database. Logs go to a file whose path is printed at the start.",
    )
    sandbox.add_argument(
        "--role",
        choices=("user", "consultant", "admin"),
        default="user",
        help="who you are: an ordinary user (default), a consultant, or an administrator "
        "(ADMIN_IDS, so /admin works)",
    )
    add_faq_parser(commands)
    add_consultants_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
    except ModuleNotFoundError as exc:
        line = missing_dependency_line(exc, argv)
        if line is None:
            raise
        print(line, file=sys.stderr)
        return EXIT_ENVIRONMENT
    args = parser.parse_args(argv)
    if hasattr(args, "func"):
        return int(args.func(args) or 0)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_SETTINGS
    configure_logging(settings)
    command: Callable[[Settings], int] = {
        "migrate": _migrate,
        "backup": lambda settings: _backup(settings, args.path),
        "restore": lambda settings: _restore(settings, args.path),
        "sandbox": lambda settings: _sandbox(settings, args.role),
        "consultants": lambda settings: _consultants(settings, args),
    }.get(args.command, lambda settings: _run(settings, getattr(args, "webhook", False)))
    try:
        return command(settings)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:
        line = explain_failure(settings, exc)
        if line is None:
            raise
        if settings.debug:
            log.debug("start-up failed", exc_info=exc)
        print(line, file=sys.stderr)
        return EXIT_ENVIRONMENT


def explain_failure(settings: Settings, error: Exception) -> str | None:
    """One line for an error of the environment; None for a bug."""
    from sqlalchemy.exc import DBAPIError

    from bot.startup_checks import StartupError, describe_database_error

    if isinstance(error, StartupError):
        return str(error)
    failure = None
    if isinstance(error, DBAPIError):  # not any OSError: a file elsewhere is not the database
        failure = describe_database_error(settings.database_url, error)
    elif type(error).__module__.startswith("aiogram."):
        from bot.telegram_check import describe_telegram_error  # aiogram is loaded already

        failure = describe_telegram_error(settings.telegram_api_url, error)
    return failure.line if failure is not None else None


def _migrate(settings: Settings) -> int:
    from bot.startup_checks import RetryPolicy, check_database
    from db.migrate import upgrade

    async def go() -> None:
        await check_database(settings.database_url, retry=RetryPolicy.from_settings(settings))
        await upgrade(settings.database_url)

    asyncio.run(go())
    print("Database is up to date.")
    return 0


def _consultants(settings: Settings, args: argparse.Namespace) -> int:
    from bot.consultants_cli import consultants_command

    return consultants_command(settings, args, sys.stdout)


def _backup(settings: Settings, path: Path) -> int:
    from bot.backup import run_backup

    return run_backup(settings, path)


def _restore(settings: Settings, path: Path) -> int:
    from bot.backup import run_restore

    return run_restore(settings, path)


def _sandbox(settings: Settings, role: str) -> int:
    # The terminal is the chat window: only warnings until run_sandbox moves logs to a file.
    logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
    from bot.sandbox.run import run_sandbox

    return asyncio.run(run_sandbox(settings, role=role))


def _run(settings: Settings, webhook: bool = False) -> int:
    try:
        settings.token  # noqa: B018  (validates before anything starts)
    except MissingTokenError:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 1
    if webhook or settings.webhook_url is not None:
        problem = webhook_settings_problem(settings)
        if problem is not None:
            print(problem, file=sys.stderr)
            return EXIT_SETTINGS
        return asyncio.run(_serve(settings, webhook=True))
    return asyncio.run(_serve(settings))


def webhook_settings_problem(settings: Settings) -> str | None:
    if settings.webhook_url is None:
        return "Invalid setting WEBHOOK_URL: webhook mode needs the https:// address of this bot"
    if settings.webhook_secret is None:
        return (
            "Invalid setting WEBHOOK_SECRET: webhook mode needs a secret "
            "(1–256 of A-Z, a-z, 0-9, _ and -) that proves the requests come from Telegram"
        )
    return None


async def _serve(settings: Settings, *, webhook: bool = False) -> int:
    from bot.app import Application, freeze_startup_heap
    from bot.startup_checks import RetryPolicy, check_database
    from bot.telegram_check import check_bot_api
    from bot.telegram_session import TOKEN_REJECTED, watch_token

    retry = RetryPolicy.from_settings(settings)
    await check_database(settings.database_url, retry=retry)
    await check_bot_api(settings, retry=retry)
    from bot.updates.polling import TokenRejected

    app = await Application.create(settings)
    # Registered after the application's own start-up hook: runs once everything is loaded.
    app.dispatcher.startup.register(freeze_startup_heap)
    guard = watch_token(app.bot, on_unauthorized=app.stop)
    # The guard saw the same 401 and says so below.
    with contextlib.suppress(TokenRejected):
        await (app.run_webhook() if webhook else app.run_polling())
    if guard.rejected:
        print(TOKEN_REJECTED, file=sys.stderr)
        return EXIT_ENVIRONMENT
    return 0
