"""Kazakhstan's 17 regions and 3 cities of republican significance (codes are stored per user
and per event).

Names are gettext msgids, translated from the catalogues for a language named explicitly
(`region_name(code, lang)`, `regions_for(lang)`), so services and views alike can use them
without aiogram.
"""

from __future__ import annotations

from typing import Final

from bot.catalogue import translate
from bot.collation import sort_key


def _(msgid: str) -> str:
    """Marks a name for pybabel (keyword `_`); it is translated where it is shown."""
    return msgid


# In the order they are offered: the capital, then by population.
CITY_NAMES: Final = {
    "astana": _("Astana"),
    "almaty": _("Almaty"),
    "shymkent": _("Shymkent"),
}

REGION_NAMES: Final = {
    "abai": _("Abai Region"),
    "akmola": _("Akmola Region"),
    "aktobe": _("Aktobe Region"),
    "almaty-reg": _("Almaty Region"),
    "atyrau": _("Atyrau Region"),
    "east-kz": _("East Kazakhstan Region"),
    "jambyl": _("Jambyl Region"),
    "jetisu": _("Jetisu Region"),
    "karaganda": _("Karaganda Region"),
    "kostanay": _("Kostanay Region"),
    "kyzylorda": _("Kyzylorda Region"),
    "mangystau": _("Mangystau Region"),
    "north-kz": _("North Kazakhstan Region"),
    "pavlodar": _("Pavlodar Region"),
    "turkistan": _("Turkistan Region"),
    "ulytau": _("Ulytau Region"),
    "west-kz": _("West Kazakhstan Region"),
}

MSGIDS: Final = {**CITY_NAMES, **REGION_NAMES}
# Every accepted code: the cities, then the regions; for "use one of …" messages.
CODES: Final = tuple(MSGIDS)


def region_name(code: str | None, lang: str) -> str:
    """The name in `lang`; empty for no region or an unknown code."""
    if code is None or code not in MSGIDS:
        return ""
    return translate(MSGIDS[code], lang)


def regions_for(lang: str) -> list[tuple[str, str]]:
    """(code, name) pairs as a picker shows them: the three cities first, then the regions in
    the alphabetical order of their names in `lang`."""
    cities = [(code, translate(msgid, lang)) for code, msgid in CITY_NAMES.items()]
    regions = [(code, translate(msgid, lang)) for code, msgid in REGION_NAMES.items()]
    return cities + sorted(regions, key=lambda pair: sort_key(pair[1], lang))
