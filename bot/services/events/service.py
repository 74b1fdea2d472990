"""Events for users and admins: listing, "Remind me", create / edit / cancel / delete, import."""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.outbox import Outbox
from bot.services.events.importer import ImportIssue, parse_events_file
from bot.services.events.model import STATUS_ACTIVE, STATUS_CANCELLED, EventDraft
from bot.services.events.notices import (
    NOTIFY_FIELDS,
    EventTexts,
    announce_cancel,
    announce_change,
)
from bot.services.events.planner import ahead_until
from bot.services.events.reminders import quiet_hours
from db.repositories.events import EventDTO, EventRepository
from db.repositories.subscriptions import SubscriptionRepository

PAGE_SIZE = 6
# Admins also see what happened recently, e.g. to fix or delete it.
ADMIN_LOOKBACK = timedelta(days=30)


class EventNotFoundError(LookupError):
    """The event does not exist (deleted meanwhile, or forged callback data)."""


class BuiltinEventError(ValueError):
    """Built-in yearly deadlines are re-created at start-up, so they are cancelled, not deleted."""


@dataclass(frozen=True, slots=True)
class Page:
    events: list[EventDTO]
    page: int
    pages: int

    @property
    def first_number(self) -> int:
        """The number shown for the first event of this page (events are numbered from 1)."""
        return self.page * PAGE_SIZE + 1


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    created: list[EventDTO]
    issues: list[ImportIssue]
    row_label: str


def _page_bounds(page: int, total: int) -> tuple[int, int]:
    pages = max(1, -(-total // PAGE_SIZE))
    return min(max(page, 0), pages - 1), pages


def draft_of(event: EventDTO) -> EventDraft:
    return EventDraft(
        category=event.category,
        title_kk=event.title_kk,
        title_ru=event.title_ru,
        description_kk=event.description_kk,
        description_ru=event.description_ru,
        starts_at=event.starts_at,
        all_day=event.all_day,
        ends_at=event.ends_at,
        place=event.place,
        url=event.url,
        region=event.region,
    )


class EventService:
    def __init__(
        self,
        session: AsyncSession,
        *,
        settings: Settings,
        clock: Clock,
        outbox: Outbox,
        texts: EventTexts,
    ) -> None:
        self._session = session
        self._events = EventRepository(session)
        self._subscriptions = SubscriptionRepository(session)
        self._settings = settings
        self._clock = clock
        self._outbox = outbox
        self._texts = texts

    # ------------------------------------------------------------------ users

    async def upcoming_page(self, page: int, *, region: str | None) -> Page:
        now = self._clock.now()
        page, pages = _page_bounds(page, await self._events.count_upcoming(now))
        events = await self._events.upcoming(
            now, region=region, offset=page * PAGE_SIZE, limit=PAGE_SIZE
        )
        return Page(list(events), page, pages)

    async def get(self, event_id: int) -> EventDTO:
        event = await self._events.get(event_id)
        if event is None:
            raise EventNotFoundError(event_id)
        return event

    async def is_watching(self, event_id: int, user_id: int) -> bool:
        return await self._subscriptions.is_watching(event_id, user_id)

    async def toggle_watch(self, event_id: int, user_id: int) -> bool:
        """Returns the new state. Only a future, active event can be watched."""
        event = await self.get(event_id)
        if await self._subscriptions.is_watching(event_id, user_id):
            await self._subscriptions.unwatch(event_id, user_id)
            return False
        now = self._clock.now()
        if event.status != STATUS_ACTIVE or now >= self.ahead_until(event):
            raise EventNotFoundError(event_id)
        await self._subscriptions.watch(event_id, user_id, now)
        return True

    def ahead_until(self, event: EventDTO) -> datetime:
        return ahead_until(event.starts_at, event.all_day, self._settings.tz)

    # ----------------------------------------------------------------- admins

    async def admin_page(self, page: int) -> Page:
        since = self._clock.now() - ADMIN_LOOKBACK
        page, pages = _page_bounds(page, await self._events.count_for_admin(since))
        events = await self._events.for_admin(since, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
        return Page(list(events), page, pages)

    def _values(self, draft: EventDraft) -> dict[str, Any]:
        return asdict(draft)

    async def create(self, draft: EventDraft, *, actor_id: int | None) -> EventDTO:
        now = self._clock.now()
        return await self._events.add(
            {
                **self._values(draft),
                "status": STATUS_ACTIVE,
                "created_by": actor_id,
                "created_at": now,
                "updated_at": now,
            }
        )

    async def update(self, event_id: int, draft: EventDraft) -> EventDTO:
        """Apply an edited draft; people who already heard get a notice if time or place moved."""
        previous = await self._events.get_for_update(event_id)
        if previous is None:
            raise EventNotFoundError(event_id)
        values = {k: v for k, v in self._values(draft).items() if getattr(previous, k) != v}
        if not values:
            return previous
        now = self._clock.now()
        notify = bool(NOTIFY_FIELDS & values.keys()) and previous.status == STATUS_ACTIVE
        if notify:
            values["revision"] = previous.revision + 1
        current = await self._events.update(event_id, {**values, "updated_at": now})
        assert current is not None  # locked above
        if notify:
            await announce_change(
                self._session,
                self._outbox,
                self._texts,
                previous=previous,
                current=current,
                now=now,
                offsets=self._settings.reminder_offsets,
                quiet=quiet_hours(self._settings),
            )
        return current

    async def cancel(self, event_id: int) -> EventDTO:
        previous = await self._events.get_for_update(event_id)
        if previous is None:
            raise EventNotFoundError(event_id)
        if previous.status == STATUS_CANCELLED:
            return previous
        now = self._clock.now()
        current = await self._events.update(
            event_id,
            {"status": STATUS_CANCELLED, "revision": previous.revision + 1, "updated_at": now},
        )
        assert current is not None
        await self._announce_cancel(current, now)
        return current

    async def delete(self, event_id: int) -> EventDTO:
        event = await self._events.get_for_update(event_id)
        if event is None:
            raise EventNotFoundError(event_id)
        if event.builtin_key is not None:
            raise BuiltinEventError(event.builtin_key)
        if event.status == STATUS_ACTIVE:
            # A cancelled event was announced already; telling again would repeat the news.
            await self._announce_cancel(event, self._clock.now())
        await self._events.delete(event_id)
        return event

    async def _announce_cancel(self, event: EventDTO, now: datetime) -> None:
        await announce_cancel(
            self._session,
            self._outbox,
            self._texts,
            event=event,
            now=now,
            quiet=quiet_hours(self._settings),
        )

    async def import_file(
        self, filename: str | None, data: bytes, *, actor_id: int | None
    ) -> ImportOutcome:
        """All or nothing: a single bad row stops the whole file, with every problem listed.
        Raises importer.FileFormatError when the file as a whole is unreadable."""
        now = self._clock.now()
        # Parsing a workbook is CPU work: a thread keeps the bot answering meanwhile.
        parsed = await asyncio.to_thread(
            parse_events_file, filename, data, tz=self._settings.tz, now=now
        )
        issues = list(parsed.issues)
        seen: dict[tuple[str, datetime], int] = {}
        for row, draft in parsed.drafts:
            key = (draft.title_ru.casefold(), draft.starts_at)
            if key in seen:
                issues.append(ImportIssue(row, None, "duplicate_row", {"other": seen[key]}))
            seen[key] = row
            if await self._events.exists_like(draft.title_ru, draft.starts_at):
                issues.append(ImportIssue(row, None, "already_exists"))
        if issues:
            issues.sort(key=lambda issue: issue.row)
            return ImportOutcome([], issues, parsed.row_label)
        created = [await self.create(draft, actor_id=actor_id) for _row, draft in parsed.drafts]
        return ImportOutcome(created, [], parsed.row_label)
