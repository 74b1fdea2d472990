"""Trust figures for FAQ search on evaluation sets (tests/faq_eval/*.yaml).

What matters to a founder is not only whether the right entry is near the top but whether the bot
*answers confidently with the wrong entry*: that is wrong advice given with authority. So each
in-domain question falls in exactly one bucket — confident and right, confident and wrong, or not
confident (the bot shows suggestions instead of an answer) — and off-topic questions count as a
failure only when answered confidently. Two-part questions count as answered when the reply
answers one entry and carries the other as ``FaqReply.also``, and as shown when both are the first
two entries the reply shows (one answer and the other as the first suggestion).

Figures are taken from :meth:`FaqCatalog.search`, i.e. from what the person would see.

Used by tests/test_faq_search_eval.py and benchmarks/faq_search.py; kept outside ``search/`` so the
search can be tuned without touching how it is measured.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.services.faq.catalog import FaqCatalog, FaqReply, ReplyKind
from bot.services.faq.models import LANGUAGES
from bot.services.faq.search.evaluation import EvalQuestion

_QUESTION_KEYS = frozenset({"q", "lang", "expected", "kind"})


class EvalSetError(ValueError):
    """An evaluation file is malformed; the message names the file and the item."""


@dataclass(frozen=True, slots=True)
class TwoPartQuestion:
    query: str
    lang: str
    expected: tuple[str, str]
    kind: str = ""


@dataclass(frozen=True, slots=True)
class EvalSet:
    name: str
    questions: tuple[EvalQuestion, ...]
    two_part: tuple[TwoPartQuestion, ...] = ()


def _item(raw: Any, where: str) -> tuple[str, str, Any, str]:
    if not isinstance(raw, Mapping) or set(raw) != _QUESTION_KEYS:
        raise EvalSetError(f"{where}: needs exactly the fields {sorted(_QUESTION_KEYS)}")
    query, lang, kind = raw["q"], raw["lang"], raw["kind"]
    if not isinstance(query, str) or not query.strip():
        raise EvalSetError(f"{where}: q must be a non-empty string")
    if lang not in LANGUAGES:
        raise EvalSetError(f"{where}: lang must be one of {LANGUAGES}, got {lang!r}")
    if not isinstance(kind, str) or not kind:
        raise EvalSetError(f"{where}: kind must be a non-empty string")
    return query, lang, raw["expected"], kind


def load_eval_set(path: Path) -> EvalSet:
    """Read ``questions`` (expected: an id or null) and the optional ``two_part`` list
    (expected: two different ids) from a YAML file; raises :class:`EvalSetError` on bad input."""
    try:
        with path.open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise EvalSetError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(data, Mapping) or not isinstance(data.get("questions"), list):
        raise EvalSetError(f"{path.name}: needs a 'questions' list")
    questions: list[EvalQuestion] = []
    for i, raw in enumerate(data["questions"]):
        query, lang, expected, kind = _item(raw, f"{path.name}: questions[{i}]")
        if expected is not None and not isinstance(expected, str):
            raise EvalSetError(f"{path.name}: questions[{i}]: expected must be an id or null")
        questions.append(EvalQuestion(query, lang, expected, kind))
    two_part: list[TwoPartQuestion] = []
    for i, raw in enumerate(data.get("two_part") or []):
        query, lang, expected, kind = _item(raw, f"{path.name}: two_part[{i}]")
        if (
            not isinstance(expected, list)
            or len(expected) != 2
            or not all(isinstance(e, str) for e in expected)
            or expected[0] == expected[1]
        ):
            raise EvalSetError(f"{path.name}: two_part[{i}]: expected must be two different ids")
        two_part.append(TwoPartQuestion(query, lang, (expected[0], expected[1]), kind))
    return EvalSet(path.stem, tuple(questions), tuple(two_part))


@dataclass(slots=True)
class TrustScore:
    """One language's figures. Rates are shares of in-domain (or off-topic) questions."""

    total: int = 0
    confident_right: int = 0
    confident_wrong: int = 0
    top3: int = 0
    off_topic: int = 0
    off_topic_confident: int = 0
    wrong: list[tuple[EvalQuestion, tuple[str, ...]]] = field(default_factory=list)
    unanswered: list[tuple[EvalQuestion, tuple[str, ...]]] = field(default_factory=list)
    answered_off_topic: list[tuple[EvalQuestion, tuple[str, ...]]] = field(default_factory=list)

    @property
    def not_confident(self) -> int:
        return self.total - self.confident_right - self.confident_wrong

    @staticmethod
    def _share(part: int, whole: int) -> float:
        return part / whole if whole else 0.0

    @property
    def confident_right_rate(self) -> float:
        return self._share(self.confident_right, self.total)

    @property
    def confident_wrong_rate(self) -> float:
        return self._share(self.confident_wrong, self.total)

    @property
    def top3_rate(self) -> float:
        return self._share(self.top3, self.total)

    @property
    def off_topic_rate(self) -> float:
        return self._share(self.off_topic_confident, self.off_topic)


@dataclass(slots=True)
class TwoPartScore:
    total: int = 0
    both_answered: int = 0  # one answer, the other as ``also``
    both_top2: int = 0  # both among the first two entries shown
    missed: list[tuple[TwoPartQuestion, tuple[str, ...]]] = field(default_factory=list)
    # Single questions whose reply carried a second answer anyway.
    spurious_also: int = 0
    single: int = 0

    @property
    def both_answered_rate(self) -> float:
        return self.both_answered / self.total if self.total else 0.0

    @property
    def both_top2_rate(self) -> float:
        return self.both_top2 / self.total if self.total else 0.0


@dataclass(slots=True)
class TrustReport:
    by_lang: dict[str, TrustScore]
    two_part: TwoPartScore


def shown(reply: FaqReply) -> tuple[str, ...]:
    """The ids a reply shows, in order: the answer (if any), then the other entries."""
    first = (reply.entry,) if reply.entry is not None else ()
    return tuple(e.id for e in (*first, *reply.others))


def measure(
    catalog: FaqCatalog,
    questions: Iterable[EvalQuestion],
    two_part: Iterable[TwoPartQuestion] = (),
) -> TrustReport:
    report = TrustReport({lang: TrustScore() for lang in LANGUAGES}, TwoPartScore())
    for question in questions:
        reply = catalog.search(question.query, question.lang).reply
        ids = shown(reply)
        confident = reply.kind is ReplyKind.ANSWER
        score = report.by_lang[question.lang]
        if question.expected is None:
            score.off_topic += 1
            if confident:
                score.off_topic_confident += 1
                score.answered_off_topic.append((question, ids[:3]))
            continue
        score.total += 1
        score.top3 += question.expected in ids[:3]
        report.two_part.single += 1
        report.two_part.spurious_also += reply.also is not None
        if not confident:
            score.unanswered.append((question, ids[:3]))
        elif ids[0] == question.expected:
            score.confident_right += 1
        else:
            score.confident_wrong += 1
            score.wrong.append((question, ids[:3]))
    for pair in two_part:
        reply = catalog.search(pair.query, pair.lang).reply
        ids = shown(reply)
        pairs = report.two_part
        pairs.total += 1
        answered = {reply.entry, reply.also} if reply.entry and reply.also else set()
        pairs.both_answered += {e.id for e in answered} == set(pair.expected)
        pairs.both_top2 += set(pair.expected) <= set(ids[:2])
        if not set(pair.expected) <= set(ids[:2]):
            pairs.missed.append((pair, ids[:3]))
    return report


def restricted(
    eval_set: EvalSet, keep: Callable[[str | None], bool], name: str | None = None
) -> EvalSet:
    """The questions whose expected id passes ``keep`` (None for off-topic ones); two-part
    questions are kept when both their ids pass."""
    return EvalSet(
        name or eval_set.name,
        tuple(q for q in eval_set.questions if keep(q.expected)),
        tuple(p for p in eval_set.two_part if all(keep(e) for e in p.expected)),
    )


TABLE_HEADER = (
    f"{'set':<30} {'lang':<4} {'n':>4} {'conf-right':>10} {'conf-wrong':>10} {'top3':>6} "
    f"{'off-topic n':>11} {'off-conf':>8}"
)


def table_rows(name: str, report: TrustReport) -> list[str]:
    """One line per language for :data:`TABLE_HEADER`, then the two-part line if any."""
    rows = [
        f"{name:<30} {lang:<4} {s.total:>4} {s.confident_right_rate:>10.3f} "
        f"{s.confident_wrong_rate:>10.3f} {s.top3_rate:>6.3f} {s.off_topic:>11} "
        f"{s.off_topic_rate:>8.3f}"
        for lang, s in report.by_lang.items()
    ]
    pairs = report.two_part
    if pairs.total:
        rows.append(
            f"{name:<30} two-part: both answered {pairs.both_answered}/{pairs.total}, "
            f"both shown first {pairs.both_top2}/{pairs.total}; single questions given a "
            f"second answer {pairs.spurious_also}/{pairs.single}"
        )
    return rows
