"""Precise, translated explanations of bad input: which row, which field, what is wrong."""

from __future__ import annotations

import html
from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext

from bot.regions import CODES
from bot.services.events.examples import DateExamples
from bot.services.events.importer import MAX_ISSUES, FileFormatError, ImportIssue
from bot.services.events.model import EventInputError

# Telegram allows 4096 characters; the rest of the report is a short header and footer.
REPORT_BUDGET = 3600


def field_label(name: str) -> str:
    labels = {
        "category": _("category"),
        "title_kk": _("title in Kazakh"),
        "title_ru": _("title in Russian"),
        "description_kk": _("description in Kazakh"),
        "description_ru": _("description in Russian"),
        "start": _("start"),
        "end": _("end"),
        "duration": _("duration"),
        "place": _("place"),
        "url": _("link"),
        "region": _("region"),
    }
    return labels.get(name, name)


def explain(code: str, params: dict[str, object], examples: DateExamples) -> str:
    """One problem in words; `examples` are dates ahead of now, shown in format errors."""
    value = html.escape(str(params.get("value", ""))[:40])
    messages = {
        "empty": _("it is empty."),
        "too_long": _("it is too long: {length} characters, at most {limit}."),
        "bad_category": _("unknown category «{value}». Use one of: {allowed}."),
        "bad_region": _(
            "unknown region «{value}». Write a code ({allowed}) or the region's name in Kazakh "
            "or Russian; leave it empty for all of Kazakhstan."
        ),
        "lost_letters": _(
            "letters were replaced by «?» before the file was saved (e.g. «?аза?стан»); "
            "type them again."
        ),
        "bad_url": _("«{value}» is not a link. A link starts with https://"),
        "bad_datetime_format": _(
            "write the date as DD.MM.YYYY HH:MM, e.g. {example} "
            "(or only DD.MM.YYYY for an all-day deadline, e.g. {example_date})."
        ),
        "no_such_date": _("there is no such date in the calendar."),
        "bad_time": _("the time must be between 00:00 and 23:59."),
        "in_past": _("this date has already passed."),
        "too_far": _("this date is more than {years} years ahead; check the year."),
        "bad_end_format": _(
            "write the end as DD.MM.YYYY HH:MM (e.g. {example}), as HH:MM on the same day "
            "(e.g. {example_time}) or as a duration like 2h, 90m, 1h30m or 3d."
        ),
        "end_before_start": _("the end must be after the start."),
        "end_needs_date": _(
            "an all-day deadline ends on a date: write DD.MM.YYYY, e.g. {example_date}."
        ),
        "too_long_event": _("an event cannot last more than {days} days."),
        "end_and_duration": _("give either an end or a duration, not both."),
        "unknown_column": _(
            "unknown column; allowed: category, title_kk, title_ru, "
            "description_kk, description_ru, start, end, duration, place, "
            "url, region."
        ),
        "missing_column": _("this required column is missing."),
        "extra_cells": _("the row has more cells than the header."),
        "not_mapping": _("each event must be a set of «key: value» lines."),
        "duplicate_row": _("the same event (title and start) is already in row {other}."),
        "already_exists": _("an event with this Russian title and start already exists."),
    }
    template = messages.get(code, code)
    defaults = {
        "example": examples.start,
        "example_date": examples.date,
        "example_time": examples.end_time,
        "allowed": ", ".join(CODES),
    }
    safe = {k: html.escape(str(v)) for k, v in {**defaults, **params}.items()}
    safe["value"] = value
    return template.format(**safe)


def input_error_text(error: EventInputError, examples: DateExamples) -> str:
    text = explain(error.code, dict(error.params), examples)
    return "⚠️ " + text[:1].upper() + text[1:]


def file_error_text(error: FileFormatError) -> str:
    messages = {
        "unknown_type": _("Send a .xlsx, .csv or .yaml file."),
        "encoding_lost_kazakh": _(
            "The file was saved in an encoding without Kazakh letters: from row {row} they became "
            "«?». In Excel choose Save as → «CSV UTF-8 (comma delimited)», or send the .xlsx "
            "workbook itself."
        ),
        "xls_not_supported": _(
            "This is an old Excel file (.xls) or a password-protected workbook. Save it as "
            "«Excel Workbook (.xlsx)» without a password, or as «CSV UTF-8», and send that."
        ),
        "bad_xlsx": _(
            "I cannot open this workbook. Save it again in Excel as .xlsx, or as «CSV UTF-8»."
        ),
        "xlsx_too_big_unpacked": _(
            "The workbook is too big once unpacked (at most {limit_mb} MB). Copy only the events "
            "into a new workbook, or save the sheet as «CSV UTF-8»."
        ),
        "bad_encoding": _(
            "This is not a text file I can read. Save it as «CSV UTF-8» or send the .xlsx workbook."
        ),
        "bad_csv": _('The CSV cannot be read near line {line}: check the quotes (").'),
        "too_big": _("The file is too big: at most {limit_kb} KB."),
        "too_many": _("Too many events in one file: at most {limit}."),
        "empty": _("The file has no events."),
        "bad_yaml": _("The YAML cannot be read (near line {line}). Check the indentation."),
        "yaml_not_list": _("The YAML must be a list of events (lines starting with «- »)."),
        "download": _("I could not download the file. Please send it again."),
    }
    template = messages.get(error.code, error.code)
    return "⚠️ " + template.format(**{k: html.escape(str(v)) for k, v in error.params.items()})


def issue_line(issue: ImportIssue, row_label: str, examples: DateExamples) -> str:
    if issue.row == 0:
        where = _("File")
    elif row_label == "row":
        where = _("Row {n}").format(n=issue.row)
    else:
        where = _("Event #{n}").format(n=issue.row)
    if issue.field:
        where += f", «{html.escape(field_label(issue.field))}»"
    return f"• {where}: {explain(issue.code, dict(issue.params), examples)}"


def import_report(issues: Sequence[ImportIssue], row_label: str, examples: DateExamples) -> str:
    lines = [
        _("❌ <b>Nothing was imported.</b> Fix these problems and send the file again:"),
        "",
    ]
    shown = 0
    for issue in issues[:MAX_ISSUES]:
        line = issue_line(issue, row_label, examples)
        if sum(len(x) + 1 for x in lines) + len(line) > REPORT_BUDGET:
            break
        lines.append(line)
        shown += 1
    hidden = len(issues) - shown
    if hidden > 0:
        lines.append(
            ngettext("…and {n} more problem", "…and {n} more problems", hidden).format(n=hidden)
        )
    return "\n".join(lines)
