"""Named locks shared by every process on one PostgreSQL database, held until the transaction
ends (advisory locks): for start-up steps that replicas starting together would otherwise run
at the same moment and collide on (migrations, the FAQ sync).

The two-key form keeps these apart from the per-person locks, which use one 64-bit key (the
user id; bot.updates.transaction). SQLite needs none: one process by rule.
"""

from __future__ import annotations

from enum import IntEnum

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

NAMESPACE = 0x4B4E  # "KN": Kenes


class StartupLock(IntEnum):
    MIGRATIONS = 1
    FAQ_SYNC = 2


async def hold_until_commit(target: AsyncConnection | AsyncSession, lock: StartupLock) -> None:
    """Wait for the lock, then keep it until `target`'s transaction commits or rolls back."""
    bind = target.get_bind() if isinstance(target, AsyncSession) else target
    if bind.dialect.name != "postgresql":
        return
    await target.execute(
        text("SELECT pg_advisory_xact_lock(:namespace, :lock)"),
        {"namespace": NAMESPACE, "lock": int(lock)},
    )
