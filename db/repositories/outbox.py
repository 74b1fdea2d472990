"""The delivery outbox: queue rows in the caller's transaction, claim them for one worker, record
what Telegram said.

Every state change made by a worker is conditional on ``worker_id`` and ``state='sending'``, so a
worker that lost its lease (it stalled and another process reclaimed the row) cannot overwrite
the new owner's record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
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
    or_,
    select,
    update,
)
from sqlalchemy import cast as cast_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import UtcDateTime
from db.models.outbox import ERROR_LENGTH, MESSAGE_KINDS, OutboxKind, OutboxMessage, OutboxState
from db.models.users import User

# Rows per INSERT statement: well under SQLite's and asyncpg's 32,766 bound parameters.
_INSERT_CHUNK = 500
_LOOKUP_CHUNK = 1000
# A claim ranks this many times its size of the oldest due rows to find one per chat.
_FRONT_FACTOR = 4


@dataclass(frozen=True, slots=True)
class NewOutboxRow:
    chat_id: int
    kind: str
    category: str
    priority: int
    not_before: datetime
    text: str | None = None
    reply_markup: dict[str, Any] | None = None
    silent: bool = False
    from_chat_id: int | None = None
    source_message_id: int | None = None
    document_data: bytes | None = None
    document_file_id: str | None = None
    filename: str | None = None
    dedupe_key: str | None = None
    group_key: str | None = None
    thread_key: str | None = None
    target_ref: str | None = None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RowSummary:
    """Which row a delivery verdict is about: enough for its producer to act on it."""

    id: int
    chat_id: int
    kind: str
    category: str
    group_key: str | None
    dedupe_key: str | None
    thread_key: str | None


@dataclass(frozen=True, slots=True)
class TargetRow:
    """The row a ``target_ref`` names, as the sender needs it to act on its message."""

    id: int
    chat_id: int
    kind: str
    state: str
    telegram_message_id: int | None
    not_before: datetime


@dataclass(frozen=True, slots=True)
class FanOut:
    """One text message to each of many users, in each user's language: rendered once per
    language, not once per user. A row's dedupe key is `key_prefix` + user id + `key_suffix`."""

    category: str
    priority: int
    not_before: datetime
    group_key: str | None
    # language → (HTML text, reply_markup); users with another or no language get the default.
    contents: Mapping[str, tuple[str, dict[str, Any] | None]]
    default_language: str
    key_prefix: str
    key_suffix: str


@dataclass(frozen=True, slots=True)
class ClaimedRow:
    """A row a worker owns until its lease runs out: everything needed to send it."""

    id: int
    chat_id: int
    kind: str
    category: str
    priority: int
    attempts: int
    text: str | None
    reply_markup: dict[str, Any] | None
    silent: bool
    from_chat_id: int | None
    source_message_id: int | None
    document_data: bytes | None
    document_file_id: str | None
    filename: str | None
    group_key: str | None
    dedupe_key: str | None
    thread_key: str | None
    target_ref: str | None
    payload: dict[str, Any] | None

    def summary(self) -> RowSummary:
        return RowSummary(
            id=self.id,
            chat_id=self.chat_id,
            kind=self.kind,
            category=self.category,
            group_key=self.group_key,
            dedupe_key=self.dedupe_key,
            thread_key=self.thread_key,
        )


@dataclass(frozen=True, slots=True)
class ClaimBatch:
    rows: list[ClaimedRow]
    # Claimable rows seen; more than ``len(rows)`` when another worker took some meanwhile.
    candidates: int


@dataclass(frozen=True, slots=True)
class PendingSummary:
    pending: int  # rows waiting to be sent, due now or later
    oldest_due: datetime | None  # when the longest-waiting due row fell due


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    id: int
    chat_id: int
    state: str
    category: str
    attempts: int
    last_error: str | None
    sent_at: datetime | None
    telegram_message_id: int | None
    dedupe_key: str | None
    group_key: str | None
    kind: str
    thread_key: str | None


def _claimed(row: OutboxMessage) -> ClaimedRow:
    return ClaimedRow(
        id=row.id,
        chat_id=row.chat_id,
        kind=row.kind,
        category=row.category,
        priority=row.priority,
        attempts=row.attempts,
        text=row.text,
        reply_markup=row.reply_markup,
        silent=row.silent,
        from_chat_id=row.from_chat_id,
        source_message_id=row.source_message_id,
        document_data=row.document_data,
        document_file_id=row.document_file_id,
        filename=row.filename,
        group_key=row.group_key,
        dedupe_key=row.dedupe_key,
        thread_key=row.thread_key,
        target_ref=row.target_ref,
        payload=row.payload,
    )


def _summary(row: OutboxMessage) -> RowSummary:
    return RowSummary(
        id=row.id,
        chat_id=row.chat_id,
        kind=row.kind,
        category=row.category,
        group_key=row.group_key,
        dedupe_key=row.dedupe_key,
        thread_key=row.thread_key,
    )


def _status(row: OutboxMessage) -> OutboxStatus:
    return OutboxStatus(
        id=row.id,
        chat_id=row.chat_id,
        state=row.state,
        category=row.category,
        attempts=row.attempts,
        last_error=row.last_error,
        sent_at=row.sent_at,
        telegram_message_id=row.telegram_message_id,
        dedupe_key=row.dedupe_key,
        group_key=row.group_key,
        kind=row.kind,
        thread_key=row.thread_key,
    )


def _error(text: str) -> str:
    return text[:ERROR_LENGTH]


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- producers -------------------------------------------------------------------------

    async def unreachable_among(self, chat_ids: Iterable[int]) -> set[int]:
        """Which of these chats belong to users marked unreachable (blocked the bot, deleted)."""
        ids = sorted(set(chat_ids))
        found: set[int] = set()
        for chunk in _chunks(ids, _LOOKUP_CHUNK):
            result = await self._session.scalars(
                select(User.id).where(User.id.in_(chunk), User.is_reachable.is_(False))
            )
            found.update(result.all())
        return found

    async def insert(self, rows: Sequence[NewOutboxRow], now: datetime) -> int:
        """Queue rows; a row whose ``dedupe_key`` exists already is silently dropped.

        Returns how many rows were newly queued. ON CONFLICT DO NOTHING keeps the caller's
        transaction intact, where catching an IntegrityError would need a savepoint per row.
        """
        insert = self._insert()
        table = cast(Table, OutboxMessage.__table__)
        # Core executemany with RETURNING: SQLAlchemy batches it into multi-row INSERTs from
        # one cached statement ("insertmanyvalues"); only inserted rows return an id.
        statement = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(table.c.id)
        )
        queued = 0
        for chunk in _chunks(rows, _INSERT_CHUNK):
            values = [
                {
                    "chat_id": row.chat_id,
                    "kind": row.kind,
                    "category": row.category,
                    "priority": row.priority,
                    "state": OutboxState.PENDING,
                    "text": row.text,
                    "reply_markup": row.reply_markup,
                    "silent": row.silent,
                    "from_chat_id": row.from_chat_id,
                    "source_message_id": row.source_message_id,
                    "document_data": row.document_data,
                    "document_file_id": row.document_file_id,
                    "filename": row.filename,
                    "dedupe_key": row.dedupe_key,
                    "group_key": row.group_key,
                    "thread_key": row.thread_key,
                    "target_ref": row.target_ref,
                    "payload": row.payload,
                    "not_before": row.not_before,
                    "created_at": now,
                    "attempts": 0,
                }
                for row in chunk
            ]
            result = await self._session.execute(statement, values)
            queued += len(result.all())
        return queued

    async def insert_fan_out(self, recipients: Select[int], fan_out: FanOut, now: datetime) -> int:
        """Queue `fan_out` to each reachable user `recipients` selects, in one INSERT … SELECT;
        a row whose dedupe key exists already is dropped. Returns how many were queued."""
        table = cast(Table, OutboxMessage.__table__)
        text, markup = fan_out.contents[fan_out.default_language]
        text_of: ColumnElement[Any] = literal(text, Text())
        markup_of: ColumnElement[Any] = literal(markup, JSON()) if markup else null()
        for language, (other_text, other_markup) in fan_out.contents.items():
            if language == fan_out.default_language:
                continue
            speaks = User.language == language
            text_of = case((speaks, literal(other_text, Text())), else_=text_of)
            other: ColumnElement[Any] = literal(other_markup, JSON()) if other_markup else null()
            markup_of = case((speaks, other), else_=markup_of)
        key = (
            literal(fan_out.key_prefix, String())
            + cast_(User.id, String())
            + literal(fan_out.key_suffix, String())
        )
        columns = {
            "chat_id": User.id,
            "kind": literal(OutboxKind.TEXT, String()),
            "category": literal(fan_out.category, String()),
            "priority": literal(fan_out.priority, SmallInteger()),
            "state": literal(OutboxState.PENDING, String()),
            "text": text_of,
            "reply_markup": markup_of,
            "silent": false(),
            "dedupe_key": key,
            "group_key": literal(fan_out.group_key, String()),
            "not_before": literal(fan_out.not_before, UtcDateTime()),
            "created_at": literal(now, UtcDateTime()),
            "attempts": literal(0, Integer()),
        }
        rows = select(*columns.values()).where(User.id.in_(recipients), User.is_reachable.is_(True))
        statement = (
            self._insert()(table)
            .from_select(list(columns), rows)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
        )
        result = await self._session.execute(statement)
        # Both drivers count the rows inserted, not those the conflict skipped.
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        return postgresql.insert if dialect == "postgresql" else sqlite.insert

    async def cancel_pending(
        self,
        *,
        group_key: str | None = None,
        group_prefix: str | None = None,
        dedupe_prefix: str | None = None,
        chat_id: int | None = None,
        release_keys: bool = False,
    ) -> int:
        """Cancel pending rows matching every given filter; rows already being sent are left.

        ``release_keys`` clears their dedupe keys so the same keys can be queued again (an event
        moved to another date re-queues its reminders under the same keys).
        """
        conditions: list[ColumnElement[bool]] = []
        if group_key is not None:
            conditions.append(OutboxMessage.group_key == group_key)
        if group_prefix is not None:
            conditions.append(OutboxMessage.group_key.startswith(group_prefix, autoescape=True))
        if dedupe_prefix is not None:
            conditions.append(OutboxMessage.dedupe_key.startswith(dedupe_prefix, autoescape=True))
        if chat_id is not None:
            conditions.append(OutboxMessage.chat_id == chat_id)
        if not conditions:
            raise ValueError("cancel_pending needs at least one filter")
        values: dict[str, Any] = {"state": OutboxState.CANCELLED}
        if release_keys:
            values["dedupe_key"] = None
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.state == OutboxState.PENDING, *conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    # --- the sender --------------------------------------------------------------------------

    async def claim(
        self, worker_id: str, *, now: datetime, lease_until: datetime, limit: int
    ) -> ClaimBatch:
        """Take up to ``limit`` due rows, at most one per chat, highest priority first.

        A chat with a row already being sent (by any worker) is left out, so one chat never gets
        two messages at once and its messages keep their order. The conditional UPDATE
        (``state='pending'``) is what makes a row belong to one worker only; on PostgreSQL the
        rows are also locked with SKIP LOCKED so concurrent claims do not queue behind each
        other.
        """
        busy_chats = select(OutboxMessage.chat_id).where(OutboxMessage.state == OutboxState.SENDING)
        # Only the first few due rows are ranked, so a claim costs the same with 10 or 100,000
        # rows queued; a chat with many rows at the front just yields its first this time.
        front = (
            select(OutboxMessage.id, OutboxMessage.chat_id, OutboxMessage.priority)
            .where(
                OutboxMessage.state == OutboxState.PENDING,
                OutboxMessage.not_before <= now,
                OutboxMessage.chat_id.not_in(busy_chats),
            )
            .order_by(OutboxMessage.priority, OutboxMessage.id)
            .limit(limit * _FRONT_FACTOR)
            .subquery()
        )
        first_per_chat = select(
            front.c.id,
            front.c.priority,
            func.row_number()
            .over(partition_by=front.c.chat_id, order_by=(front.c.priority, front.c.id))
            .label("rank"),
        ).subquery()
        candidates = (
            select(first_per_chat.c.id)
            .where(first_per_chat.c.rank == 1)
            .order_by(first_per_chat.c.priority, first_per_chat.c.id)
            .limit(limit)
        )
        # Two statements: as one, PostgreSQL without fresh statistics may re-run the ranking
        # for every row. The second re-checks the state, so a row claimed in between by
        # another worker is simply not ours.
        ids = list((await self._session.scalars(candidates)).all())
        if not ids:
            return ClaimBatch([], 0)
        lockable = (
            select(OutboxMessage.id)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.PENDING)
            .with_for_update(skip_locked=True)
        )
        result = await self._session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(lockable), OutboxMessage.state == OutboxState.PENDING)
            .values(state=OutboxState.SENDING, worker_id=worker_id, lease_until=lease_until)
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        rows = [_claimed(row) for row in result.all()]
        rows.sort(key=lambda row: (row.priority, row.id))
        return ClaimBatch(rows, len(ids))

    async def reclaim_expired(self, now: datetime, *, except_worker: str | None = None) -> int:
        """Return rows of dead workers (lease expired) to pending."""
        conditions = [
            OutboxMessage.state == OutboxState.SENDING,
            OutboxMessage.lease_until < now,
        ]
        if except_worker is not None:
            conditions.append(OutboxMessage.worker_id != except_worker)
        result = await self._session.execute(
            update(OutboxMessage)
            .where(*conditions)
            .values(state=OutboxState.PENDING, worker_id=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def renew_leases(self, worker_id: str, lease_until: datetime) -> int:
        result = await self._session.execute(
            update(OutboxMessage)
            .where(*self._owned_by(worker_id))
            .values(lease_until=lease_until)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def release(
        self,
        worker_id: str,
        ids: Sequence[int] | None = None,
        *,
        not_before: datetime | None = None,
    ) -> int:
        """Give rows back to pending without counting an attempt (shutdown, deferral)."""
        conditions = list(self._owned_by(worker_id))
        if ids is not None:
            conditions.append(OutboxMessage.id.in_(list(ids)))
        values: dict[str, Any] = {
            "state": OutboxState.PENDING,
            "worker_id": None,
            "lease_until": None,
        }
        if not_before is not None:
            values["not_before"] = not_before
        result = await self._session.execute(
            update(OutboxMessage)
            .where(*conditions)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def mark_sent(
        self,
        row_id: int,
        worker_id: str,
        *,
        sent_at: datetime,
        telegram_message_id: int | None,
        document_file_id: str | None = None,
    ) -> bool:
        values: dict[str, Any] = {
            "state": OutboxState.SENT,
            "sent_at": sent_at,
            "telegram_message_id": telegram_message_id,
            "attempts": OutboxMessage.attempts + 1,
            "lease_until": None,
        }
        if document_file_id is not None:
            # Telegram keeps the file now; the bytes need not stay in the database.
            values["document_file_id"] = document_file_id
            values["document_data"] = None
        return await self._finish(row_id, worker_id, values)

    async def retry_later(
        self, row_id: int, worker_id: str, *, not_before: datetime, error: str
    ) -> bool:
        return await self._finish(
            row_id,
            worker_id,
            {
                "state": OutboxState.PENDING,
                "not_before": not_before,
                "attempts": OutboxMessage.attempts + 1,
                "last_error": _error(error),
                "worker_id": None,
                "lease_until": None,
            },
        )

    async def mark_failed(self, row_id: int, worker_id: str, *, error: str) -> bool:
        return await self._finish(
            row_id,
            worker_id,
            {
                "state": OutboxState.FAILED,
                "attempts": OutboxMessage.attempts + 1,
                "last_error": _error(error),
                "lease_until": None,
            },
        )

    async def mark_skipped(self, row_id: int, worker_id: str, *, reason: str) -> bool:
        return await self._finish(
            row_id,
            worker_id,
            {
                "state": OutboxState.SKIPPED,
                "attempts": OutboxMessage.attempts + 1,
                "last_error": _error(reason),
                "lease_until": None,
            },
        )

    async def skip_pending_for_chat(self, chat_id: int, *, reason: str) -> list[RowSummary]:
        """Skip every row still queued for a chat; returns them, so their producers hear of it."""
        result = await self._session.scalars(
            update(OutboxMessage)
            .where(OutboxMessage.chat_id == chat_id, OutboxMessage.state == OutboxState.PENDING)
            .values(state=OutboxState.SKIPPED, last_error=_error(reason))
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )
        return sorted((_summary(row) for row in result.all()), key=lambda row: row.id)

    async def target_of(self, dedupe_key: str) -> TargetRow | None:
        """The row a ``target_ref`` names (by its dedupe key), whatever its state."""
        result = await self._session.execute(
            select(
                OutboxMessage.id,
                OutboxMessage.chat_id,
                OutboxMessage.kind,
                OutboxMessage.state,
                OutboxMessage.telegram_message_id,
                OutboxMessage.not_before,
            ).where(OutboxMessage.dedupe_key == dedupe_key)
        )
        found = result.one_or_none()
        return TargetRow(*found) if found is not None else None

    async def repoint(self, dedupe_key: str, message_id: int) -> None:
        """The message row ``dedupe_key`` stands for is now ``message_id`` (e.g. the desk's card,
        posted again into a re-created topic): later edits and pins by reference act on it."""
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.dedupe_key == dedupe_key)
            .values(telegram_message_id=message_id)
            .execution_options(synchronize_session=False)
        )

    async def anonymise_chat(self, chat_id: int) -> int:
        """Forget a person in the queue: their chat id, texts, files and keys go; what was not
        sent yet is skipped. The rows stay (as chat 0), so delivery counts still add up."""
        about_them = or_(OutboxMessage.chat_id == chat_id, OutboxMessage.from_chat_id == chat_id)
        unsent = OutboxMessage.state.in_((OutboxState.PENDING, OutboxState.SENDING))
        await self._session.execute(
            update(OutboxMessage)
            .where(about_them, unsent)
            .values(state=OutboxState.SKIPPED, worker_id=None, lease_until=None)
            .execution_options(synchronize_session=False)
        )
        result = await self._session.execute(
            update(OutboxMessage)
            .where(about_them)
            .values(
                chat_id=0,
                from_chat_id=None,
                text=None,
                reply_markup=None,
                document_data=None,
                document_file_id=None,
                filename=None,
                dedupe_key=None,
                target_ref=None,
                payload=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def _finish(self, row_id: int, worker_id: str, values: dict[str, Any]) -> bool:
        result = await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, *self._owned_by(worker_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _owned_by(worker_id: str) -> tuple[ColumnElement[bool], ...]:
        return (OutboxMessage.worker_id == worker_id, OutboxMessage.state == OutboxState.SENDING)

    # --- reading ---------------------------------------------------------------------------

    async def get(self, row_id: int) -> OutboxStatus | None:
        row = await self._session.get(OutboxMessage, row_id)
        return _status(row) if row else None

    async def find(
        self,
        *,
        dedupe_key: str | None = None,
        group_key: str | None = None,
        dedupe_prefix: str | None = None,
    ) -> list[OutboxStatus]:
        conditions: list[ColumnElement[bool]] = []
        if dedupe_key is not None:
            conditions.append(OutboxMessage.dedupe_key == dedupe_key)
        if dedupe_prefix is not None:
            conditions.append(OutboxMessage.dedupe_key.startswith(dedupe_prefix, autoescape=True))
        if group_key is not None:
            conditions.append(OutboxMessage.group_key == group_key)
        result = await self._session.scalars(
            select(OutboxMessage).where(*conditions).order_by(OutboxMessage.id)
        )
        return [_status(row) for row in result.all()]

    async def find_by_message(self, chat_id: int, message_id: int) -> OutboxStatus | None:
        """The row that sent message ``message_id`` to ``chat_id`` (e.g. the message a person
        or a consultant replied to), if the bot sent it through the outbox."""
        row = await self._session.scalar(
            select(OutboxMessage)
            .where(
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.telegram_message_id == message_id,
                OutboxMessage.kind.in_(MESSAGE_KINDS),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        return _status(row) if row is not None else None

    async def count_by_state(self, *, group_key: str | None = None) -> dict[str, int]:
        """How many rows are in each state, e.g. a broadcast's progress by its group key."""
        statement = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
        if group_key is not None:
            statement = statement.where(OutboxMessage.group_key == group_key)
        result = await self._session.execute(statement)
        return {state: int(count) for state, count in result.all()}

    async def pending_summary(self, now: datetime) -> PendingSummary:
        """The queue's depth and its oldest due row, from the (state, not_before) index alone."""
        due_since = func.min(case((OutboxMessage.not_before <= now, OutboxMessage.not_before)))
        result = await self._session.execute(
            select(func.count(), due_since).where(OutboxMessage.state == OutboxState.PENDING)
        )
        pending, oldest_due = result.one()
        return PendingSummary(pending=int(pending), oldest_due=oldest_due)
