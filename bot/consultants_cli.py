"""`python -m bot consultants add ID [--name NAME] | remove ID | list`: staff a deployment
before anyone opens the bot. Applies migrations first, like `run`; needs no Telegram."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from typing import Any, TextIO

from bot.clock import SystemClock
from bot.config import Settings
from db.repositories.desk import ConsultantLoad


def add_consultants_parser(subparsers: argparse._SubParsersAction[Any]) -> None:
    consultants = subparsers.add_parser(
        "consultants",
        help="add, remove or list the desk's consultants (no connection to Telegram needed)",
    )
    commands = consultants.add_subparsers(dest="consultants_command", required=True)
    add = commands.add_parser("add", help="make a Telegram user a consultant")
    add.add_argument("user_id", type=int, metavar="ID", help="their Telegram user id (a number)")
    add.add_argument(
        "--name", help="the name colleagues and people see (default: their Telegram first name)"
    )
    remove = commands.add_parser(
        "remove", help="end a consultant's access; their open questions go back to the queue"
    )
    remove.add_argument("user_id", type=int, metavar="ID")
    commands.add_parser("list", help="print id, name, duty and open questions of each")


async def run_consultants(
    settings: Settings, args: argparse.Namespace, out: TextIO, err: TextIO = sys.stderr
) -> int:
    # The command's own lines are its output; alembic's start-up and migration log would bury
    # them (it logs as soon as it is imported).
    logging.getLogger("alembic").setLevel(logging.WARNING)
    from bot.app import desk_context
    from bot.services.desk.consultants import ConsultantAdmin
    from bot.services.desk.model import DeskError
    from bot.startup_checks import RetryPolicy, check_database
    from db.engine import create_engine, create_sessionmaker
    from db.migrate import upgrade

    await check_database(settings.database_url, retry=RetryPolicy.from_settings(settings))
    await upgrade(settings.database_url)
    engine = create_engine(settings.database_url)
    try:
        context = desk_context(settings, SystemClock())
        async with create_sessionmaker(engine)() as session, session.begin():
            admin = ConsultantAdmin(session, context)
            command = args.consultants_command
            if command == "add":
                try:
                    added = await admin.add(args.user_id, args.name, by=None)
                except DeskError:
                    print(
                        f"ID must be a Telegram user id (a positive number), not {args.user_id}",
                        file=err,
                    )
                    return 2
                verb = "is now a consultant" if added else "was a consultant already"
                print(f"{args.user_id} {verb}.", file=out)
            elif command == "remove":
                returned = await admin.remove(args.user_id)
                if returned is None:
                    print(f"{args.user_id} is not a consultant.", file=err)
                    return 1
                print(
                    f"{args.user_id} is no longer a consultant; "
                    f"{returned} open question(s) went back to the queue.",
                    file=out,
                )
            else:
                holdings = await admin.holdings()
                if not holdings:
                    print("No consultants yet: python -m bot consultants add ID", file=out)
                for holding in holdings:
                    print(_row(holding.load), file=out)
    finally:
        await engine.dispose()
    return 0


def _row(load: ConsultantLoad) -> str:
    consultant = load.consultant
    duty = "on duty" if consultant.on_duty else "off duty"
    name = consultant.display_name or "(name from Telegram)"
    return f"{consultant.user_id}\t{name}\t{duty}\t{load.open_tickets} open"


def consultants_command(settings: Settings, args: argparse.Namespace, out: TextIO) -> int:
    return asyncio.run(run_consultants(settings, args, out))
