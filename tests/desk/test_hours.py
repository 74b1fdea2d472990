"""Working hours on Kazakhstan's real calendar: openings, SLA deadlines, durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.services.desk.hours import WorkingHours
from bot.services.desk.schedule import WeeklyHours, parse_desk_hours
from bot.timezones import zone
from tests.desk.calendar import ALMATY, almaty, desk

HOUR = timedelta(hours=1)


def test_friday_evening_opens_monday_morning() -> None:
    hours = desk()
    friday = almaty(2026, 12, 11, 18, 30)
    assert not hours.is_open(friday)
    assert hours.next_opening(friday) == almaty(2026, 12, 14, 9)


def test_open_hours_are_half_open() -> None:
    hours = desk()
    assert hours.is_open(almaty(2026, 12, 14, 9))
    assert hours.is_open(almaty(2026, 12, 14, 17, 59))
    assert not hours.is_open(almaty(2026, 12, 14, 18))
    assert not hours.is_open(almaty(2026, 12, 14, 8, 59))
    assert hours.next_opening(almaty(2026, 12, 14, 12)) == almaty(2026, 12, 14, 12)
    assert hours.next_opening(almaty(2026, 12, 14, 6)) == almaty(2026, 12, 14, 9)


def test_independence_day_2026_closes_wednesday_only() -> None:
    hours = desk()
    holiday = almaty(2026, 12, 16, 10)
    assert not hours.is_open(holiday)
    assert hours.next_opening(holiday) == almaty(2026, 12, 17, 9)
    assert hours.next_opening(almaty(2026, 12, 15, 18, 30)) == almaty(2026, 12, 17, 9)


def test_independence_day_2027_is_a_thursday() -> None:
    assert desk().next_opening(almaty(2027, 12, 15, 19)) == almaty(2027, 12, 17, 9)


def test_independence_days_of_2021_closed_two_days() -> None:
    assert desk().next_opening(almaty(2021, 12, 15, 19)) == almaty(2021, 12, 20, 9)


def test_holiday_observed_after_a_weekend_and_nauryz() -> None:
    hours = desk()
    # Victory Day 2026 is a Saturday: Monday 11 May is off.
    assert hours.next_opening(almaty(2026, 5, 8, 18, 30)) == almaty(2026, 5, 12, 9)
    # Nauryz 21–23 March 2026 with two days observed: back on Thursday 26 March.
    assert hours.next_opening(almaty(2026, 3, 20, 18, 30)) == almaty(2026, 3, 26, 9)
    # New Year 2027: 1 Jan (Fri), 2 Jan (Sat, observed Monday 4 Jan).
    assert hours.next_opening(almaty(2026, 12, 31, 18, 30)) == almaty(2027, 1, 5, 9)


def test_escalation_two_working_hours_after_friday_five_is_monday_ten() -> None:
    hours = desk()
    created = almaty(2026, 12, 11, 17)
    deadline = hours.add_working_time(created, 2 * HOUR)
    assert deadline == almaty(2026, 12, 14, 10)
    assert hours.working_time_between(created, deadline) == 2 * HOUR
    assert hours.working_time_between(created, almaty(2026, 12, 13, 23, 59)) == HOUR


def test_deadline_skips_independence_day() -> None:
    hours = desk()
    assert hours.add_working_time(almaty(2026, 12, 15, 17), 2 * HOUR) == almaty(2026, 12, 17, 10)
    assert hours.add_working_time(almaty(2026, 12, 15, 17), 4 * HOUR) == almaty(2026, 12, 17, 12)


def test_transferred_working_sunday_opens_with_weekday_hours() -> None:
    hours = desk()
    # 1–2 Jan 2025 New Year, Fri 3 Jan off in exchange for Sunday 5 Jan worked.
    assert not hours.is_open(almaty(2025, 1, 3, 10))
    assert hours.is_open(almaty(2025, 1, 5, 10))
    assert hours.next_opening(almaty(2024, 12, 31, 18, 30)) == almaty(2025, 1, 5, 9)
    assert hours.add_working_time(almaty(2024, 12, 31, 17), 2 * HOUR) == almaty(2025, 1, 5, 10)


def test_transferred_working_saturday_uses_weekday_hours_not_the_desks_saturday() -> None:
    hours = desk("Mon-Fri 09:00-18:00; Sat 10:00-14:00")
    # Saturday 4 May 2024 was worked for Wednesday 8 May.
    assert hours.next_opening(almaty(2024, 5, 4, 7)) == almaty(2024, 5, 4, 9)
    assert hours.is_open(almaty(2024, 5, 4, 17))
    assert not hours.is_open(almaty(2024, 5, 8, 12))
    # An ordinary Saturday keeps the desk's own hours.
    assert hours.next_opening(almaty(2024, 5, 10, 18, 30)) == almaty(2024, 5, 11, 10)
    assert not hours.is_open(almaty(2024, 5, 11, 15))


def test_extra_closed_days() -> None:
    hours = desk(closed="14.12.2026, 2026-12-15")
    assert hours.next_opening(almaty(2026, 12, 11, 18, 30)) == almaty(2026, 12, 17, 9)
    assert hours.add_working_time(almaty(2026, 12, 11, 17), 2 * HOUR) == almaty(2026, 12, 17, 10)
    assert not hours.is_open(almaty(2026, 12, 14, 12))


def test_public_holiday_closes_the_desks_own_saturday_hours() -> None:
    hours = desk("Mon-Fri 09:00-18:00; Sat 10:00-14:00")
    assert hours.next_opening(almaty(2026, 12, 11, 18, 30)) == almaty(2026, 12, 12, 10)
    # Saturday 2 January 2027 is New Year.
    assert not hours.is_open(almaty(2027, 1, 2, 11))


def test_lunch_break_is_not_working_time() -> None:
    hours = desk("Mon-Fri 09:00-13:00, 14:00-18:00")
    assert not hours.is_open(almaty(2026, 12, 14, 13, 30))
    assert hours.next_opening(almaty(2026, 12, 14, 13, 30)) == almaty(2026, 12, 14, 14)
    before_lunch = almaty(2026, 12, 14, 12, 30)
    assert hours.add_working_time(before_lunch, HOUR) == almaty(2026, 12, 14, 14, 30)
    assert hours.working_time_between(almaty(2026, 12, 14), almaty(2026, 12, 15)) == 8 * HOUR


def test_working_time_over_weeks_and_a_year() -> None:
    hours = desk()
    assert hours.working_time_between(almaty(2026, 12, 7, 9), almaty(2026, 12, 14, 9)) == 45 * HOUR
    # The week of Independence Day has four working days.
    assert hours.working_time_between(almaty(2026, 12, 14), almaty(2026, 12, 21)) == 36 * HOUR
    # 2026: 261 weekdays, 14 of them public days off.
    assert hours.working_time_between(almaty(2026, 1, 1), almaty(2027, 1, 1)) == 247 * 9 * HOUR


def test_reversed_or_empty_intervals_count_nothing() -> None:
    hours = desk()
    monday = almaty(2026, 12, 14, 12)
    assert hours.working_time_between(monday, monday - HOUR) == timedelta(0)
    assert hours.working_time_between(monday, monday) == timedelta(0)
    friday_night = almaty(2026, 12, 11, 19)
    assert hours.add_working_time(friday_night, timedelta(0)) == friday_night
    with pytest.raises(ValueError, match="negative"):
        hours.add_working_time(monday, -HOUR)


def test_deadlines_and_durations_agree_across_holidays() -> None:
    hours = desk("Mon-Fri 09:00-13:00, 14:00-18:00; Sat 10:00-14:00", closed="29.12.2026")
    start = almaty(2026, 12, 10)
    for step in range(0, 40 * 24 * 60, 97):  # every 97 minutes over forty days
        moment = start + timedelta(minutes=step)
        opening = hours.next_opening(moment)
        assert hours.is_open(opening)
        assert hours.working_time_between(moment, opening) == timedelta(0)
        for duration in (timedelta(minutes=30), 2 * HOUR, 4 * HOUR, 30 * HOUR):
            deadline = hours.add_working_time(moment, duration)
            assert hours.working_time_between(moment, deadline) == duration
            assert hours.working_time_between(moment, deadline - timedelta(minutes=1)) < duration


def test_always_is_open_round_the_clock_even_on_holidays() -> None:
    hours = desk("always", closed="16.12.2026")
    night = almaty(2026, 12, 16, 3)
    assert hours.always and hours.is_open(night)
    assert hours.next_opening(night) == night
    assert hours.add_working_time(night, 2 * HOUR) == almaty(2026, 12, 16, 5)
    assert hours.working_time_between(night, almaty(2026, 12, 18, 3)) == 48 * HOUR


def test_results_are_utc_whatever_zone_the_input_is_in() -> None:
    hours = desk()
    local = datetime(2026, 12, 11, 18, 30, tzinfo=ALMATY)
    opening = hours.next_opening(local)
    assert opening.tzinfo is UTC
    assert opening == datetime(2026, 12, 14, 4, tzinfo=UTC)  # 09:00 at UTC+5
    assert hours.add_working_time(local, HOUR).tzinfo is UTC


def test_naive_moments_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        desk().is_open(datetime(2026, 12, 14, 12))


def test_a_desk_with_no_hours_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one open span"):
        WorkingHours(WeeklyHours(), ALMATY)


def test_wall_clock_hours_survive_a_daylight_saving_change() -> None:
    berlin = zone("Europe/Berlin")
    hours = WorkingHours(parse_desk_hours("Sun 00:00-24:00"), berlin)
    # Clocks in Berlin jump from 02:00 to 03:00 on Sunday 29 March 2026.
    start = datetime(2026, 3, 29, tzinfo=berlin)
    assert hours.working_time_between(start, start + 2 * 24 * HOUR) == 23 * HOUR
    assert hours.next_opening(datetime(2026, 3, 28, 12, tzinfo=berlin)) == start
