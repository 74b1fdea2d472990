"""Text files in the encodings Excel and editors save, and Kazakh letters lost on the way."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.services.events.importer import FileFormatError, ParsedFile, file_kind, parse_events_file
from bot.services.events.text_encoding import decode_text, has_lost_letters

ALMATY = ZoneInfo("Asia/Almaty")
NOW = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
HEADER = ["category", "title_kk", "title_ru", "description_kk", "description_ru", "start", "place"]
KAZAKH_ROW = [
    "forum",
    "Қазақстан ҮЕҰ форумы",
    "Форум НКО Казахстана",
    "Азаматтық қоғамның жыл сайынғы жиыны",
    "Ежегодная встреча гражданского общества",
    "15.04.2026 10:00",
    "Астана",
]
RUSSIAN_ROW = [
    "seminar",
    "Семинар",
    "Семинар",
    "Сипаттама",
    "Как сдать отчёт? Расскажем",
    "16.04.2026 10:00",
    "",
]


def csv_text(*rows: list[str], delimiter: str = ";") -> str:
    return "\r\n".join(delimiter.join(row) for row in (HEADER, *rows)) + "\r\n"


def parse(name: str, data: bytes) -> ParsedFile:
    return parse_events_file(name, data, tz=ALMATY, now=NOW)


def refused(name: str, data: bytes) -> FileFormatError:
    with pytest.raises(FileFormatError) as caught:
        parse(name, data)
    return caught.value


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (csv_text(KAZAKH_ROW).encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + csv_text(KAZAKH_ROW).encode("utf-8"), "utf-8"),  # Excel "CSV UTF-8"
        # Excel's "Unicode text": UTF-16 little-endian with a BOM, tab-separated.
        (csv_text(KAZAKH_ROW, delimiter="\t").encode("utf-16"), "utf-16"),
        (csv_text(KAZAKH_ROW, delimiter="\t").encode("utf-16-le"), "utf-16-le"),
        (csv_text(KAZAKH_ROW).encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_unicode_files_keep_kazakh_letters(encoded: bytes, encoding: str) -> None:
    assert decode_text(encoded).encoding == encoding
    parsed = parse("events.csv", encoded)
    assert parsed.issues == []
    (row, draft), = parsed.drafts  # fmt: skip
    assert row == 2
    assert draft.title_kk == "Қазақстан ҮЕҰ форумы"
    assert draft.description_kk == "Азаматтық қоғамның жыл сайынғы жиыны"


def test_excel_unicode_text_saved_as_txt_is_read() -> None:
    parsed = parse("events.txt", csv_text(KAZAKH_ROW, delimiter="\t").encode("utf-16"))
    assert [draft.title_kk for _row, draft in parsed.drafts] == ["Қазақстан ҮЕҰ форумы"]


def test_windows_1251_with_lost_kazakh_letters_is_refused_not_imported() -> None:
    # What Excel's plain "CSV" does on a Russian or Kazakh Windows: «?» for Ә Ғ Қ Ң Ө Ұ Ү Һ.
    data = csv_text(RUSSIAN_ROW, KAZAKH_ROW).encode("cp1251", errors="replace")
    assert b"?\xe0\xe7\xe0?\xf1\xf2\xe0\xed" in data  # «?аза?стан»
    error = refused("events.csv", data)
    assert error.code == "encoding_lost_kazakh"
    assert error.params == {"encoding": "cp1251", "row": 3, "field": "title_kk"}


def test_windows_1251_without_lost_letters_is_still_accepted() -> None:
    # Russian text, a real question mark at the end of a word, and І, which Windows-1251 has.
    row = [*RUSSIAN_ROW[:3], "Іс-шара сипаттамасы", *RUSSIAN_ROW[4:]]
    parsed = parse("events.csv", csv_text(row).encode("cp1251"))
    assert parsed.issues == []
    assert parsed.drafts[0][1].description_kk == "Іс-шара сипаттамасы"
    assert parsed.drafts[0][1].description_ru == "Как сдать отчёт? Расскажем"


def test_letters_lost_before_a_unicode_file_was_saved_are_shown_per_cell() -> None:
    damaged = [*KAZAKH_ROW[:3], "Азаматты? ?о?амны? жиыны", *KAZAKH_ROW[4:6], "?ст?скемен"]
    parsed = parse("events.csv", csv_text(RUSSIAN_ROW, damaged).encode("utf-8"))
    assert {(i.row, i.field, i.code) for i in parsed.issues} == {
        (3, "description_kk", "lost_letters"),
        (3, "place", "lost_letters"),
    }


@pytest.mark.parametrize(
    ("text", "lost"),
    [
        ("?аза?стан", True),
        ("Жетiсу ?ңiрi", True),
        ("Как сдать отчёт?", False),
        ("Что? Где? Когда?", False),
        ("https://example.kz/?q=1", False),
        ("Ақтөбе", False),
    ],
)
def test_lost_letter_signal(text: str, lost: bool) -> None:
    assert has_lost_letters(text) is lost


def test_a_link_may_hold_a_question_mark() -> None:
    header = [*HEADER, "url"]
    body = ";".join(header) + "\n" + ";".join([*RUSSIAN_ROW, "https://x.kz/?в=1"]) + "\n"
    assert parse("e.csv", body.encode("cp1251")).issues == []


def test_binary_junk_is_refused_as_an_unreadable_encoding() -> None:
    # 0x98 is the one byte Windows-1251 leaves undefined.
    assert refused("events.csv", b"category;title\n\x98\x98").code == "bad_encoding"
    assert refused("events.csv", "category".encode("utf-16-le")[:-1]).code == "bad_encoding"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("events.yaml", "yaml"), ("E.YML", "yaml"), ("events.csv", "csv"), ("events.tsv", "csv"),
        ("events.txt", "csv"), ("Events.XLSX", "xlsx"), ("events.xlsm", "xlsx"),
        ("events.xls", "xls"), ("events.ods", None), ("events", None), (None, None),
    ],
)  # fmt: skip
def test_file_kinds(name: str | None, kind: str | None) -> None:
    assert file_kind(name) == kind


def test_old_binary_excel_files_are_refused_with_their_own_code() -> None:
    ole2 = bytes.fromhex("d0cf11e0a1b11ae1") + b"\x00" * 504
    assert refused("events.xls", ole2).code == "xls_not_supported"
    # A .xls renamed to .xlsx, or a password-protected workbook, is the same container.
    assert refused("events.xlsx", ole2).code == "xls_not_supported"
    assert refused("events.csv", ole2).code == "xls_not_supported"


def test_a_stray_nul_is_not_mistaken_for_utf16() -> None:
    data = (csv_text(KAZAKH_ROW).replace("Астана", "Аста\x00на")).encode("utf-8")
    assert decode_text(data).encoding == "utf-8"


def test_an_unclosed_quote_is_a_clear_error_not_a_crash() -> None:
    data = ('category;title_kk\nforum;a\nforum;"' + "x" * 200_000 + "\n").encode()
    error = refused("events.csv", data)
    assert error.code == "bad_csv" and error.params == {"line": 3}
