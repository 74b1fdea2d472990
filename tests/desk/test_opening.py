"""The next opening as facts for "consultants are back on Monday, 09:00"."""

from __future__ import annotations

from datetime import time

from bot.services.desk.opening import OpeningDay, describe_next_opening
from tests.desk.calendar import almaty, desk


def test_friday_evening_names_monday() -> None:
    opening = describe_next_opening(desk(), almaty(2026, 12, 11, 18, 30))
    assert opening.day is OpeningDay.WEEKDAY
    assert opening.at == almaty(2026, 12, 14, 9)
    assert opening.local.weekday() == 0
    assert opening.local.time() == time(9, 0)
    assert not opening.is_open_now


def test_independence_day_names_tomorrow() -> None:
    opening = describe_next_opening(desk(), almaty(2026, 12, 16, 10))
    assert opening.day is OpeningDay.TOMORROW
    assert opening.local.date().isoformat() == "2026-12-17"


def test_early_morning_is_today() -> None:
    opening = describe_next_opening(desk(), almaty(2026, 12, 14, 7, 15))
    assert opening.day is OpeningDay.TODAY
    assert opening.local.time() == time(9, 0)


def test_open_now() -> None:
    moment = almaty(2026, 12, 14, 11)
    opening = describe_next_opening(desk(), moment)
    assert opening.is_open_now and opening.day is OpeningDay.NOW
    assert opening.at == moment


def test_nauryz_is_still_within_the_week() -> None:
    opening = describe_next_opening(desk(), almaty(2026, 3, 20, 18, 30))
    assert opening.day is OpeningDay.WEEKDAY
    assert opening.local.date().isoformat() == "2026-03-26"


def test_a_closure_of_more_than_a_week_names_the_date() -> None:
    hours = desk(closed="28.12.2026, 29.12.2026, 30.12.2026, 31.12.2026")
    opening = describe_next_opening(hours, almaty(2026, 12, 25, 18, 30))
    assert opening.day is OpeningDay.DATE
    assert opening.local.date().isoformat() == "2027-01-05"


def test_always_is_open_now() -> None:
    assert describe_next_opening(desk("always"), almaty(2026, 12, 16, 3)).is_open_now
