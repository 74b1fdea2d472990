"""Date examples come from the clock: next month, in the configured zone, never in the past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.events.examples import (
    date_examples,
    example_date,
    example_end,
    example_start,
)
from bot.services.events.timeparse import check_future, parse_any, parse_end, parse_local
from bot.testing import FakeClock

ALMATY = ZoneInfo("Asia/Almaty")


def test_examples_for_an_ordinary_day() -> None:
    clock = FakeClock(datetime(2026, 3, 1, 6, 0, tzinfo=UTC))
    examples = date_examples(clock.now(), ALMATY)
    assert examples.start == example_start(clock.now(), ALMATY) == "15.04.2026 10:00"
    assert examples.date == example_date(clock.now(), ALMATY) == "30.04.2026"
    assert examples.end == example_end(clock.now(), ALMATY) == "15.04.2026 12:30"
    assert examples.end_time == "12:30"
    assert (examples.iso_start, examples.iso_date) == ("2026-04-15T10:00", "2026-04-30")


@pytest.mark.parametrize(
    ("now", "start", "deadline"),
    [
        # 31 December 20:00 UTC is already 1 January in Almaty: the example is February.
        (datetime(2026, 12, 31, 20, 0, tzinfo=UTC), "15.02.2027 10:00", "28.02.2027"),
        # 31 December 18:00 UTC is still 23:00 on 31 December in Almaty.
        (datetime(2026, 12, 31, 18, 0, tzinfo=UTC), "15.01.2027 10:00", "31.01.2027"),
        (datetime(2027, 1, 31, 12, 0, tzinfo=UTC), "15.02.2027 10:00", "28.02.2027"),
        (datetime(2028, 1, 10, 12, 0, tzinfo=UTC), "15.02.2028 10:00", "29.02.2028"),
        (datetime(2026, 11, 30, 12, 0, tzinfo=UTC), "15.12.2026 10:00", "31.12.2026"),
    ],
)
def test_examples_at_month_and_year_ends(now: datetime, start: str, deadline: str) -> None:
    clock = FakeClock(now)
    assert example_start(clock.now(), ALMATY) == start
    assert example_date(clock.now(), ALMATY) == deadline


def test_every_example_is_accepted_and_ahead_all_year_round() -> None:
    clock = FakeClock(datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    while clock.now() < datetime(2027, 1, 2, tzinfo=UTC):
        now = clock.now()
        examples = date_examples(now, ALMATY)
        start, all_day = parse_local(examples.start, ALMATY)
        assert not all_day and start > now
        check_future(start, now, all_day=False)
        deadline, all_day = parse_local(examples.date, ALMATY)
        assert all_day and deadline > now
        check_future(deadline, now, all_day=True)
        assert parse_end(examples.end, start, False, ALMATY) == start + timedelta(hours=2.5)
        assert parse_end(examples.end_time, start, False, ALMATY) == start + timedelta(hours=2.5)
        assert parse_any(examples.iso_start, ALMATY) == (start, False)
        assert parse_any(examples.iso_date, ALMATY) == (deadline, True)
        clock.advance(timedelta(hours=7))


def test_examples_follow_the_configured_zone() -> None:
    # 19:30 UTC on 30 April is already 1 May in Asia/Almaty (UTC+5) but not in Europe/London.
    now = datetime(2026, 4, 30, 19, 30, tzinfo=UTC)
    assert example_start(now, ALMATY) == "15.06.2026 10:00"
    assert example_start(now, ZoneInfo("Europe/London")) == "15.05.2026 10:00"
