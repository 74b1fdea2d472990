"""Example dates for prompts, error messages and the import template, taken from the clock.

A fixed example ("15.10.2026 10:00") goes stale and then reads as a date the bot refuses. These
are always ahead: a start on the 15th of next month at 10:00, its end at 12:30 the same day, and
an all-day deadline on the last day of next month, all in the configured zone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.services.events.timeparse import LOCAL_DATE_FORMAT, LOCAL_DATETIME_FORMAT

EXAMPLE_DAY = 15
EXAMPLE_START_TIME = time(10, 0)
EXAMPLE_END_TIME = time(12, 30)
# Durations do not go stale; one per unit an admin may need.
EXAMPLE_DURATIONS = ("2h", "90m", "1h30m", "3d")


@dataclass(frozen=True, slots=True)
class DateExamples:
    """One example per field, formatted as the admin would type it."""

    start: str  # "15.05.2026 10:00"
    date: str  # "31.05.2026", an all-day deadline
    end: str  # "15.05.2026 12:30"
    end_time: str  # "12:30", the end on the start's day
    iso_start: str  # "2026-05-15T10:00", as files may carry it
    iso_date: str  # "2026-05-31"


def _next_month(now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    today = now.astimezone(tz).date()
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


def example_start_at(now: datetime, tz: ZoneInfo) -> datetime:
    """The 15th of next month at 10:00 local time (aware, in `tz`)."""
    year, month = _next_month(now, tz)
    return datetime.combine(date(year, month, EXAMPLE_DAY), EXAMPLE_START_TIME, tz)


def example_end_at(now: datetime, tz: ZoneInfo) -> datetime:
    return datetime.combine(example_start_at(now, tz).date(), EXAMPLE_END_TIME, tz)


def example_deadline_on(now: datetime, tz: ZoneInfo) -> date:
    """The last day of next month: a typical reporting deadline."""
    year, month = _next_month(now, tz)
    return date(year, month, calendar.monthrange(year, month)[1])


def example_start(now: datetime, tz: ZoneInfo) -> str:
    return example_start_at(now, tz).strftime(LOCAL_DATETIME_FORMAT)


def example_end(now: datetime, tz: ZoneInfo) -> str:
    return example_end_at(now, tz).strftime(LOCAL_DATETIME_FORMAT)


def example_date(now: datetime, tz: ZoneInfo) -> str:
    return example_deadline_on(now, tz).strftime(LOCAL_DATE_FORMAT)


def date_examples(now: datetime, tz: ZoneInfo) -> DateExamples:
    start = example_start_at(now, tz)
    deadline = example_deadline_on(now, tz)
    return DateExamples(
        start=start.strftime(LOCAL_DATETIME_FORMAT),
        date=deadline.strftime(LOCAL_DATE_FORMAT),
        end=example_end(now, tz),
        end_time=EXAMPLE_END_TIME.strftime("%H:%M"),
        iso_start=start.strftime("%Y-%m-%dT%H:%M"),
        iso_date=deadline.isoformat(),
    )
