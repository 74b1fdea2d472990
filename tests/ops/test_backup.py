"""Backups: a copy taken while the bot runs, a wiped database, a restore, and the bot sees the
same people and events; a restore refuses while the bot has the database open."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.backup import pg_dump_command, run_backup, run_restore, sqlite_database
from bot.config import Settings
from bot.sandbox.client import SimUser
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.testing import FakeClock, eventually
from db.models.users import User
from tests.conftest import ADMIN_ID
from tests.events.conftest import draft, local

KEPT, ALSO_KEPT, LATE = 62001, 62002, 62003


async def onboard(telegram: FakeTelegramServer, user_id: int, region: str) -> SimUser:
    user = telegram.user(user_id, "Жанар", language_code="ru")
    await user.send("/start")
    await user.wait_for(lambda m: m.has_buttons)
    await user.press("Русский")
    await user.wait_text("В каком регионе")
    await user.press(region)
    await user.wait_text("Главное меню")
    return user


def wipe(database: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)


def kept_copies(database: Path) -> list[Path]:
    return sorted(database.parent.glob(f"{database.name}.before-restore-*"))


async def users_in(running: RunningBot) -> dict[int, str | None]:
    async with running.app.sessionmaker() as session:
        rows = await session.execute(select(User.id, User.region).where(User.id >= KEPT))
    return {user_id: region for user_id, region in rows.all()}


async def test_backup_wipe_restore_and_the_bot_sees_the_same_users_and_events(
    settings: Settings,
    telegram: FakeTelegramServer,
    fake_clock: FakeClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    database = sqlite_database(settings.database_url)
    assert database is not None
    backup = tmp_path / "backups" / "kenes-backup.db"
    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        await onboard(telegram, KEPT, "Астана")
        await onboard(telegram, ALSO_KEPT, "Абайская область")
        async with running.app.sessionmaker() as session, session.begin():
            await running.app.services.for_session(session).events.create(
                draft(local(2026, 3, 15, 14, 0), title_ru="Форум НКО в Астане"),
                actor_id=ADMIN_ID,
            )

        async def both_stored() -> bool:
            return await users_in(running) == {KEPT: "astana", ALSO_KEPT: "abai"}

        await eventually(both_stored, what="both users stored")
        # Taken while the bot runs (in a thread, as the command runs in its own process).
        assert await asyncio.to_thread(run_backup, settings, backup) == 0
        assert await asyncio.to_thread(run_restore, settings, backup) == 1
        assert "is in use: stop the bot" in capsys.readouterr().err
        await onboard(telegram, LATE, "Астана")  # after the backup: gone after the restore
    finally:
        await running.stop()

    wipe(database)
    assert run_restore(settings, backup) == 0
    assert f"Restored {database} from {backup}" in capsys.readouterr().out

    running = await RunningBot.start(settings, telegram, clock=fake_clock)
    try:
        assert await users_in(running) == {KEPT: "astana", ALSO_KEPT: "abai"}
        user = telegram.user(KEPT)
        user.mark_read()
        await user.send("/start")
        assert "Главное меню" in (await user.next_message()).text  # known: no language prompt
        await user.send("/events")
        listing = await user.wait_text("Форум НКО в Астане")
        assert "Форум НКО в Астане" in listing.text
        late = telegram.user(LATE)
        late.mark_read()
        await late.send("/start")
        assert "Выберите язык" in (await late.next_message()).text  # unknown again
    finally:
        await running.stop()


def test_restore_keeps_the_previous_database_and_rejects_a_non_backup(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = sqlite_database(settings.database_url)
    assert database is not None
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    assert run_restore(settings, not_a_backup) == 1
    assert "is not a SQLite database" in capsys.readouterr().err
    assert run_restore(settings, tmp_path / "missing.db") == 1
    assert "there is no backup at" in capsys.readouterr().err
    assert run_backup(settings, tmp_path / "copy.db") == 1  # no database yet
    assert "there is no database at" in capsys.readouterr().err


async def test_restore_over_an_existing_database_keeps_it_aside(
    migrated_database_url: str, settings: Settings, tmp_path: Path
) -> None:
    database = sqlite_database(migrated_database_url)
    assert database is not None
    backup = tmp_path / "backup.db"
    assert run_backup(settings, backup) == 0
    assert run_restore(settings, backup) == 0
    [kept] = kept_copies(database)
    assert kept.read_bytes()[:16] == b"SQLite format 3\x00"


def test_postgresql_backup_prints_the_pg_dump_command(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    url = "postgresql+asyncpg://kenes:secret@db:5432/kenes"
    postgres = settings.model_copy(update={"database_url": url})
    assert run_backup(postgres, Path("/backups/kenes.dump")) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.endswith(
        "pg_dump --format=custom --no-owner --file=/backups/kenes.dump "
        "postgresql://kenes@db:5432/kenes"
    )
    assert "secret" not in line
    assert pg_dump_command(url, Path("a b.dump")).count("'--file=a b.dump'") == 1
    assert run_restore(postgres, Path("/backups/kenes.dump")) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert "pg_restore --clean --if-exists --no-owner" in line and "secret" not in line
