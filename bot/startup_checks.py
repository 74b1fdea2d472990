"""Start-up checks: the database answers (and, for SQLite, can be written), or one line says why.

`check_database` raises StartupError, whose text is one line naming the setting at fault (never a
password). A server that cannot be reached is retried with exponential backoff (1 s, 2 s, 4 s …
at most 60 s) for STARTUP_RETRY_SECONDS, one log line per failed attempt, so a bot under a
supervisor waits out a database that comes up late instead of crash-looping. The Bot API check
(`bot.telegram_check`) uses the same retry; this module does not import aiogram, so that
`python -m bot migrate` starts quickly.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import socket
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeVar

import sqlalchemy
from sqlalchemy import event, text
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from bot.config import Settings
from db.engine import create_engine, ensure_sqlite_folder, sqlite_pragmas

log = logging.getLogger(__name__)
T = TypeVar("T")

CONNECT_TIMEOUT: Final = 10.0  # seconds for one attempt to reach PostgreSQL or the Bot API
DEFAULT_POSTGRES_PORT: Final = 5432
# PostgreSQL SQLSTATE classes that describe the server or the account, not the bot's SQL.
_PG_UNAVAILABLE: Final = ("08", "53", "57P")  # connection, resources, shutting down/starting
_PG_LOGIN: Final = "28"  # wrong user or password, or pg_hba.conf
_PG_ACCESS: Final = ("3D", "42501", "25006")  # no such database, no privilege, read-only server


class StartupError(RuntimeError):
    """The environment is unusable; str() is one line naming what is wrong."""


@dataclass(frozen=True, slots=True)
class Failure:
    """What an exception means for the person starting the bot."""

    line: str
    transient: bool  # worth retrying: the server may come up


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff within a total budget; `sleep` and `clock` are replaceable in tests."""

    budget: float = 0.0  # seconds; 0 means one attempt
    first_delay: float = 1.0
    max_delay: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    clock: Callable[[], float] = time.monotonic

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        return cls(budget=settings.startup_retry_seconds)

    def delays(self) -> Iterator[float]:
        delay = self.first_delay
        while True:
            yield min(delay, self.max_delay)
            delay *= 2


async def retry_until_budget(
    attempt: Callable[[], Awaitable[T]],
    explain: Callable[[Exception], Failure | None],
    policy: RetryPolicy,
) -> T:
    """Run `attempt` until it succeeds, fails for good, or the budget is spent.

    Failures `explain` knows become StartupError; unknown ones (bugs) propagate unchanged.
    """
    started = policy.clock()
    delays = policy.delays()
    for number in itertools.count(1):
        try:
            return await attempt()
        except Exception as exc:
            failure = explain(exc)
            if failure is None:
                raise
            spent = policy.clock() - started
            if not failure.transient or spent >= policy.budget:
                if number == 1:
                    raise StartupError(failure.line) from exc
                raise StartupError(
                    f"{failure.line}; gave up after {number} attempts in {spent:.0f} s"
                ) from exc
            wait = min(next(delays), policy.budget - spent)
            log.warning("%s; attempt %d failed, retrying in %.0f s", failure.line, number, wait)
            await policy.sleep(wait)
    raise AssertionError("unreachable")


def first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def network_reason(error: OSError) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, socket.gaierror):
        return "unknown host name"
    if isinstance(error, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:.0f} s"
    return error.strerror or first_line(error)


# ----------------------------------------------------------------------------- reading errors


def _postgres_address(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or DEFAULT_POSTGRES_PORT}"


def _sqlite_path(url: URL) -> Path:
    return Path(url.database or "").resolve()


def _sqlite_failure(path: Path, error: BaseException) -> Failure | None:
    name = str(getattr(error, "sqlite_errorname", ""))
    folder = path.parent
    if name == "SQLITE_READONLY_DIRECTORY":
        line = (
            f"DATABASE_URL: the folder {folder} is not writable "
            f"(SQLite needs to create {path.name}-wal and {path.name}-shm there)"
        )
    elif name.startswith("SQLITE_READONLY"):
        line = f"DATABASE_URL: the SQLite database {path} is read-only"
    elif name.startswith("SQLITE_CANTOPEN") and not path.exists():
        line = f"DATABASE_URL: cannot create the SQLite database {path}: is {folder} writable?"
    elif name.startswith(("SQLITE_CANTOPEN", "SQLITE_PERM", "SQLITE_AUTH")):
        line = f"DATABASE_URL: cannot open the SQLite database {path}: check its permissions"
    elif name.startswith("SQLITE_NOTADB"):
        line = f"DATABASE_URL: {path} is not an SQLite database"
    elif name.startswith(("SQLITE_FULL", "SQLITE_IOERR")):
        line = f"DATABASE_URL: cannot write the SQLite database {path}: {first_line(error)}"
    elif name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        line = f"DATABASE_URL: the SQLite database {path} is locked by another process"
        return Failure(line, transient=True)
    else:
        return None
    return Failure(line, transient=False)


def _postgres_failure(url: URL, error: BaseException) -> Failure | None:
    state = str(getattr(error, "sqlstate", "") or "")
    address = _postgres_address(url)
    if state.startswith(_PG_UNAVAILABLE):
        return Failure(f"DATABASE_URL: PostgreSQL at {address}: {first_line(error)}", True)
    if state.startswith(_PG_LOGIN):
        line = f"DATABASE_URL: PostgreSQL at {address} refused user {url.username!r}"
        return Failure(f"{line}: {first_line(error)}", transient=False)
    if state.startswith(_PG_ACCESS):
        return Failure(f"DATABASE_URL: PostgreSQL at {address}: {first_line(error)}", False)
    return None


def describe_database_error(url: str, error: BaseException) -> Failure | None:
    """A one-line reading of an error about the database's server, file or account; None for an
    error in the bot's own SQL (a bug, which keeps its traceback)."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if isinstance(error, OSError) and not sqlite:  # connecting to the server failed
        line = f"DATABASE_URL: cannot reach PostgreSQL at {_postgres_address(parsed)}"
        return Failure(f"{line} ({network_reason(error)})", transient=True)
    if not isinstance(error, DBAPIError) or error.orig is None:
        return None
    if sqlite:
        return _sqlite_failure(_sqlite_path(parsed), error.orig)
    return _postgres_failure(parsed, error.orig)


# ----------------------------------------------------------------------------- the check


def _probe_sqlite(url: URL) -> None:
    """Connect with the bot's pragmas (WAL needs the folder writable), read, then write.

    Synchronous, run in a thread: aiosqlite leaves a worker thread behind when opening a file
    fails, which prints a traceback if the process exits right after.
    """
    engine = sqlalchemy.create_engine(
        url.set(drivername="sqlite"), poolclass=NullPool, hide_parameters=True
    )
    event.listen(engine, "connect", sqlite_pragmas)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            _write_probe(connection)
    finally:
        engine.dispose()


def _write_probe(connection: Connection) -> None:
    # A read-only file opens and reads fine: only a write shows it. Writing back the version the
    # file already has changes nothing, committed or not.
    version = connection.exec_driver_sql("PRAGMA user_version").scalar_one()
    connection.exec_driver_sql(f"PRAGMA user_version = {int(version)}")


async def _probe_postgres(url: str) -> None:
    connect_args: dict[str, Any] = {"timeout": CONNECT_TIMEOUT}
    engine = create_engine(url, poolclass=NullPool, connect_args=connect_args)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def _ensure_folder(url: str) -> None:
    try:
        ensure_sqlite_folder(url)
    except OSError as exc:
        folder = _sqlite_path(make_url(url)).parent
        in_the_way = isinstance(exc, FileExistsError | NotADirectoryError)
        reason = "a file is in the way" if in_the_way else exc.strerror or str(exc)
        raise StartupError(f"DATABASE_URL: cannot create the folder {folder} ({reason})") from exc


async def _probe(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        await asyncio.to_thread(_probe_sqlite, parsed)
    else:
        await _probe_postgres(url)


async def check_database(url: str, *, retry: RetryPolicy | None = None) -> None:
    """Connect, query and (SQLite) write; raise StartupError with one line if that fails."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _ensure_folder(url)
        if parsed.database in (None, "", ":memory:"):
            return
    await retry_until_budget(
        lambda: _probe(url), lambda exc: describe_database_error(url, exc), retry or RetryPolicy()
    )
