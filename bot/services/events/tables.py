"""A spreadsheet as a header and numbered rows of cells, from CSV text or an XLSX workbook.

Row numbers are the ones the admin sees in Excel (the header is row 1), so a problem can be
pointed at exactly. Blank rows are dropped: spreadsheets end with them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from openpyxl import load_workbook
from openpyxl.styles.numbers import is_datetime

from bot.services.events.import_errors import FileFormatError

Cell = str | int | float | bool | date | datetime | None
DELIMITERS = ",;\t"
# Columns read from a workbook; the importer knows 11, the rest of a wide sheet is ignored.
MAX_XLSX_COLUMNS = 40
# A workbook is a ZIP of XML: its unpacked size, not the upload size, bounds the parsing work
# (benchmarks/import_files.py: about 1.5 s for a sheet of styled empty cells at this limit;
# a real sheet of 200 events is about 1.2 MB and parses in some 40 ms).
MAX_XLSX_UNPACKED_BYTES = 4 * 1024 * 1024
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True, slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[Cell]]]  # (spreadsheet row number, cells)


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _is_blank(cells: list[Cell]) -> bool:
    return all(_blank(cell) for cell in cells)


def _delimiter(text: str) -> str:
    # The header holds only known ASCII names, so its separator is the one it uses most;
    # sniffing the data instead is fooled by commas in descriptions.
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def csv_table(text: str) -> Table:
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    try:
        header = next(reader, None)
        if header is None:
            raise FileFormatError("empty")
        # Numbered by record, not by line: a quoted cell with line breaks is one row in Excel.
        rows: list[tuple[int, list[Cell]]] = [
            (number, list(cells))
            for number, cells in enumerate(reader, start=2)
            if not _is_blank(list(cells))
        ]
    except csv.Error:
        # An unclosed quote swallows the rest of the file into one cell, beyond csv's limit.
        raise FileFormatError("bad_csv", line=reader.line_num) from None
    return Table(header, rows)


def _unpacked_xml_size(data: bytes) -> int:
    """What openpyxl would parse; pictures and other media are not read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return sum(
                info.file_size
                for info in archive.infolist()
                if info.filename.endswith((".xml", ".rels"))
            )
    except (zipfile.BadZipFile, ValueError):
        raise FileFormatError("bad_xlsx") from None


def _cell_value(value: object, number_format: str) -> Cell:
    """What a cell means to the importer: dates stay dates (a date-only format is an all-day
    deadline), clock times and durations become the text an admin would type."""
    if isinstance(value, datetime):
        # openpyxl tells date from time by lower-case letters; Excel accepts "DD.MM.YYYY" too.
        date_only = is_datetime(number_format.lower()) == "date" and value.time() == time(0, 0)
        return value.date() if date_only else value
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(int(value.total_seconds() // 60))
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, str | int | float | bool | date):
        return value
    return str(value)


def _trimmed(cells: list[Cell]) -> list[Cell]:
    end = len(cells)
    while end and _blank(cells[end - 1]):
        end -= 1
    return cells[:end]


def xlsx_table(data: bytes, *, max_rows: int) -> Table:
    """The first sheet. Stops after `max_rows` + 1 data rows: one more than allowed is enough
    to say there are too many."""
    if _unpacked_xml_size(data) > MAX_XLSX_UNPACKED_BYTES:
        raise FileFormatError(
            "xlsx_too_big_unpacked", limit_mb=MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)
        )
    raw: list[tuple[int, list[tuple[object, str]]]] = []
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            blank: object = None
            for number, row in enumerate(sheet.iter_rows(max_col=MAX_XLSX_COLUMNS), start=1):
                # openpyxl fills a gap between stored rows with one shared tuple: known by
                # identity, a sheet whose other row is Excel's last (1,048,576) reads fast.
                if row is blank:
                    continue
                if all(cell.value is None for cell in row):
                    blank = row
                    continue
                raw.append((number, [(cell.value, str(cell.number_format)) for cell in row]))
                if len(raw) > max_rows + 1:
                    break
        finally:
            workbook.close()
    # openpyxl reports a damaged workbook with whatever its XML and ZIP layers raise.
    except Exception:
        raise FileFormatError("bad_xlsx") from None
    return _table([(n, [_cell_value(v, f) for v, f in cells]) for n, cells in raw])


def _table(rows: list[tuple[int, list[Cell]]]) -> Table:
    """The first non-blank row is the header; rows keep the numbers Excel shows."""
    rows = [(number, _trimmed(cells)) for number, cells in rows if not _is_blank(cells)]
    if not rows:
        raise FileFormatError("empty")
    header = ["" if cell is None else str(cell) for cell in rows[0][1]]
    return Table(header, rows[1:])
