"""Moments on the desk's wall clock (Asia/Almaty), handed to the code as UTC like the database's."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.services.desk.hours import WorkingHours
from bot.services.desk.schedule import parse_closed_days, parse_desk_hours
from bot.timezones import zone

ALMATY = zone("Asia/Almaty")


def almaty(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def desk(hours: str = "Mon-Fri 09:00-18:00", closed: str = "") -> WorkingHours:
    return WorkingHours(parse_desk_hours(hours), ALMATY, parse_closed_days(closed))
