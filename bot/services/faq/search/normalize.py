"""Text normalisation shared by the index and the queries.

Users type Kazakh in Cyrillic with or without the special letters, in the official 2021 Latin
alphabet, in the 2017/2018 apostrophe/acute drafts and in informal Latin ("tirkeu", "zhoba"), and
they mix Russian in. Everything is brought to one lowercase Cyrillic form; stemming then works on
that form and ``fold`` finally merges letters that people use interchangeably (қ/к, ы/і/и, ...).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

# Latin → Cyrillic, longest pattern first. One table serves formal Kazakh Latin (2021, 2018,
# 2017), informal Kazakh Latin and Russian transliteration: where they disagree, the choice that
# survives ``fold`` is what matters (e.g. "y" may be ы or й, both fold to и).
_LATIN_RULES: Final[tuple[tuple[str, str], ...]] = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("zh", "ж"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("kh", "х"),
    ("gh", "ғ"),
    ("ts", "ц"),
    ("ng", "ң"),
    ("ya", "я"),
    ("ia", "я"),
    ("yu", "ю"),
    ("iu", "ю"),
    ("yo", "ё"),
    ("jo", "ё"),
    # 2017 apostrophe draft (and common informal use of a trailing apostrophe).
    ("a'", "ә"),
    ("o'", "ө"),
    ("u'", "ұ"),
    ("y'", "ү"),
    ("i'", "й"),
    ("g'", "ғ"),
    ("n'", "ң"),
    ("s'", "ш"),
    ("c'", "ч"),
    ("k'", "қ"),
    # 2021 alphabet and 2018 acute draft.
    ("ä", "ә"),
    ("á", "ә"),
    ("ö", "ө"),
    ("ó", "ө"),
    ("ü", "ү"),
    ("ú", "ү"),
    ("ū", "ұ"),
    ("ý", "у"),
    ("ğ", "ғ"),
    ("ǵ", "ғ"),
    ("ş", "ш"),
    ("ç", "ч"),
    ("ñ", "ң"),
    ("ń", "ң"),
    ("ŋ", "ң"),
    ("ı", "і"),
    ("i̇", "и"),
    ("í", "и"),
    ("q", "қ"),
    # Plain letters.
    ("a", "а"),
    ("b", "б"),
    ("c", "ц"),
    ("d", "д"),
    ("e", "е"),
    ("f", "ф"),
    ("g", "г"),
    ("h", "х"),
    ("i", "и"),
    ("j", "ж"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("v", "в"),
    ("w", "у"),
    ("x", "х"),
    ("y", "ы"),
    ("z", "з"),
)
_LATIN_RE: Final = re.compile("|".join(re.escape(src) for src, _ in _LATIN_RULES))
_LATIN_MAP: Final = dict(_LATIN_RULES)

# Letters merged after stemming. Kazakh special letters fold to their nearest Russian letter so
# Cyrillic typed without a Kazakh keyboard matches; ы/і/и/й are merged because transliteration
# cannot tell them apart; я/ю are spelt out so "ya", "ia" and "я" agree; soft/hard signs vanish
# in every Latin spelling, so they are dropped.
_FOLD: Final = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ы": "и",
        "й": "и",
        "ё": "е",
        "э": "е",
        "я": "иа",
        "ю": "иу",
        "ь": None,
        "ъ": None,
    }
)

KAZAKH_LETTERS: Final = frozenset("әғқңөұүһі")
# Latin letters that only Kazakh uses: a token with one of them is Kazakh.
_KAZAKH_LATIN: Final = frozenset("äöüūğşñıqáóúǵńŋý")
_WORD: Final = r"[^\W_]+(?:'[^\W_]*)*"
# Hyphenated words stay together here ("ҮЕҰ-ға", "организационно-правовые"); analysis decides.
_TOKEN_RE: Final = re.compile(rf"{_WORD}(?:-{_WORD})*", re.UNICODE)
_APOSTROPHES: Final = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "´": "'"})


def prepare(text: str) -> str:
    """Unicode-normalise and lowercase (``casefold`` would turn ß/ﬁ into letter pairs)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_APOSTROPHES)
    return text.replace("ё", "е")


def is_latin(token: str) -> bool:
    return any("a" <= ch <= "z" or ch in _KAZAKH_LATIN for ch in token)


@lru_cache(maxsize=65536)
def to_cyrillic(token: str) -> str:
    """Transliterate a (lowercase) Latin token to Cyrillic; Cyrillic letters pass through."""
    return _LATIN_RE.sub(lambda m: _LATIN_MAP[m.group(0)], token)


def looks_kazakh(token: str) -> bool:
    """True when a token can only be Kazakh (special Cyrillic letters or Kazakh-only Latin)."""
    return any(ch in KAZAKH_LETTERS or ch in _KAZAKH_LATIN for ch in token)


@lru_cache(maxsize=65536)
def fold(token: str) -> str:
    """Merge interchangeable letters: ``"тіркеуге"`` → ``"тиркеуге"``, ``"қор"`` → ``"кор"``."""
    return token.translate(_FOLD)


def raw_tokens(text: str) -> list[str]:
    """Lowercased word tokens, hyphenated words kept whole ("үеұ-ға").

    An apostrophe inside a Latin word is kept (``"g'"``, ``"n'"`` spell Kazakh letters); in a
    Cyrillic word it only separates parts.
    """
    out: list[str] = []
    for match in _TOKEN_RE.finditer(prepare(text)):
        token = match.group(0)
        if "'" in token and not is_latin(token):
            out.extend(part for part in re.split(r"'+", token) if part)
        else:
            out.append(token)
    return out


def normalize(text: str) -> str:
    """Folded Cyrillic form of a whole text (handy for tests and debugging)."""
    words = (w for t in raw_tokens(text) for w in t.split("-") if w)
    return " ".join(fold(to_cyrillic(w).replace("'", "")) for w in words)
