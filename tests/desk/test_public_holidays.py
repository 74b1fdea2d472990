"""Kazakhstan's days off as the `holidays` package gives them (real calendar data)."""

from __future__ import annotations

from datetime import date

from bot.services.desk.public_holidays import is_public_day_off, is_transferred_workday


def test_independence_day_is_one_day_since_2022() -> None:
    assert is_public_day_off(date(2026, 12, 16))  # a Wednesday
    assert not is_public_day_off(date(2026, 12, 17))
    assert is_public_day_off(date(2027, 12, 16))  # a Thursday
    assert not is_public_day_off(date(2027, 12, 17))
    # Until 2021 it was 16 and 17 December.
    assert is_public_day_off(date(2021, 12, 16)) and is_public_day_off(date(2021, 12, 17))


def test_holidays_on_a_weekend_are_observed_on_the_next_working_day() -> None:
    assert is_public_day_off(date(2026, 5, 11))  # Victory Day, Saturday 9 May 2026
    assert is_public_day_off(date(2026, 3, 24)) and is_public_day_off(date(2026, 3, 25))  # Nauryz
    assert is_public_day_off(date(2027, 1, 4))  # 2 January 2027 is a Saturday


def test_transferred_days_off_and_the_weekend_days_worked_instead() -> None:
    assert is_public_day_off(date(2025, 1, 3))  # Friday off ...
    assert is_transferred_workday(date(2025, 1, 5))  # ... for Sunday worked
    assert is_public_day_off(date(2024, 5, 8))  # Wednesday off ...
    assert is_transferred_workday(date(2024, 5, 4))  # ... for Saturday worked
    assert not is_transferred_workday(date(2024, 5, 5))
    assert not is_public_day_off(date(2024, 5, 6))


def test_an_exchange_across_new_year_is_found_in_the_next_years_decree() -> None:
    # 28 Dec 2013 was worked for 3 Jan 2014; the package lists it under 2014.
    assert is_transferred_workday(date(2013, 12, 28))
    assert is_public_day_off(date(2014, 1, 3))


def test_ordinary_days_and_years_before_independence() -> None:
    assert not is_public_day_off(date(2026, 12, 14))
    assert not is_public_day_off(date(2026, 12, 12))  # weekends are the desk's business
    assert not is_public_day_off(date(1985, 1, 1))
    assert not is_transferred_workday(date(1985, 1, 6))
