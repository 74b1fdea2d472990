"""The consultant desk's rows: questions, their messages, consultants, bans, snippets, drafts."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.desk import (
    Consultant,
    DeskBan,
    DeskPerson,
    FaqDraft,
    Snippet,
    Ticket,
    TicketMessage,
)
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts, upsert

OPEN_STATUSES = ("waiting", "in_progress", "answered")
OWNED_OPEN = ("in_progress", "answered")


@dataclass(frozen=True, slots=True)
class QueueSummary:
    waiting: int  # questions no consultant has taken
    oldest_submitted: datetime | None  # when the longest-waiting of them was asked


@dataclass(frozen=True, slots=True)
class TicketDTO:
    id: int
    user_id: int
    language: str
    person_name: str
    topic: str | None
    status: str
    owner_id: int | None
    thread_id: int | None
    origin_query: str | None
    faq_entry_id: str | None
    revision: int
    created_at: datetime
    submitted_at: datetime | None
    claimed_at: datetime | None
    first_response_at: datetime | None
    answered_at: datetime | None
    closed_at: datetime | None
    reopened_at: datetime | None
    last_person_message_at: datetime | None
    waiting_since: datetime | None
    escalated_unclaimed_at: datetime | None
    owner_reminded_at: datetime | None
    escalated_unanswered_at: datetime | None
    rating: int | None
    rating_comment: str | None


@dataclass(frozen=True, slots=True)
class MessageDTO:
    id: int
    ticket_id: int
    direction: str
    author_id: int
    chat_id: int
    message_id: int | None
    kind: str
    text: str | None
    media_group_id: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConsultantDTO:
    user_id: int
    display_name: str
    on_duty: bool
    current_ticket_id: int | None


@dataclass(frozen=True, slots=True)
class ConsultantLoad:
    consultant: ConsultantDTO
    open_tickets: int


@dataclass(frozen=True, slots=True)
class SnippetDTO:
    id: int
    name: str
    text_kk: str
    text_ru: str


@dataclass(frozen=True, slots=True)
class DraftDTO:
    id: int
    language: str
    question: str
    answer: str
    ticket_id: int | None
    created_by: int
    created_at: datetime
    status: str
    entry_id: str | None


@dataclass(frozen=True, slots=True)
class BanDTO:
    user_id: int
    reason: str
    banned_by: int
    banned_at: datetime


T = TypeVar("T")


def _dto(cls: type[T], row: object) -> T:
    return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})  # type: ignore[arg-type]


# Built once: it runs for each message of a person outside a dialog (the desk's follow-up
# filter), and building it cost about as much as running it.
_OPEN_OR_CLOSED_SINCE = (
    select(Ticket.id)
    .where(
        Ticket.user_id == bindparam("user_id"),
        or_(
            Ticket.status.in_(OPEN_STATUSES),
            and_(Ticket.status == "closed", Ticket.closed_at >= bindparam("since")),
        ),
    )
    .limit(1)
)


class TicketRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, ticket_id: int, *, for_update: bool = False) -> TicketDTO | None:
        row = await self._session.get(Ticket, ticket_id, with_for_update=for_update)
        return _dto(TicketDTO, row) if row is not None else None

    async def draft_of(self, user_id: int) -> TicketDTO | None:
        row = await self._session.scalar(
            select(Ticket).where(Ticket.user_id == user_id, Ticket.status == "draft").limit(1)
        )
        return _dto(TicketDTO, row) if row is not None else None

    async def create(self, values: Mapping[str, Any]) -> TicketDTO:
        row = Ticket(**values)
        self._session.add(row)
        await self._session.flush()
        return _dto(TicketDTO, row)

    async def update(self, ticket_id: int, values: Mapping[str, Any]) -> TicketDTO:
        row = await self._session.get(Ticket, ticket_id)
        if row is None:
            raise LookupError(ticket_id)
        for name, value in values.items():
            setattr(row, name, value)
        await self._session.flush()
        return _dto(TicketDTO, row)

    async def claim(self, ticket_id: int, consultant_id: int, now: datetime) -> bool:
        """Make `consultant_id` the owner if no one is: one statement, so of two consultants
        pressing at once exactly one wins."""
        result = await self._session.execute(
            update(Ticket)
            .where(
                Ticket.id == ticket_id,
                Ticket.owner_id.is_(None),
                Ticket.status.in_(("waiting", "in_progress", "answered")),
            )
            .values(
                owner_id=consultant_id,
                status="in_progress",
                claimed_at=now,
                revision=Ticket.revision + 1,
            )
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def delete(self, ticket_id: int) -> None:
        await self._session.execute(delete(Ticket).where(Ticket.id == ticket_id))

    async def by_thread(self, thread_id: int) -> TicketDTO | None:
        row = await self._session.scalar(select(Ticket).where(Ticket.thread_id == thread_id))
        return _dto(TicketDTO, row) if row is not None else None

    async def open_of(self, user_id: int) -> list[TicketDTO]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(Ticket.user_id == user_id, Ticket.status.in_(OPEN_STATUSES))
            .order_by(Ticket.id)
        )
        return [_dto(TicketDTO, row) for row in rows]

    async def of_user(self, user_id: int, limit: int = 20) -> list[TicketDTO]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(Ticket.user_id == user_id, Ticket.status != "draft")
            .order_by(Ticket.id.desc())
            .limit(limit)
        )
        return [_dto(TicketDTO, row) for row in rows]

    async def any_open_or_closed_since(self, user_id: int, since: datetime) -> bool:
        """One indexed look-up instead of the several that find which of them it is."""
        found = await self._session.scalar(
            _OPEN_OR_CLOSED_SINCE, {"user_id": user_id, "since": since}
        )
        return found is not None

    async def latest_closed_of(self, user_id: int, since: datetime) -> TicketDTO | None:
        row = await self._session.scalar(
            select(Ticket)
            .where(Ticket.user_id == user_id, Ticket.status == "closed", Ticket.closed_at >= since)
            .order_by(Ticket.closed_at.desc())
            .limit(1)
        )
        return _dto(TicketDTO, row) if row is not None else None

    async def waiting(self, limit: int = 50) -> list[TicketDTO]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(Ticket.status == "waiting")
            .order_by(Ticket.submitted_at, Ticket.id)
            .limit(limit)
        )
        return [_dto(TicketDTO, row) for row in rows]

    async def queue_summary(self) -> QueueSummary:
        result = await self._session.execute(
            select(func.count(), func.min(Ticket.submitted_at)).where(Ticket.status == "waiting")
        )
        waiting, oldest = result.one()
        return QueueSummary(waiting=int(waiting), oldest_submitted=oldest)

    async def waiting_count_until(self, ticket_id: int) -> int:
        """The place of `ticket_id` in the queue (1 = next), counting older waiting questions."""
        submitted = select(Ticket.submitted_at).where(Ticket.id == ticket_id).scalar_subquery()
        count = await self._session.scalar(
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.status == "waiting", Ticket.submitted_at <= submitted)
        )
        return int(count or 0)

    async def owned_open(self, owner_id: int) -> list[TicketDTO]:
        rows = await self._session.scalars(
            select(Ticket)
            .where(Ticket.owner_id == owner_id, Ticket.status.in_(OWNED_OPEN))
            .order_by(Ticket.id)
        )
        return [_dto(TicketDTO, row) for row in rows]

    async def waiting_for_desk(self) -> list[TicketDTO]:
        """Questions whose person waits for the desk: the service-level job's candidates."""
        rows = await self._session.scalars(
            select(Ticket)
            .where(Ticket.status.in_(("waiting", "in_progress")), Ticket.waiting_since.is_not(None))
            .order_by(Ticket.waiting_since)
        )
        return [_dto(TicketDTO, row) for row in rows]


class MessageRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: Mapping[str, Any]) -> int | None:
        """The new row's id; None when this very message was stored before (a redelivery)."""
        result = await self._session.execute(
            insert_ignoring_conflicts(self._session, TicketMessage)
            .values(**values)
            .returning(TicketMessage.id)
        )
        return result.scalar_one_or_none()

    async def of_ticket(self, ticket_id: int) -> list[MessageDTO]:
        rows = await self._session.scalars(
            select(TicketMessage)
            .where(TicketMessage.ticket_id == ticket_id)
            .order_by(TicketMessage.id)
        )
        return [_dto(MessageDTO, row) for row in rows]

    async def find(self, chat_id: int, message_id: int) -> MessageDTO | None:
        row = await self._session.scalar(
            select(TicketMessage).where(
                TicketMessage.chat_id == chat_id, TicketMessage.message_id == message_id
            )
        )
        return _dto(MessageDTO, row) if row is not None else None

    async def set_text(self, message_row_id: int, text: str | None) -> None:
        """A message edited after it was stored: its new text or caption."""
        await self._session.execute(
            update(TicketMessage).where(TicketMessage.id == message_row_id).values(text=text)
        )

    async def count_in_since(self, user_id: int, since: datetime) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(TicketMessage)
            .where(
                TicketMessage.author_id == user_id,
                TicketMessage.direction == "in",
                TicketMessage.created_at >= since,
            )
        )
        return int(count or 0)


class ConsultantRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> ConsultantDTO | None:
        row = await self._session.get(Consultant, user_id)
        return _dto(ConsultantDTO, row) if row is not None else None

    async def add(self, user_id: int, display_name: str, now: datetime, by: int | None) -> bool:
        """False if they were a consultant already (their name is then updated)."""
        existing = await self._session.get(Consultant, user_id)
        if existing is not None:
            existing.display_name = display_name
            await self._session.flush()
            return False
        self._session.add(
            Consultant(
                user_id=user_id, display_name=display_name, on_duty=True, added_at=now, added_by=by
            )
        )
        await self._session.execute(
            update(User).where(User.id == user_id).values(role="consultant")
        )
        await self._session.flush()
        return True

    async def remove(self, user_id: int) -> bool:
        result = await self._session.execute(
            delete(Consultant).where(Consultant.user_id == user_id)
        )
        await self._session.execute(
            update(User).where(User.id == user_id, User.role == "consultant").values(role="user")
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def all(self) -> list[ConsultantDTO]:
        rows = await self._session.scalars(select(Consultant).order_by(Consultant.display_name))
        return [_dto(ConsultantDTO, row) for row in rows]

    async def set(self, user_id: int, **values: Any) -> None:
        await self._session.execute(
            update(Consultant).where(Consultant.user_id == user_id).values(**values)
        )

    async def loads(self) -> list[ConsultantLoad]:
        """Every consultant with the number of open questions they own."""
        open_count = (
            select(func.count())
            .select_from(Ticket)
            .where(Ticket.owner_id == Consultant.user_id, Ticket.status.in_(OWNED_OPEN))
            .scalar_subquery()
        )
        rows = (
            await self._session.execute(
                select(Consultant, open_count).order_by(Consultant.display_name)
            )
        ).all()
        return [ConsultantLoad(_dto(ConsultantDTO, c), int(n or 0)) for c, n in rows]

    async def last_claims(self) -> dict[int, float]:
        """When each consultant last got a question (a timestamp), for round robin."""
        rows = (
            await self._session.execute(
                select(Ticket.owner_id, func.max(Ticket.claimed_at))
                .where(Ticket.owner_id.is_not(None))
                .group_by(Ticket.owner_id)
            )
        ).all()
        return {
            int(owner): moment.timestamp()
            for owner, moment in rows
            if owner is not None and moment is not None
        }


class BanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int) -> BanDTO | None:
        row = await self._session.get(DeskBan, user_id)
        return _dto(BanDTO, row) if row is not None else None

    async def ban(self, user_id: int, reason: str, by: int, now: datetime) -> None:
        statement = upsert(self._session, DeskBan).values(
            user_id=user_id, reason=reason, banned_by=by, banned_at=now
        )
        await self._session.execute(
            statement.on_conflict_do_update(
                index_elements=[DeskBan.user_id],
                set_={"reason": reason, "banned_by": by, "banned_at": now},
            )
        )

    async def lift(self, user_id: int) -> bool:
        result = await self._session.execute(delete(DeskBan).where(DeskBan.user_id == user_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def all(self) -> list[BanDTO]:
        rows = await self._session.scalars(select(DeskBan).order_by(DeskBan.banned_at))
        return [_dto(BanDTO, row) for row in rows]


class SnippetRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[SnippetDTO]:
        rows = await self._session.scalars(select(Snippet).order_by(Snippet.name))
        return [_dto(SnippetDTO, row) for row in rows]

    async def get(self, snippet_id: int) -> SnippetDTO | None:
        row = await self._session.get(Snippet, snippet_id)
        return _dto(SnippetDTO, row) if row is not None else None

    async def by_name(self, name: str) -> SnippetDTO | None:
        row = await self._session.scalar(select(Snippet).where(Snippet.name == name))
        return _dto(SnippetDTO, row) if row is not None else None

    async def save(
        self, name: str, text_kk: str, text_ru: str, by: int, now: datetime
    ) -> SnippetDTO:
        row = await self._session.scalar(select(Snippet).where(Snippet.name == name))
        if row is None:
            row = Snippet(name=name, created_by=by, created_at=now, text_kk="", text_ru="")
            self._session.add(row)
        row.text_kk, row.text_ru = text_kk, text_ru
        await self._session.flush()
        return _dto(SnippetDTO, row)

    async def remove(self, snippet_id: int) -> bool:
        result = await self._session.execute(delete(Snippet).where(Snippet.id == snippet_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]


class DraftRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, values: Mapping[str, Any]) -> DraftDTO:
        row = FaqDraft(**values)
        self._session.add(row)
        await self._session.flush()
        return _dto(DraftDTO, row)

    async def get(self, draft_id: int) -> DraftDTO | None:
        row = await self._session.get(FaqDraft, draft_id)
        return _dto(DraftDTO, row) if row is not None else None

    async def list(self, status: str = "draft", limit: int = 50) -> list[DraftDTO]:
        rows = await self._session.scalars(
            select(FaqDraft).where(FaqDraft.status == status).order_by(FaqDraft.id).limit(limit)
        )
        return [_dto(DraftDTO, row) for row in rows]

    async def set_status(self, draft_id: int, status: str, entry_id: str | None = None) -> None:
        await self._session.execute(
            update(FaqDraft).where(FaqDraft.id == draft_id).values(status=status, entry_id=entry_id)
        )


class PersonRepository:
    """What the desk remembers per person (a missing row means: nothing yet)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def current_ticket(self, user_id: int) -> int | None:
        return await self._session.scalar(
            select(DeskPerson.current_ticket_id).where(DeskPerson.user_id == user_id)
        )

    async def set_current_ticket(self, user_id: int, ticket_id: int | None) -> None:
        await self._upsert(user_id, current_ticket_id=ticket_id)

    async def note_off_hours(self, user_id: int, day: date) -> bool:
        """Record that the out-of-hours note went out on `day`; False if it already had."""
        noted = await self._session.scalar(
            select(DeskPerson.off_hours_noted_on).where(DeskPerson.user_id == user_id)
        )
        if noted == day:
            return False
        await self._upsert(user_id, off_hours_noted_on=day)
        return True

    async def _upsert(self, user_id: int, **values: Any) -> None:
        statement = upsert(self._session, DeskPerson).values(user_id=user_id, **values)
        await self._session.execute(
            statement.on_conflict_do_update(index_elements=[DeskPerson.user_id], set_=values)
        )
