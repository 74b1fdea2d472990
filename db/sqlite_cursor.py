"""SQLite statements in one trip to aiosqlite's thread instead of three or four.

SQLAlchemy's aiosqlite adapter creates an aiosqlite cursor, executes, fetches and closes it, each
an `await` on aiosqlite's worker thread: a queue hand-off, a wake-up of the event loop and the
update's coroutine stack resumed, three or four times per statement (about 28 round trips for
an FAQ question). `OneTripConnection` (installed by `db.engine` on each new connection) does
the same four steps in one function on that thread.

What SQLAlchemy reads afterwards comes from the closed sqlite3 cursor: ``description``,
``rowcount`` and ``lastrowid`` stay readable after ``close()``, which frees the statement. Rows
are fetched before it closes, as the adapter already did (it buffers every result). Server-side
cursors (``stream``/``yield_per``) keep SQLAlchemy's own class.
"""

from __future__ import annotations

import collections
import sqlite3
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
)
from sqlalchemy.util import EMPTY_DICT


class _Unexecuted:
    """What a cursor reports before its first statement, like a fresh sqlite3 cursor."""

    description = None
    rowcount = -1
    lastrowid = None
    arraysize = 1


_UNEXECUTED = _Unexecuted()


def _run(
    connection: sqlite3.Connection, operation: Any, parameters: Any, many: bool
) -> tuple[sqlite3.Cursor, list[Any]]:
    cursor = connection.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else []
    finally:
        cursor.close()
    return cursor, rows


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def __init__(self, adapt_connection: Any) -> None:
        # No aiosqlite cursor (a round trip of its own): the statement makes its sqlite3 one.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = _UNEXECUTED  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        return await self._run(operation, parameters, many=False)

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> Any:
        return await self._run(operation, seq_of_parameters, many=True)

    async def _run(self, operation: Any, parameters: Any, *, many: bool) -> Any:
        connection = self._connection
        async with self._adapt_connection._execute_mutex:
            cursor, rows = await connection._execute(
                _run, connection._conn, operation, parameters, many
            )
        self._cursor = cursor
        self._rows = collections.deque(rows)
        return cursor

    async def _async_soft_close(self) -> None:
        """The sqlite3 cursor was closed with its statement; its description stays readable."""

    def close(self) -> None:
        self._rows.clear()


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = OneTripCursor


def use_one_trip_cursors(dbapi_connection: Any) -> None:
    """For a new connection of the aiosqlite adapter (a ``connect`` event listener)."""
    if type(dbapi_connection) is AsyncAdapt_aiosqlite_connection:
        dbapi_connection.__class__ = OneTripConnection
