"""Kazakhstan's public holidays and transferred days off, from the maintained `holidays` package.

What the package (0.109) models and what it does not, checked against its own data:
- Holidays falling on a weekend move to the next working day (Labour Code art. 85), except
  Orthodox Christmas and Kurban Ait: e.g. 9 May 2026 (Sat) is observed on Mon 11 May.
- Transferred days off (перенос выходных) decreed by the government, with the weekend day that
  becomes a working day: e.g. Fri 3 Jan 2025 off, Sun 5 Jan 2025 worked. The package lists them up
  to 2025; it has none for 2026 or later, and none was decreed for early 2026.
- Independence Day is 16 December only since 2022 (16–17 December until 2021).
- Constitution Day is 30 August until 2025 and 15 March from 2027 (none in 2026).
- Kurban Ait is an astronomical estimate until the year is confirmed (marked "estimated").
A day the package misses can be closed with DESK_CLOSED_DAYS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

COUNTRY = "KZ"


@dataclass(frozen=True, slots=True)
class _YearCalendar:
    days_off: frozenset[date]
    weekend_workdays: frozenset[date]


def is_public_day_off(day: date) -> bool:
    """A holiday, an observed holiday or a transferred day off (weekends are not included)."""
    return day in _year(day.year).days_off


def is_transferred_workday(day: date) -> bool:
    """A Saturday or Sunday the government made a working day in exchange for a day off."""
    return day in _year(day.year).weekend_workdays


@lru_cache(maxsize=16)
def _year(year: int) -> _YearCalendar:
    # Neighbouring years too: an exchange may cross New Year (the package lists 28 Dec 2013,
    # worked for 3 Jan 2014, under 2014), and an observed day may land in the next year.
    calendar = holidays.country_holidays(COUNTRY, years=(year - 1, year, year + 1))
    return _YearCalendar(
        days_off=frozenset(day for day in calendar if day.year == year),
        weekend_workdays=frozenset(day for day in calendar.weekend_workdays if day.year == year),
    )
