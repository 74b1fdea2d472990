"""Names of Kazakhstan's cities and regions in the user's language, in the order people expect.

Codes (what is stored) live in `bot.region_codes`; names go through gettext, so this module is
for views.
"""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

from bot.region_codes import CITY_CODES

NAMES: dict[str, LazyProxy] = {
    "astana": __("Astana"),
    "almaty": __("Almaty"),
    "shymkent": __("Shymkent"),
    "abai": __("Abai Region"),
    "akmola": __("Akmola Region"),
    "aktobe": __("Aktobe Region"),
    "almaty-reg": __("Almaty Region"),
    "atyrau": __("Atyrau Region"),
    "east-kz": __("East Kazakhstan Region"),
    "jambyl": __("Jambyl Region"),
    "jetisu": __("Jetisu Region"),
    "karaganda": __("Karaganda Region"),
    "kostanay": __("Kostanay Region"),
    "kyzylorda": __("Kyzylorda Region"),
    "mangystau": __("Mangystau Region"),
    "north-kz": __("North Kazakhstan Region"),
    "pavlodar": __("Pavlodar Region"),
    "turkistan": __("Turkistan Region"),
    "ulytau": __("Ulytau Region"),
    "west-kz": __("West Kazakhstan Region"),
}

# Alphabets in dictionary order; Kazakh places its own letters after their nearest Russian ones.
_ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}


def region_name(code: str | None) -> str:
    return str(NAMES[code]) if code in NAMES else ""


def sort_key(name: str, lang: str) -> tuple[int, ...]:
    alphabet = _ALPHABETS.get(lang, _ALPHABETS["ru"])
    return tuple(
        alphabet.index(ch) if ch in alphabet else len(alphabet) + ord(ch) for ch in name.lower()
    )


def regions_for(lang: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(cities, regions) as (code, name) in the current locale: the three cities in their usual
    order, then the regions sorted by name in the user's alphabet."""
    cities = [(code, str(NAMES[code])) for code in CITY_CODES]
    regions = [(code, str(name)) for code, name in NAMES.items() if code not in CITY_CODES]
    regions.sort(key=lambda item: sort_key(item[1], lang))
    return cities, regions
