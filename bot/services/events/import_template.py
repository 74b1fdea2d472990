"""Template files for the import: the columns with two example events, ready to fill in.

The examples are dated from the clock (next month), so the template imports as it is. The XLSX
has a second sheet explaining every column, the categories and the region codes in Kazakh and
Russian side by side: one file serves admins of either language.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.regions import CODES, region_name
from bot.services.events.examples import (
    EXAMPLE_DURATIONS,
    date_examples,
    example_deadline_on,
    example_start_at,
)
from bot.services.events.model import CATEGORIES, DESCRIPTION_MAX, TITLE_MAX
from bot.services.events.timeparse import LOCAL_DATE_FORMAT, LOCAL_DATETIME_FORMAT

COLUMNS = (
    "category",
    "title_kk",
    "title_ru",
    "description_kk",
    "description_ru",
    "start",
    "end",
    "duration",
    "place",
    "url",
    "region",
)
CSV_DELIMITER = ";"  # the list separator of Excel with Kazakh or Russian regional settings
FILENAME_STEM = "kenes-events-template"
XLSX_DATETIME_FORMAT = "dd.mm.yyyy hh:mm"
XLSX_DATE_FORMAT = "dd.mm.yyyy"
EVENTS_SHEET = "Іс-шаралар – События"
HELP_SHEET = "Анықтама – Справка"

CATEGORY_LABELS = {
    "forum": ("Форум", "Форум"),
    "seminar": ("Семинар", "Семинар"),
    "grant-round": ("Грант конкурсы", "Грантовый конкурс"),
    "reporting-deadline": ("Есеп беру мерзімі", "Срок отчётности"),
    "other": ("Басқа", "Другое"),
}

# (column, required, Kazakh, Russian); {start}, {date}, {end_time} are examples from the clock.
COLUMN_HELP = (
    ("category", True, "Санат: төмендегі кодтардың бірі.", "Категория: один из кодов ниже."),
    (
        "title_kk",
        True,
        f"Атауы қазақ тілінде ({TITLE_MAX} таңбаға дейін).",
        f"Название на казахском (до {TITLE_MAX} символов).",
    ),
    (
        "title_ru",
        True,
        f"Атауы орыс тілінде ({TITLE_MAX} таңбаға дейін).",
        f"Название на русском (до {TITLE_MAX} символов).",
    ),
    (
        "description_kk",
        True,
        f"Сипаттамасы қазақ тілінде ({DESCRIPTION_MAX} таңбаға дейін).",
        f"Описание на казахском (до {DESCRIPTION_MAX} символов).",
    ),
    (
        "description_ru",
        True,
        f"Сипаттамасы орыс тілінде ({DESCRIPTION_MAX} таңбаға дейін).",
        f"Описание на русском (до {DESCRIPTION_MAX} символов).",
    ),
    (
        "start",
        True,
        "Басталуы, жергілікті уақытпен: КК.АА.ЖЖЖЖ СС:ММ, мысалы {start}. "
        "Уақыты жоқ мерзім үшін тек күнін жазыңыз, мысалы {date}.",
        "Начало, по местному времени: ДД.ММ.ГГГГ ЧЧ:ММ, например {start}. "
        "Для срока без времени — только дата, например {date}.",
    ),
    (
        "end",
        False,
        "Аяқталуы: КК.АА.ЖЖЖЖ СС:ММ немесе сол күнгі уақыт, мысалы {end_time}.",
        "Окончание: ДД.ММ.ГГГГ ЧЧ:ММ или время в тот же день, например {end_time}.",
    ),
    (
        "duration",
        False,
        "Ұзақтығы (end орнына): {durations}.",
        "Длительность (вместо end): {durations}.",
    ),
    ("place", False, "Өтетін орны.", "Место проведения."),
    ("url", False, "Сілтеме, https:// деп басталады.", "Ссылка, начинается с https://."),
    (
        "region",
        False,
        "Өңір: коды немесе атауы (қазақша не орысша). Бүкіл Қазақстан үшін бос қалдырыңыз.",
        "Регион: код или название (на казахском или русском). Пусто — весь Казахстан.",
    ),
)
INTRO = (
    "Бірінші парақты толтырыңыз: бір жол — бір іс-шара. Мысал жолдарын өзгертіңіз немесе "
    "өшіріңіз, содан кейін файлды ботқа жіберіңіз.",
    "Заполните первый лист: одна строка — одно событие. Строки-примеры замените или удалите, "
    "затем отправьте файл боту.",
)


@dataclass(frozen=True, slots=True)
class TemplateFile:
    filename: str
    data: bytes
    media_type: str


def _example_rows(now: datetime, tz: ZoneInfo) -> list[dict[str, object]]:
    """A timed seminar in a city and an all-day deadline for the whole country."""
    return [
        {
            "category": "seminar",
            "title_kk": "Есеп беру семинары",
            "title_ru": "Семинар по отчётности",
            "description_kk": "ҮЕҰ-ның жылдық есебін қалай тапсыру керектігі туралы семинар.",
            "description_ru": "Семинар о том, как НКО сдать годовой отчёт.",
            "start": example_start_at(now, tz).replace(tzinfo=None),
            "duration": EXAMPLE_DURATIONS[0],
            "place": "Алматы, Абай даңғылы, 1",
            "region": "almaty",
        },
        {
            "category": "reporting-deadline",
            "title_kk": "Жылдық есепті тапсыру мерзімі",
            "title_ru": "Срок сдачи годового отчёта",
            "description_kk": "ҮЕҰ дерекқорына жылдық есепті тапсырудың соңғы күні.",
            "description_ru": "Последний день сдачи годового отчёта в базу данных НПО.",
            "start": example_deadline_on(now, tz),
            "url": "https://infonpo.gov.kz",
        },
    ]


def _as_csv_cell(value: object) -> str:
    if isinstance(value, datetime):
        return value.strftime(LOCAL_DATETIME_FORMAT)
    if isinstance(value, date):
        return value.strftime(LOCAL_DATE_FORMAT)
    return "" if value is None else str(value)


def template_csv(now: datetime, tz: ZoneInfo) -> TemplateFile:
    """UTF-8 with a BOM: without it Excel reads UTF-8 as the Windows code page."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in _example_rows(now, tz):
        writer.writerow([_as_csv_cell(row.get(column)) for column in COLUMNS])
    return TemplateFile(
        f"{FILENAME_STEM}.csv", ("\ufeff" + buffer.getvalue()).encode("utf-8"), "text/csv"
    )


def _fill_events(sheet: Worksheet, now: datetime, tz: ZoneInfo) -> None:
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in _example_rows(now, tz):
        sheet.append([row.get(column) for column in COLUMNS])
    for cell in sheet["F"][1:]:
        is_datetime = isinstance(cell.value, datetime)
        cell.number_format = XLSX_DATETIME_FORMAT if is_datetime else XLSX_DATE_FORMAT
    widths = {"A": 20, "B": 30, "C": 30, "D": 45, "E": 45, "F": 18, "I": 28, "J": 26, "K": 14}
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"


def _help_rows(now: datetime, tz: ZoneInfo) -> list[tuple[list[str], bool]]:
    """(cells, is a heading) for each row of the help sheet."""
    examples = date_examples(now, tz)
    values = {
        "start": examples.start,
        "date": examples.date,
        "end_time": examples.end_time,
        "durations": ", ".join(EXAMPLE_DURATIONS),
    }
    rows: list[tuple[list[str], bool]] = [(["", "", *INTRO], False), ([], False)]
    rows.append((["Баған / Столбец", "Міндетті / Обязательно", "Қазақша", "Русский"], True))
    for column, required, kazakh, russian in COLUMN_HELP:
        mark = "иә / да" if required else "жоқ / нет"
        rows.append(([column, mark, kazakh.format(**values), russian.format(**values)], False))
    rows += [([], False), (["category", "", "Санаттар", "Категории"], True)]
    rows += [([code, "", *CATEGORY_LABELS[code]], False) for code in CATEGORIES]
    rows += [([], False), (["region", "", "Өңірлер", "Регионы"], True)]
    rows += [
        ([code, "", region_name(code, "kk"), region_name(code, "ru")], False) for code in CODES
    ]
    return rows


def _fill_help(sheet: Worksheet, now: datetime, tz: ZoneInfo) -> None:
    for row_number, (cells, heading) in enumerate(_help_rows(now, tz), start=1):
        for column_number, value in enumerate(cells, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if heading:
                cell.font = Font(bold=True)
    for letter, width in {"A": 20, "B": 24, "C": 60, "D": 60}.items():
        sheet.column_dimensions[letter].width = width


def template_xlsx(now: datetime, tz: ZoneInfo) -> TemplateFile:
    workbook = Workbook()
    events = workbook.active
    assert isinstance(events, Worksheet)  # a new workbook always has one sheet
    events.title = EVENTS_SHEET
    _fill_events(events, now, tz)
    _fill_help(workbook.create_sheet(HELP_SHEET), now, tz)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return TemplateFile(
        f"{FILENAME_STEM}.xlsx",
        buffer.getvalue(),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
