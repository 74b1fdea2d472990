"""The content team's rows: the knowledge base's version, what the FAQ failed on, and drafts.

Drafts live in ``faq_drafts`` (the desk's "save as FAQ draft" writes them too); what an admin has
written for one, in both languages, is kept beside it in ``faq_draft_content``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.desk import FaqDraft
from db.models.faq import (
    FaqContentVersion,
    FaqDraftContent,
    FaqEntryRecord,
    FaqFeedbackRecord,
    FaqSearchRecord,
)
from db.repositories.dialect import insert_ignoring_conflicts

_VERSION_ROW = 1
DRAFT_OPEN = "draft"
DRAFT_PUBLISHED = "published"


@dataclass(frozen=True, slots=True)
class FailedSearch:
    """Searches with the same (masked) text and language that found no confident answer."""

    last_id: int
    query: str
    language: str
    count: int
    last_at: datetime


@dataclass(frozen=True, slots=True)
class DislikeReason:
    entry_id: str
    language: str
    reason: str
    query: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class DraftRow:
    id: int
    language: str
    question: str
    answer: str
    ticket_id: int | None
    created_at: datetime
    status: str
    entry_id: str | None
    # The editor's texts; None until an admin starts editing a desk draft.
    data: dict[str, Any] | None
    origin: str | None


class FaqContentRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- the version every process's index is compared with ---------------------------------

    async def version(self) -> int:
        value = await self._session.scalar(
            select(FaqContentVersion.version).where(FaqContentVersion.id == _VERSION_ROW)
        )
        return int(value or 0)

    async def bump_version(self, now: datetime) -> None:
        await self._session.execute(
            insert_ignoring_conflicts(self._session, FaqContentVersion).values(
                id=_VERSION_ROW, version=0, updated_at=now
            )
        )
        await self._session.execute(
            update(FaqContentVersion)
            .where(FaqContentVersion.id == _VERSION_ROW)
            .values(version=FaqContentVersion.version + 1, updated_at=now)
        )

    # --- what the FAQ failed on ---------------------------------------------------------

    async def failed_searches(self, since: datetime, limit: int) -> list[FailedSearch]:
        count = func.count().label("n")
        last_id = func.max(FaqSearchRecord.id)
        rows = await self._session.execute(
            select(
                last_id,
                FaqSearchRecord.query,
                FaqSearchRecord.language,
                count,
                func.max(FaqSearchRecord.created_at),
            )
            .where(FaqSearchRecord.created_at >= since, FaqSearchRecord.confident.is_(False))
            .group_by(FaqSearchRecord.query, FaqSearchRecord.language)
            .order_by(count.desc(), last_id.desc())
            .limit(limit)
        )
        return [FailedSearch(int(i), q, lang, int(n), at) for i, q, lang, n, at in rows]

    async def search(self, search_id: int) -> tuple[str, str] | None:
        """The (masked) query and language of one logged search."""
        row = (
            await self._session.execute(
                select(FaqSearchRecord.query, FaqSearchRecord.language).where(
                    FaqSearchRecord.id == search_id
                )
            )
        ).first()
        return (row[0], row[1]) if row is not None else None

    async def dislike_reasons(self, since: datetime, limit: int) -> list[DislikeReason]:
        rows = await self._session.execute(
            select(
                FaqFeedbackRecord.entry_id,
                FaqFeedbackRecord.language,
                FaqFeedbackRecord.reason,
                FaqFeedbackRecord.query,
                FaqFeedbackRecord.updated_at,
            )
            .where(
                FaqFeedbackRecord.helpful.is_(False),
                FaqFeedbackRecord.reason.is_not(None),
                FaqFeedbackRecord.updated_at >= since,
            )
            .order_by(FaqFeedbackRecord.updated_at.desc())
            .limit(limit)
        )
        return [DislikeReason(e, lang, r or "", q, at) for e, lang, r, q, at in rows]

    # --- drafts ------------------------------------------------------------------------

    def _drafts(self) -> Any:
        return select(FaqDraft, FaqDraftContent).outerjoin(
            FaqDraftContent, FaqDraftContent.draft_id == FaqDraft.id
        )

    @staticmethod
    def _row(draft: FaqDraft, content: FaqDraftContent | None) -> DraftRow:
        return DraftRow(
            id=draft.id,
            language=draft.language,
            question=draft.question,
            answer=draft.answer,
            ticket_id=draft.ticket_id,
            created_at=draft.created_at,
            status=draft.status,
            entry_id=draft.entry_id,
            data=dict(content.data) if content is not None else None,
            origin=content.origin if content is not None else None,
        )

    async def open_drafts(self, limit: int) -> list[DraftRow]:
        rows = await self._session.execute(
            self._drafts()
            .where(FaqDraft.status == DRAFT_OPEN)
            .order_by(FaqDraft.id.desc())
            .limit(limit)
        )
        return [self._row(d, c) for d, c in rows]

    async def draft(self, draft_id: int) -> DraftRow | None:
        row = (await self._session.execute(self._drafts().where(FaqDraft.id == draft_id))).first()
        return self._row(row[0], row[1]) if row is not None else None

    async def open_draft_of_entry(self, entry_id: str) -> DraftRow | None:
        row = (
            await self._session.execute(
                self._drafts()
                .where(FaqDraft.entry_id == entry_id, FaqDraft.status == DRAFT_OPEN)
                .order_by(FaqDraft.id.desc())
                .limit(1)
            )
        ).first()
        return self._row(row[0], row[1]) if row is not None else None

    async def add_draft(
        self,
        *,
        language: str,
        question: str,
        answer: str,
        entry_id: str | None,
        data: dict[str, Any],
        origin: str,
        by: int,
        now: datetime,
    ) -> int:
        draft = FaqDraft(
            language=language,
            question=question,
            answer=answer,
            created_by=by,
            created_at=now,
            status=DRAFT_OPEN,
            entry_id=entry_id,
        )
        self._session.add(draft)
        await self._session.flush()
        self._session.add(
            FaqDraftContent(
                draft_id=draft.id, data=data, origin=origin, updated_by=by, updated_at=now
            )
        )
        await self._session.flush()
        return draft.id

    async def save_content(
        self, draft_id: int, data: dict[str, Any], *, origin: str, by: int, now: datetime
    ) -> None:
        content = await self._session.get(FaqDraftContent, draft_id)
        if content is None:
            self._session.add(
                FaqDraftContent(
                    draft_id=draft_id, data=data, origin=origin, updated_by=by, updated_at=now
                )
            )
        else:
            content.data = data
            content.updated_by = by
            content.updated_at = now
        await self._session.flush()

    async def set_status(self, draft_id: int, status: str, entry_id: str | None) -> None:
        await self._session.execute(
            update(FaqDraft).where(FaqDraft.id == draft_id).values(status=status, entry_id=entry_id)
        )

    async def delete_draft(self, draft_id: int) -> bool:
        result = await self._session.execute(delete(FaqDraft).where(FaqDraft.id == draft_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def entry_id_taken(self, entry_id: str) -> bool:
        """Any row with this id, retired ones too (an admin entry must not overwrite them)."""
        found = await self._session.scalar(
            select(FaqEntryRecord.id).where(FaqEntryRecord.id == entry_id)
        )
        return found is not None
