"""`python -m bot [run|migrate|backup|restore|sandbox|faq]`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import MissingTokenError, Settings, SettingsError, load_settings
from bot.logging_setup import configure_logging

NO_TOKEN_HELP = (
    "BOT_TOKEN is not set: create a bot with @BotFather in Telegram (/newbot) and put its token "
    "in .env as BOT_TOKEN=...\n"
    "To try Kenes without a token or internet, run: python -m bot sandbox"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Kenes NGO consultation bot")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot with long polling (default)")
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
    _add_feature_commands(commands)
    return parser


def _add_feature_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        from bot.services.faq.cli import add_faq_parser
    except ImportError:
        return
    add_faq_parser(commands)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "run"
    if hasattr(args, "func"):
        return int(args.func(args) or 0)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    configure_logging(settings)
    if command == "migrate":
        from db.migrate import upgrade

        asyncio.run(upgrade(settings.database_url))
        print("Database is up to date.")
        return 0
    if command in ("backup", "restore"):
        from bot.backup import run_backup, run_restore

        return (run_backup if command == "backup" else run_restore)(settings, args.path)
    if command == "sandbox":
        # The terminal is the chat window: only warnings until run_sandbox moves logs to a file.
        logging.getLogger().setLevel(max(logging.WARNING, logging.getLogger().level))
        from bot.sandbox.run import run_sandbox

        with contextlib.suppress(KeyboardInterrupt):
            return asyncio.run(run_sandbox(settings, role=args.role))
        return 0
    return _run(settings)


def _run(settings: Settings) -> int:
    try:
        settings.token  # noqa: B018  (validates before anything starts)
    except MissingTokenError:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return 1
    from bot.app import Application

    async def go() -> None:
        app = await Application.create(settings)
        await app.run_polling()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(go())
    return 0
