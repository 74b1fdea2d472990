"""Search quality on the held-out evaluation set (tests/faq_eval/questions.yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.services.faq.loader import load_knowledge_base
from bot.services.faq.models import LANGUAGES
from bot.services.faq.search import FaqIndex
from bot.services.faq.search.analysis import analyze
from bot.services.faq.search.evaluation import EvalQuestion, EvalReport, evaluate, load_questions
from bot.services.faq.search.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = load_questions(ROOT / "tests" / "faq_eval" / "questions.yaml")


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


def test_eval_questions_are_not_knowledge_base_phrasings() -> None:
    """The set measures generalisation: no question may be a knowledge-base question or phrasing
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
        q.query
        for q in QUESTIONS
        if normalize(q.query) in normalised
        or index.is_known_phrasing(q.query)
        or _stem_key(q.query) in stem_keys
    ]
    assert not copies, copies
