"""The downloadable templates open right in Excel and import as they are."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.regions import CODES
from bot.services.events.import_template import (
    COLUMNS,
    TemplateFile,
    template_csv,
    template_xlsx,
)
from bot.services.events.importer import KNOWN, parse_events_file
from bot.services.events.model import CATEGORIES
from bot.testing import FakeClock

ALMATY = ZoneInfo("Asia/Almaty")
# On the last evening of the year in Almaty the examples are in February of the next year.
YEAR_END = FakeClock(datetime(2026, 12, 31, 20, 0, tzinfo=UTC))


def test_csv_template_is_utf8_with_bom_and_semicolons() -> None:
    template = template_csv(YEAR_END.now(), ALMATY)
    assert template.filename == "kenes-events-template.csv"
    assert template.data.startswith(codecs.BOM_UTF8)
    lines = template.data.decode("utf-8-sig").splitlines()
    assert lines[0].split(";") == list(COLUMNS) and set(COLUMNS) == KNOWN
    assert "15.02.2027 10:00" in lines[1] and "28.02.2027" in lines[2]
    assert "Жылдық есепті тапсыру мерзімі" in lines[2]


def test_xlsx_template_has_real_dates_and_a_help_sheet() -> None:
    template = template_xlsx(YEAR_END.now(), ALMATY)
    assert template.filename == "kenes-events-template.xlsx"
    book = load_workbook(io.BytesIO(template.data))
    events, help_sheet = book.worksheets
    rows = list(events.iter_rows(values_only=True))
    assert list(rows[0]) == list(COLUMNS)
    assert rows[1][COLUMNS.index("start")] == datetime(2027, 2, 15, 10, 0)
    assert rows[2][COLUMNS.index("start")] == datetime(2027, 2, 28, 0, 0)
    assert events["F3"].number_format == "dd.mm.yyyy"
    help_rows = [row for row in help_sheet.iter_rows(values_only=True) if row[0]]
    codes = [row[0] for row in help_rows]
    assert all(column in codes for column in COLUMNS)
    assert all(category in codes for category in CATEGORIES)
    assert all(code in codes for code in CODES)
    named = {row[0]: row[2:4] for row in help_rows}
    assert named["aktobe"] == ("Ақтөбе облысы", "Актюбинская область")
    start_help = " ".join(str(cell) for cell in named["start"])
    assert "15.02.2027 10:00" in start_help and "28.02.2027" in start_help


@pytest.mark.parametrize("build", [template_csv, template_xlsx])
@pytest.mark.parametrize(
    "now",
    [datetime(2026, 12, 31, 20, 0, tzinfo=UTC), datetime(2027, 6, 30, 18, 59, tzinfo=UTC)],
)
def test_templates_import_as_they_are(
    build: Callable[[datetime, ZoneInfo], TemplateFile], now: datetime
) -> None:
    template = build(now, ALMATY)
    parsed = parse_events_file(template.filename, template.data, tz=ALMATY, now=now)
    assert parsed.issues == []
    (_row2, seminar), (_row3, deadline) = parsed.drafts
    assert seminar.starts_at > now and not seminar.all_day and seminar.region == "almaty"
    assert seminar.title_kk == "Есеп беру семинары"
    assert deadline.all_day and deadline.region is None
    assert deadline.starts_at.astimezone(ALMATY).date() > now.astimezone(ALMATY).date()
