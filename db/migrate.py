"""Apply Alembic migrations from code (`python -m bot migrate` and start-up)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import create_engine
from db.locks import StartupLock, hold_until_commit

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # ConfigParser would treat % in a password as interpolation.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def _run(url: str, action: str, revision: str) -> None:
    engine = create_engine(url)
    config = alembic_config(url)

    def go(connection: Connection) -> None:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)

    try:
        async with engine.begin() as connection:
            # Two replicas starting on a new database: the second waits, then finds it at head.
            await hold_until_commit(connection, StartupLock.MIGRATIONS)
            await connection.run_sync(go)
    finally:
        await engine.dispose()


async def upgrade(url: str, revision: str = "head") -> None:
    await _run(url, "upgrade", revision)


async def downgrade(url: str, revision: str = "base") -> None:
    await _run(url, "downgrade", revision)


async def is_at_head(engine: AsyncEngine) -> bool:
    """Whether the database's schema is the newest this code knows."""
    script = ScriptDirectory(str(MIGRATIONS_DIR))

    def current(connection: Connection) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    async with engine.connect() as connection:
        heads = await connection.run_sync(current)
    return heads == set(script.get_heads())


def upgrade_sync(url: str, revision: str = "head") -> None:
    asyncio.run(upgrade(url, revision))
