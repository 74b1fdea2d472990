"""The migration stairway: empty → head → base → head, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

import db.models  # noqa: F401
from db.base import Base
from db.engine import create_engine
from db.migrate import downgrade, upgrade


async def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return set(names) - {"alembic_version"}


async def test_upgrade_downgrade_upgrade(any_database_url: str) -> None:
    await upgrade(any_database_url)
    assert await table_names(any_database_url) == set(Base.metadata.tables)
    await downgrade(any_database_url)
    assert await table_names(any_database_url) == set()
    await upgrade(any_database_url)
    assert await table_names(any_database_url) == set(Base.metadata.tables)


async def test_sqlite_runs_in_wal_mode(migrated_database_url: str) -> None:
    engine = create_engine(migrated_database_url)
    try:
        async with engine.connect() as connection:
            mode = (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar()
    finally:
        await engine.dispose()
    assert mode == "wal"


async def test_models_match_migrations(any_database_url: str) -> None:
    """A model changed without a migration (or the reverse) shows up here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    await upgrade(any_database_url)
    engine = create_engine(any_database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
    finally:
        await engine.dispose()
    assert diff == []
