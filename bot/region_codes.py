"""Codes of Kazakhstan's 3 cities of republican significance and 17 regions, as stored per user
and per event. Names (translated) are a view concern: `bot.regions`."""

from __future__ import annotations

from typing import Final

CITY_CODES: Final = ("astana", "almaty", "shymkent")
REGION_CODES: Final = (
    "abai",
    "akmola",
    "aktobe",
    "almaty-reg",
    "atyrau",
    "east-kz",
    "jambyl",
    "jetisu",
    "karaganda",
    "kostanay",
    "kyzylorda",
    "mangystau",
    "north-kz",
    "pavlodar",
    "turkistan",
    "ulytau",
    "west-kz",
)
ALL_CODES: Final = frozenset(CITY_CODES + REGION_CODES)
