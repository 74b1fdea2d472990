"""Measuring search quality and speed (used by tests/test_faq_search_eval.py and benchmarks/)."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Protocol

import yaml

from bot.services.faq.models import LANGUAGES, FaqEntry, Source
from bot.services.faq.search.analysis import strip_markup
from bot.services.faq.search.index import FaqIndex
from bot.services.faq.search.normalize import raw_tokens


class Searchable(Protocol):
    """What latency is measured on: the index itself or the catalogue around it."""

    def search(self, query: str, lang: str, /) -> object: ...


@dataclass(frozen=True, slots=True)
class EvalQuestion:
    query: str
    lang: str
    expected: str | None  # None: off-topic, must not be answered confidently
    kind: str = ""


@dataclass(slots=True)
class LangScore:
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[tuple[EvalQuestion, tuple[str, ...]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0


@dataclass(slots=True)
class EvalReport:
    by_lang: dict[str, LangScore] = field(default_factory=dict)
    off_topic: int = 0
    off_topic_confident: list[EvalQuestion] = field(default_factory=list)

    @property
    def off_topic_rate(self) -> float:
        return len(self.off_topic_confident) / self.off_topic if self.off_topic else 0.0


def load_questions(path: Path) -> list[EvalQuestion]:
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    return [
        EvalQuestion(str(q["q"]), str(q["lang"]), q["expected"], str(q.get("kind", "")))
        for q in data["questions"]
    ]


def evaluate(index: FaqIndex, questions: Iterable[EvalQuestion]) -> EvalReport:
    report = EvalReport({lang: LangScore() for lang in LANGUAGES})
    for question in questions:
        result = index.search(question.query, question.lang, limit=5)
        ids = tuple(hit.entry_id for hit in result.results)
        if question.expected is None:
            report.off_topic += 1
            if result.confident:
                report.off_topic_confident.append(question)
            continue
        score = report.by_lang[question.lang]
        score.total += 1
        score.top1 += ids[:1] == (question.expected,)
        score.top3 += question.expected in ids[:3]
        if ids[:1] != (question.expected,):
            score.misses.append((question, ids[:3]))
    return report


def latency_ms(
    index: Searchable, queries: Sequence[tuple[str, str]], rounds: int = 5
) -> list[float]:
    """Per-query latencies in milliseconds, sorted (after one warm-up pass)."""
    for query, lang in queries:
        index.search(query, lang)
    timings: list[float] = []
    for _ in range(rounds):
        for query, lang in queries:
            start = time.perf_counter()
            index.search(query, lang)
            timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def cpu_latency_ms(
    index: Searchable, queries: Sequence[tuple[str, str]], rounds: int = 5
) -> list[float]:
    """Per-query CPU time of this thread in milliseconds, sorted (after one warm-up pass).

    Unlike wall-clock time it leaves out the time the process waited for a CPU, so on a busy
    machine it shows what the search itself costs.
    """
    for query, lang in queries:
        index.search(query, lang)
    timings: list[float] = []
    for _ in range(rounds):
        for query, lang in queries:
            start = time.thread_time_ns()
            index.search(query, lang)
            timings.append((time.thread_time_ns() - start) / 1e6)
    return sorted(timings)


def cold_latency_ms(
    build: Callable[[], Searchable], queries: Sequence[tuple[str, str]]
) -> list[float]:
    """Each query's first run on a freshly built index (no cached query words), sorted."""
    index = build()
    timings: list[float] = []
    for query, lang in queries:
        start = time.perf_counter()
        index.search(query, lang)
        timings.append((time.perf_counter() - start) * 1000)
    return sorted(timings)


def best_of_latency_ms(
    index: Searchable, queries: Sequence[tuple[str, str]], rounds: int = 5
) -> list[float]:
    """Each query's fastest of ``rounds`` runs, sorted: robust to a busy machine."""
    for query, lang in queries:
        index.search(query, lang)
    out: list[float] = []
    for query, lang in queries:
        best = float("inf")
        for _ in range(rounds):
            start = time.perf_counter()
            index.search(query, lang)
            best = min(best, (time.perf_counter() - start) * 1000)
        out.append(best)
    return sorted(out)


def percentile(sorted_values: Sequence[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    rank = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values)) - 1))
    return sorted_values[rank]


def synthetic_entries(entries: Sequence[FaqEntry], count: int, seed: int = 42) -> list[FaqEntry]:
    """``count`` fake entries built from the real entries' words (deterministic for a seed).

    They share the real vocabulary, so they are realistic distractors for load testing: posting
    lists grow as they would with a bigger knowledge base.
    """
    rng = random.Random(seed)
    vocab: dict[str, list[str]] = {}
    for lang in LANGUAGES:
        words: list[str] = []
        for entry in entries:
            words += raw_tokens(entry.question[lang])
            for phrasing in entry.phrasings[lang]:
                words += raw_tokens(phrasing)
            words += raw_tokens(strip_markup(entry.answer[lang]))
        vocab[lang] = words or ["слово"]

    def sentence(lang: str, low: int, high: int) -> str:
        return " ".join(rng.choice(vocab[lang]) for _ in range(rng.randint(low, high)))

    out: list[FaqEntry] = []
    for i in range(count):
        out.append(
            FaqEntry(
                id=f"synthetic-{i:04d}",
                category="synthetic",
                question={lang: sentence(lang, 5, 10) for lang in LANGUAGES},
                answer={lang: sentence(lang, 60, 150) for lang in LANGUAGES},
                phrasings={
                    lang: tuple(sentence(lang, 3, 8) for _ in range(rng.randint(4, 8)))
                    for lang in LANGUAGES
                },
                sources=(Source("synthetic", "https://example.org"),),
                verified_on=date(2026, 1, 1),
            )
        )
    return out
