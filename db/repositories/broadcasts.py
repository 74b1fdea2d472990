"""Broadcasts: the rows that describe them, who is in an audience, and their copies in the
outbox, queued set-based (one INSERT … SELECT however many recipients)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    JSON,
    ColumnElement,
    Integer,
    Select,
    SmallInteger,
    String,
    Table,
    Text,
    case,
    false,
    func,
    literal,
    null,
    select,
    update,
)
from sqlalchemy import cast as cast_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import UtcDateTime
from db.models.broadcasts import Broadcast
from db.models.broadcasts import BroadcastStatus as BroadcastStatus  # for handlers
from db.models.desk import Ticket
from db.models.events import EventSubscription
from db.models.outbox import OutboxKind, OutboxMessage, OutboxState
from db.models.users import User

# Pending rows of a paused broadcast wait until resumed: their not_before is pushed out of reach.
HELD_UNTIL = datetime(3000, 1, 1, tzinfo=UTC)
CONSULTANT_ROLE = "consultant"
ACTIVE = (BroadcastStatus.SENDING, BroadcastStatus.PAUSED)


@dataclass(frozen=True, slots=True)
class AudienceFilter:
    """Who gets a broadcast: every given filter must hold (within one, any value will do).
    Nothing given: everyone. ``only_user``: the test audience (one admin)."""

    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    asked_days: int | None = None
    consultants: bool = False
    only_user: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "languages": list(self.languages),
            "regions": list(self.regions),
            "categories": list(self.categories),
            "asked_days": self.asked_days,
            "consultants": self.consultants,
            "only_user": self.only_user,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AudienceFilter:
        data = data or {}
        return cls(
            languages=tuple(data.get("languages") or ()),
            regions=tuple(data.get("regions") or ()),
            categories=tuple(data.get("categories") or ()),
            asked_days=data.get("asked_days"),
            consultants=bool(data.get("consultants")),
            only_user=data.get("only_user"),
        )


@dataclass(frozen=True, slots=True)
class Version:
    """One language's version of a broadcast."""

    kind: str  # text, photo, video, document
    text: str | None  # HTML text or caption
    file_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "file_id": self.file_id}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Version:
        return cls(kind=data["kind"], text=data.get("text"), file_id=data.get("file_id"))


@dataclass(frozen=True, slots=True)
class BroadcastDTO:
    id: int
    status: str
    created_by: int
    sent_by: int | None
    versions: dict[str, Version]
    default_language: str
    buttons: list[list[dict[str, str]]]
    audience: AudienceFilter
    scheduled_at: datetime | None
    hold_quiet: bool
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    queued: int
    status_chat_id: int | None
    status_seq: int
    followup: str | None
    followup_seq: int
    followup_done: bool


@dataclass(frozen=True, slots=True)
class RowCounts:
    by_state: dict[str, int] = field(default_factory=dict)
    first_sent: datetime | None = None
    last_sent: datetime | None = None

    def of(self, state: str) -> int:
        return self.by_state.get(state, 0)


def _dto(row: Broadcast) -> BroadcastDTO:
    return BroadcastDTO(
        id=row.id,
        status=row.status,
        created_by=row.created_by,
        sent_by=row.sent_by,
        versions={lang: Version.from_json(v) for lang, v in (row.contents or {}).items()},
        default_language=row.default_language,
        buttons=list(row.buttons or []),
        audience=AudienceFilter.from_json(row.audience),
        scheduled_at=row.scheduled_at,
        hold_quiet=row.hold_quiet,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        queued=row.queued,
        status_chat_id=row.status_chat_id,
        status_seq=row.status_seq,
        followup=row.followup,
        followup_seq=row.followup_seq,
        followup_done=row.followup_done,
    )


def group_key(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}"


def copy_key_prefix(broadcast_id: int) -> str:
    return f"broadcast:{broadcast_id}:"


def _markup(buttons: Sequence[Sequence[Mapping[str, str]]]) -> dict[str, Any] | None:
    if not buttons:
        return None
    return {"inline_keyboard": [[dict(b) for b in row] for row in buttons]}


def _by_language(
    values: Mapping[str, Any], default: str, language: Any, type_: Any
) -> ColumnElement[Any]:
    """A CASE on the user's language: each language's value, the default's for the others."""

    def lit(value: Any) -> ColumnElement[Any]:
        return literal(value, type_) if value is not None else null()

    expression = lit(values[default])
    for lang, value in values.items():
        if lang != default and value != values[default]:
            expression = case((language == lang, lit(value)), else_=expression)
    return expression


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- the broadcast row ---------------------------------------------------------------------

    async def create(
        self,
        *,
        created_by: int,
        versions: Mapping[str, Version],
        default_language: str,
        buttons: Sequence[Sequence[Mapping[str, str]]],
        audience: AudienceFilter,
        now: datetime,
        hold_quiet: bool = False,
    ) -> BroadcastDTO:
        row = Broadcast(
            hold_quiet=hold_quiet,
            status=BroadcastStatus.DRAFT,
            created_by=created_by,
            contents={lang: v.as_json() for lang, v in versions.items()},
            default_language=default_language,
            buttons=[[dict(b) for b in r] for r in buttons] or None,
            audience=audience.as_json(),
            created_at=now,
            updated_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _dto(row)

    async def get(self, broadcast_id: int, *, lock: bool = False) -> BroadcastDTO | None:
        statement = select(Broadcast).where(Broadcast.id == broadcast_id)
        if lock:
            statement = statement.with_for_update()
        row = await self._session.scalar(statement)
        return _dto(row) if row is not None else None

    async def update(self, broadcast_id: int, now: datetime, **values: Any) -> None:
        if "versions" in values:
            values["contents"] = {k: v.as_json() for k, v in values.pop("versions").items()}
        if "audience" in values:
            values["audience"] = values["audience"].as_json()
        if "buttons" in values:
            values["buttons"] = [[dict(b) for b in r] for r in values["buttons"]] or None
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(updated_at=now, **values)
            .execution_options(synchronize_session=False)
        )

    async def set_status(
        self, broadcast_id: int, status: str, now: datetime, *, only_from: Sequence[str]
    ) -> bool:
        """Move to ``status`` if the broadcast is in one of ``only_from``; True when it moved.
        The condition makes a double press (or two admins at once) act once."""
        result = await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id, Broadcast.status.in_(list(only_from)))
            .values(status=status, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def bump_status_seq(self, broadcast_id: int) -> int:
        await self._session.execute(
            update(Broadcast)
            .where(Broadcast.id == broadcast_id)
            .values(status_seq=Broadcast.status_seq + 1)
            .execution_options(synchronize_session=False)
        )
        return int(
            await self._session.scalar(
                select(Broadcast.status_seq).where(Broadcast.id == broadcast_id)
            )
            or 0
        )

    async def listing(self, limit: int = 20) -> list[BroadcastDTO]:
        rows = await self._session.scalars(
            select(Broadcast)
            .where(Broadcast.status != BroadcastStatus.DRAFT)
            .order_by(Broadcast.id.desc())
            .limit(limit)
        )
        return [_dto(r) for r in rows.all()]

    async def due_scheduled(self, now: datetime) -> list[int]:
        rows = await self._session.scalars(
            select(Broadcast.id)
            .where(Broadcast.status == BroadcastStatus.SCHEDULED, Broadcast.scheduled_at <= now)
            .order_by(Broadcast.scheduled_at, Broadcast.id)
        )
        return list(rows.all())

    async def in_progress(self) -> list[int]:
        rows = await self._session.scalars(
            select(Broadcast.id)
            .where(
                Broadcast.status.in_(ACTIVE)
                | Broadcast.followup_done.is_(False)
                | ((Broadcast.status == BroadcastStatus.STOPPED) & Broadcast.finished_at.is_(None))
            )
            .order_by(Broadcast.id)
        )
        return list(rows.all())

    # --- audiences ------------------------------------------------------------------------

    def recipients(self, audience: AudienceFilter, now: datetime) -> Select[Any]:
        """Reachable users in the audience, as a SELECT of their ids."""
        conditions: list[ColumnElement[bool]] = [User.is_reachable.is_(True)]
        if audience.only_user is not None:
            conditions.append(User.id == audience.only_user)
        if audience.languages:
            conditions.append(User.language.in_(list(audience.languages)))
        if audience.regions:
            conditions.append(User.region.in_(list(audience.regions)))
        if audience.categories:
            subscribed = select(EventSubscription.user_id).where(
                EventSubscription.category.in_(list(audience.categories))
            )
            conditions.append(User.id.in_(subscribed))
        if audience.asked_days is not None:
            since = now - timedelta(days=audience.asked_days)
            asked = select(Ticket.user_id).where(
                Ticket.submitted_at.is_not(None), Ticket.submitted_at >= since
            )
            conditions.append(User.id.in_(asked))
        if audience.consultants:
            conditions.append(User.role == CONSULTANT_ROLE)
        return select(User.id).where(*conditions)

    async def count(self, audience: AudienceFilter, now: datetime) -> int:
        inner = self.recipients(audience, now).subquery()
        return int(await self._session.scalar(select(func.count()).select_from(inner)) or 0)

    async def languages_in(self, audience: AudienceFilter, now: datetime) -> dict[str, int]:
        inner = self.recipients(audience, now).subquery()
        result = await self._session.execute(
            select(User.language, func.count())
            .where(User.id.in_(select(inner.c.id)))
            .group_by(User.language)
        )
        return {str(lang or ""): int(n) for lang, n in result.all()}

    # --- the copies in the outbox -------------------------------------------------------------

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def enqueue_copies(
        self,
        broadcast: BroadcastDTO,
        *,
        priority: int,
        category: str,
        now: datetime,
        not_before: datetime | None = None,
    ) -> int:
        """One outbox row per reachable recipient, in their language's version, in one
        INSERT … SELECT; a recipient queued before (a second Send, a restart) is skipped."""
        table = cast(Table, OutboxMessage.__table__)
        versions = broadcast.versions
        default = broadcast.default_language
        lang = User.language
        markup = _markup(broadcast.buttons)
        key = literal(copy_key_prefix(broadcast.id), String()) + cast_(User.id, String())
        columns: dict[str, Any] = {
            "chat_id": User.id,
            "kind": _by_language({k: v.kind for k, v in versions.items()}, default, lang, String()),
            "category": literal(category, String()),
            "priority": literal(priority, SmallInteger()),
            "state": literal(OutboxState.PENDING, String()),
            "text": _by_language({k: v.text for k, v in versions.items()}, default, lang, Text()),
            "reply_markup": literal(markup, JSON()) if markup else null(),
            "silent": false(),
            "document_file_id": _by_language(
                {k: v.file_id for k, v in versions.items()}, default, lang, String()
            ),
            "dedupe_key": key,
            "group_key": literal(group_key(broadcast.id), String()),
            "not_before": literal(not_before or now, UtcDateTime()),
            "created_at": literal(now, UtcDateTime()),
            "attempts": literal(0, Integer()),
        }
        recipients = self.recipients(broadcast.audience, now)
        rows = select(*columns.values()).where(User.id.in_(recipients))
        statement = (
            self._insert()(table)
            .from_select(list(columns), rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        result = await self._session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def enqueue_followups(
        self,
        broadcast: BroadcastDTO,
        *,
        action: str,
        group: str,
        key_suffix: str,
        texts: Mapping[str, str | None] | None,
        priority: int,
        category: str,
        now: datetime,
        sent_after: datetime | None = None,
    ) -> int:
        """An edit (``action='edit'``, new ``texts`` per language) or a delete of every
        delivered copy, set-based; each row points at its copy by ``target_ref``."""
        table = cast(Table, OutboxMessage.__table__)
        copies = OutboxMessage
        conditions: list[ColumnElement[bool]] = [
            copies.group_key == group_key(broadcast.id),
            copies.state == OutboxState.SENT,
            copies.dedupe_key.is_not(None),
            copies.chat_id != 0,
        ]
        if sent_after is not None:
            conditions.append(copies.sent_at > sent_after)
        lang = func.coalesce(
            select(User.language).where(User.id == copies.chat_id).scalar_subquery(),
            literal(broadcast.default_language, String()),
        )
        if action == "edit":
            assert texts is not None
            kind: ColumnElement[Any] = case(
                (copies.kind == OutboxKind.TEXT, literal(OutboxKind.EDIT_TEXT, String())),
                else_=literal(OutboxKind.EDIT_CAPTION, String()),
            )
            text: ColumnElement[Any] = _by_language(texts, broadcast.default_language, lang, Text())
            markup = _markup(broadcast.buttons)
            reply_markup: ColumnElement[Any] = literal(markup, JSON()) if markup else null()
        else:
            kind = literal(OutboxKind.DELETE, String())
            text = null()
            reply_markup = null()
        columns: dict[str, Any] = {
            "chat_id": copies.chat_id,
            "kind": kind,
            "category": literal(category, String()),
            "priority": literal(priority, SmallInteger()),
            "state": literal(OutboxState.PENDING, String()),
            "text": text,
            "reply_markup": reply_markup,
            "silent": false(),
            "dedupe_key": copies.dedupe_key + literal(key_suffix, String()),
            "group_key": literal(group, String()),
            "target_ref": copies.dedupe_key,
            "not_before": literal(now, UtcDateTime()),
            "created_at": literal(now, UtcDateTime()),
            "attempts": literal(0, Integer()),
        }
        rows = select(*columns.values()).where(*conditions)
        statement = (
            self._insert()(table)
            .from_select(list(columns), rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        result = await self._session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def count_deletable_too_old(self, broadcast_id: int, sent_before: datetime) -> int:
        return int(
            await self._session.scalar(
                select(func.count()).where(
                    OutboxMessage.group_key == group_key(broadcast_id),
                    OutboxMessage.state == OutboxState.SENT,
                    OutboxMessage.sent_at <= sent_before,
                )
            )
            or 0
        )

    async def hold(self, group: str) -> int:
        """Pause: pending rows of the group wait until ``release``."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.group_key == group, OutboxMessage.state == OutboxState.PENDING)
            .values(not_before=HELD_UNTIL)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def release(self, group: str, now: datetime) -> int:
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.group_key == group,
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.not_before >= HELD_UNTIL,
            )
            .values(not_before=now)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def row_counts(self, group: str) -> RowCounts:
        result = await self._session.execute(
            select(OutboxMessage.state, func.count())
            .where(OutboxMessage.group_key == group)
            .group_by(OutboxMessage.state)
        )
        by_state = {state: int(n) for state, n in result.all()}
        first, last = (
            await self._session.execute(
                select(func.min(OutboxMessage.sent_at), func.max(OutboxMessage.sent_at)).where(
                    OutboxMessage.group_key == group, OutboxMessage.state == OutboxState.SENT
                )
            )
        ).one()
        return RowCounts(by_state, first, last)

    async def failure_reasons(self, group: str, limit: int = 5) -> list[tuple[str, int]]:
        result = await self._session.execute(
            select(OutboxMessage.last_error, func.count())
            .where(OutboxMessage.group_key == group, OutboxMessage.state == OutboxState.FAILED)
            .group_by(OutboxMessage.last_error)
            .order_by(func.count().desc())
            .limit(limit)
        )
        return [(str(reason or "?"), int(n)) for reason, n in result.all()]

    async def last_text(self, dedupe_key: str) -> str | None:
        return cast(
            str | None,
            await self._session.scalar(
                select(OutboxMessage.text).where(OutboxMessage.dedupe_key == dedupe_key)
            ),
        )
