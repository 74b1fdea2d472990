"""Texts of reminders: the time left, dates in each language, escaping of admin text."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.i18n import create_i18n
from db.repositories.events import EventDTO
from handlers.events import formatting
from tests.events.conftest import ALMATY, local, plain

EVENT = EventDTO(
    id=1, category="forum", title_kk="Форум <b>", title_ru="Форум <b>", description_kk="",
    description_ru="", starts_at=local(2026, 4, 15, 23, 30), ends_at=None, all_day=False,
    place=None, url=None, region=None, status="active", recurrence=None, builtin_key=None,
    revision=1, created_by=None, created_at=datetime(2026, 1, 1, tzinfo=UTC),
    updated_at=datetime(2026, 1, 1, tzinfo=UTC),
)  # fmt: skip


@pytest.mark.parametrize(
    ("now", "all_day", "expected"),
    [
        (local(2026, 4, 8, 23, 30), False, "через 7 дней"),
        (local(2026, 4, 14, 23, 30), False, "завтра"),
        (local(2026, 4, 15, 9, 0), False, "через 15 часов"),  # 14.5 h, rounded half up
        (local(2026, 4, 15, 22, 30), False, "через 1 час"),
        (local(2026, 4, 15, 23, 10), False, "через 20 минут"),
        (local(2026, 4, 13, 9, 0), True, "через 2 дня"),
        (local(2026, 4, 15, 9, 0), True, "сегодня"),
    ],
)
def test_time_left_in_russian(now: datetime, all_day: bool, expected: str) -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("ru"):
        assert formatting.time_left(replace(EVENT, all_day=all_day), now, ALMATY) == expected


def test_reminder_escapes_admin_text_and_shows_local_time_in_kazakh() -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale("kk"):
        text = formatting.reminder_text(EVENT, "kk", ALMATY, local(2026, 4, 14, 23, 30))
    assert "Форум &lt;b&gt;" in text
    assert "Еске салу: ертең" in text
    assert "2026 ж. 15 сәуір, 23:30" in plain(text)
