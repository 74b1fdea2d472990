"""When consultants are back, as facts for the view to phrase ("back on Monday, 09:00")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from bot.services.desk.hours import WorkingHours

# Within this many days a weekday name is clear ("on Monday"); beyond it the view names the date.
WEEKDAY_HORIZON_DAYS = 6


class OpeningDay(Enum):
    NOW = "now"  # open at this moment
    TODAY = "today"  # later today: "at 09:00"
    TOMORROW = "tomorrow"
    WEEKDAY = "weekday"  # within the coming week: "on Monday"
    DATE = "date"  # a week or more away (New Year, Nauryz): "on 5 January"


@dataclass(frozen=True, slots=True)
class NextOpening:
    at: datetime  # UTC
    local: datetime  # the same moment in the desk's zone: its clock, weekday and date
    day: OpeningDay

    @property
    def is_open_now(self) -> bool:
        return self.day is OpeningDay.NOW


def describe_next_opening(hours: WorkingHours, moment: datetime) -> NextOpening:
    at = hours.next_opening(moment)
    local = at.astimezone(hours.tz)
    days_ahead = (local.date() - hours.local_date(moment)).days
    if hours.is_open(moment):
        day = OpeningDay.NOW
    elif days_ahead == 0:
        day = OpeningDay.TODAY
    elif days_ahead == 1:
        day = OpeningDay.TOMORROW
    elif days_ahead <= WEEKDAY_HORIZON_DAYS:
        day = OpeningDay.WEEKDAY
    else:
        day = OpeningDay.DATE
    return NextOpening(at=at, local=local, day=day)
