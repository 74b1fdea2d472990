"""Text analysis: raw text → content terms with their folded form, stems and concepts."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

from bot.services.faq.search.lexicon import (
    CONCEPTS,
    ELSEWHERE_PAIRS,
    ELSEWHERE_WORDS,
    GENERIC_WORDS,
    QUESTION_WORDS,
    STOP_WORDS,
    SYNONYMS,
)
from bot.services.faq.search.normalize import fold, is_latin, raw_tokens, to_cyrillic
from bot.services.faq.search.stemming import (
    is_kazakh_suffix,
    shorter_kazakh_stems,
    stem_as,
    stems,
)

_TAG_RE: Final = re.compile(r"<[^<>]+>")
_URL_RE: Final = re.compile(r"https?://\S+")
_PLACEHOLDER_RE: Final = re.compile(r"\{mrp:[^}]*\}")
CONCEPT_PREFIX: Final = "~"
_MIN_CONCEPT_STEM: Final = 4
# Clipped compounds: "госпремия" = "гос" + "премия", "мемтапсырыс" = "мем" + "тапсырыс".
_CLIPPED_PREFIXES: Final = ("гос", "соц", "мем")
_MIN_CLIPPED_REST: Final = 4


@dataclass(frozen=True, slots=True)
class Term:
    """One content word: the folded word, its candidate stems and the concepts it names."""

    surface: str
    stems: tuple[str, ...]
    concepts: tuple[str, ...] = ()
    # Everyday word that does not tie a query to NGOs by itself (lexicon.GENERIC_WORDS).
    generic: bool = False
    # Question word ("когда", "қанша"): says what kind of answer, not what about.
    question: bool = False
    # Names a business or a private person (lexicon.ELSEWHERE_WORDS).
    elsewhere: bool = False


def _cyrillic(token: str) -> str:
    return to_cyrillic(token).replace("'", "")


def _words(text: str) -> list[str]:
    """Raw tokens with hyphenated words split, dropping Kazakh case endings after a hyphen."""
    out: list[str] = []
    for token in raw_tokens(text):
        parts = [part for part in token.split("-") if part]
        if not parts:
            continue
        first, *rest = parts
        out.append(first)
        out.extend(part for part in rest if not is_kazakh_suffix(fold(_cyrillic(part))))
    return out


_STOP_FOLDED: Final = frozenset(fold(_cyrillic(w)) for w in STOP_WORDS)
_ELSEWHERE_FOLDED: Final = frozenset(fold(_cyrillic(w)) for w in ELSEWHERE_WORDS)
_ELSEWHERE_PAIRS_FOLDED: Final = tuple((fold(a), fold(b)) for a, b in ELSEWHERE_PAIRS)
_SYNONYMS_FOLDED: Final[dict[str, str]] = {fold(_cyrillic(k)): v for k, v in SYNONYMS.items()}


def _concepts_by_stem() -> dict[str, tuple[str, ...]]:
    found: dict[str, set[str]] = defaultdict(set)
    for concept, words in CONCEPTS.items():
        for word in words.split():
            cyr = _cyrillic(word)
            for stem in stems(cyr):
                # A very short stem from the other language's stemmer names unrelated words:
                # Snowball cuts Kazakh "жаза" (punishment) to "жаз", the root of "жазу" (write).
                if len(stem) >= _MIN_CONCEPT_STEM or stem == fold(cyr):
                    found[stem].add(CONCEPT_PREFIX + concept)
    return {stem: tuple(sorted(c)) for stem, c in found.items()}


_CONCEPTS_BY_STEM: Final = _concepts_by_stem()
_QUESTION_FOLDED: Final = frozenset(fold(_cyrillic(w)) for w in QUESTION_WORDS)
GENERIC_STEMS: Final = frozenset(
    stem for word in GENERIC_WORDS for stem in (*stems(_cyrillic(word)), fold(_cyrillic(word)))
)


def _latin_variants(token: str) -> list[str]:
    """Cyrillic readings of a token.

    In informal Latin "ng" usually spells Kazakh ң ("mening", "qazaqstannyng"), yet in Russian
    loanwords it is н+г ("konsalting", "treningi", "monitoring").
    A Latin token with "ng" gets both readings; the index matches whichever exists.
    """
    primary = _cyrillic(token)
    if "ng" not in token or not is_latin(token):
        return [primary]
    # A separator the transliteration table does not know keeps "n" and "g" apart.
    return [primary, _cyrillic(token.replace("ng", "n\x00g")).replace("\x00", "")]


@lru_cache(maxsize=65536)
def _term(token: str, lang: str | None) -> Term | None:
    variants = _latin_variants(token)
    cyr = variants[0]
    surface = fold(cyr)
    if not surface or surface in _STOP_FOLDED:
        return None
    # One-letter leftovers carry no topic.
    if len(surface) < 2 and not surface.isdigit():
        return None
    found: list[str] = []
    for variant in variants:
        for stem in (stem_as(variant, lang),) if lang else stems(variant):
            if stem not in found:
                found.append(stem)
    token_stems = tuple(found)
    concepts = sorted({c for s in token_stems for c in _CONCEPTS_BY_STEM.get(s, ())})
    if not concepts and lang != "ru":
        # A Kazakh word on a short root ("ақысы" → "ақы") names the root's concept.
        for stem in shorter_kazakh_stems(surface):
            concepts = sorted(_CONCEPTS_BY_STEM.get(stem, ()))
            if concepts:
                break
    generic = surface in GENERIC_STEMS or any(s in GENERIC_STEMS for s in token_stems)
    return Term(
        surface,
        token_stems,
        tuple(concepts),
        generic,
        surface in _QUESTION_FOLDED,
        surface in _ELSEWHERE_FOLDED,
    )


def analyze(text: str, lang: str | None = None) -> list[Term]:
    """Content terms of ``text`` in order (stop words dropped).

    With ``lang`` ("kk"/"ru", for indexed text) each word gets that language's stem; without it
    (queries, whose words may be either language) each word gets every plausible stem.
    """
    out: list[Term] = []
    for word in _words(text):
        term = _term(word, lang)
        if term is None:
            continue
        if out and _names_elsewhere_with(out[-1], term):
            term = replace(term, elsewhere=True)
        out.append(term)
    return out


def _names_elsewhere_with(previous: Term, term: Term) -> bool:
    return any(
        previous.surface == first and term.surface.startswith(second)
        for first, second in _ELSEWHERE_PAIRS_FOLDED
    )


def expansion(term: Term) -> list[Term]:
    """Spelled-out form of an abbreviation (``ОФ`` → общественный фонд) or of a clipped
    compound (``госпремия`` → государственный премия), else empty."""
    phrase = _SYNONYMS_FOLDED.get(term.surface)
    if phrase:
        return analyze(phrase)
    for prefix in _CLIPPED_PREFIXES:
        rest = term.surface[len(prefix) :]
        if term.surface.startswith(prefix) and len(rest) >= _MIN_CLIPPED_REST:
            return analyze(f"{_SYNONYMS_FOLDED[prefix]} {rest}")
    return []


def strip_markup(answer: str) -> str:
    """Answer text without tags, URLs and placeholders (placeholders become "МРП АЕК")."""
    text = _PLACEHOLDER_RE.sub(" МРП АЕК ", answer)
    text = _TAG_RE.sub(" ", text)
    text = _URL_RE.sub(" ", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
