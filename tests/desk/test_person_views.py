"""How the person is told when consultants are back, in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import create_i18n
from bot.services.desk.model import Expectation
from bot.services.desk.opening import NextOpening, OpeningDay
from handlers.desk.person.views import expectation_text, opening_phrase

ALMATY = ZoneInfo("Asia/Almaty")


def opening(day: OpeningDay, local: datetime) -> NextOpening:
    return NextOpening(at=local.astimezone(UTC), local=local, day=day)


@pytest.mark.parametrize(
    ("lang", "day", "local", "expected"),
    [
        ("ru", OpeningDay.TODAY, datetime(2026, 12, 1, 9, tzinfo=ALMATY), "сегодня в 09:00"),
        ("kk", OpeningDay.TOMORROW, datetime(2026, 12, 17, 9, tzinfo=ALMATY), "ертең, сағат 09:00"),
        (
            "ru",
            OpeningDay.WEEKDAY,
            datetime(2026, 12, 7, 9, tzinfo=ALMATY),
            "в понедельник в 09:00",
        ),
        (
            "kk",
            OpeningDay.WEEKDAY,
            datetime(2026, 12, 7, 9, tzinfo=ALMATY),
            "дүйсенбі күні, сағат 09:00",
        ),
        ("ru", OpeningDay.DATE, datetime(2027, 1, 5, 9, tzinfo=ALMATY), "5 января в 09:00"),
        (
            "kk",
            OpeningDay.DATE,
            datetime(2027, 1, 5, 9, tzinfo=ALMATY),
            "5 қаңтар күні, сағат 09:00",
        ),
    ],
)
def test_opening_phrases(lang: str, day: OpeningDay, local: datetime, expected: str) -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(lang):
        assert opening_phrase(opening(day, local)) == expected


def test_usual_answer_time_within_hours() -> None:
    i18n = create_i18n()
    now = opening(OpeningDay.NOW, datetime(2026, 12, 1, 10, tzinfo=ALMATY))
    with i18n.context(), i18n.use_locale("ru"):
        assert "в течение 4 часов" in expectation_text(Expectation(now, 4.0))
        assert "в течение 1 часа" in expectation_text(Expectation(now, 0.5))
