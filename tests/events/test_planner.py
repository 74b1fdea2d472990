"""The reminder planner: offsets, all-day deadlines, quiet hours, overdue-while-ahead."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.events.planner import (
    Choice,
    QuietHours,
    Slot,
    ahead_until,
    choose,
    event_slots,
    sendable,
)

ALMATY = ZoneInfo("Asia/Almaty")
QUIET = QuietHours(time(22, 0), time(9, 0), ALMATY)
OFFSETS = (10080, 1440, 60)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=ALMATY).astimezone(UTC)


def by_offset(slots: list[Slot]) -> dict[int, Slot]:
    return {slot.offset_minutes: slot for slot in slots}


def test_almaty_is_utc_plus_5() -> None:
    assert local(2026, 3, 31, 10, 0) == datetime(2026, 3, 31, 5, 0, tzinfo=UTC)


def test_timed_event_gets_all_offsets_and_the_hour_one_is_urgent() -> None:
    slots = by_offset(event_slots(local(2026, 4, 15, 14, 0), False, OFFSETS, QUIET))
    assert slots[10080].send_at == local(2026, 4, 8, 14, 0)
    assert slots[1440].send_at == local(2026, 4, 14, 14, 0)
    assert slots[60].send_at == local(2026, 4, 15, 13, 0)
    assert slots[60].urgent and not slots[1440].urgent


def test_all_day_deadline_skips_sub_day_offsets_and_waits_for_the_morning() -> None:
    # Anchored at local midnight: "7 days before" is 00:00, inside quiet hours → 09:00.
    slots = by_offset(event_slots(local(2026, 3, 31, 0, 0), True, OFFSETS, QUIET))
    assert set(slots) == {10080, 1440}
    assert slots[10080].send_at == local(2026, 3, 24, 9, 0)
    assert slots[1440].send_at == local(2026, 3, 30, 9, 0)


def test_quiet_hours_hold_non_urgent_until_the_end_of_the_night() -> None:
    slots = by_offset(event_slots(local(2026, 4, 15, 23, 30), False, OFFSETS, QUIET))
    assert slots[1440].nominal_at == local(2026, 4, 14, 23, 30)
    assert slots[1440].send_at == local(2026, 4, 15, 9, 0)
    # The urgent one keeps its time even at night.
    assert slots[60].send_at == local(2026, 4, 15, 22, 30)


def test_holding_is_not_allowed_to_pass_the_event() -> None:
    # Event at 08:30: a 2-hour reminder at 06:30 would be held to 09:00, after the start.
    slots = by_offset(event_slots(local(2026, 4, 15, 8, 30), False, (120,), QUIET))
    assert slots[120].send_at == local(2026, 4, 15, 6, 30)


def test_quiet_hours_within_one_day_and_switched_off() -> None:
    afternoon = QuietHours(time(13, 0), time(15, 0), ALMATY)
    assert afternoon.contains(local(2026, 4, 1, 14, 0))
    assert not afternoon.contains(local(2026, 4, 1, 15, 0))
    assert afternoon.release(local(2026, 4, 1, 13, 30)) == local(2026, 4, 1, 15, 0)
    off = QuietHours(time(0, 0), time(0, 0), ALMATY)
    assert not off.contains(local(2026, 4, 1, 3, 0))


def test_quiet_release_after_midnight_is_the_same_morning() -> None:
    assert QUIET.release(local(2026, 4, 2, 1, 0)) == local(2026, 4, 2, 9, 0)
    assert QUIET.release(local(2026, 4, 1, 23, 0)) == local(2026, 4, 2, 9, 0)
    assert QUIET.release(local(2026, 4, 1, 12, 0)) == local(2026, 4, 1, 12, 0)


def plan(
    now: datetime,
    start: datetime,
    *,
    handled: tuple[int, ...] = (),
    all_day: bool = False,
    opted_in_at: datetime | None = None,
) -> Choice:
    slots = event_slots(start, all_day, OFFSETS, QUIET)
    return choose(
        slots,
        now=now,
        limit=ahead_until(start, all_day, ALMATY),
        quiet=QUIET,
        opted_in_at=opted_in_at or local(2020, 1, 1, 0, 0),
        handled=handled,
    )


def sent(choice: Choice) -> int | None:
    return choice.send.offset_minutes if choice.send else None


def test_nothing_before_the_first_slot_then_each_in_turn() -> None:
    start = local(2026, 4, 15, 14, 0)
    assert plan(local(2026, 4, 8, 13, 59), start).send is None
    assert sent(plan(local(2026, 4, 8, 14, 0), start)) == 10080
    assert plan(local(2026, 4, 9, 14, 0), start, handled=(10080,)).send is None
    day = plan(local(2026, 4, 14, 14, 0), start, handled=(10080,)).send
    assert day is not None and day.offset_minutes == 1440
    hour = plan(local(2026, 4, 15, 13, 0), start, handled=(10080, 1440)).send
    assert hour is not None and hour.offset_minutes == 60


def test_after_downtime_only_the_closest_overdue_slot_goes_and_the_rest_are_skipped() -> None:
    start = local(2026, 4, 15, 14, 0)
    choice = plan(local(2026, 4, 14, 16, 0), start)  # down since before the 7-day slot
    assert choice.send is not None and choice.send.offset_minutes == 1440
    assert [s.offset_minutes for s in choice.skip] == [10080]


def test_overdue_reminders_stop_once_the_event_has_started() -> None:
    start = local(2026, 4, 15, 14, 0)
    assert plan(local(2026, 4, 15, 14, 0), start).send is None
    assert sent(plan(local(2026, 4, 15, 13, 59), start)) == 60


def test_an_all_day_deadline_is_ahead_for_its_whole_day() -> None:
    start = local(2026, 3, 31, 0, 0)
    late = plan(local(2026, 3, 31, 15, 0), start, all_day=True)
    assert late.send is not None and late.send.offset_minutes == 1440
    assert plan(local(2026, 4, 1, 0, 0), start, all_day=True).send is None


def test_an_overdue_reminder_found_at_night_waits_for_the_morning() -> None:
    start = local(2026, 4, 16, 14, 0)
    assert plan(local(2026, 4, 15, 23, 0), start, handled=(10080,)).send is None
    morning = plan(local(2026, 4, 16, 9, 0), start, handled=(10080,)).send
    assert morning is not None and morning.offset_minutes == 1440


def test_slots_before_the_user_asked_are_not_sent() -> None:
    start = local(2026, 4, 15, 14, 0)
    choice = plan(local(2026, 4, 12, 10, 0), start, opted_in_at=local(2026, 4, 12, 9, 0))
    assert choice.send is None and choice.skip == ()
    later = plan(local(2026, 4, 14, 14, 0), start, opted_in_at=local(2026, 4, 12, 9, 0))
    assert later.send is not None and later.send.offset_minutes == 1440


def test_never_a_slot_further_away_than_one_already_sent() -> None:
    start = local(2026, 4, 15, 14, 0)
    assert plan(local(2026, 4, 14, 15, 0), start, handled=(1440,)).send is None


def test_sendable_respects_limit() -> None:
    start = local(2026, 4, 15, 14, 0)
    slot = event_slots(start, False, (60,), QUIET)[0]
    assert sendable(slot, local(2026, 4, 15, 13, 30), start, QUIET)
    assert not sendable(slot, start + timedelta(seconds=1), start, QUIET)
