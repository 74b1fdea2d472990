"""The desk's weekly hours and extra closed days, as operators write them in the settings.

`DESK_HOURS` is one or more groups separated by `;`, each `<days> <spans>`:
`Mon-Fri 09:00-18:00`, `Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00`, or `always`.
Days are English names or their first three letters, as ranges (`Mon-Fri`, `Fri-Mon` wraps) or
lists (`Mon,Wed`). A span ends at `24:00` at the latest: a night shift is two spans on two days.
Overlapping spans are refused rather than guessed at (a later `Fri 09:00-16:00` could mean
"shorter Friday" or "also these hours").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MINUTES_PER_DAY = 24 * 60
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_EXAMPLE = "e.g. 'Mon-Fri 09:00-18:00; Sat 10:00-14:00' or 'always'"
_DASHES = re.compile(r"\s*[-–—]\s*")
_COMMAS = re.compile(r"\s*,\s*")
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class ScheduleError(ValueError):
    """A DESK_HOURS or DESK_CLOSED_DAYS value that cannot be read; the message is one line."""


@dataclass(frozen=True, slots=True)
class Span:
    """Open from `start` to `end`, in minutes after local midnight (`end` may be 1440)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_clock(self.start)}-{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Open spans for each weekday (index 0 is Monday), or round the clock."""

    days: tuple[tuple[Span, ...], ...] = ((),) * 7
    always: bool = False

    def spans_on(self, weekday: int) -> tuple[Span, ...]:
        return self.days[weekday]

    @property
    def workday_spans(self) -> tuple[Span, ...]:
        """The hours of the desk's usual weekday: the first of Mon–Fri that has any.

        A Saturday or Sunday the state declares a working day (a transferred day off) is worked
        like an ordinary weekday, whatever the desk's own hours for that weekend day.
        """
        return next((spans for spans in self.days[:5] if spans), ())

    def __str__(self) -> str:
        if self.always:
            return "always"
        return "; ".join(
            f"{DAY_NAMES[weekday]} {', '.join(str(span) for span in spans)}"
            for weekday, spans in enumerate(self.days)
            if spans
        )


ALWAYS = WeeklyHours(always=True)


def parse_desk_hours(text: str) -> WeeklyHours:
    groups = [group.strip() for group in text.replace("\n", ";").split(";")]
    groups = [group for group in groups if group]
    if not groups:
        raise ScheduleError(f"is empty; {_EXAMPLE}")
    if any(group.lower() == "always" for group in groups):
        if len(groups) > 1:
            raise ScheduleError("'always' cannot be combined with other hours")
        return ALWAYS
    days: list[list[Span]] = [[] for _ in range(7)]
    for group in groups:
        weekdays, spans = _parse_group(group)
        for weekday in weekdays:
            days[weekday] = _add_spans(weekday, days[weekday], spans)
    return WeeklyHours(days=tuple(tuple(spans) for spans in days))


def parse_closed_days(text: str) -> frozenset[date]:
    """`31.12.2026, 2027-01-05` → those dates; separators are commas, semicolons or spaces."""
    return frozenset(_parse_date(token) for token in re.split(r"[,;\s]+", text) if token)


def _parse_group(group: str) -> tuple[list[int], list[Span]]:
    parts = _COMMAS.sub(",", _DASHES.sub("-", group)).split()
    if len(parts) != 2:
        raise ScheduleError(f"cannot read {group!r}; {_EXAMPLE}")
    day_part, span_part = parts
    weekdays = [weekday for item in day_part.split(",") for weekday in _parse_days(item)]
    return weekdays, [_parse_span(item) for item in span_part.split(",")]


def _parse_days(item: str) -> list[int]:
    """`Mon` → [0]; `Mon-Fri` → [0..4]; `Fri-Mon` wraps over the weekend → [4, 5, 6, 0]."""
    ends = item.split("-")
    if len(ends) > 2:
        raise ScheduleError(f"cannot read days {item!r}; {_EXAMPLE}")
    first, *rest = (_weekday(name) for name in ends)
    last = rest[0] if rest else first
    return [(first + offset) % 7 for offset in range((last - first) % 7 + 1)]


def _weekday(name: str) -> int:
    lowered = name.lower()
    for weekday, full in enumerate(_FULL_DAY_NAMES):
        if lowered in (full, full[:3]):
            return weekday
    raise ScheduleError(f"{name!r} is not a day: use {', '.join(DAY_NAMES)}")


def _parse_span(item: str) -> Span:
    ends = item.split("-")
    if len(ends) != 2:
        raise ScheduleError(f"cannot read hours {item!r}, e.g. 09:00-18:00")
    span = Span(_minutes(ends[0]), _minutes(ends[1]))
    if span.end <= span.start:
        raise ScheduleError(
            f"{item!r} ends before it starts; split a night shift into two days' spans"
        )
    return span


def _minutes(text: str) -> int:
    match = _CLOCK.match(text)
    if match:
        hours, minutes = int(match[1]), int(match[2])
        if minutes < 60 and (hours < 24 or (hours == 24 and minutes == 0)):
            return hours * 60 + minutes
    raise ScheduleError(f"{text!r} is not a time of day: use HH:MM from 00:00 to 24:00")


def _add_spans(weekday: int, existing: list[Span], new: list[Span]) -> list[Span]:
    """Adds spans to a day, joining touching ones (13:00-14:00 and 14:00-18:00)."""
    merged: list[Span] = []
    for span in sorted([*existing, *new], key=lambda s: s.start):
        if merged and span.start < merged[-1].end:
            raise ScheduleError(
                f"{DAY_NAMES[weekday]} has overlapping hours {merged[-1]} and {span}"
            )
        if merged and span.start == merged[-1].end:
            merged[-1] = Span(merged[-1].start, span.end)
        else:
            merged.append(span)
    return merged


def _parse_date(token: str) -> date:
    dotted, iso = _DOTTED_DATE.match(token), _ISO_DATE.match(token)
    year_month_day = (dotted[3], dotted[2], dotted[1]) if dotted else iso.groups() if iso else ()
    if year_month_day:
        try:
            return date(*(int(part) for part in year_month_day))
        except ValueError:
            pass
    raise ScheduleError(f"{token!r} is not a date: use DD.MM.YYYY or YYYY-MM-DD, comma-separated")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
