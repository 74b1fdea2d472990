"""Reading several events from a YAML, CSV or XLSX file, every row checked before storing any.

Columns / keys: category, title_kk, title_ru, description_kk, description_ru, start, end,
duration, place, url, region. `start`/`end` take `DD.MM.YYYY HH:MM` (local time), a date alone for
an all-day deadline, ISO 8601 (no offset: local time), or a real date cell of a workbook.
`region`: a code from bot.regions or the region's name in Kazakh or Russian, empty for all of
Kazakhstan. `duration`: `2h`, `90m`, `1h30m`, `3d` (or `2ч`, `90 мин`, `3 дня`, `2 сағат`,
`3 күн`) or minutes.

YAML (a list, or a mapping with an `events` list)::

    - category: seminar
      title_kk: Есеп беру семинары
      title_ru: Семинар по отчётности
      description_kk: ...
      description_ru: ...
      start: 15.10.2026 10:00
      duration: 2h
      place: Алматы, Абая 1
      region: almaty

CSV (comma, semicolon or tab; UTF-8 with or without BOM, UTF-16 as Excel's "Unicode text", or
Windows-1251 as Excel's plain "CSV" — refused when it has lost Kazakh letters, see
text_encoding)::

    category;title_kk;title_ru;description_kk;description_ru;start;end;url
    reporting-deadline;Мерзім;Срок;...;...;31.03.2027;;https://infonpo.gov.kz

XLSX: the first sheet, its first non-blank row the header. The old binary .xls is refused with
advice to save as .xlsx.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.region_lookup import find_region, means_whole_country
from bot.regions import CODES
from bot.services.events.examples import date_examples
from bot.services.events.import_errors import FileFormatError, ImportIssue
from bot.services.events.model import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    EventDraft,
    EventInputError,
    check_category,
    check_period,
    check_text,
    check_url,
)
from bot.services.events.tables import ZIP_MAGIC, Table, csv_table, xlsx_table
from bot.services.events.text_encoding import DecodedText, decode_text, has_lost_letters
from bot.services.events.timeparse import check_future, parse_any, parse_duration, parse_end

__all__ = [
    "MAX_EVENTS",
    "MAX_FILE_BYTES",
    "MAX_ISSUES",
    "FileFormatError",
    "ImportIssue",
    "ParsedFile",
    "file_kind",
    "parse_events_file",
]

MAX_FILE_BYTES = 512 * 1024
MAX_EVENTS = 200
MAX_ISSUES = 25
REQUIRED = ("category", "title_kk", "title_ru", "description_kk", "description_ru", "start")
OPTIONAL = ("end", "duration", "place", "url", "region")
KNOWN = frozenset(REQUIRED + OPTIONAL)
ALIASES = {"link": "url", "date": "start", "starts_at": "start", "ends_at": "end"}
# Free text where a lost Kazakh letter would be stored as «?» (a link may hold «?» rightly).
TEXT_FIELDS = ("title_kk", "title_ru", "description_kk", "description_ru", "place", "region")
KINDS_BY_SUFFIX = {
    ".yaml": "yaml",
    ".yml": "yaml",
    ".csv": "csv",
    # Excel's "Unicode text" and "Text (tab delimited)" are tab-separated .txt files.
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".xls": "xls",
}
# The old binary Excel format (and password-protected workbooks) are OLE2 containers.
OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")

Rows = list[tuple[int, dict[str, Any]]]  # (row or item number, values by column)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    drafts: list[tuple[int, EventDraft]]  # (row, draft)
    issues: list[ImportIssue]
    row_label: str  # "row" (CSV, XLSX) or "item" (YAML)


def file_kind(filename: str | None) -> str | None:
    """What the extension says: yaml, csv, xlsx, xls (known, to be refused with advice) or None."""
    name = (filename or "").lower()
    for suffix, kind in KINDS_BY_SUFFIX.items():
        if name.endswith(suffix):
            return kind
    return None


def _content_kind(kind: str, data: bytes) -> str:
    """A workbook sent with a .csv or .txt name is still a workbook."""
    if kind == "yaml":
        return kind
    if data.startswith(ZIP_MAGIC):
        return "xlsx"
    if data.startswith(OLE2_MAGIC):
        return "xls"
    return kind


def _decode(data: bytes) -> DecodedText:
    try:
        return decode_text(data)
    except UnicodeDecodeError:
        raise FileFormatError("bad_encoding") from None


def _table_rows(table: Table) -> tuple[Rows, list[ImportIssue]]:
    columns = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in table.header]
    issues = [
        ImportIssue(1, name or "?", "unknown_column") for name in columns if name not in KNOWN
    ]
    issues += [ImportIssue(1, name, "missing_column") for name in REQUIRED if name not in columns]
    rows = []
    for number, cells in table.rows:
        if len(cells) > len(columns):
            issues.append(ImportIssue(number, None, "extra_cells", {"count": len(cells)}))
            continue
        rows.append((number, dict(zip(columns, cells, strict=False))))
    return rows, issues


def _yaml_rows(text: str) -> tuple[Rows, list[ImportIssue]]:
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileFormatError("bad_yaml", line=(mark.line + 1) if mark else 0) from None
    if isinstance(loaded, dict) and "events" in loaded:
        loaded = loaded["events"]
    if not isinstance(loaded, list):
        raise FileFormatError("yaml_not_list")
    rows, issues = [], []
    for index, item in enumerate(loaded, start=1):
        if not isinstance(item, dict):
            issues.append(ImportIssue(index, None, "not_mapping"))
            continue
        normalised = {
            ALIASES.get(str(k).strip().lower(), str(k).strip().lower()): v for k, v in item.items()
        }
        issues += [
            ImportIssue(index, name, "unknown_column") for name in normalised if name not in KNOWN
        ]
        rows.append((index, normalised))
    return rows, issues


def _lost_letters(rows: Rows) -> list[ImportIssue]:
    return [
        ImportIssue(row, name, "lost_letters")
        for row, values in rows
        for name in TEXT_FIELDS
        if isinstance(values.get(name), str) and has_lost_letters(values[name])
    ]


def _read_rows(kind: str, data: bytes) -> tuple[Rows, list[ImportIssue]]:
    if kind == "xls":
        raise FileFormatError("xls_not_supported")
    if kind == "xlsx":
        rows, issues = _table_rows(xlsx_table(data, max_rows=MAX_EVENTS))
        return rows, issues + _lost_letters(rows)
    decoded = _decode(data)
    if kind == "yaml":
        rows, issues = _yaml_rows(decoded.text)
    else:
        rows, issues = _table_rows(csv_table(decoded.text))
    lost = _lost_letters(rows)
    if lost and not decoded.holds_kazakh:
        # Every Kazakh letter of the file went the same way: re-saving fixes all, so say that.
        first = lost[0]
        raise FileFormatError(
            "encoding_lost_kazakh", encoding=decoded.encoding, row=first.row, field=first.field
        )
    return rows, issues + lost


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _region(value: Any) -> str | None:
    text = _as_text(value)
    if means_whole_country(text):
        return None
    code = find_region(text)
    if code is None:
        raise EventInputError("bad_region", value=text.strip(), allowed=", ".join(CODES))
    return code


def _date_hints(tz: ZoneInfo, now: datetime) -> dict[str, dict[str, str]]:
    """Examples, from the clock, that an issue of a date field carries for its message."""
    examples = date_examples(now, tz)
    # A bad duration is reported as a bad end (the message lists every way to give the end).
    end = {
        "example": examples.end,
        "example_time": examples.end_time,
        "example_date": examples.date,
    }
    return {
        "start": {"example": examples.start, "example_date": examples.date},
        "end": end,
        "duration": end,
    }


class _RowChecker:
    """Checks one row, collecting an issue per bad field instead of stopping at the first."""

    def __init__(
        self, row: int, values: Mapping[str, Any], hints: Mapping[str, Mapping[str, object]]
    ) -> None:
        self.row = row
        self.values = values
        self.hints = hints
        self.issues: list[ImportIssue] = []

    def add(self, name: str, code: str, params: Mapping[str, object] | None = None) -> None:
        merged = {**self.hints.get(name, {}), **(params or {})}
        self.issues.append(ImportIssue(self.row, name, code, merged))

    def take(self, name: str, check: Callable[[Any], Any]) -> Any:
        try:
            return check(self.values.get(name))
        except EventInputError as exc:
            self.add(name, exc.code, exc.params)
            return None


def _draft(
    row: int,
    values: Mapping[str, Any],
    tz: ZoneInfo,
    now: datetime,
    hints: Mapping[str, Mapping[str, object]],
) -> EventDraft | list[ImportIssue]:
    checker = _RowChecker(row, values, hints)

    def text(limit: int, required: bool = True) -> Callable[[Any], str | None]:
        return lambda value: check_text(_as_text(value), limit, required=required)

    def start(value: Any) -> tuple[datetime, bool]:
        if value is None or _as_text(value).strip() == "":
            raise EventInputError("empty")
        moment, all_day = parse_any(value, tz)
        check_future(moment, now, all_day=all_day)
        return moment, all_day

    category = checker.take("category", lambda v: check_category(_as_text(v)))
    titles = [checker.take(name, text(TITLE_MAX)) for name in ("title_kk", "title_ru")]
    descriptions = [
        checker.take(name, text(DESCRIPTION_MAX)) for name in ("description_kk", "description_ru")
    ]
    start_value = checker.take("start", start)
    place = checker.take("place", text(PLACE_MAX, required=False))
    url = checker.take("url", lambda v: check_url(_as_text(v)) if _as_text(v).strip() else None)
    region = checker.take("region", _region)
    end_text = _as_text(values.get("end")).strip()
    duration_text = _as_text(values.get("duration")).strip()
    ends_at = None
    if end_text and duration_text:
        checker.add("duration", "end_and_duration")
    elif start_value is not None and end_text:
        ends_at = checker.take(
            "end", lambda _v: parse_end(end_text, start_value[0], start_value[1], tz)
        )
    elif start_value is not None and duration_text:
        ends_at = checker.take(
            "duration", lambda _v: start_value[0] + parse_duration(duration_text)
        )
    if checker.issues:
        return checker.issues
    draft = EventDraft(
        category=category,
        title_kk=titles[0],
        title_ru=titles[1],
        description_kk=descriptions[0],
        description_ru=descriptions[1],
        starts_at=start_value[0],
        all_day=start_value[1],
        ends_at=ends_at,
        place=place,
        url=url,
        region=region,
    )
    try:
        return check_period(draft)
    except EventInputError as exc:
        checker.add("end", exc.code, exc.params)
        return checker.issues


def parse_events_file(
    filename: str | None, data: bytes, *, tz: ZoneInfo, now: datetime
) -> ParsedFile:
    kind = file_kind(filename)
    if kind is None:
        raise FileFormatError("unknown_type")
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError("too_big", limit_kb=MAX_FILE_BYTES // 1024)
    kind = _content_kind(kind, data)
    rows, issues = _read_rows(kind, data)
    if not rows and not issues:
        raise FileFormatError("empty")
    if len(rows) > MAX_EVENTS:
        raise FileFormatError("too_many", limit=MAX_EVENTS)
    hints = _date_hints(tz, now)
    drafts = []
    for row, values in rows:
        result = _draft(row, values, tz, now, hints)
        if isinstance(result, EventDraft):
            drafts.append((row, result))
        else:
            issues.extend(result)
    return ParsedFile(drafts, issues, "item" if kind == "yaml" else "row")
