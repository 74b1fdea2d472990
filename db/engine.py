"""Engine and session factory for SQLite (WAL) and PostgreSQL from one URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.sqlite_cursor import use_one_trip_cursors


def ensure_sqlite_folder(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    ensure_sqlite_folder(url)
    # SQL parameters are what users typed (questions, names); they never go into logs or errors.
    kwargs.setdefault("hide_parameters", True)
    if make_url(url).get_backend_name() == "sqlite":
        # Every transaction takes SQLite's one write lock at BEGIN (begin_immediate), so a second
        # connection could only wait for it, in SQLite's busy handler that sleeps up to 100 ms
        # between tries while the lock may be free already, and gives up after busy_timeout with
        # "database is locked" (benchmarks/load.py's /start burst on a busy machine). One
        # connection, handed from update to update by the pool's queue, gives the same turns
        # without those sleeps or failures. Other processes (backup) still meet busy_timeout.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", begin_immediate)
    if engine.dialect.name == "postgresql":
        event.listen(engine.sync_engine, "before_cursor_execute", drop_nul_characters, retval=True)
    return engine


def drop_nul_characters(
    _connection: Any,
    _cursor: Any,
    statement: str,
    parameters: Any,
    _context: Any,
    executemany: bool,
) -> tuple[str, Any]:
    """PostgreSQL refuses U+0000 in text (SQLite stores it): a question typed with one failed its
    update as if the database were down (found by tests/fuzz). No app shows the character;
    it is dropped from the values written (a `before_cursor_execute` listener)."""
    if executemany:
        return statement, [_without_nul(row) for row in parameters]
    return statement, _without_nul(parameters)


def _without_nul(row: Any) -> Any:
    if isinstance(row, tuple | list):
        if not any(isinstance(v, str) and "\x00" in v for v in row):
            return row
        return type(row)(v.replace("\x00", "") if isinstance(v, str) else v for v in row)
    if isinstance(row, dict):
        if not any(isinstance(v, str) and "\x00" in v for v in row.values()):
            return row
        return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in row.items()}
    return row


def sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Set on every new SQLite connection (a `connect` event listener), which also executes each
    statement in one trip to aiosqlite's thread (db.sqlite_cursor)."""
    use_one_trip_cursors(dbapi_connection)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()
    # Transactions are begun by us (begin_immediate), not by the driver.
    dbapi_connection.isolation_level = None


def begin_immediate(connection: Any) -> None:
    """A SQLite transaction takes the write lock at BEGIN (a `begin` event listener).

    One that read first and writes later fails at once with "database is locked" when another
    connection committed in between (a WAL snapshot cannot be upgraded); taking the lock at BEGIN
    makes it wait its turn instead. Our transactions are short: none is held across a network call.
    """
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
