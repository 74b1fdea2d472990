"""In-memory FAQ search index: BM25F over stems with typo and morphology fallbacks.

Each entry is one document built from *both* languages, so a Russian question from a user whose
interface is Kazakh still finds the entry (the bot renders the answer in the user's language).
Questions and phrasings are the main field; the answer text counts with a lower weight, which
lets unseen wording that only the answer uses still match.

Each query word contributes the best of its alternatives (its stems, an abbreviation's spelled-out
words, a vocabulary word it is a typo of, a stem it shares a long prefix with), so a word never
counts twice. Scores are divided by what the query could score at most, which makes them
comparable between queries and lets one threshold decide whether the answer is confident.

The best few entries are then re-ranked by a blend of that score and how closely the query matches
one of the entry's questions or phrasings as a whole, which tells apart neighbours that share most
words ("how much does registration cost" / "how long does it take" / "which documents").
"""

from __future__ import annotations

import heapq
import math
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import add, mul
from typing import Final

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.services.faq.models import LANGUAGES, FaqEntry
from bot.services.faq.search.analysis import (
    CONCEPT_PREFIX,
    GENERIC_STEMS,
    Term,
    analyze,
    expansion,
    strip_markup,
)
from bot.services.faq.search.stemming import is_kazakh_finite_verb, shorter_kazakh_stems


@dataclass(frozen=True, slots=True)
class Hit:
    entry_id: str
    score: float


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Best hits first; ``confident`` says whether the top hit may be answered directly."""

    results: tuple[Hit, ...]
    confident: bool

    @property
    def best(self) -> Hit | None:
        return self.results[0] if self.results else None


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """Tunables. Defaults were calibrated on the knowledge base's own phrasings held out one at
    a time and on off-topic chatter, not on the evaluation set."""

    k1: float = 1.2
    b: float = 0.5
    question_weight: float = 1.0  # questions and phrasings
    answer_weight: float = 0.4
    synonym_weight: float = 0.8  # an abbreviation's spelled-out words
    concept_weight: float = 0.8  # a word that only shares a concept (cost, deadline, ...)
    # Typo correction: one edit from 5 letters, two from 9; shorter words are left alone (too
    # many false friends), and the first letter must agree (people rarely mistype it).
    fuzzy_one_edit_len: int = 5
    fuzzy_two_edits_len: int = 9
    shorter_stem_weight: float = 0.9
    prefix_min_len: int = 4
    prefix_min_ratio: float = 0.7  # common prefix / longer stem
    # Weight of a word found nowhere in the index, relative to the rarest indexed stem: an
    # unknown word ("погода", "доллар") makes a query less likely to be about the FAQ.
    unknown_weight: float = 0.8
    # Question words ("когда", "қанша") weigh this much of a topic word: they tell the kind of
    # answer wanted, not the topic.
    question_word_weight: float = 0.5
    # Confidence rule: the top hit covers enough of the query, and clearly beats the runner-up
    # unless it is strong on its own. Calibrated on questions.yaml and dev.yaml (see
    # benchmarks/faq_search.py) for few confident wrong answers first, many right ones second.
    min_score: float = 0.34
    strong_score: float = 0.6
    min_margin: float = 0.12
    # Neighbours on one topic ("how much does registration cost" / "how long does it take") are
    # told apart by what is asked about: when the query names a concept (cost, duration,
    # documents...) that the top hit's questions name and the runner-up's do not, a smaller
    # lead is enough. Tuned on dev.yaml only.
    intent_min_margin: float = 0.05
    # A hit that leaves more than this share of the query's weight unmatched is not answered
    # directly: the unmatched words ("депозит", "физлицу") often say the question is about
    # something else.
    max_unmatched_share: float = 0.4
    # ... unless the hit is strong and clearly ahead of the runner-up: then up to this share
    # may be unmatched (the words a founder adds around the topic: "өзі", "простыми словами",
    # "в казахстане"). Tuned on dev.yaml only.
    relaxed_unmatched_share: float = 0.5
    relaxed_min_score: float = 0.5
    relaxed_min_margin: float = 0.15
    # Not when words the FAQ does not know at all weigh more than this share of the query:
    # "печать визиток", "временная прописка" share one word with an entry and are about
    # something else. Tuned on dev.yaml only.
    relaxed_max_unknown_share: float = 0.2
    # Domain anchor: a top hit that matches only everyday words (registration, cost, tax, grant:
    # lexicon.GENERIC_WORDS) while the query also has content words it does not match ("брак",
    # "машина", "ИП", "вуз") is about something else that merely sounds bureaucratic; it is
    # never confident. A generic-only query fully covered by the hit ("сколько стоит
    # регистрация") is confident only with this higher score.
    generic_only_min_score: float = 0.6
    # Re-ranking by the closest single question or phrasing: the best-scored entries (by the
    # whole-entry BM25F score) are re-scored as a blend of that score and how well the query
    # and one of the entry's phrasings cover each other.
    rerank_depth: int = 6
    phrasing_weight: float = 0.5


DEFAULT_CONFIG: Final = SearchConfig()
# A stem found in at least 1/_DENSE_SHARE of the entries keeps a dense score vector.
_DENSE_SHARE: Final = 8
_WORD_CACHE_SIZE: Final = 4096


@dataclass(slots=True)
class _Alternative:
    stem: str
    weight: float


@dataclass(slots=True)
class _QueryWord:
    # Direct alternatives: the word's stems, a typo or prefix correction.
    alternatives: list[_Alternative] = field(default_factory=list)
    # Concepts the word names (cost, deadline...): a weaker, indirect match.
    concepts: list[_Alternative] = field(default_factory=list)
    # An abbreviation's spelled-out words: matched together, each worth 1/len of the phrase.
    phrase: list[list[_Alternative]] = field(default_factory=list)
    potential: float = 0.0
    # True when a direct match of this word would tie the query to the FAQ's domain: the word
    # (or what a typo in it stands for) is not an everyday word, nor a question word.
    specific: bool = False
    # The word names a business or a private person: no hit is confident.
    elsewhere: bool = False
    # A question word ("кто", "қашан"): a query of nothing else asks about no topic.
    question: bool = False
    # Found nowhere in the index, not even by a typo or prefix correction.
    unknown: bool = False


@dataclass(frozen=True, slots=True)
class _Want:
    """A query word a stem would match: its index, its abbreviation part (-1: the word
    itself), the idf-weighted value of the match and the match's weight."""

    word: int
    part: int
    value: float
    weight: float


@dataclass(frozen=True, slots=True)
class _Unit:
    """One question or phrasing of an entry, for comparing the query with it as a whole."""

    # stem or concept → the phrasing's stems that match it (a stem matches itself)
    stems_by_key: dict[str, tuple[str, ...]]
    idf: dict[str, float]  # the phrasing's stems → their idf
    norm: float  # the sum of ``idf``


@dataclass(frozen=True, slots=True)
class _Scored:
    word: _QueryWord
    best: Sequence[float]  # entry index → best score of the word
    direct: Sequence[float]  # the same, without concept-only matches


def _exact_key(text: str) -> tuple[str, ...]:
    """Order-free form of a text's content words, for recognising a known phrasing."""
    return tuple(sorted({term.surface for term in analyze(text)}))


def _unit(words: Sequence[tuple[str, tuple[str, ...]]], idf: dict[str, float]) -> _Unit:
    unit_idf = {stem: idf[stem] for stem, _ in words}
    by_key: dict[str, set[str]] = defaultdict(set)
    for stem, concepts in words:
        for key in (stem, *concepts):
            by_key[key].add(stem)
    stems_by_key = {key: tuple(sorted(stems)) for key, stems in by_key.items()}
    return _Unit(stems_by_key, unit_idf, sum(unit_idf.values()))


class FaqIndex:
    """Build with :meth:`build`; :meth:`search` is read-only and safe to share between tasks."""

    def __init__(
        self,
        ids: Sequence[str],
        postings: dict[str, list[tuple[int, float]]],
        idf: dict[str, float],
        surfaces: dict[str, tuple[str, ...]],
        exact: dict[tuple[str, ...], frozenset[int]],
        units: Sequence[tuple[_Unit, ...]],
        config: SearchConfig,
    ) -> None:
        self._ids = tuple(ids)
        self._units = tuple(units)
        # The concepts each entry's questions and phrasings name (cost, duration, documents...).
        self._intents = tuple(
            frozenset(
                key for unit in doc_units for key in unit.stems_by_key if key[:1] == CONCEPT_PREFIX
            )
            for doc_units in self._units
        )
        self._exact = exact
        self._postings = postings
        self._idf = idf
        self._max_idf = max(idf.values(), default=1.0)
        # folded surface word → its stems, for typo correction
        self._surfaces = surfaces
        # Typo candidates share the first letter (people rarely mistype it), so each query word
        # is compared with one bucket of the vocabulary instead of all of it.
        buckets: dict[str, list[str]] = defaultdict(list)
        for surface in surfaces:
            if surface:
                buckets[surface[0]].append(surface)
        self._typo_buckets = dict(buckets)
        # Scores are accumulated in dense per-entry vectors with C-level map(); a stem found in
        # many entries keeps a dense vector too, a rare one its (entries, values) pairs.
        n = len(ids)
        self._n = n
        self._zeros: tuple[float, ...] = (0.0,) * n
        self._dense: dict[str, list[float]] = {}
        self._sparse: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {}
        for stem, posting in postings.items():
            if len(posting) * _DENSE_SHARE >= n:
                vector = [0.0] * n
                for doc, value in posting:
                    vector[doc] = value
                self._dense[stem] = vector
            else:
                docs, values = zip(*posting, strict=True) if posting else ((), ())
                self._sparse[stem] = (tuple(docs), tuple(values))
        # Query words recur (people ask about the same things): their alternatives, typo
        # corrections included, are kept per index in a bounded cache.
        self._word_cache: OrderedDict[Term, _QueryWord] = OrderedDict()
        self._prefixes: dict[str, list[str]] = defaultdict(list)
        for stem in postings:
            for k in range(config.prefix_min_len, len(stem) + 1):
                self._prefixes[stem[:k]].append(stem)
        self._config = config

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def ids(self) -> tuple[str, ...]:
        return self._ids

    def is_known_phrasing(self, query: str) -> bool:
        """True if ``query`` is (up to order, stop words, case, script) an indexed phrasing."""
        return _exact_key(query) in self._exact

    @classmethod
    def build(cls, entries: Iterable[FaqEntry], config: SearchConfig = DEFAULT_CONFIG) -> FaqIndex:
        entries = list(entries)
        ids = [e.id for e in entries]
        if len(set(ids)) != len(ids):
            raise ValueError("duplicate entry ids")
        tfs: list[dict[str, float]] = []
        lengths: list[float] = []
        surfaces: dict[str, set[str]] = defaultdict(set)
        exact: dict[tuple[str, ...], set[int]] = defaultdict(set)
        unit_terms: list[list[list[tuple[str, tuple[str, ...]]]]] = []
        for doc, entry in enumerate(entries):
            unit_terms.append(
                [
                    [(term.stems[0], term.concepts) for term in analyze(text, lang)]
                    for lang in LANGUAGES
                    for text in (entry.question[lang], *entry.phrasings[lang])
                ]
            )
            for lang in LANGUAGES:
                for text in (entry.question[lang], *entry.phrasings[lang]):
                    if key := _exact_key(text):
                        exact[key].add(doc)
            tf: dict[str, float] = defaultdict(float)
            length = 0.0
            texts = [(entry.question[lang], lang, config.question_weight) for lang in LANGUAGES]
            texts += [
                (phrasing, lang, config.question_weight)
                for lang in LANGUAGES
                for phrasing in entry.phrasings[lang]
            ]
            texts += [
                (strip_markup(entry.answer[lang]), lang, config.answer_weight) for lang in LANGUAGES
            ]
            for text, lang, weight in texts:
                for term in analyze(text, lang):
                    surfaces[term.surface].update(term.stems)
                    length += weight
                    for stem in term.stems:
                        tf[stem] += weight / len(term.stems)
                    for concept in term.concepts:
                        tf[concept] += weight
            tfs.append(tf)
            lengths.append(length)
        n = len(entries)
        avg_len = (sum(lengths) / n) if n else 1.0
        df: dict[str, int] = defaultdict(int)
        for tf in tfs:
            for stem in tf:
                df[stem] += 1
        idf = {s: math.log(1 + (n - d + 0.5) / (d + 0.5)) for s, d in df.items()}
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        k1, b = config.k1, config.b
        for i, tf in enumerate(tfs):
            norm = k1 * (1 - b + b * lengths[i] / avg_len) if avg_len else k1
            for stem, freq in tf.items():
                # BM25 divided by (k1 + 1): a term's contribution stays below its idf.
                postings[stem].append((i, idf[stem] * freq / (freq + norm)))
        frozen_surfaces = {s: tuple(sorted(st)) for s, st in surfaces.items()}
        frozen_exact = {key: frozenset(docs) for key, docs in exact.items()}
        units = [
            tuple(_unit(words, idf) for words in doc_units if words) for doc_units in unit_terms
        ]
        return cls(ids, dict(postings), idf, frozen_surfaces, frozen_exact, units, config)

    # --- query side -------------------------------------------------------------------------

    def _known(self, term: Term) -> list[_Alternative]:
        return [_Alternative(s, 1.0) for s in term.stems if s in self._postings]

    def _by_shorter_stem(self, term: Term) -> list[_Alternative]:
        """A Kazakh word whose stem the index lacks may still share a short root with it."""
        for stem in shorter_kazakh_stems(term.surface):
            if stem in self._postings:
                return [_Alternative(stem, self._config.shorter_stem_weight)]
        return []

    def _by_prefix(self, term: Term) -> list[_Alternative]:
        cfg = self._config
        found: dict[str, float] = {}
        for stem in term.stems:
            for k in range(len(stem), cfg.prefix_min_len - 1, -1):
                candidates = self._prefixes.get(stem[:k])
                if not candidates:
                    continue
                for cand in candidates:
                    ratio = k / max(len(stem), len(cand))
                    if ratio >= cfg.prefix_min_ratio:
                        found[cand] = max(found.get(cand, 0.0), ratio)
                break
        return [_Alternative(s, w) for s, w in found.items()]

    def _by_typo(self, term: Term) -> list[_Alternative]:
        cfg = self._config
        word = term.surface
        bucket = self._typo_buckets.get(word[:1])
        if len(word) < cfg.fuzzy_one_edit_len or not bucket:
            return []
        max_edits = 2 if len(word) >= cfg.fuzzy_two_edits_len else 1
        matches = process.extract(
            word,
            bucket,
            scorer=Levenshtein.distance,
            score_cutoff=max_edits,
            limit=5,
        )
        found: dict[str, float] = {}
        for surface, edits, _ in matches:
            weight = (1.0 - edits / max(len(word), len(surface))) ** 2
            for stem in self._surfaces[surface]:
                found[stem] = max(found.get(stem, 0.0), weight)
        return [_Alternative(s, w) for s, w in found.items()]

    def _query_word(self, term: Term) -> _QueryWord:
        cache = self._word_cache
        word = cache.get(term)
        if word is not None:
            cache.move_to_end(term)
            return word
        word = self._make_query_word(term)
        cache[term] = word
        if len(cache) > _WORD_CACHE_SIZE:
            cache.popitem(last=False)
        return word

    def _make_query_word(self, term: Term) -> _QueryWord:
        cfg = self._config
        scale = cfg.question_word_weight if term.question else 1.0
        alternatives = self._known(term)
        if not alternatives:
            alternatives = self._by_shorter_stem(term)
        if not alternatives:
            alternatives = self._by_prefix(term) + self._by_typo(term)
        concepts = [
            _Alternative(c, cfg.concept_weight) for c in term.concepts if c in self._postings
        ]
        words = expansion(term)
        share = cfg.synonym_weight / len(words) if words else 0.0
        phrase = [[_Alternative(a.stem, share) for a in self._known(w)] for w in words]
        phrase = [p for p in phrase if p]
        if scale != 1.0:
            for alt in (*alternatives, *concepts, *(a for part in phrase for a in part)):
                alt.weight *= scale
        specific = not term.question and (
            any(a.stem not in GENERIC_STEMS for a in alternatives)
            or any(not w.generic for w in words)
        )
        if term.generic:
            specific = False
        word = _QueryWord(
            alternatives,
            concepts,
            phrase,
            specific=specific,
            elsewhere=term.elsewhere,
            question=term.question,
        )
        candidates = [a.weight * self._idf[a.stem] for a in (*alternatives, *concepts)]
        if word.phrase:
            candidates.append(
                sum(max(self._idf[a.stem] * a.weight for a in part) for part in word.phrase)
            )
        if candidates:
            word.potential = max(candidates)
        else:
            # An unknown Kazakh verb form ("барамыз", "толтырамыз") says what the person does
            # with the topic, not what the topic is: it counts as much as a question word.
            if is_kazakh_finite_verb(term.surface):
                scale *= cfg.question_word_weight
            word.potential = scale * cfg.unknown_weight * self._max_idf
            word.unknown = True
        return word

    def _vector(self, alt: _Alternative) -> list[float]:
        """One alternative's weighted score for every entry (a fresh list)."""
        dense = self._dense.get(alt.stem)
        if dense is not None:
            return list(map(mul, dense, repeat(alt.weight))) if alt.weight != 1.0 else dense[:]
        out = list(self._zeros)
        docs, values = self._sparse[alt.stem]
        weight = alt.weight
        for doc, value in zip(docs, values, strict=True):
            out[doc] = value * weight
        return out

    def _best(self, alternatives: Sequence[_Alternative]) -> list[float] | None:
        """Each entry's best weighted score among one word's alternatives (None: no match)."""
        best: list[float] | None = None
        for alt in alternatives:
            dense = self._dense.get(alt.stem)
            if best is None:
                best = self._vector(alt)
            elif dense is not None:
                best = list(map(max, best, self._vector(alt)))
            else:
                docs, values = self._sparse[alt.stem]
                weight = alt.weight
                for doc, value in zip(docs, values, strict=True):
                    value *= weight
                    if value > best[doc]:
                        best[doc] = value
        return best

    def _word_scores(self, word: _QueryWord) -> tuple[Sequence[float], Sequence[float]]:
        """Entry index → this word's best score, over all matches and over direct ones only."""
        direct = self._best(word.alternatives)
        if word.phrase:
            phrase: list[float] | None = None
            for part in word.phrase:
                vector = self._best(part)
                if vector is not None:
                    phrase = vector if phrase is None else list(map(add, phrase, vector))
            if phrase is not None:
                direct = phrase if direct is None else list(map(max, direct, phrase))
        concepts = self._best(word.concepts)
        if direct is None:
            return (concepts if concepts is not None else self._zeros), self._zeros
        if concepts is None:
            return direct, direct
        return list(map(max, direct, concepts)), direct

    def _scores(self, query: str) -> tuple[list[float], float, list[_Scored]]:
        """Entry index → BM25F score, the most the query could score (for normalising), and
        each word's scores (for judging confidence)."""
        words = [self._query_word(term) for term in analyze(query)]
        potential = sum(w.potential for w in words)
        scored: list[_Scored] = []
        if potential <= 0:
            return [], potential, scored
        total: list[float] | None = None
        for word in words:
            best, direct = self._word_scores(word)
            scored.append(_Scored(word, best, direct))
            total = list(best) if total is None else list(map(add, total, best))
        return total or [], potential, scored

    def search(self, query: str, lang: str, limit: int = 5) -> SearchResult:
        """Entries best matching ``query``; ``lang`` is the user's language ("kk" or "ru").

        Scores lie in [0, 1): the share of the query's weight the entry matches.
        """
        if lang not in LANGUAGES:
            raise ValueError(f"unknown language {lang!r}, expected one of {LANGUAGES}")
        scores, potential, scored = self._scores(query)
        # The query is one of an entry's own questions or phrasings, give or take word order,
        # stop words, case and script: that entry is the answer.
        exact = self._exact.get(_exact_key(query), frozenset())
        if exact:
            scores = scores[:] if scores else [0.0] * self._n
            potential = potential if potential > 0 else 1.0
            for doc in exact:
                scores[doc] = potential
        cfg = self._config
        depth = max(limit, 2, cfg.rerank_depth)
        # heapq.nlargest is stable, so ties go to the earlier entry: results are deterministic.
        ranked = [
            doc
            for doc in heapq.nlargest(depth, range(len(scores)), key=scores.__getitem__)
            if scores[doc] > 0.0
        ]
        if not ranked:
            return SearchResult((), False)
        closeness = self._phrasing_closeness(ranked, scored, potential)
        blend = cfg.phrasing_weight
        final = {
            doc: 1.0
            if doc in exact
            else (1 - blend) * scores[doc] / potential + blend * closeness[doc]
            for doc in ranked
        }
        ranked.sort(key=lambda doc: -final[doc])
        hits = [Hit(self._ids[doc], final[doc]) for doc in ranked]
        top_doc = ranked[0]
        margin = hits[0].score - (hits[1].score if len(hits) > 1 else 0.0)
        confident = self._is_confident(hits, ranked, scored) and (
            top_doc in exact or self._is_anchored(top_doc, hits[0].score, margin, scored)
        )
        return SearchResult(tuple(hits[:limit]), confident)

    def _phrasing_closeness(
        self, docs: Sequence[int], scored: Sequence[_Scored], potential: float
    ) -> dict[int, float]:
        """Per entry, how closely the query matches one of its questions or phrasings as a
        whole: the geometric mean of the share of the query the phrasing matches and the share
        of the phrasing the query matches (both weighted by idf), for its closest phrasing.

        The whole-entry score adds up words matched anywhere in an entry; this one rewards an
        entry whose single phrasing says what the query says, which tells apart neighbours
        such as "how much does registration cost" and "how long does registration take".
        """
        if potential <= 0:
            return dict.fromkeys(docs, 0.0)
        wanted = self._wanted(scored)
        keys = wanted.keys()
        return {
            doc: max(
                (
                    self._unit_closeness(unit, wanted, potential)
                    for unit in self._units[doc]
                    if not keys.isdisjoint(unit.stems_by_key)
                ),
                default=0.0,
            )
            for doc in docs
        }

    def _wanted(self, scored: Sequence[_Scored]) -> dict[str, list[_Want]]:
        """Stem or concept → the query words it would match."""
        wanted: dict[str, list[_Want]] = defaultdict(list)
        for i, s in enumerate(scored):
            for alt in (*s.word.alternatives, *s.word.concepts):
                wanted[alt.stem].append(_Want(i, -1, alt.weight * self._idf[alt.stem], alt.weight))
            for part_no, part in enumerate(s.word.phrase):
                for alt in part:
                    value = alt.weight * self._idf[alt.stem]
                    wanted[alt.stem].append(_Want(i, part_no, value, alt.weight))
        return wanted

    @staticmethod
    def _unit_closeness(unit: _Unit, wanted: dict[str, list[_Want]], potential: float) -> float:
        # Each query word and each phrasing word counts once, with its best match.
        by_word: dict[int, float] = {}
        by_part: dict[tuple[int, int], float] = {}
        covered: dict[str, float] = {}
        for key in unit.stems_by_key.keys() & wanted.keys():
            for want in wanted[key]:
                if want.part < 0:
                    by_word[want.word] = max(by_word.get(want.word, 0.0), want.value)
                else:
                    slot = (want.word, want.part)
                    by_part[slot] = max(by_part.get(slot, 0.0), want.value)
                for stem in unit.stems_by_key[key]:
                    if want.weight > covered.get(stem, 0.0):
                        covered[stem] = want.weight
        if not covered or unit.norm <= 0:
            return 0.0
        # An abbreviation's spelled-out words add up, like in the whole-entry score.
        phrase: dict[int, float] = defaultdict(float)
        for (word, _), value in by_part.items():
            phrase[word] += value
        matched = sum(max(by_word.get(w, 0.0), phrase.get(w, 0.0)) for w in {*by_word, *phrase})
        query_share = min(matched / potential, 1.0)
        unit_share = min(sum(unit.idf[stem] * w for stem, w in covered.items()) / unit.norm, 1.0)
        return math.sqrt(query_share * unit_share)

    def _is_confident(
        self, hits: Sequence[Hit], ranked: Sequence[int], scored: Sequence[_Scored]
    ) -> bool:
        cfg = self._config
        top = hits[0].score
        runner_up = hits[1].score if len(hits) > 1 else 0.0
        if top < cfg.min_score:
            return False
        if top >= cfg.strong_score or top - runner_up >= cfg.min_margin:
            return True
        return top - runner_up >= cfg.intent_min_margin and self._intent_sets_apart(
            ranked[0], ranked[1], scored
        )

    def _intent_sets_apart(self, top: int, runner_up: int, scored: Sequence[_Scored]) -> bool:
        """Whether the query names a concept the top entry's questions name and the
        runner-up's do not."""
        asked = {alt.stem for s in scored for alt in s.word.concepts}
        return bool((self._intents[top] - self._intents[runner_up]) & asked)

    def _is_anchored(
        self, doc: int, score: float, margin: float, scored: Sequence[_Scored]
    ) -> bool:
        """Whether the hit matches the query through something NGO-specific (see
        ``SearchConfig.generic_only_min_score``) and leaves little of it unmatched."""
        cfg = self._config
        if any(s.word.elsewhere for s in scored) or all(s.word.question for s in scored):
            return False
        potential = sum(s.word.potential for s in scored)
        unmatched = sum(s.word.potential for s in scored if s.best[doc] <= 0.0)
        allowed = cfg.max_unmatched_share
        unknown = sum(s.word.potential for s in scored if s.word.unknown)
        if (
            score >= cfg.relaxed_min_score
            and margin >= cfg.relaxed_min_margin
            and unknown <= cfg.relaxed_max_unknown_share * potential
        ):
            allowed = max(allowed, cfg.relaxed_unmatched_share)
        if potential <= 0 or unmatched > allowed * potential:
            return False
        if any(s.word.specific and s.direct[doc] > 0.0 for s in scored):
            return True
        return unmatched <= 0.0 and score >= cfg.generic_only_min_score
