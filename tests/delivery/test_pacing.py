"""The pacing arithmetic on a scripted monotonic clock."""

from __future__ import annotations

import pytest

from bot.delivery.pacing import ChatSpacing, TokenBucket


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_bucket_allows_a_burst_then_the_rate() -> None:
    ticks = Ticks()
    bucket = TokenBucket(rate=25.0, burst=5.0, clock=ticks)
    for _ in range(5):
        assert bucket.delay() == 0
        bucket.take()
    assert bucket.delay() == pytest.approx(1 / 25)
    ticks.now += 1 / 25
    assert bucket.delay() == pytest.approx(0)


def test_bucket_never_exceeds_burst_plus_rate_in_any_window() -> None:
    """Greedy sending for 10 s: every 1-second window holds at most 5 + 25 sends (< 30)."""
    ticks = Ticks()
    bucket = TokenBucket(rate=25.0, burst=5.0, clock=ticks)
    sends: list[float] = []
    while ticks.now < 110.0:
        delay = bucket.delay()
        if delay > 0:
            ticks.now += delay
            continue
        bucket.take()
        sends.append(ticks.now)
    for i, start in enumerate(sends):
        in_window = sum(1 for t in sends[i:] if t < start + 1.0)
        assert in_window <= 30
    assert len(sends) == pytest.approx(5 + 25 * 10, abs=1)


def test_emptied_bucket_restarts_at_the_steady_rate() -> None:
    ticks = Ticks()
    bucket = TokenBucket(rate=10.0, burst=5.0, clock=ticks)
    bucket.empty()
    assert bucket.delay() == pytest.approx(0.1)


def test_chat_spacing() -> None:
    ticks = Ticks()
    spacing = ChatSpacing(1.0, clock=ticks)
    assert spacing.ready_at(1) == 0.0
    spacing.record(1)
    assert spacing.ready_at(1) == 101.0
    assert spacing.ready_at(2) == 0.0


def test_groups_are_spaced_by_their_own_interval() -> None:
    ticks = Ticks()
    spacing = ChatSpacing(1.0, clock=ticks, group_interval=3.0)
    spacing.record(1)
    spacing.record(-100123)
    assert spacing.ready_at(1) == 101.0
    assert spacing.ready_at(-100123) == 103.0
