"""Word stems: Snowball for Russian, a light suffix stripper for Kazakh.

Kazakh is agglutinative (тіркеу → тіркеуге, тіркеуді, тіркеудің...), and there is no Kazakh
Snowball stemmer; stripping the common plural, possessive, case and verbal endings until none is
left is crude but consistent, and consistency is all retrieval needs: the same word in different
forms reaches the same stem. The stripper works on *folded* text (see ``normalize.fold``), where
vowel-harmony pairs such as ы/і already coincide, so one suffix list serves both harmonies.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

import snowballstemmer

from bot.services.faq.search.normalize import fold, looks_kazakh

_RUSSIAN: Final = snowballstemmer.stemmer("russian")

# Folded Kazakh endings (ы/і → и, ұ/ү → у, ғ → г, қ → к, ң → н), longest first when matched.
_KK_SUFFIXES: Final = tuple(
    sorted(
        {
            # plural
            "лар",
            "лер",
            "дар",
            "дер",
            "тар",
            "тер",
            # possessive (my, your, polite your, his/her, our)
            "им",
            "м",
            "ин",
            "иниз",
            "низ",
            "и",
            "си",
            "имиз",
            "миз",
            # genitive, accusative
            "нин",
            "дин",
            "тин",
            "ни",
            "ди",
            "ти",
            # dative, locative, ablative, instrumental
            "га",
            "ге",
            "ка",
            "ке",
            "на",
            "не",
            "а",
            "е",
            "да",
            "де",
            "та",
            "те",
            "нда",
            "нде",
            "дан",
            "ден",
            "тан",
            "тен",
            "нан",
            "нен",
            "ндан",
            "нден",
            "мен",
            "бен",
            "пен",
            "менен",
            "бенен",
            "пенен",
            # verbal noun, participles, present/future, converbs, question particles
            "у",
            "ган",
            "ген",
            "кан",
            "кен",
            "атин",
            "етин",
            "итин",
            "ади",
            "еди",
            "иди",
            "ип",
            "ма",
            "ме",
            "ба",
            "бе",
            "па",
            "пе",
            "са",
            "се",
            # derivational: -лық/-лік/-дық/-тық..., -шы/-ші, -сыз/-сіз, -лы/-лі
            "лик",
            "дик",
            "тик",
            "ши",
            "сиз",
            "ли",
        },
        key=len,
        reverse=True,
    )
)
_KK_SUFFIX_SET: Final = frozenset(_KK_SUFFIXES)
# Roots that end like an ending and would fall to another word: "мәртебе" (status) is not
# "март" (March) with a question particle and a dative. Folded.
_KK_ROOTS: Final = frozenset({"мартебе"})
# Verb endings: the verbal noun -у after a consonant (жазу, беру) and the present/future tense
# with a personal ending (жаз-а-мын, бер-е-міз, тірке-й-міз, тұр-а-ды). Verb roots are often
# only 2-3 letters, so these may leave a shorter stem than the other endings; without that,
# "жазамын" (I write) fell to "жаза" (punishment) and "береміз" (we give) to "бере" while
# "беру" (to give) stayed whole. Written folded: ы/і → и, so "амын" is "амин".
_KK_VERB_ENDINGS: Final = tuple(
    sorted(
        {
            p + ending
            for p in ("а", "е", "и")  # и: folded й/ы/і (тіркей-міз, тұр-ады via ы-less forms)
            for ending in ("мин", "миз", "син", "сиз", "синиз", "ди")
        },
        key=len,
        reverse=True,
    )
)
_KK_VERB_MIN_STEM: Final = 2
# Endings that only follow a verb stem (after them a passive -л- may be stripped too).
_KK_VERBAL_SUFFIXES: Final = frozenset(
    {"у", "ган", "ген", "кан", "кен", "атин", "етин", "итин", "ади", "еди", "иди", "ип"}
)
_CONSONANTS: Final = frozenset("бвгджзклмнпрстфхцчшщ")
# Shorter stems collide too often ("такси" → "так"); most Kazakh roots keep 4+ folded letters
# with their final vowel, and words too short to strip stay whole, which is still consistent.
_KK_MIN_STEM: Final = 4
# Stem-final consonants voice before a vowel suffix (есеп → есебі, тілек → тілегі): undo it.
_DEVOICE: Final = str.maketrans({"б": "п", "г": "к"})


def is_kazakh_finite_verb(folded: str) -> bool:
    """True for a folded word with a Kazakh personal verb ending ("барамиз", "толтирамин")."""
    return any(
        folded.endswith(ending) and len(folded) - len(ending) >= _KK_VERB_MIN_STEM
        for ending in _KK_VERB_ENDINGS
    )


def is_kazakh_suffix(folded: str) -> bool:
    """True for a bare Kazakh ending, as written after a hyphen: "ҮЕҰ-ға", "ХҚКО-да"."""
    return folded in _KK_SUFFIX_SET or (len(folded) <= 4 and kazakh_stem("ххх" + folded) == "ххх")


@lru_cache(maxsize=65536)
def kazakh_stem(folded: str) -> str:
    """Strip Kazakh endings from a folded token until none applies."""
    word = folded
    stripped = False
    # A verb ending goes first (it is longer than the case endings hidden inside it: "жазамын"
    # also ends in the possessive "-ын"); the verbal noun "-у" only after a consonant, since after
    # a vowel (тіркеу) the general rules below already strip it.
    for ending in _KK_VERB_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _KK_VERB_MIN_STEM:
            word = word[: -len(ending)]
            stripped = True
            break
    else:
        if (
            len(word) >= _KK_VERB_MIN_STEM + 1
            and word.endswith("у")
            and word[-2] in _CONSONANTS
            and len(word) - 1 < _KK_MIN_STEM
        ):
            return word[:-1]
    verbal = stripped
    for _ in range(5):
        if word in _KK_ROOTS:
            break
        for suffix in _KK_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _KK_MIN_STEM:
                word = word[: -len(suffix)]
                stripped = True
                verbal = verbal or suffix in _KK_VERBAL_SUFFIXES
                break
        else:
            break
    # Passive/reflexive -л/-ыл/-іл between a verb root and a verb ending: "тіркеледі",
    # "тіркелу" (is registered) reach the stem of "тіркеу" (to register).
    if verbal and word.endswith("л") and len(word) - 1 >= _KK_MIN_STEM:
        root = word[:-1]
        if root.endswith("и") and len(root) - 1 >= _KK_MIN_STEM:
            root = root[:-1]
        return kazakh_stem(root)
    if stripped:
        word = word[:-1] + word[-1].translate(_DEVOICE)
    return word


# Kazakh roots of three letters are common (жер, ақы, күн, жыл, сан), but cutting every word to
# three letters conflates too much: the index only falls back to these shorter stems when the
# regular stem of a query word is unknown to it.
_KK_SHORT_STEM: Final = 3


@lru_cache(maxsize=65536)
def shorter_kazakh_stems(folded: str) -> tuple[str, ...]:
    """Other stems of a word, longest first: its endings stripped one at a time down to three
    letters ("акиси" → "аки", "жерде" → "жер"), leaving out :func:`kazakh_stem`'s own."""
    regular = kazakh_stem(folded)
    out: list[str] = []
    word = folded
    while True:
        for suffix in _KK_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= _KK_SHORT_STEM:
                word = word[: -len(suffix)]
                if word != regular and word not in out:
                    out.append(word)
                break
        else:
            return tuple(out)


@lru_cache(maxsize=65536)
def russian_stem(cyrillic: str) -> str:
    """Snowball stem of an unfolded Cyrillic token, folded afterwards."""
    return fold(_RUSSIAN.stemWord(cyrillic))


@lru_cache(maxsize=65536)
def stem_as(cyrillic: str, lang: str) -> str:
    """Stem of a token whose language is known (indexed text comes labelled kk or ru)."""
    return kazakh_stem(fold(cyrillic)) if lang == "kk" else russian_stem(cyrillic)


@lru_cache(maxsize=65536)
def stems(cyrillic: str) -> tuple[str, ...]:
    """Candidate stems of a Cyrillic token whose language is unknown.

    A token with Kazakh-only letters gets the Kazakh stem; any other token may be Russian or
    Kazakh typed without special letters, so it gets both (the index matches either).
    """
    folded = fold(cyrillic)
    kk = kazakh_stem(folded)
    if looks_kazakh(cyrillic):
        return (kk,)
    ru = russian_stem(cyrillic)
    return (ru,) if ru == kk else (ru, kk)
