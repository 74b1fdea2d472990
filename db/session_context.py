"""The database session of the update being handled, for code that aiogram calls without it.

aiogram's FSMContext calls the storage with no access to handler arguments. Writing FSM state
through a second connection would wait on SQLite's single writer lock held by the update's own
transaction (and commit separately from it), so the storage joins this session instead.
"""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy.ext.asyncio import AsyncSession

update_session: ContextVar[AsyncSession | None] = ContextVar("update_session", default=None)
