"""Kazakhstan's 17 regions and 3 cities of republican significance (codes are stored per user)."""

from __future__ import annotations

from aiogram.utils.i18n import lazy_gettext as __
from babel.support import LazyProxy

CITIES: dict[str, LazyProxy] = {
    "astana": __("Astana"),
    "almaty": __("Almaty"),
    "shymkent": __("Shymkent"),
}

REGIONS: dict[str, LazyProxy] = {
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

ALL_REGIONS: dict[str, LazyProxy] = {**CITIES, **REGIONS}


def region_name(code: str | None) -> str:
    return str(ALL_REGIONS[code]) if code in ALL_REGIONS else ""
