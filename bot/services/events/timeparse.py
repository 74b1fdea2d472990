"""Dates and times as admins type them (`DD.MM.YYYY HH:MM`, local) and as files carry them (ISO).

Every failure raises EventInputError with a code the handler turns into a precise message.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.services.events.model import MAX_DURATION_DAYS, EventInputError

# What admins type, and how examples are written (strftime); `_LOCAL_RE` reads both.
LOCAL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
LOCAL_DATE_FORMAT = "%d.%m.%Y"
_LOCAL_RE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2})[:.](\d{2}))?$")
_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)
_CLOCK_RE = re.compile(r"^(\d{1,2})[:.](\d{2})$")
# Units as admins write them in Russian, Kazakh and English: "2ч", "2 часа", "2 сағ", "2 сағат",
# "2h", "2 hours"; an abbreviation may end with a dot ("90 мин.").
_UNIT_WORDS = {
    60: ("ч", "час", "часа", "часов", "сағ", "сағат", "h", "hr", "hrs", "hour", "hours"),
    1: ("м", "мин", "минута", "минуты", "минут", "m", "min", "mins", "minute", "minutes"),
    1440: ("д", "дн", "день", "дня", "дней", "күн", "d", "day", "days"),
}
_UNIT_MINUTES = {word: minutes for minutes, words in _UNIT_WORDS.items() for word in words}
# Longest first, so "часов" is not read as "ч" followed by junk.
_UNITS = "|".join(sorted(_UNIT_MINUTES, key=len, reverse=True))
_DURATION_PART_RE = re.compile(rf"(\d+)\s*({_UNITS})\.?(?![^\W\d_])", re.IGNORECASE)
_SKIP_WORDS = frozenset({"-", "—", "no", "нет", "жоқ"})
# Far enough for any planned forum; catches a mistyped year.
MAX_YEARS_AHEAD = 5


def _build(
    year: int, month: int, day: int, hour: int | None, minute: int | None, tz: tzinfo
) -> tuple[datetime, bool]:
    try:
        day_value = date(year, month, day)
    except ValueError:
        raise EventInputError("no_such_date") from None
    if hour is None or minute is None:
        return datetime.combine(day_value, time(0, 0), tz).astimezone(UTC), True
    if hour > 23 or minute > 59:
        raise EventInputError("bad_time")
    return datetime.combine(day_value, time(hour, minute), tz).astimezone(UTC), False


def parse_local(text: str, tz: ZoneInfo) -> tuple[datetime, bool]:
    """`31.03.2026 10:00` → (UTC instant, False); `31.03.2026` → (local midnight, all_day=True)."""
    match = _LOCAL_RE.match(text.strip())
    if match is None:
        raise EventInputError("bad_datetime_format")
    day, month, year, hour, minute = match.groups()
    return _build(
        int(year),
        int(month),
        int(day),
        int(hour) if hour is not None else None,
        int(minute) if minute is not None else None,
        tz,
    )


def parse_any(value: object, tz: ZoneInfo) -> tuple[datetime, bool]:
    """Files: the local format, ISO 8601 (an offset is honoured, none means local), or the
    date/datetime objects YAML produces by itself."""
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=tz)
        return aware.astimezone(UTC), False
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), tz).astimezone(UTC), True
    text = str(value).strip()
    if _LOCAL_RE.match(text):
        return parse_local(text, tz)
    match = _ISO_RE.match(text)
    if match is None:
        raise EventInputError("bad_datetime_format")
    year, month, day, hour, minute, _seconds, offset = match.groups()
    zone: tzinfo = _parse_offset(offset) if offset else tz
    return _build(
        int(year),
        int(month),
        int(day),
        int(hour) if hour is not None else None,
        int(minute) if minute is not None else None,
        zone,
    )


def _parse_offset(offset: str) -> tzinfo:
    if offset.upper() == "Z":
        return UTC
    sign = -1 if offset.startswith("-") else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 14 or minutes > 59:
        raise EventInputError("bad_datetime_format")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def check_future(moment: datetime, now: datetime, *, all_day: bool) -> None:
    # An all-day deadline stays valid for the whole of its day.
    last_moment = moment + timedelta(days=1) if all_day else moment
    if last_moment <= now:
        raise EventInputError("in_past")
    if moment > now + timedelta(days=366 * MAX_YEARS_AHEAD):
        raise EventInputError("too_far", years=MAX_YEARS_AHEAD)


def is_skip(text: str) -> bool:
    return text.strip().lower() in _SKIP_WORDS


def parse_duration(text: str) -> timedelta:
    """`2ч`, `90 мин`, `1ч30мин`, `3 дня`, `2 сағат`, `3 күн`, `2h`, `90m`, `3d` (the units of
    ``_UNIT_WORDS``, in any case); a bare number means minutes."""
    compact = text.strip().lower()
    if compact.isdigit():
        minutes = int(compact)
    else:
        parts = _DURATION_PART_RE.findall(compact)
        if not parts or _DURATION_PART_RE.sub("", compact).strip():
            raise EventInputError("bad_end_format")
        minutes = sum(int(number) * _UNIT_MINUTES[unit.lower()] for number, unit in parts)
    if minutes <= 0:
        raise EventInputError("end_before_start")
    if minutes > MAX_DURATION_DAYS * 1440:
        raise EventInputError("too_long_event", days=MAX_DURATION_DAYS)
    return timedelta(minutes=minutes)


def parse_end(text: str, start: datetime, all_day: bool, tz: ZoneInfo) -> datetime | None:
    """End of an event: a date/time, a clock time on the start day, or a duration.

    For an all-day event a date means "through that day", so the stored end is the next local
    midnight (exclusive, as calendars expect)."""
    text = text.strip()
    if is_skip(text):
        return None
    if _LOCAL_RE.match(text) or _ISO_RE.match(text):
        end, end_all_day = parse_any(text, tz)
        if end_all_day:
            end = (end.astimezone(tz) + timedelta(days=1)).astimezone(UTC)
        elif all_day:
            raise EventInputError("end_needs_date")
    elif (clock := _CLOCK_RE.match(text)) is not None:
        if all_day:
            raise EventInputError("end_needs_date")
        hour, minute = int(clock.group(1)), int(clock.group(2))
        if hour > 23 or minute > 59:
            raise EventInputError("bad_time")
        local_start = start.astimezone(tz)
        end = datetime.combine(local_start.date(), time(hour, minute), tz).astimezone(UTC)
    else:
        end = start + parse_duration(text)
    if end <= start:
        raise EventInputError("end_before_start")
    if end - start > timedelta(days=MAX_DURATION_DAYS):
        raise EventInputError("too_long_event", days=MAX_DURATION_DAYS)
    return end
