"""What an event is, independent of storage: categories, limits, and a validated draft."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from bot.regions import CODES

CATEGORIES: Final = ("forum", "seminar", "grant-round", "reporting-deadline", "other")
STATUS_ACTIVE: Final = "active"
STATUS_CANCELLED: Final = "cancelled"
YEARLY: Final = "yearly"

TITLE_MAX: Final = 200
DESCRIPTION_MAX: Final = 1500
PLACE_MAX: Final = 300
URL_MAX: Final = 500
# Longer than any real event; guards against a typo in the year turning into a 10-year event.
MAX_DURATION_DAYS: Final = 60


class EventInputError(ValueError):
    """One invalid value; `code` names the problem so the handler can explain it in any language."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True, slots=True)
class EventDraft:
    """An event as entered by an admin or read from a file: complete and checked."""

    category: str
    title_kk: str
    title_ru: str
    description_kk: str
    description_ru: str
    starts_at: datetime  # aware UTC
    all_day: bool = False
    ends_at: datetime | None = None
    place: str | None = None
    url: str | None = None
    region: str | None = None


def check_category(value: str) -> str:
    value = value.strip().lower()
    if value not in CATEGORIES:
        raise EventInputError("bad_category", value=value, allowed=", ".join(CATEGORIES))
    return value


def check_region(value: str | None) -> str | None:
    """A region code from bot.regions, or None (empty, "all", "-") for all of Kazakhstan."""
    if value is None:
        return None
    value = value.strip().lower()
    if value in ("", "-", "all", "kz"):
        return None
    if value not in CODES:
        raise EventInputError("bad_region", value=value)
    return value


def check_text(value: str, limit: int, *, required: bool = True) -> str | None:
    value = value.strip()
    if not value:
        if required:
            raise EventInputError("empty")
        return None
    if len(value) > limit:
        raise EventInputError("too_long", limit=limit, length=len(value))
    return value


def check_url(value: str) -> str:
    value = value.strip()
    if not value.lower().startswith(("http://", "https://")) or " " in value or len(value) < 11:
        raise EventInputError("bad_url", value=value)
    if len(value) > URL_MAX:
        raise EventInputError("too_long", limit=URL_MAX, length=len(value))
    return value


def split_location(value: str) -> tuple[str | None, str | None]:
    """One answer for "place or online link": a lone URL is the link, anything else the place."""
    value = value.strip()
    if value.lower().startswith(("http://", "https://")) and " " not in value:
        return None, check_url(value)
    return check_text(value, PLACE_MAX), None


def check_period(draft: EventDraft) -> EventDraft:
    if draft.ends_at is not None:
        if draft.ends_at <= draft.starts_at:
            raise EventInputError("end_before_start")
        if (draft.ends_at - draft.starts_at).days > MAX_DURATION_DAYS:
            raise EventInputError("too_long_event", days=MAX_DURATION_DAYS)
    return draft
