"""Dates typed by admins and read from files, and the YAML/CSV importer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.services.events.importer import FileFormatError, parse_events_file
from bot.services.events.model import EventInputError
from bot.services.events.timeparse import check_future, parse_any, parse_end, parse_local

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


def code_of(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(EventInputError) as caught:
        call()
    return caught.value.code


def test_local_format_is_local_time() -> None:
    assert parse_local("15.10.2026 10:00", ALMATY) == (
        datetime(2026, 10, 15, 5, 0, tzinfo=UTC),
        False,
    )
    assert parse_local(" 5.4.2026 9:05 ", ALMATY)[0] == datetime(2026, 4, 5, 4, 5, tzinfo=UTC)
    # A date alone is an all-day deadline, anchored at local midnight.
    assert parse_local("31.03.2027", ALMATY) == (datetime(2027, 3, 30, 19, 0, tzinfo=UTC), True)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("2026-10-15 10:00", "bad_datetime_format"),
        ("15/10/2026 10:00", "bad_datetime_format"),
        ("tomorrow", "bad_datetime_format"),
        ("31.02.2026 10:00", "no_such_date"),
        ("15.13.2026 10:00", "no_such_date"),
        ("15.10.2026 24:00", "bad_time"),
        ("15.10.2026 10:60", "bad_time"),
    ],
)
def test_local_format_errors_are_precise(text: str, code: str) -> None:
    assert code_of(lambda: parse_local(text, ALMATY)) == code


def test_iso_in_files_with_and_without_offset() -> None:
    assert parse_any("2026-10-15T10:00", ALMATY)[0] == datetime(2026, 10, 15, 5, 0, tzinfo=UTC)
    assert parse_any("2026-10-15T10:00Z", ALMATY)[0] == datetime(2026, 10, 15, 10, 0, tzinfo=UTC)
    assert parse_any("2026-10-15 10:00+06:00", ALMATY)[0] == datetime(
        2026, 10, 15, 4, 0, tzinfo=UTC
    )
    assert parse_any("2026-10-15", ALMATY)[1] is True


def test_past_and_far_future_are_refused() -> None:
    assert (
        code_of(lambda: check_future(NOW - timedelta(minutes=1), NOW, all_day=False)) == "in_past"
    )
    # An all-day deadline today is still valid.
    today = parse_local("01.03.2026", ALMATY)[0]
    check_future(today, NOW, all_day=True)
    far = NOW + timedelta(days=366 * 6)
    assert code_of(lambda: check_future(far, NOW, all_day=False)) == "too_far"


def test_end_as_datetime_clock_or_duration() -> None:
    start = parse_local("15.10.2026 10:00", ALMATY)[0]
    assert parse_end("15.10.2026 12:30", start, False, ALMATY) == start + timedelta(minutes=150)
    assert parse_end("12:00", start, False, ALMATY) == start + timedelta(hours=2)
    assert parse_end("1h30m", start, False, ALMATY) == start + timedelta(minutes=90)
    assert parse_end("2ч", start, False, ALMATY) == start + timedelta(hours=2)
    assert parse_end("90", start, False, ALMATY) == start + timedelta(minutes=90)
    assert parse_end("-", start, False, ALMATY) is None
    assert code_of(lambda: parse_end("09:00", start, False, ALMATY)) == "end_before_start"
    assert code_of(lambda: parse_end("soon", start, False, ALMATY)) == "bad_end_format"
    assert code_of(lambda: parse_end("100d", start, False, ALMATY)) == "too_long_event"


def test_all_day_end_date_is_inclusive() -> None:
    start = parse_local("24.03.2027", ALMATY)[0]
    end = parse_end("26.03.2027", start, True, ALMATY)
    assert end == parse_local("27.03.2027", ALMATY)[0]
    assert code_of(lambda: parse_end("18:00", start, True, ALMATY)) == "end_needs_date"


GOOD_YAML = """
events:
  - category: seminar
    title_kk: Есеп беру семинары
    title_ru: Семинар по отчётности
    description_kk: ҮЕҰ есептері туралы
    description_ru: Об отчётах НПО
    start: 15.10.2026 10:00
    duration: 2h
    place: Алматы, Абая 1
    region: almaty
  - category: reporting-deadline
    title_kk: Мерзім
    title_ru: Срок
    description_kk: Сипаттама
    description_ru: Описание
    start: 2026-12-01
    url: https://example.kz/info
"""


def test_good_yaml_is_read_in_full() -> None:
    parsed = parse_events_file("events.yaml", GOOD_YAML.encode(), tz=ALMATY, now=NOW)
    assert parsed.issues == []
    (row1, first), (row2, second) = parsed.drafts
    assert (row1, row2) == (1, 2)
    assert first.region == "almaty" and first.ends_at == first.starts_at + timedelta(hours=2)
    assert second.all_day and second.region is None and second.url == "https://example.kz/info"


CSV_HEADER = "category;title_kk;title_ru;description_kk;description_ru;start;end;region\n"


def test_csv_with_semicolons_and_one_bad_row_reports_that_row() -> None:
    body = (
        CSV_HEADER
        + "forum;Форум;Форум;Сипаттама;Описание;01.11.2026 10:00;01.11.2026 18:00;\n"
        + "seminar;Семинар;Семинар;Сипаттама;Описание;31.11.2026 10:00;;atlantis\n"
    )
    parsed = parse_events_file("e.csv", body.encode(), tz=ALMATY, now=NOW)
    issues = {(i.row, i.field, i.code) for i in parsed.issues}
    assert issues == {(3, "start", "no_such_date"), (3, "region", "bad_region")}
    assert [row for row, _ in parsed.drafts] == [2]


def test_csv_in_windows_1251_from_excel() -> None:
    body = CSV_HEADER + "forum;Форум;Форум;Сипаттама;Описание;01.11.2026 10:00;;\n"
    parsed = parse_events_file("e.csv", body.encode("cp1251", errors="replace"), tz=ALMATY, now=NOW)
    assert parsed.issues == [] and parsed.drafts[0][1].title_ru == "Форум"


def test_missing_and_unknown_columns_are_file_level_issues() -> None:
    body = "category,title_ru,colour\nforum,X,red\n"
    parsed = parse_events_file("e.csv", body.encode(), tz=ALMATY, now=NOW)
    codes = {(i.row, i.field, i.code) for i in parsed.issues}
    assert (1, "colour", "unknown_column") in codes
    assert (1, "start", "missing_column") in codes


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("e.pdf", b"x", "unknown_type"),
        ("e.yaml", b"a: [1, 2", "bad_yaml"),
        ("e.yaml", b"just text", "yaml_not_list"),
        ("e.csv", b"", "empty"),
        ("e.yaml", b"x" * (600 * 1024), "too_big"),
    ],
)
def test_unreadable_files(name: str, data: bytes, code: str) -> None:
    with pytest.raises(FileFormatError) as caught:
        parse_events_file(name, data, tz=ALMATY, now=NOW)
    assert caught.value.code == code


def test_yaml_item_that_is_not_a_mapping_and_both_end_and_duration() -> None:
    text = GOOD_YAML + "  - just a string\n"
    text = text.replace("duration: 2h", "duration: 2h\n    end: 15.10.2026 13:00")
    parsed = parse_events_file("e.yml", text.encode(), tz=ALMATY, now=NOW)
    codes = {(i.row, i.field, i.code) for i in parsed.issues}
    assert codes == {(1, "duration", "end_and_duration"), (3, None, "not_mapping")}
