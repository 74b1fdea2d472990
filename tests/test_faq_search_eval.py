"""Search quality on the evaluation sets in tests/faq_eval/.

questions.yaml was used while the search was tuned and keeps its thresholds. dev.yaml (for tuning)
and heldout.yaml (never tuned on) were written for the coverage entries of issue 13 and more unseen
wordings of the older ones: their shape is checked here, and their trust figures, measured on
FaqCatalog.search as a person gets it, must stay at what the search reaches today (with a margin of
about one question), so that a regression fails. benchmarks/faq_search.py prints the figures.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.services.faq.catalog import FaqCatalog
from bot.services.faq.loader import load_knowledge_base
from bot.services.faq.models import LANGUAGES, KnowledgeBase
from bot.services.faq.search import FaqIndex
from bot.services.faq.search.analysis import analyze
from bot.services.faq.search.evaluation import EvalQuestion, EvalReport, evaluate, load_questions
from bot.services.faq.search.normalize import normalize
from bot.services.faq.trust_eval import (
    EvalSet,
    EvalSetError,
    TrustReport,
    load_eval_set,
    measure,
)

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "tests" / "faq_eval"
QUESTIONS = load_questions(EVAL_DIR / "questions.yaml")
DEV = load_eval_set(EVAL_DIR / "dev.yaml")
HELDOUT = load_eval_set(EVAL_DIR / "heldout.yaml")
NEW_SETS = (DEV, HELDOUT)
# Entries the tuning set questions.yaml never asks about: the ones added for issue 13's coverage.
NEW_ENTRY_MIN_PER_LANG = 8  # unseen wordings per new entry per language, dev and held-out together
NEW_ENTRY_MIN_PER_SET = 4


def _catalog(kb: KnowledgeBase) -> FaqCatalog:
    catalog = FaqCatalog(ROOT / "locales" / "faq", clock=SystemClock(), tz=UTC)
    catalog.serve(kb)
    return catalog


@pytest.fixture(scope="module")
def report() -> EvalReport:
    kb = load_knowledge_base(ROOT / "locales" / "faq")
    return evaluate(FaqIndex.build(kb.entries), QUESTIONS)


def _misses(questions: list[tuple[EvalQuestion, tuple[str, ...]]]) -> str:
    return "\n".join(f"{q.query!r} → {got} (expected {q.expected})" for q, got in questions)


def test_eval_set_shape() -> None:
    kb = load_knowledge_base(ROOT / "locales" / "faq")
    assert sum(q.expected is not None for q in QUESTIONS) >= 200
    assert sum(q.expected is None for q in QUESTIONS) >= 40
    assert sum(q.kind == "offtopic-near" for q in QUESTIONS) >= 25
    assert sum(q.kind.startswith("latin") for q in QUESTIONS) >= 50
    assert sum(q.kind == "mixed" for q in QUESTIONS) >= 10
    assert {q.lang for q in QUESTIONS} == set(LANGUAGES)
    unknown = {q.expected for q in QUESTIONS if q.expected is not None} - set(kb.ids)
    assert not unknown, unknown
    assert len({(q.query, q.lang) for q in QUESTIONS}) == len(QUESTIONS), "duplicate questions"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_top1_accuracy(report: EvalReport, lang: str) -> None:
    score = report.by_lang[lang]
    assert score.top1_rate >= 0.90, f"{score.top1_rate:.3f}\n{_misses(score.misses)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_top3_accuracy(report: EvalReport, lang: str) -> None:
    score = report.by_lang[lang]
    assert score.top3_rate >= 0.97, f"{score.top3_rate:.3f}\n{_misses(score.misses)}"


def test_off_topic_rarely_answered(report: EvalReport) -> None:
    wrong = [q.query for q in report.off_topic_confident]
    assert report.off_topic_rate <= 0.10, wrong


def _stem_key(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(sorted({term.stems for term in analyze(text)}))


_ALL_QUERIES = {
    "questions": [q.query for q in QUESTIONS],
    **{s.name: [q.query for q in s.questions] + [p.query for p in s.two_part] for s in NEW_SETS},
}


@pytest.mark.parametrize("set_name", list(_ALL_QUERIES))
def test_eval_questions_are_not_knowledge_base_phrasings(set_name: str) -> None:
    """The sets measure generalisation: no question may be a knowledge-base question or phrasing
    after normalisation (case, script, special letters), nor differ from one only in word order,
    stop words or inflection."""
    kb = load_knowledge_base(ROOT / "locales" / "faq")
    texts = [
        text
        for entry in kb.entries
        for lang in LANGUAGES
        for text in (entry.question[lang], *entry.phrasings[lang])
    ]
    normalised = {normalize(text) for text in texts}
    stem_keys = {_stem_key(text) for text in texts}
    index = FaqIndex.build(kb.entries)
    copies = [
        query
        for query in _ALL_QUERIES[set_name]
        if normalize(query) in normalised
        or index.is_known_phrasing(query)
        or _stem_key(query) in stem_keys
    ]
    # Held-out questions are never shown one by one: reword the phrasings you added last.
    assert not copies, len(copies) if set_name == "heldout" else copies


# --- dev.yaml and heldout.yaml -----------------------------------------------------------------


def _new_entry_ids() -> set[str]:
    kb = load_knowledge_base(ROOT / "locales" / "faq")
    return set(kb.ids) - {q.expected for q in QUESTIONS if q.expected is not None}


def test_new_sets_cover_every_new_entry_in_both_languages() -> None:
    new_ids = _new_entry_ids()
    assert len(new_ids) >= 15, sorted(new_ids)
    total: Counter[tuple[str | None, str]] = Counter()
    for eval_set in NEW_SETS:
        counts = Counter((q.expected, q.lang) for q in eval_set.questions)
        thin = [
            (entry_id, lang)
            for entry_id in sorted(new_ids)
            for lang in LANGUAGES
            if counts[(entry_id, lang)] < NEW_ENTRY_MIN_PER_SET
        ]
        assert not thin, f"{eval_set.name}: fewer than {NEW_ENTRY_MIN_PER_SET} for {thin}"
        total.update(counts)
    thin = [
        (e, lang)
        for e in sorted(new_ids)
        for lang in LANGUAGES
        if total[(e, lang)] < NEW_ENTRY_MIN_PER_LANG
    ]
    assert not thin, thin


def test_new_sets_shape() -> None:
    kb = load_knowledge_base(ROOT / "locales" / "faq")
    new_ids = _new_entry_ids()
    questions = [q for s in NEW_SETS for q in s.questions]
    existing = [q for q in questions if q.expected is not None and q.expected not in new_ids]
    assert len(existing) >= 150
    assert {q.expected for q in existing} == set(kb.ids) - new_ids, "every older entry is asked"
    assert {q.lang for q in existing} == set(LANGUAGES)
    assert sum(q.kind == "confusion" for q in existing) >= 20
    for eval_set in NEW_SETS:
        off_topic = [q for q in eval_set.questions if q.expected is None]
        assert len(off_topic) >= 20 and {q.lang for q in off_topic} == set(LANGUAGES)
        assert sum(q.kind == "offtopic-near" for q in off_topic) >= 8
        assert len(eval_set.two_part) >= 5
        expected = {q.expected for q in eval_set.questions if q.expected is not None}
        expected |= {e for p in eval_set.two_part for e in p.expected}
        assert expected <= set(kb.ids), expected - set(kb.ids)
    kinds = Counter(q.kind for q in questions)
    minimum = {"latin-2021": 40, "latin-informal": 40, "no-special-letters": 20, "mixed": 20}
    assert all(kinds[kind] >= n for kind, n in minimum.items()), kinds
    assert kinds["typo"] >= 15, kinds


def test_latin_questions_hold_no_cyrillic() -> None:
    cyrillic = re.compile(r"[\u0400-\u04ff]")
    bad = [
        q.query
        for s in NEW_SETS
        for q in s.questions
        if q.kind.startswith("latin") and cyrillic.search(q.query)
    ]
    assert not bad, bad


def test_no_question_repeats_across_sets() -> None:
    """dev and held-out must not share a wording (nor repeat questions.yaml), or held-out
    figures would leak what was tuned on."""
    seen: dict[tuple[str, str], str] = {}
    repeats = []
    everything = [("questions", q.query, q.lang) for q in QUESTIONS] + [
        (s.name, query, lang)
        for s in NEW_SETS
        for query, lang in [(q.query, q.lang) for q in s.questions]
        + [(p.query, p.lang) for p in s.two_part]
    ]
    for name, query, lang in everything:
        key = (normalize(query), lang)
        # questions.yaml spells a few questions in both scripts on purpose; it is only
        # checked against the new sets.
        if key in seen and name != "questions":
            repeats.append((query, seen[key], name))
        seen[key] = name
    assert not repeats, repeats


@pytest.fixture(scope="module")
def trust() -> dict[str, TrustReport]:
    catalog = _catalog(load_knowledge_base(ROOT / "locales" / "faq"))
    return {s.name: measure(catalog, s.questions, s.two_part) for s in NEW_SETS}


@pytest.mark.parametrize("eval_set", NEW_SETS, ids=lambda s: s.name)
def test_trust_figures_account_for_every_question(
    eval_set: EvalSet, trust: dict[str, TrustReport]
) -> None:
    report = trust[eval_set.name]
    in_domain = sum(q.expected is not None for q in eval_set.questions)
    assert sum(s.total for s in report.by_lang.values()) == in_domain
    assert sum(s.off_topic for s in report.by_lang.values()) == len(eval_set.questions) - in_domain
    for score in report.by_lang.values():
        assert score.confident_wrong == len(score.wrong)
        assert score.not_confident == len(score.unanswered)
        assert score.off_topic_confident == len(score.answered_off_topic)
        assert 0 <= score.top3 <= score.total
    assert report.two_part.total == len(eval_set.two_part)


@dataclass(frozen=True)
class Floor:
    """What the search must keep reaching on one set and language (rates of in-domain
    questions; off-topic: share of off-topic questions answered confidently)."""

    confident_right: float
    confident_wrong: float
    top3: float
    off_topic: float


# Reached on 2026-12-01 (confident-right, confident-wrong, top-3, off-topic answered): dev kk
# 0.852/0.009/1.000/0.042, ru 0.893/0.027/0.991/0.067; held-out kk 0.902/0.009/1.000/0.025, ru
# 0.862/0.017/0.983/0.050. Held-out meets issue 13's targets (confident-right >= 0.85,
# confident-wrong <= 0.02, top-3 >= 0.97, off-topic <= 0.05) in both languages; dev's Russian
# confident-wrong does not yet. Each floor leaves about one question of margin.
FLOORS: dict[tuple[str, str], Floor] = {
    ("dev", "kk"): Floor(confident_right=0.84, confident_wrong=0.02, top3=0.99, off_topic=0.07),
    ("dev", "ru"): Floor(confident_right=0.88, confident_wrong=0.04, top3=0.98, off_topic=0.09),
    ("heldout", "kk"): Floor(confident_right=0.89, confident_wrong=0.02, top3=0.99, off_topic=0.05),
    ("heldout", "ru"): Floor(confident_right=0.85, confident_wrong=0.03, top3=0.97, off_topic=0.08),
}


@pytest.mark.parametrize(("set_name", "lang"), list(FLOORS), ids=lambda v: str(v))
def test_trust_on_unseen_questions(set_name: str, lang: str, trust: dict[str, TrustReport]) -> None:
    floor, score = FLOORS[(set_name, lang)], trust[set_name].by_lang[lang]
    # Only dev.yaml's failures may be shown: held-out items are never looked at one by one.
    detail = _misses(score.wrong + score.answered_off_topic) if set_name == "dev" else ""
    assert score.confident_wrong_rate <= floor.confident_wrong, detail
    assert score.off_topic_rate <= floor.off_topic, detail
    assert score.confident_right_rate >= floor.confident_right, score.confident_right_rate
    assert score.top3_rate >= floor.top3, score.top3_rate


@pytest.mark.parametrize(
    ("set_name", "answered", "shown"), [("dev", 4, 4), ("heldout", 4, 5)], ids=str
)
def test_two_part_questions_get_both_entries(
    set_name: str, answered: int, shown: int, trust: dict[str, TrustReport]
) -> None:
    pairs = trust[set_name].two_part
    assert pairs.both_answered >= answered, pairs.both_answered
    assert pairs.both_top2 >= shown, pairs.both_top2
    # A question about one thing rarely gets a second answer it did not ask for.
    assert pairs.spurious_also <= 0.03 * pairs.single, pairs.spurious_also


def test_eval_set_loader_names_the_bad_item(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "questions:\n  - {q: ok, lang: ru, expected: null, kind: offtopic}\n"
        "two_part:\n  - {q: x, lang: kk, expected: [a, a], kind: two-part}\n",
        encoding="utf-8",
    )
    with pytest.raises(EvalSetError, match=r"bad\.yaml: two_part\[0\]: expected must be two"):
        load_eval_set(path)
    path.write_text("questions:\n  - {q: ok, lang: en, expected: null, kind: x}\n", "utf-8")
    with pytest.raises(EvalSetError, match=r"questions\[0\]: lang must be one of"):
        load_eval_set(path)
