"""`python -m bot backup PATH` and `python -m bot restore PATH`.

SQLite: the backup copies the live database with SQLite's online backup API in one step, i.e.
inside one read transaction, so the copy is consistent while the bot keeps writing (WAL lets
readers and the writer go on side by side). The copy is a single self-contained file.

A restore replaces the database file in one rename, with the bot stopped: it refuses while any
process has the database open, keeps the previous file beside it, and removes the old WAL
files first (left in place, SQLite would replay them onto the restored database).

PostgreSQL is backed up with pg_dump and restored with pg_restore; the commands print the exact
command line for this database instead of doing it badly themselves.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sqlite3
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.config import Settings

WAL_SUFFIXES = ("-wal", "-shm", "-journal")


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message is one line saying why."""


def sqlite_database(url: str) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise BackupError("DATABASE_URL names an in-memory SQLite database: nothing to back up")
    return Path(parsed.database)


# ----------------------------------------------------------------------------- SQLite


@contextlib.contextmanager
def _connection(path: Path, *, timeout: float = 30.0) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def _copy(source: Path, target: Path) -> None:
    """A consistent, self-contained copy of ``source`` at ``target``, checked, or an error."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with _connection(source) as src, _connection(partial) as dst:
            src.backup(dst)  # pages=-1: the whole database in one step, one snapshot
            dst.execute("PRAGMA journal_mode=DELETE")  # no -wal file beside the copy
            verdict = dst.execute("PRAGMA quick_check").fetchone()[0]
        if verdict != "ok":
            raise BackupError(f"the copy of {source} failed its integrity check: {verdict}")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"cannot copy {source}: {exc}") from None
    finally:
        partial.unlink(missing_ok=True)


def backup_sqlite(database: Path, target: Path) -> None:
    if not database.is_file():
        raise BackupError(f"there is no database at {database} (DATABASE_URL)")
    if target.is_dir():
        raise BackupError(f"{target} is a folder; give a file name, e.g. {target / 'kenes.db'}")
    target.parent.mkdir(parents=True, exist_ok=True)
    _copy(database, target)


def _check_backup(backup: Path) -> None:
    if not backup.is_file():
        raise BackupError(f"there is no backup at {backup}")
    try:
        with _connection(backup) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            verdict = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupError(f"{backup} is not a SQLite database: {exc}") from None
    if "alembic_version" not in tables or "users" not in tables:
        raise BackupError(f"{backup} is not a Kenes database (no users or alembic_version table)")
    if verdict != "ok":
        raise BackupError(f"{backup} failed its integrity check: {verdict}")


def _ensure_unused(database: Path) -> None:
    """Refuse while any process has the database open (the bot holds its connections open)."""
    if not database.exists():
        return
    try:
        with _connection(database, timeout=0) as connection:
            # An exclusive lock is refused while another connection has the file open in WAL
            # mode, even an idle one; on close, SQLite folds its WAL into the file.
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            raise BackupError(
                f"{database} is in use: stop the bot (and anything else using it) first"
            ) from None
        # Unreadable (a damaged file is a reason to restore): nothing to protect but the file.
    except sqlite3.DatabaseError:
        pass


def _keep_previous(database: Path) -> Path | None:
    if not database.exists():
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = database.with_name(f"{database.name}.before-restore-{stamp}")
    try:
        os.link(database, kept)  # instant, and the rename below leaves it the old file
    except OSError:
        shutil.copy2(database, kept)
    return kept


def restore_sqlite(backup: Path, database: Path) -> Path | None:
    """Replace ``database`` with ``backup``; returns where the previous database was kept."""
    _check_backup(backup)
    _ensure_unused(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    incoming = database.with_name(database.name + ".restoring")
    _copy(backup, incoming)
    kept = _keep_previous(database)
    for suffix in WAL_SUFFIXES:
        database.with_name(database.name + suffix).unlink(missing_ok=True)
    os.replace(incoming, database)
    _sync_folder(database.parent)
    return kept


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (a no-op where folders cannot be opened, e.g. Windows)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ----------------------------------------------------------------------------- PostgreSQL


def _libpq_url(url: str) -> str:
    """The database URL as pg_dump takes it: no SQLAlchemy driver, no password (PGPASSWORD)."""
    parsed = make_url(url)
    plain = URL.create(
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    )
    return plain.render_as_string(hide_password=False)


def pg_dump_command(url: str, path: Path) -> str:
    return shlex.join(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={path}", _libpq_url(url)]
    )


def pg_restore_command(url: str, path: Path) -> str:
    return shlex.join(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            f"--dbname={_libpq_url(url)}",
            str(path),
        ]
    )


# ----------------------------------------------------------------------------- commands


def run_backup(settings: Settings, path: Path) -> int:
    try:
        database = sqlite_database(settings.database_url)
        if database is None:
            print(
                "PostgreSQL is backed up with pg_dump (password in PGPASSWORD): "
                + pg_dump_command(settings.database_url, path),
                file=sys.stderr,
            )
            return 2
        backup_sqlite(database, path)
    except BackupError as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up {database} to {path}")
    return 0


def run_restore(settings: Settings, path: Path) -> int:
    try:
        database = sqlite_database(settings.database_url)
        if database is None:
            print(
                "PostgreSQL is restored with pg_restore, the bot stopped (password in "
                "PGPASSWORD): " + pg_restore_command(settings.database_url, path),
                file=sys.stderr,
            )
            return 2
        print(f"Restoring {database} from {path}; the bot must be stopped.", file=sys.stderr)
        kept = restore_sqlite(path, database)
    except BackupError as exc:
        print(f"Restore failed: {exc}", file=sys.stderr)
        return 1
    previous = f"; the previous database is kept as {kept}" if kept else ""
    print(f"Restored {database} from {path}{previous}. Start the bot now.")
    return 0
