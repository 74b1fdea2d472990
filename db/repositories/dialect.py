"""SQL that differs between SQLite and PostgreSQL, written once."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.dml import Insert


def upsert(session: AsyncSession, model: type[Any]) -> Any:
    """INSERT for `ON CONFLICT …` clauses (the dialect's own insert construct)."""
    module = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model)


def insert_ignoring_conflicts(session: AsyncSession, model: type[Any]) -> Insert:
    """INSERT … ON CONFLICT DO NOTHING on both SQLite and PostgreSQL."""
    return upsert(session, model).on_conflict_do_nothing()  # type: ignore[no-any-return]
