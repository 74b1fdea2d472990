"""Durations in each language's own units: the wizard's hint shows them, the parser reads them
(and the English ones), and every example a hint offers is one the parser accepts."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import create_i18n
from bot.services.events.examples import date_examples
from bot.services.events.timeparse import parse_duration
from handlers.events.errors_text import explain
from handlers.events.wizard.fields import STEP_BY_NAME, step_prompt

EXAMPLES = date_examples(datetime(2026, 3, 1, 6, 0, tzinfo=UTC), ZoneInfo("Asia/Almaty"))


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        # Russian
        ("2ч", 120),
        ("2 ч.", 120),
        ("2 часа", 120),
        ("5 часов", 300),
        ("1 час 30 минут", 90),
        ("90мин", 90),
        ("90 мин.", 90),
        ("1 минута", 1),
        ("3д", 4320),
        ("1 день", 1440),
        ("3 дня", 4320),
        ("5 дней", 7200),
        ("1ч30мин", 90),
        # Kazakh
        ("2 сағ", 120),
        ("2 сағат", 120),
        ("1 сағат 30 минут", 90),
        ("90 мин", 90),
        ("3 күн", 4320),
        # English
        ("2h", 120),
        ("90m", 90),
        ("1h30m", 90),
        ("3d", 4320),
        ("2 hours", 120),
        ("90 min", 90),
        ("3 days", 4320),
        ("2 ЧАСА", 120),
    ],
)
def test_duration_units_of_every_language(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(
    ("lang", "shown", "hidden"),
    [
        ("ru", ["2ч", "90мин", "3д"], ["2h", "90m", "3d"]),
        ("kk", ["2 сағ", "90 мин", "3 күн"], ["2h", "90m", "3d"]),
    ],
)
def test_hints_show_the_languages_own_units_and_the_parser_reads_them(
    lang: str, shown: list[str], hidden: list[str]
) -> None:
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(lang):
        prompt = step_prompt(STEP_BY_NAME["end"], EXAMPLES)
        error = explain("bad_end_format", {}, EXAMPLES)
    offered = re.findall(r"<b>([^<]+)</b>", prompt)
    for unit in shown:
        assert unit in offered and unit in error
    for unit in hidden:
        assert unit not in offered and unit not in error
    durations = [text for text in offered if any(c.isdigit() for c in text) and ":" not in text]
    assert durations and all(parse_duration(text) > timedelta() for text in durations)
