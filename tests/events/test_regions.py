"""Regions in the user's language and alphabet, and regions as admins write them in files."""

from __future__ import annotations

import pytest

from bot.collation import sort_key
from bot.region_lookup import find_region, means_whole_country
from bot.regions import CITY_NAMES, CODES, MSGIDS, region_name, regions_for

CITIES_FIRST = ["astana", "almaty", "shymkent"]


def test_kazakh_picker_has_the_cities_then_regions_in_kazakh_alphabet_order() -> None:
    names = [name for _code, name in regions_for("kk")]
    assert names == [
        "Астана", "Алматы", "Шымкент",
        "Абай облысы", "Ақмола облысы", "Ақтөбе облысы", "Алматы облысы", "Атырау облысы",
        "Батыс Қазақстан облысы", "Жамбыл облысы", "Жетісу облысы", "Қарағанды облысы",
        "Қостанай облысы", "Қызылорда облысы", "Маңғыстау облысы", "Павлодар облысы",
        "Солтүстік Қазақстан облысы", "Түркістан облысы", "Ұлытау облысы",
        "Шығыс Қазақстан облысы",
    ]  # fmt: skip


def test_russian_picker_has_the_cities_then_regions_in_russian_alphabet_order() -> None:
    names = [name for _code, name in regions_for("ru")]
    assert names == [
        "Астана", "Алматы", "Шымкент",
        "Абайская область", "Акмолинская область", "Актюбинская область",
        "Алматинская область", "Атырауская область", "Восточно-Казахстанская область",
        "Жамбылская область", "Жетысуская область", "Западно-Казахстанская область",
        "Карагандинская область", "Костанайская область", "Кызылординская область",
        "Мангистауская область", "Павлодарская область", "Северо-Казахстанская область",
        "Туркестанская область", "Улытауская область",
    ]  # fmt: skip


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_pickers_offer_every_code_once_with_a_translated_name(lang: str) -> None:
    pairs = regions_for(lang)
    assert [code for code, _name in pairs][:3] == CITIES_FIRST
    assert sorted(code for code, _name in pairs) == sorted(CODES)
    # A missing translation would show the English msgid.
    assert all(name != MSGIDS[code] for code, name in pairs if code not in CITY_NAMES)


def test_alphabets_put_kazakh_letters_and_yo_in_their_places() -> None:
    kazakh = sorted(["Ұ", "Б", "Ә", "А", "Я", "Қ", "К", "Л", "Һ", "Х", "Ц", "І", "Ы", "Ь"],
                    key=lambda text: sort_key(text, "kk"))  # fmt: skip
    assert kazakh == ["А", "Ә", "Б", "К", "Қ", "Л", "Ұ", "Х", "Һ", "Ц", "Ы", "І", "Ь", "Я"]
    russian = sorted(["Ж", "Ё", "Е", "Я", "А"], key=lambda text: sort_key(text, "ru"))
    assert russian == ["А", "Е", "Ё", "Ж", "Я"]
    # Words before longer words: a space ranks before any letter; case does not matter.
    assert sorted(["батысы", "Батыс Қ"], key=lambda text: sort_key(text, "kk")) == [
        "Батыс Қ",
        "батысы",
    ]


def test_names_in_each_language() -> None:
    assert region_name("aktobe", "kk") == "Ақтөбе облысы"
    assert region_name("aktobe", "ru") == "Актюбинская область"
    assert region_name(None, "kk") == region_name("atlantis", "ru") == ""


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_displayed_name_is_recognised_back(lang: str) -> None:
    for code, name in regions_for(lang):
        assert find_region(name) == code, name
        assert find_region(name.upper()) == code, name


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("almaty", "almaty"),
        (" ALMATY-REG ", "almaty-reg"),
        ("Алматы", "almaty"),
        ("г. Алматы", "almaty"),
        ("Алматы қаласы", "almaty"),
        ("Алматы облысы", "almaty-reg"),
        ("Алматы обл.", "almaty-reg"),
        ("Алматинская обл", "almaty-reg"),
        ("алматинская", "almaty-reg"),
        ("Almaty Region", "almaty-reg"),
        ("Актобе облысы", "aktobe"),  # Kazakh letters typed as Russian ones
        ("Ақтөбе", "aktobe"),
        ("Актюбинская область", "aktobe"),
        ("область Абай", "abai"),  # the official Russian word order of the new regions
        ("область Жетісу", "jetisu"),
        ("Северо-Казахстанская", "north-kz"),
        ("северо казахстанская обл.", "north-kz"),
        ("ВКО", "east-kz"),
        ("ШҚО", "east-kz"),
        ("СҚО", "north-kz"),
        ("ЗКО", "west-kz"),
        ("Нур-Султан", "astana"),
        ("Ёжикстанская", None),
        ("Шымкент облысы", None),  # a city, not a region
        ("облысы", None),
        ("Атлантида", None),
        ("?", None),
    ],
)
def test_regions_written_by_people(text: str, code: str | None) -> None:
    assert find_region(text) == code


@pytest.mark.parametrize(
    ("text", "whole"),
    [("", True), (" - ", True), ("all", True), ("Весь Казахстан", True),
     ("Бүкіл Қазақстан", True), ("?", False), ("almaty", False)],
)  # fmt: skip
def test_whole_country(text: str, whole: bool) -> None:
    assert means_whole_country(text) is whole
