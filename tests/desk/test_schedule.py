"""DESK_HOURS and DESK_CLOSED_DAYS as operators type them."""

from __future__ import annotations

from datetime import date

import pytest

from bot.services.desk.schedule import (
    ALWAYS,
    ScheduleError,
    Span,
    parse_closed_days,
    parse_desk_hours,
)

NINE_TO_SIX = (Span(9 * 60, 18 * 60),)


def test_weekdays_nine_to_six() -> None:
    hours = parse_desk_hours("Mon-Fri 09:00-18:00")
    assert hours.days == (NINE_TO_SIX,) * 5 + ((), ())
    assert not hours.always


def test_several_groups_lunch_break_and_loose_spelling() -> None:
    hours = parse_desk_hours("mon - friday 9:00 – 13:00 , 14:00-18:00;\nSAT 10:00-14:00")
    lunch = (Span(9 * 60, 13 * 60), Span(14 * 60, 18 * 60))
    assert hours.days == (lunch,) * 5 + ((Span(10 * 60, 14 * 60),), ())


def test_day_lists_and_ranges_over_the_weekend() -> None:
    hours = parse_desk_hours("Fri-Mon 10:00-12:00; Wed,Thu 00:00-24:00")
    open_days = [weekday for weekday, spans in enumerate(hours.days) if spans]
    assert open_days == [0, 2, 3, 4, 5, 6]
    assert hours.spans_on(2) == (Span(0, 24 * 60),)


def test_touching_spans_join_into_one() -> None:
    hours = parse_desk_hours("Mon 09:00-13:00; Mon 13:00-18:00")
    assert hours.spans_on(0) == NINE_TO_SIX


@pytest.mark.parametrize("text", ["always", " Always ", "ALWAYS;"])
def test_always(text: str) -> None:
    assert parse_desk_hours(text) is ALWAYS


def test_text_form_reads_back_to_the_same_hours() -> None:
    hours = parse_desk_hours("Mon-Fri 09:00-13:00, 14:00-18:00; Sun 10:00-24:00")
    assert str(hours).startswith("Mon 09:00-13:00, 14:00-18:00; Tue ")
    assert parse_desk_hours(str(hours)) == hours
    assert str(ALWAYS) == "always"


def test_workday_spans_are_the_first_weekday_with_hours() -> None:
    assert parse_desk_hours("Tue-Fri 10:00-17:00; Sat 10:00-12:00").workday_spans == (
        Span(10 * 60, 17 * 60),
    )
    assert parse_desk_hours("Sat-Sun 10:00-12:00").workday_spans == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty"),
        ("Mon-Fri", "cannot read 'Mon-Fri'"),
        ("Mon-Fri 09:00-18:00 extra", "cannot read"),
        ("Mon-Fry 09:00-18:00", "'Fry' is not a day"),
        ("Mon-Wed-Fri 09:00-18:00", "cannot read days 'Mon-Wed-Fri'"),
        ("Пн-Пт 09:00-18:00", "'Пн' is not a day"),
        ("Mon-Fri 09:00", "cannot read hours '09:00'"),
        ("Mon-Fri 9-18", "'9' is not a time of day"),
        ("Mon-Fri 09:00-25:00", "'25:00' is not a time of day"),
        ("Mon-Fri 09:60-18:00", "'09:60' is not a time of day"),
        ("Mon-Fri 09:00-24:30", "'24:30' is not a time of day"),
        ("Mon-Fri 18:00-09:00", "'18:00-09:00' ends before it starts"),
        ("Mon 09:00-09:00", "ends before it starts"),
        ("Mon-Fri 09:00-18:00; Fri 17:00-20:00", "Fri has overlapping hours 09:00-18:00"),
        ("always; Mon 09:00-18:00", "'always' cannot be combined with other hours"),
    ],
)
def test_wrong_hours_say_what_is_wrong_in_one_line(text: str, message: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_desk_hours(text)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_closed_days_in_both_spellings() -> None:
    assert parse_closed_days("31.12.2026, 2027-01-05;4.1.2027  2027-01-06") == {
        date(2026, 12, 31),
        date(2027, 1, 4),
        date(2027, 1, 5),
        date(2027, 1, 6),
    }
    assert parse_closed_days("  ") == frozenset()


@pytest.mark.parametrize("text", ["31.02.2026", "2026-13-01", "12/31/2026", "tomorrow", "2026-1-5"])
def test_wrong_closed_day_is_named(text: str) -> None:
    with pytest.raises(ScheduleError) as error:
        parse_closed_days(f"01.01.2027, {text}")
    assert str(error.value) == (
        f"{text!r} is not a date: use DD.MM.YYYY or YYYY-MM-DD, comma-separated"
    )
