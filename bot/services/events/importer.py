"""Reading several events from a YAML or CSV file: every row checked before anything is stored.

Columns / keys: category, title_kk, title_ru, description_kk, description_ru, start, end,
duration, place, url, region. `start`/`end` take `DD.MM.YYYY HH:MM` (local time), a date alone for
an all-day deadline, or ISO 8601 (no offset: local time). `region`: a code from bot.region_codes,
empty for all of Kazakhstan. `duration`: `2h`, `90m`, `1h30m`, `3d` or minutes.

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

CSV (comma, semicolon or tab; UTF-8 or Windows-1251 as Excel saves it)::

    category;title_kk;title_ru;description_kk;description_ru;start;end;url
    reporting-deadline;Мерзім;Срок;...;...;31.03.2027;;https://infonpo.gov.kz
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.services.events.model import (
    DESCRIPTION_MAX,
    PLACE_MAX,
    TITLE_MAX,
    EventDraft,
    EventInputError,
    check_category,
    check_period,
    check_region,
    check_text,
    check_url,
)
from bot.services.events.timeparse import check_future, parse_any, parse_duration, parse_end

MAX_FILE_BYTES = 512 * 1024
MAX_EVENTS = 200
MAX_ISSUES = 25
REQUIRED = ("category", "title_kk", "title_ru", "description_kk", "description_ru", "start")
OPTIONAL = ("end", "duration", "place", "url", "region")
KNOWN = frozenset(REQUIRED + OPTIONAL)
ALIASES = {"link": "url", "date": "start", "starts_at": "start", "ends_at": "end"}


@dataclass(frozen=True, slots=True)
class ImportIssue:
    """What is wrong and where. `row` is the spreadsheet row for CSV (header = row 1) and the
    item number for YAML; 0 means the file as a whole."""

    row: int
    field: str | None
    code: str
    params: Mapping[str, object] = dataclass_field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ParsedFile:
    drafts: list[tuple[int, EventDraft]]  # (row, draft)
    issues: list[ImportIssue]
    row_label: str  # "row" (CSV) or "item" (YAML)


class FileFormatError(ValueError):
    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def file_kind(filename: str | None) -> str | None:
    name = (filename or "").lower()
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if name.endswith(".csv"):
        return "csv"
    return None


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel in a Russian locale saves CSV as Windows-1251.
        return data.decode("cp1251")


def _csv_rows(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[ImportIssue]]:
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise FileFormatError("empty") from None
    columns = [ALIASES.get(name.strip().lower(), name.strip().lower()) for name in header]
    issues = [
        ImportIssue(1, name or "?", "unknown_column") for name in columns if name not in KNOWN
    ]
    issues += [ImportIssue(1, name, "missing_column") for name in REQUIRED if name not in columns]
    rows = []
    for index, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines at the end of a spreadsheet export
        if len(cells) > len(columns):
            issues.append(ImportIssue(index, None, "extra_cells", {"count": len(cells)}))
            continue
        rows.append((index, dict(zip(columns, cells, strict=False))))
    return rows, issues


def _yaml_rows(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[ImportIssue]]:
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


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _RowChecker:
    """Checks one row, collecting an issue per bad field instead of stopping at the first."""

    def __init__(self, row: int, values: Mapping[str, Any]) -> None:
        self.row = row
        self.values = values
        self.issues: list[ImportIssue] = []

    def take(self, name: str, check: Callable[[Any], Any]) -> Any:
        try:
            return check(self.values.get(name))
        except EventInputError as exc:
            self.issues.append(ImportIssue(self.row, name, exc.code, exc.params))
            return None


def _draft(
    row: int, values: Mapping[str, Any], tz: ZoneInfo, now: datetime
) -> EventDraft | list[ImportIssue]:
    checker = _RowChecker(row, values)

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
    region = checker.take("region", lambda v: check_region(_as_text(v)))
    end_text = _as_text(values.get("end")).strip()
    duration_text = _as_text(values.get("duration")).strip()
    ends_at = None
    if end_text and duration_text:
        checker.issues.append(ImportIssue(row, "duration", "end_and_duration"))
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
        return [ImportIssue(row, "end", exc.code, exc.params)]


def parse_events_file(
    filename: str | None, data: bytes, *, tz: ZoneInfo, now: datetime
) -> ParsedFile:
    kind = file_kind(filename)
    if kind is None:
        raise FileFormatError("unknown_type")
    if len(data) > MAX_FILE_BYTES:
        raise FileFormatError("too_big", limit_kb=MAX_FILE_BYTES // 1024)
    text = _decode(data)
    rows, issues = _csv_rows(text) if kind == "csv" else _yaml_rows(text)
    if not rows and not issues:
        raise FileFormatError("empty")
    if len(rows) > MAX_EVENTS:
        raise FileFormatError("too_many", limit=MAX_EVENTS)
    drafts = []
    for row, values in rows:
        result = _draft(row, values, tz, now)
        if isinstance(result, EventDraft):
            drafts.append((row, result))
        else:
            issues.extend(result)
    return ParsedFile(drafts, issues, "row" if kind == "csv" else "item")
