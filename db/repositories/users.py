from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.users import User


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
        self, user_id: int, now: datetime, *, seen_every: timedelta = timedelta(0)
    ) -> tuple[UserDTO, bool]:
        """Get the user, creating them on first contact; returns (user, created).

        `last_seen_at` is refreshed only when older than `seen_every`, so most updates read only.
        """
        row = await self._session.get(User, user_id)
        if row is None:
            try:
                async with self._session.begin_nested():
                    row = User(id=user_id, created_at=now, last_seen_at=now, role="user")
                    self._session.add(row)
                return _dto(row), True
            except IntegrityError:
                # Another process registered the same user a moment ago.
                row = await self._session.get(User, user_id, populate_existing=True)
                if row is None:
                    raise
        if now - row.last_seen_at >= seen_every:
            row.last_seen_at = now
        if not row.is_reachable:
            # Writing to us proves the chat works again.
            row.is_reachable = True
            row.unreachable_reason = None
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
