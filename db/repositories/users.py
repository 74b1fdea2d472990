from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class UserDTO:
    id: int
    language: str | None
    region: str | None
    role: str
    is_reachable: bool
    created_at: datetime


def _dto(row: User) -> UserDTO:
    return UserDTO(
        id=row.id,
        language=row.language,
        region=row.region,
        role=row.role,
        is_reachable=row.is_reachable,
        created_at=row.created_at,
    )


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> UserDTO | None:
        row = await self._session.get(User, user_id)
        return _dto(row) if row else None

    async def touch(
        self,
        user_id: int,
        now: datetime,
        *,
        seen_every: timedelta = timedelta(0),
        known_absent: bool = False,
    ) -> tuple[UserDTO, bool]:
        """Get the user, creating them on first contact; returns (user, created).

        `last_seen_at` is refreshed only when older than `seen_every`, so most updates read only.
        `known_absent`: this transaction just found no row (the read is skipped).
        """
        row = None if known_absent else await self._session.get(User, user_id)
        if row is None:
            # One statement (no savepoint around a plain INSERT): a conflict means another
            # process registered the same user a moment ago.
            values = {
                "id": user_id,
                "language": None,
                "region": None,
                "role": "user",
                "created_at": now,
                "last_seen_at": now,
                "is_reachable": True,
                "unreachable_reason": None,
            }
            result = await self._session.execute(
                insert_ignoring_conflicts(self._session, User).values(**values)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                return UserDTO(user_id, None, None, "user", True, now), True
            row = await self._session.get(User, user_id, populate_existing=True)
            if row is None:
                raise LookupError(f"user {user_id} neither inserted nor found")
        changed = False
        if now - row.last_seen_at >= seen_every:
            row.last_seen_at = now
            changed = True
        if not row.is_reachable:
            # Writing to us proves the chat works again.
            row.is_reachable = True
            row.unreachable_reason = None
            changed = True
        if changed:  # most updates: nothing to write, and no flush to pass through
            await self._session.flush()
        return _dto(row), False

    async def set_language(self, user_id: int, language: str) -> None:
        await self._session.execute(
            update(User).where(User.id == user_id).values(language=language)
        )

    async def set_region(self, user_id: int, region: str | None) -> None:
        await self._session.execute(update(User).where(User.id == user_id).values(region=region))

    async def set_role(self, user_id: int, role: str) -> None:
        await self._session.execute(update(User).where(User.id == user_id).values(role=role))

    async def mark_unreachable(self, user_id: int, reason: str) -> None:
        await self._session.execute(
            update(User)
            .where(User.id == user_id)
            .values(is_reachable=False, unreachable_reason=reason[:200])
        )

    async def mark_reachable(self, user_id: int) -> None:
        await self._session.execute(
            update(User)
            .where(User.id == user_id)
            .values(is_reachable=True, unreachable_reason=None)
        )

    async def delete(self, user_id: int) -> None:
        """Subscriptions, watches, reminders and ratings go with the user (ON DELETE CASCADE)."""
        await self._session.execute(delete(User).where(User.id == user_id))

    async def ids_with_role(self, roles: Iterable[str]) -> Sequence[int]:
        result = await self._session.scalars(select(User.id).where(User.role.in_(list(roles))))
        return result.all()

    async def count(self) -> int:
        return int(await self._session.scalar(select(func.count()).select_from(User)) or 0)
