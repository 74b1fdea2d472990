"""When the desk is open, and durations counted in working time (SLA deadlines, ages on the board).

Every function takes and returns aware datetimes in UTC; the weekly hours are wall-clock times in
the desk's zone. Time is walked one day's open spans at a time, never minute by minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.desk.public_holidays import is_public_day_off, is_transferred_workday
from bot.services.desk.schedule import Span, WeeklyHours

Segment = tuple[datetime, datetime]


class WorkingHours:
    """The desk's weekly hours without Kazakhstan's days off and the extra closed days.

    A weekend day the state makes a working day (a transferred day off) is open with the hours of
    an ordinary weekday. `always` is open round the clock, holidays and closed days included.
    """

    def __init__(
        self, weekly: WeeklyHours, tz: ZoneInfo, closed_days: frozenset[date] = frozenset()
    ) -> None:
        if not weekly.always and not any(weekly.days):
            raise ValueError("the desk needs at least one open span, or `always`")
        self.weekly = weekly
        self.tz = tz
        self.closed_days = closed_days

    @property
    def always(self) -> bool:
        return self.weekly.always

    def is_open(self, moment: datetime) -> bool:
        now = _utc(moment)
        if self.always:
            return True
        return any(start <= now < end for start, end in self._segments(self.local_date(now)))

    def next_opening(self, moment: datetime) -> datetime:
        """The moment itself when open, otherwise when the next open span starts."""
        now = _utc(moment)
        if self.always:
            return now
        start, _ = next(self._segments_after(now))
        return max(start, now)

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Open time in [start, end); zero when end is not after start."""
        begin, finish = _utc(start), _utc(end)
        if finish <= begin:
            return timedelta(0)
        if self.always:
            return finish - begin
        total = timedelta(0)
        for segment_start, segment_end in self._segments_after(begin):
            if segment_start >= finish:
                break
            total += min(segment_end, finish) - max(segment_start, begin)
        return total

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest moment by which `duration` of open time has passed since `start`.

        Friday 17:00 plus 2 working hours (Mon–Fri 09:00–18:00) is Monday 10:00.
        """
        if duration < timedelta(0):
            raise ValueError("duration must not be negative")
        begin = _utc(start)
        if self.always or not duration:
            return begin + duration
        remaining = duration
        segments = self._segments_after(begin)
        while True:
            segment_start, segment_end = next(segments)
            counted_from = max(segment_start, begin)
            if counted_from + remaining <= segment_end:
                return counted_from + remaining
            remaining -= segment_end - counted_from

    def local_date(self, moment: datetime) -> date:
        return _utc(moment).astimezone(self.tz).date()

    def _segments_after(self, moment: datetime) -> Iterator[Segment]:
        """Open spans (UTC) that end after `moment`, in order; endless, one day at a time."""
        day = self.local_date(moment)
        while True:
            for segment in self._segments(day):
                if segment[1] > moment:
                    yield segment
            day += timedelta(days=1)

    def _segments(self, day: date) -> list[Segment]:
        return [(self._at(day, span.start), self._at(day, span.end)) for span in self._spans(day)]

    def _spans(self, day: date) -> tuple[Span, ...]:
        if day in self.closed_days or is_public_day_off(day):
            return ()
        if is_transferred_workday(day):
            return self.weekly.workday_spans or self.weekly.spans_on(day.weekday())
        return self.weekly.spans_on(day.weekday())

    def _at(self, day: date, minutes: int) -> datetime:
        # Wall-clock arithmetic, then conversion: 24:00 is the next local midnight.
        local = datetime.combine(day, time(0), self.tz) + timedelta(minutes=minutes)
        return local.astimezone(UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("expected an aware datetime")
    return moment.astimezone(UTC)
