"""`python -m bot consultants`: a fresh deployment is staffed from the command line, no Telegram."""

from __future__ import annotations

import asyncio
from pathlib import Path

from db.engine import create_engine, create_sessionmaker
from db.repositories.desk import ConsultantRepository
from tests.test_settings_and_cli import run_cli


def consultant_ids(url: str) -> list[int]:
    async def read() -> list[int]:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                return [c.user_id for c in await ConsultantRepository(session).all()]
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_add_list_and_remove_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'kenes.db'}"
    env = {"DATABASE_URL": url}

    added = run_cli("consultants", "add", "5001", "--name", "Айгерім", env=env)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "5001 is now a consultant."
    assert "Traceback" not in added.stderr
    again = run_cli("consultants", "add", "5001", env=env)
    assert again.stdout.strip() == "5001 was a consultant already."
    assert run_cli("consultants", "add", "5002", env=env).returncode == 0

    listed = run_cli("consultants", "list", env=env)
    assert listed.returncode == 0
    assert sorted(listed.stdout.splitlines()) == [
        "5001\tАйгерім\ton duty\t0 open",
        "5002\t(name from Telegram)\ton duty\t0 open",
    ]
    assert sorted(consultant_ids(url)) == [5001, 5002]

    removed = run_cli("consultants", "remove", "5001", env=env)
    assert removed.returncode == 0
    assert "no longer a consultant; 0 open question(s)" in removed.stdout
    assert consultant_ids(url) == [5002]


def test_wrong_input_is_one_line(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'kenes.db'}"}
    unknown = run_cli("consultants", "remove", "777", env=env)
    assert (unknown.returncode, unknown.stderr.strip()) == (1, "777 is not a consultant.")
    negative = run_cli("consultants", "add", "--", "-5", env=env)
    assert negative.returncode == 2
    assert negative.stderr.strip().splitlines()[-1].startswith("ID must be a Telegram user id")
    assert "Traceback" not in negative.stderr
    not_a_number = run_cli("consultants", "add", "aigerim", env=env)
    assert not_a_number.returncode == 2
    assert "invalid int value: 'aigerim'" in not_a_number.stderr
