"""Who wants reminders: category subscriptions, the region option and "Remind me" watches."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, Subquery, delete, func, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.models.events import EventSubscription, EventSubscriptionPrefs, EventWatch
from db.models.users import User
from db.repositories.dialect import insert_ignoring_conflicts


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    language: str | None
    opted_in_at: datetime  # when they asked for these reminders


def _subscribers(category: str, region: str | None) -> Select[int, datetime]:
    """(user id, subscribed at) of reachable subscribers of `category` who want an event in
    `region` (None: all of Kazakhstan). A user who keeps "only my region" (the default) still
    hears about all-KZ events, and a user without a region hears about everything."""
    stmt = (
        select(User.id.label("user_id"), EventSubscription.created_at.label("opted_in_at"))
        .join(EventSubscription, EventSubscription.user_id == User.id)
        .where(EventSubscription.category == category, User.is_reachable.is_(True))
    )
    if region is not None:
        stmt = stmt.outerjoin(EventSubscriptionPrefs, EventSubscriptionPrefs.user_id == User.id)
        stmt = stmt.where(
            or_(
                User.region.is_(None),
                User.region == region,
                EventSubscriptionPrefs.region_only.is_(False),
            )
        )
    return stmt


def _watchers(event_id: int) -> Select[int, datetime]:
    """(user id, pressed at) of reachable users who pressed "Remind me" on the event."""
    return (
        select(User.id.label("user_id"), EventWatch.created_at.label("opted_in_at"))
        .join(EventWatch, EventWatch.user_id == User.id)
        .where(EventWatch.event_id == event_id, User.is_reachable.is_(True))
    )


def audience(
    category: str,
    region: str | None,
    event_id: int,
    *,
    users: tuple[int, int] | None = None,
    asked_since: datetime | None = None,
) -> Subquery:
    """Everyone who wants reminders of the event, once each: `user_id` and `opted_in_at`, the
    earliest moment they asked (by subscription or "Remind me"). `users` narrows it to an
    inclusive range of user ids, so that big audiences are handled a slice at a time;
    `asked_since` to the requests made from that moment on."""
    subscribers, watchers = _subscribers(category, region), _watchers(event_id)
    if users is not None:
        subscribers = subscribers.where(EventSubscription.user_id.between(*users))
        watchers = watchers.where(EventWatch.user_id.between(*users))
    if asked_since is not None:
        subscribers = subscribers.where(EventSubscription.created_at >= asked_since)
        watchers = watchers.where(EventWatch.created_at >= asked_since)
    both = union_all(subscribers, watchers).subquery("asked")
    return (
        select(both.c.user_id, func.min(both.c.opted_in_at).label("opted_in_at"))
        .group_by(both.c.user_id)
        .subquery("audience")
    )


class SubscriptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def categories(self, user_id: int) -> frozenset[str]:
        rows = await self._session.scalars(
            select(EventSubscription.category).where(EventSubscription.user_id == user_id)
        )
        return frozenset(rows)

    async def subscribe(self, user_id: int, category: str, now: datetime) -> None:
        # A double tap may race with itself: the second insert is simply ignored.
        await self._session.execute(
            insert_ignoring_conflicts(self._session, EventSubscription).values(
                user_id=user_id, category=category, created_at=now
            )
        )

    async def unsubscribe(self, user_id: int, category: str) -> None:
        await self._session.execute(
            delete(EventSubscription).where(
                EventSubscription.user_id == user_id, EventSubscription.category == category
            )
        )

    async def region_only(self, user_id: int) -> bool:
        value = await self._session.scalar(
            select(EventSubscriptionPrefs.region_only).where(
                EventSubscriptionPrefs.user_id == user_id
            )
        )
        return True if value is None else bool(value)

    async def set_region_only(self, user_id: int, value: bool) -> None:
        row = await self._session.get(EventSubscriptionPrefs, user_id)
        if row is None:
            self._session.add(EventSubscriptionPrefs(user_id=user_id, region_only=value))
        else:
            row.region_only = value
        await self._session.flush()

    async def watchers(self, event_id: int) -> Sequence[Recipient]:
        rows = await self._session.execute(
            _watchers(event_id).add_columns(User.language).order_by(User.id)
        )
        return [Recipient(user_id, language, since) for user_id, since, language in rows]

    async def is_watching(self, event_id: int, user_id: int) -> bool:
        row = await self._session.get(EventWatch, (event_id, user_id))
        return row is not None

    async def watch(self, event_id: int, user_id: int, now: datetime) -> None:
        await self._session.execute(
            insert_ignoring_conflicts(self._session, EventWatch).values(
                event_id=event_id, user_id=user_id, created_at=now
            )
        )

    async def unwatch(self, event_id: int, user_id: int) -> None:
        await self._session.execute(
            delete(EventWatch).where(EventWatch.event_id == event_id, EventWatch.user_id == user_id)
        )

    async def watched_among(self, user_id: int, event_ids: Collection[int]) -> frozenset[int]:
        if not event_ids:
            return frozenset()
        rows = await self._session.scalars(
            select(EventWatch.event_id).where(
                EventWatch.user_id == user_id, EventWatch.event_id.in_(list(event_ids))
            )
        )
        return frozenset(rows)
