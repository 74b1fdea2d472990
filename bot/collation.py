"""Alphabetical order as a Kazakh or Russian reader expects it.

Unicode code points put the Kazakh letters (Ә, Ғ, Қ, …) after Я and Ё before А, so a plain
`sorted` puts «Ақмола» after «Алматы» and «Ұлытау» last. Each letter is ranked by its place in
the language's alphabet instead.
"""

from __future__ import annotations

ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}
# Word separators rank before every letter, so «Батыс Қазақстан» precedes «Батысхан».
_SEPARATORS = " -–—"
_LETTER_BASE = 1
_OTHER_BASE = 1000


def _ranks(lang: str) -> dict[str, int]:
    alphabet = ALPHABETS.get(lang, "")
    ranks = {char: 0 for char in _SEPARATORS}
    ranks.update({letter: _LETTER_BASE + index for index, letter in enumerate(alphabet)})
    return ranks


_RANKS = {lang: _ranks(lang) for lang in ALPHABETS}


def sort_key(text: str, lang: str) -> tuple[int, ...]:
    """A key for `sorted`: letters by the alphabet of `lang`, case ignored; characters outside
    it (digits, Latin, the other language's letters) after the letters, by code point."""
    ranks = _RANKS.get(lang, {})
    return tuple(ranks.get(char, _OTHER_BASE + ord(char)) for char in text.lower())
