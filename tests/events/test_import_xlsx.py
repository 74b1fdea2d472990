"""Workbooks as admins keep them: real date cells, numbers, empty cells, formatting, limits."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import UTC, date, datetime, time

import pytest
from openpyxl import Workbook

from bot.regions import CODES
from bot.services.events.importer import (
    MAX_EVENTS,
    FileFormatError,
    ParsedFile,
    parse_events_file,
)
from bot.services.events.tables import MAX_XLSX_UNPACKED_BYTES
from tests.events.conftest import ALMATY, local

NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
HEADER = ["category", "title_kk", "title_ru", "description_kk", "description_ru", "start"]
TEXTS = ["Қазақстан ҮЕҰ форумы", "Форум НКО", "Азаматтық қоғам жиыны", "Встреча"]


def workbook(rows: Sequence[Sequence[object]], formats: dict[str, str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    for coordinate, number_format in (formats or {}).items():
        sheet[coordinate].number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def parse(data: bytes, name: str = "events.xlsx") -> ParsedFile:
    return parse_events_file(name, data, tz=ALMATY, now=NOW)


def refused(data: bytes, name: str = "events.xlsx") -> FileFormatError:
    with pytest.raises(FileFormatError) as caught:
        parse(data, name)
    return caught.value


def test_date_cells_text_dates_numbers_and_empty_cells() -> None:
    data = workbook(
        [
            [*HEADER, "end", "duration", "place", "region"],
            ["forum", *TEXTS, datetime(2026, 4, 15, 10, 0), time(12, 30), None, 101, None],
            ["reporting-deadline", *TEXTS, datetime(2026, 4, 30), None, None, None, "ВКО"],
            ["seminar", *TEXTS, "16.04.2026 09:00", None, 90, "", "Алматы облысы"],
            ["seminar", *TEXTS, date(2026, 4, 17), date(2026, 4, 18), None, None, "almaty"],
            ["other", *TEXTS, datetime(2026, 4, 20, 15, 0), None, 1.5, None, "Шымкент"],
        ],
        # Row 3: a date-only cell is an all-day deadline; the others are date and time.
        formats={"F2": "dd.mm.yyyy hh:mm", "F3": "DD.MM.YYYY", "F5": "dd.mm.yyyy"},
    )
    parsed = parse(data)
    assert {(i.row, i.field, i.code) for i in parsed.issues} == {(6, "duration", "bad_end_format")}
    drafts = dict(parsed.drafts)
    assert sorted(drafts) == [2, 3, 4, 5]
    assert drafts[2].starts_at == local(2026, 4, 15, 10, 0) and not drafts[2].all_day
    assert drafts[2].ends_at == local(2026, 4, 15, 12, 30)  # a time cell: the same day
    assert drafts[2].place == "101" and drafts[2].region is None
    assert drafts[2].title_kk == "Қазақстан ҮЕҰ форумы"
    assert drafts[3].all_day and drafts[3].starts_at == local(2026, 4, 30)
    assert drafts[3].region == "east-kz"
    assert drafts[4].starts_at == local(2026, 4, 16, 9, 0)
    assert drafts[4].ends_at == local(2026, 4, 16, 10, 30)  # 90 minutes as a number
    assert drafts[4].region == "almaty-reg"
    assert drafts[5].all_day and drafts[5].ends_at == local(2026, 4, 19)  # through the 18th


def test_rows_keep_excel_numbers_across_blank_rows_and_formatted_empty_columns() -> None:
    rows: list[list[object]] = [
        [*HEADER, None, None],
        ["forum", *TEXTS, "01.05.2026 10:00", None, ""],
        [],
        [None, None, "  "],
        ["forum", *TEXTS[:3], "", "31.05.2026 10:00"],
        ["forum", *TEXTS, "02.05.2026 10:00", "surplus"],
    ]
    parsed = parse(workbook(rows))
    assert [row for row, _draft in parsed.drafts] == [2]
    assert {(i.row, i.field, i.code) for i in parsed.issues} == {
        (5, "description_ru", "empty"),
        (6, None, "extra_cells"),
    }


def test_header_may_start_below_a_title_and_rows_still_match_excel() -> None:
    data = workbook([[], HEADER, ["forum", *TEXTS, "31.13.2026 10:00"]])
    parsed = parse(data)
    assert {(i.row, i.field, i.code) for i in parsed.issues} == {(3, "start", "no_such_date")}


def test_unknown_region_lists_the_accepted_codes() -> None:
    data = workbook([[*HEADER, "region"], ["forum", *TEXTS, "01.05.2026 10:00", "Атлантида"]])
    (issue,) = parse(data).issues
    assert (issue.row, issue.field, issue.code) == (2, "region", "bad_region")
    assert issue.params["value"] == "Атлантида"
    assert str(issue.params["allowed"]).split(", ") == list(CODES)


def test_date_issues_carry_examples_from_the_clock() -> None:
    data = workbook(
        [
            [*HEADER, "end"],
            ["forum", *TEXTS, "tomorrow", None],
            ["forum", *TEXTS, "01.05.2026 10:00", "soon"],
        ]
    )
    issues = {(i.row, i.field): i for i in parse(data).issues}
    assert issues[2, "start"].code == "bad_datetime_format"
    assert issues[2, "start"].params == {
        "example": "15.04.2026 10:00",
        "example_date": "30.04.2026",
    }
    assert issues[3, "end"].code == "bad_end_format"
    assert issues[3, "end"].params["example"] == "15.04.2026 12:30"
    assert issues[3, "end"].params["example_time"] == "12:30"
    data = workbook([[*HEADER, "duration"], ["forum", *TEXTS, "01.05.2026 10:00", "long"]])
    (issue,) = parse(data).issues
    assert (issue.field, issue.code) == ("duration", "bad_end_format")
    assert issue.params["example"] == "15.04.2026 12:30"


def test_too_many_rows_stops_reading_early() -> None:
    rows: list[list[object]] = [list(HEADER)]
    rows += [["forum", *TEXTS, "01.05.2026 10:00"] for _ in range(MAX_EVENTS + 50)]
    error = refused(workbook(rows))
    assert (error.code, error.params) == ("too_many", {"limit": MAX_EVENTS})
    rows = rows[: MAX_EVENTS + 1]
    assert len(parse(workbook(rows)).drafts) == MAX_EVENTS


def test_empty_sheet_and_damaged_workbooks() -> None:
    assert refused(workbook([])).code == "empty"
    assert refused(b"PK\x03\x04 not really a zip").code == "bad_xlsx"
    assert refused(b"just text", name="events.xlsx").code == "bad_xlsx"
    good = workbook([HEADER])
    assert refused(good[: len(good) // 2]).code == "bad_xlsx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "no workbook here")
    assert refused(buffer.getvalue()).code == "bad_xlsx"


def test_a_workbook_sent_with_a_csv_name_is_read_as_a_workbook() -> None:
    data = workbook([HEADER, ["forum", *TEXTS, datetime(2026, 5, 1, 10, 0)]])
    assert [row for row, _draft in parse(data, name="events.csv").drafts] == [2]


def test_a_workbook_that_unpacks_too_big_is_refused_before_parsing() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (MAX_XLSX_UNPACKED_BYTES + 1))
    assert len(buffer.getvalue()) < 64 * 1024
    error = refused(buffer.getvalue())
    assert error.code == "xlsx_too_big_unpacked" and error.params == {"limit_mb": 4}


def test_midnight_is_all_day_only_for_a_date_only_cell() -> None:
    midnight = datetime(2026, 5, 1, 0, 0)
    data = workbook(
        [HEADER, ["forum", *TEXTS, midnight], ["seminar", *TEXTS, midnight]],
        formats={"F2": "dd.mm.yyyy hh:mm", "F3": "dd.mm.yyyy"},
    )
    drafts = dict(parse(data).drafts)
    assert (drafts[2].starts_at, drafts[2].all_day) == (local(2026, 5, 1), False)
    assert (drafts[3].starts_at, drafts[3].all_day) == (local(2026, 5, 1), True)
