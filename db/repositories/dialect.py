"""SQL that differs between SQLite and PostgreSQL, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import Insert


def upsert(session: AsyncSession, model: type[Any]) -> Any:
    """INSERT for `ON CONFLICT …` clauses (the dialect's own insert construct)."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def insert_ignoring_conflicts(session: AsyncSession, model: type[Any]) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""
    return upsert(session, model).on_conflict_do_nothing()  # type: ignore[no-any-return]


def writes_in_parallel(sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    """Whether transactions that write can run side by side: PostgreSQL's do; SQLite takes its
    one write lock at BEGIN (db.engine), so a second would only wait for the first."""
    bind = sessionmaker.kw.get("bind")
    return bind is not None and bind.dialect.name == "postgresql"
