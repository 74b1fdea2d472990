"""A region as a person writes it: its code, or its name in Kazakh, Russian or English.

Tolerates case, ё for е, Kazakh letters typed as their Russian look-alikes (Актобе for Ақтөбе),
"обл."/"облысы"/"область", "г."/"қаласы", the official Russian word order («область Абай») and
the usual abbreviations (ВКО, СҚО, …). The city and the region of Almaty share a stem: «Алматы»
is the city, «Алматы облысы» (or «Алматинская») the region.
"""

from __future__ import annotations

import re
from functools import cache

from bot.catalogue import translate
from bot.regions import CITY_NAMES, MSGIDS

_FOLD = str.maketrans(
    {"ё": "е", "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х",
     "і": "и"}
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+")
# As they are after folding: «қаласы» → «каласы», «қ.» → «к».
_REGION_WORDS = frozenset({"облысы", "обл", "область", "region", "oblast", "oblysy"})
_CITY_WORDS = frozenset({"г", "гор", "город", "каласы", "к", "city", "qalasy", "kalasy"})
_ABBREVIATIONS = {
    "вко": "east-kz",
    "шко": "east-kz",
    "ско": "north-kz",
    "зко": "west-kz",
    "бко": "west-kz",
    "нур султан": "astana",
}
_BLANKS = frozenset({"", "-", "–", "—"})
_WHOLE_COUNTRY = frozenset(
    {"all", "kz", "весь казахстан", "вся республика", "рк", "букил казакстан", "казакстан",
     "казахстан", "барлык онирлер", "все регионы"}
)  # fmt: skip
LANGUAGES = ("kk", "ru", "en")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold().translate(_FOLD))


def _stem(words: list[str]) -> str:
    return " ".join(word for word in words if word not in _REGION_WORDS | _CITY_WORDS)


def _kind(code: str) -> str:
    return "city" if code in CITY_NAMES else "region"


@cache
def _index() -> dict[str, dict[str, str]]:
    """stem → {"city" | "region": code}, from every name in every language."""
    index: dict[str, dict[str, str]] = {}
    for code, msgid in MSGIDS.items():
        for lang in LANGUAGES:
            stem = _stem(_words(translate(msgid, lang)))
            index.setdefault(stem, {})[_kind(code)] = code
    for stem, code in _ABBREVIATIONS.items():
        index.setdefault(stem, {})[_kind(code)] = code
    return index


def means_whole_country(text: str) -> bool:
    """Empty, a dash, or words like «all», «Весь Казахстан», «Бүкіл Қазақстан»."""
    return text.strip() in _BLANKS or " ".join(_words(text)) in _WHOLE_COUNTRY


def find_region(text: str) -> str | None:
    """The code of the region or city `text` names, or None when it names none."""
    code = text.strip().lower()
    if code in MSGIDS:
        return code
    words = _words(text)
    by_kind = _index().get(_stem(words), {})
    if _REGION_WORDS.intersection(words):
        return by_kind.get("region")
    if _CITY_WORDS.intersection(words):
        return by_kind.get("city")
    return by_kind.get("city") or by_kind.get("region")
