"""Import benchmark: how long reading a file blocks, and how much memory it takes.

    python benchmarks/import_files.py

The import parses in the handler's task, so its time is time the event loop is blocked. Cases:
the largest real files allowed (200 events with 1500-character descriptions, as XLSX and as CSV)
and the worst workbooks that pass the size checks (a sheet unpacking to just under the limit,
and one whose last row is Excel's last row, 1,048,576).
"""

from __future__ import annotations

import argparse
import io
import sys
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import Workbook

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.services.events.import_errors import FileFormatError
from bot.services.events.importer import MAX_EVENTS, parse_events_file
from bot.services.events.model import DESCRIPTION_MAX
from bot.services.events.tables import MAX_XLSX_UNPACKED_BYTES

TZ = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
HEADER = ["category", "title_kk", "title_ru", "description_kk", "description_ru", "start", "region"]


def _row(index: int, length: int) -> list[object]:
    kazakh = ("Қазақстандағы ҮЕҰ есептілігі туралы семинар. " * 40)[:length]
    russian = ("Семинар об отчётности НКО в Казахстане. " * 40)[:length]
    start = datetime(2026, 4, 1 + index % 28, 10, index % 60)
    return ["seminar", f"Семинар {index} ҮЕҰ", f"Семинар {index}", kazakh, russian, start, "ВКО"]


def _save(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def full_xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADER)
    for index in range(MAX_EVENTS):
        sheet.append(_row(index, DESCRIPTION_MAX))
    return _save(book)


def full_csv() -> bytes:
    """As many characters as fit the upload limit: 200 events with 500-character descriptions."""
    lines = [";".join(HEADER)]
    for index in range(MAX_EVENTS):
        cells = _row(index, 500)
        cells[5] = f"{cells[5]:%d.%m.%Y %H:%M}"
        lines.append(";".join(str(cell) for cell in cells))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _sheet_xml(rows: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{rows}</sheetData></worksheet>"
    ).encode()


def _replace_sheet(workbook: bytes, sheet: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(workbook))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = sheet if info.filename == "xl/worksheets/sheet1.xml" else source.read(info)
            target.writestr(info.filename, data)
    return buffer.getvalue()


def styled_empty_rows() -> bytes:
    """A header, then rows of styled empty cells up to just under the unpacked limit (rows
    and cells may omit their numbers, which makes the sheet compress well)."""
    header = '<row r="1"><c r="A1" t="inlineStr"><is><t>category</t></is></c></row>'
    row = "<row>" + '<c s="0"/>' * 40 + "</row>"
    count = (MAX_XLSX_UNPACKED_BYTES - 64 * 1024) // len(row)
    return _replace_sheet(_save(Workbook()), _sheet_xml(header + row * count))


def last_excel_row() -> bytes:
    rows = (
        '<row r="1"><c r="A1" t="inlineStr"><is><t>category</t></is></c></row>'
        '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    return _replace_sheet(_save(Workbook()), _sheet_xml(rows))


def _parse(filename: str, data: bytes) -> str:
    try:
        parsed = parse_events_file(filename, data, tz=TZ, now=NOW)
    except FileFormatError as exc:
        return f"refused: {exc.code}"
    return f"{len(parsed.drafts)} events, {len(parsed.issues)} issues"


def _unpacked(data: bytes) -> int:
    if not data.startswith(b"PK"):
        return len(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(info.file_size for info in archive.infolist())


def measure(name: str, filename: str, build: Callable[[], bytes], repeat: int) -> None:
    data = build()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        outcome = _parse(filename, data)
        timings.append(time.perf_counter() - started)
    timings.sort()
    # Memory in a run of its own: tracing slows Python down several times.
    tracemalloc.start()
    _parse(filename, data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"{name:<28} {len(data) / 1024:6.0f} KB {_unpacked(data) / 1024:6.0f} KB  "
        f"{timings[len(timings) // 2] * 1000:8.1f} ms {timings[-1] * 1000:8.1f} ms  "
        f"{peak / 2**20:6.1f} MiB  {outcome}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"parse_events_file, {args.repeat} runs each")
    print(f"{'case':<28} {'upload':>9} {'unpacked':>9}  {'median':>11} {'max':>11}  {'peak':>10}")
    measure("200 events, XLSX", "events.xlsx", full_xlsx, args.repeat)
    measure("200 events, CSV UTF-8", "events.csv", full_csv, args.repeat)
    measure("styled empty rows, XLSX", "events.xlsx", styled_empty_rows, args.repeat)
    measure("last row 1,048,576, XLSX", "events.xlsx", last_excel_row, args.repeat)


if __name__ == "__main__":
    main()
