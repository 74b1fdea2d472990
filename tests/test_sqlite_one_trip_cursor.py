"""SQLite statements run in one trip to aiosqlite's thread (db.sqlite_cursor), with the results,
row counts, inserted ids and errors SQLAlchemy's own cursor gives."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from db.engine import create_engine
from db.sqlite_cursor import OneTripConnection


def test_statements_results_counts_ids_and_errors(tmp_path: Path) -> None:
    async def scenario() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'one.db'}")
        try:
            async with engine.begin() as conn:
                raw = await conn.get_raw_connection()
                assert isinstance(raw.dbapi_connection, OneTripConnection)
                await conn.execute(
                    text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
                )
                inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
                assert inserted.lastrowid == 1
                assert inserted.rowcount == 1
                many = await conn.execute(
                    text("INSERT INTO t (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
                )
                assert many.rowcount == 2
                rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
                assert [tuple(r) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]
                result = await conn.execute(text("SELECT name FROM t WHERE id = :id"), {"id": 9})
                assert list(result.keys()) == ["name"]
                assert result.first() is None
                updated = await conn.execute(text("UPDATE t SET name = name || '!' WHERE id > 1"))
                assert updated.rowcount == 2
                streamed = await conn.stream(text("SELECT name FROM t ORDER BY id"))
                assert [r[0] async for r in streamed] == ["a", "b!", "c!"]
            async with engine.connect() as conn:
                with pytest.raises(IntegrityError):
                    await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
                await conn.rollback()
                with pytest.raises(OperationalError):
                    await conn.execute(text("SELECT nope FROM t"))
                await conn.rollback()
                assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 3
        finally:
            await engine.dispose()

    asyncio.run(scenario())
