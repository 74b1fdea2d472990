"""FAQ rows: the knowledge base as served, the anonymous search log and per-user answer votes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.faq import (
    SOURCE_ADMIN,
    FaqCategoryRecord,
    FaqEntryRecord,
    FaqFeedbackRecord,
    FaqSearchRecord,
)
from db.repositories.dialect import upsert


@dataclass(frozen=True, slots=True)
class StoredCategory:
    id: str
    position: int
    title: dict[str, str]
    source: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class StoredEntry:
    id: str
    category: str
    position: int
    data: dict[str, Any]
    source: str
    is_active: bool
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SearchLogRow:
    created_at: datetime
    query: str
    language: str
    best_entry_id: str | None
    score: float | None
    confident: bool
    result_count: int


@dataclass(frozen=True, slots=True)
class VoteRow:
    entry_id: str
    user_id: int
    language: str
    helpful: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class VoteCounts:
    helpful: int
    unhelpful: int


def _category(row: FaqCategoryRecord) -> StoredCategory:
    return StoredCategory(row.id, row.position, dict(row.title), row.source, row.is_active)


def _entry(row: FaqEntryRecord) -> StoredEntry:
    return StoredEntry(
        row.id,
        row.category,
        row.position,
        dict(row.data),
        row.source,
        row.is_active,
        row.updated_at,
    )


class FaqRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- knowledge base -------------------------------------------------------------------

    async def categories(self, *, active_only: bool = True) -> list[StoredCategory]:
        query = select(FaqCategoryRecord).order_by(FaqCategoryRecord.position, FaqCategoryRecord.id)
        if active_only:
            query = query.where(FaqCategoryRecord.is_active.is_(True))
        return [_category(row) for row in await self._session.scalars(query)]

    async def entries(self, *, active_only: bool = True) -> list[StoredEntry]:
        query = select(FaqEntryRecord).order_by(
            FaqEntryRecord.category, FaqEntryRecord.position, FaqEntryRecord.id
        )
        if active_only:
            query = query.where(FaqEntryRecord.is_active.is_(True))
        return [_entry(row) for row in await self._session.scalars(query)]

    async def put_category(self, category: StoredCategory, now: datetime, *, create: bool) -> None:
        """Insert (``create``) or overwrite one category row with exactly these values."""
        values = {
            "position": category.position,
            "title": category.title,
            "source": category.source,
            "is_active": category.is_active,
            "updated_at": now,
        }
        if create:
            self._session.add(FaqCategoryRecord(id=category.id, **values))
            await self._session.flush()
        else:
            await self._session.execute(
                update(FaqCategoryRecord).where(FaqCategoryRecord.id == category.id).values(values)
            )

    async def put_entry(self, entry: StoredEntry, now: datetime, *, create: bool) -> None:
        """Insert (``create``) or overwrite one entry row; ``entry.updated_at`` is ignored."""
        values = {
            "category": entry.category,
            "position": entry.position,
            "data": entry.data,
            "source": entry.source,
            "is_active": entry.is_active,
            "updated_at": now,
        }
        if create:
            self._session.add(FaqEntryRecord(id=entry.id, created_at=now, **values))
            await self._session.flush()
        else:
            await self._session.execute(
                update(FaqEntryRecord).where(FaqEntryRecord.id == entry.id).values(values)
            )

    async def save_admin_entry(
        self, entry_id: str, category: str, data: dict[str, Any], now: datetime
    ) -> None:
        """An admin's edit or new entry: marked ``admin`` so the YAML reload leaves it alone."""
        existing = await self._session.get(FaqEntryRecord, entry_id)
        if existing is None:
            position = await self._session.scalar(
                select(func.coalesce(func.max(FaqEntryRecord.position), -1) + 1).where(
                    FaqEntryRecord.category == category
                )
            )
            self._session.add(
                FaqEntryRecord(
                    id=entry_id,
                    category=category,
                    position=int(position or 0),
                    data=data,
                    source=SOURCE_ADMIN,
                    is_active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
        else:
            existing.category = category
            existing.data = data
            existing.source = SOURCE_ADMIN
            existing.is_active = True
            existing.updated_at = now
        await self._session.flush()

    # --- search log ----------------------------------------------------------------------

    async def log_search(
        self,
        *,
        query: str,
        language: str,
        best_entry_id: str | None,
        score: float | None,
        confident: bool,
        result_count: int,
        now: datetime,
        user_key: str | None = None,
    ) -> None:
        # A Core INSERT: one a search, and the ORM's unit of work costs more than the row.
        await self._session.execute(
            insert(FaqSearchRecord).values(
                created_at=now,
                query=query[:200],
                language=language[:2],
                best_entry_id=best_entry_id,
                score=score,
                confident=confident,
                result_count=result_count,
                user_key=user_key,
            )
        )

    async def last_query_for(self, user_key: str, entry_id: str, since: datetime) -> str | None:
        """The latest logged query of this person that led to `entry_id` (for a 👎 reason)."""
        return await self._session.scalar(
            select(FaqSearchRecord.query)
            .where(
                FaqSearchRecord.user_key == user_key,
                FaqSearchRecord.best_entry_id == entry_id,
                FaqSearchRecord.created_at >= since,
            )
            .order_by(FaqSearchRecord.id.desc())
            .limit(1)
        )

    async def delete_searches_of(self, user_key: str) -> int:
        result = await self._session.execute(
            delete(FaqSearchRecord).where(FaqSearchRecord.user_key == user_key)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def set_vote_reason(
        self, *, entry_id: str, user_id: int, reason: str, query: str | None, now: datetime
    ) -> bool:
        """Attach what was missing to the person's 👎; False if there is no such vote."""
        result = await self._session.execute(
            update(FaqFeedbackRecord)
            .where(
                FaqFeedbackRecord.entry_id == entry_id,
                FaqFeedbackRecord.user_id == user_id,
                FaqFeedbackRecord.helpful.is_(False),
            )
            .values(reason=reason[:500], query=query, updated_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def recent_searches(self, limit: int = 100) -> list[SearchLogRow]:
        rows = await self._session.scalars(
            select(FaqSearchRecord).order_by(FaqSearchRecord.id.desc()).limit(limit)
        )
        return [
            SearchLogRow(
                r.created_at,
                r.query,
                r.language,
                r.best_entry_id,
                r.score,
                r.confident,
                r.result_count,
            )
            for r in rows
        ]

    # --- feedback ------------------------------------------------------------------------

    async def record_vote(
        self, *, entry_id: str, user_id: int, language: str, helpful: bool, now: datetime
    ) -> bool | None:
        """Store the user's vote on an entry, replacing an earlier one; returns the earlier vote.

        An upsert, because two quick presses run as concurrent updates and a read-then-insert
        would let the second one fail on the primary key.
        """
        previous = await self._session.scalar(
            select(FaqFeedbackRecord.helpful).where(
                FaqFeedbackRecord.entry_id == entry_id, FaqFeedbackRecord.user_id == user_id
            )
        )
        statement = upsert(self._session, FaqFeedbackRecord).values(
            entry_id=entry_id,
            user_id=user_id,
            language=language,
            helpful=helpful,
            created_at=now,
            updated_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=[FaqFeedbackRecord.entry_id, FaqFeedbackRecord.user_id],
            set_={"language": language, "helpful": helpful, "updated_at": now},
        )
        await self._session.execute(statement)
        return previous

    async def votes_of(self, user_id: int) -> list[VoteRow]:
        rows = await self._session.scalars(
            select(FaqFeedbackRecord)
            .where(FaqFeedbackRecord.user_id == user_id)
            .order_by(FaqFeedbackRecord.entry_id)
        )
        return [
            VoteRow(r.entry_id, r.user_id, r.language, r.helpful, r.created_at, r.updated_at)
            for r in rows
        ]

    async def vote_counts(self, entry_ids: Iterable[str] | None = None) -> dict[str, VoteCounts]:
        helpful = func.sum(case((FaqFeedbackRecord.helpful.is_(True), 1), else_=0))
        query = select(FaqFeedbackRecord.entry_id, helpful, func.count()).group_by(
            FaqFeedbackRecord.entry_id
        )
        if entry_ids is not None:
            query = query.where(FaqFeedbackRecord.entry_id.in_(list(entry_ids)))
        result: dict[str, VoteCounts] = {}
        for entry_id, up, total in await self._session.execute(query):
            result[entry_id] = VoteCounts(int(up or 0), int(total) - int(up or 0))
        return result
