"""FAQ search benchmark: accuracy and trust on the evaluation sets, and query latency.

Run from the repository root: ``python benchmarks/faq_search.py``. Prints a plain table for the
real knowledge base and for the real base plus 500 synthetic entries (deterministic seed): the
index's top-1/top-3 on questions.yaml and the latency (p50/p99) of ``FaqCatalog.search``, the whole
search a message gets. Then the trust figures of ``FaqCatalog.search`` (confident and right,
confident and wrong, top-3, off-topic answered confidently, two-part questions answered with both
entries) on questions.yaml, dev.yaml and the held-out set, each split into the entries
questions.yaml asks about and the newer ones. ``--dev-misses`` lists dev.yaml's failures; the
held-out set's are never listed, so nobody tunes on them.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.clock import SystemClock  # noqa: E402
from bot.services.faq.catalog import FaqCatalog  # noqa: E402
from bot.services.faq.loader import load_knowledge_base  # noqa: E402
from bot.services.faq.models import FaqEntry, KnowledgeBase  # noqa: E402
from bot.services.faq.search import FaqIndex  # noqa: E402
from bot.services.faq.search.evaluation import (  # noqa: E402
    best_of_latency_ms,
    cold_latency_ms,
    cpu_latency_ms,
    evaluate,
    latency_ms,
    load_questions,
    percentile,
    synthetic_entries,
)
from bot.services.faq.trust_eval import (  # noqa: E402
    TABLE_HEADER,
    EvalSet,
    TrustReport,
    load_eval_set,
    measure,
    restricted,
    table_rows,
)
from db.engine import create_engine, create_sessionmaker  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.repositories.faq_content import FaqContentRepository  # noqa: E402

KB_PATH = ROOT / "locales" / "faq"
EVAL_DIR = ROOT / "tests" / "faq_eval"
QUESTIONS_PATH = EVAL_DIR / "questions.yaml"
DEV_PATH = EVAL_DIR / "dev.yaml"
HELDOUT_PATH = EVAL_DIR / "heldout.yaml"
SYNTHETIC = 500
SEED = 20261121


def _load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # not available on this platform
        return "n/a"


def _catalog(kb: KnowledgeBase, entries: list[FaqEntry] | None = None) -> FaqCatalog:
    """A catalogue serving ``entries`` (the knowledge base's own by default), without a database."""
    catalog = FaqCatalog(KB_PATH, clock=SystemClock(), tz=UTC)
    catalog.serve(KnowledgeBase(kb.categories, tuple(entries or kb.entries), kb.mrp))
    return catalog


def _trust(catalog: FaqCatalog, eval_set: EvalSet) -> TrustReport:
    return measure(catalog, eval_set.questions, eval_set.two_part)


def _print_trust(catalog: FaqCatalog, *, dev_misses: bool) -> None:
    """Trust figures per set and language; "older" entries are those questions.yaml asks about."""
    tuning = load_eval_set(QUESTIONS_PATH)
    older = {q.expected for q in tuning.questions if q.expected is not None}
    dev, heldout = load_eval_set(DEV_PATH), load_eval_set(HELDOUT_PATH)
    print()
    print("Trust on unseen wording (rates of in-domain questions; off-conf = share of off-topic")
    print(
        "questions answered confidently). Tune on dev only; held-out is reported, never tuned on."
    )
    print(TABLE_HEADER)
    print("-" * len(TABLE_HEADER))
    for label, eval_set in (
        ("questions.yaml (tuning)", tuning),
        ("dev", dev),
        ("held-out", heldout),
    ):
        print("\n".join(table_rows(label, _trust(catalog, eval_set))))
        if eval_set is tuning:
            continue
        for part, keep in (
            ("new entries", lambda e: e is not None and e not in older),
            ("older entries", lambda e: e in older),
        ):
            print(
                "\n".join(
                    table_rows(f"{label}: {part}", _trust(catalog, restricted(eval_set, keep)))
                )
            )
    if dev_misses:
        report = _trust(catalog, dev)
        print("\ndev.yaml failures (query -> top 3):")
        for lang, score in report.by_lang.items():
            for kind, items in (
                ("confident and wrong", score.wrong),
                ("not confident", score.unanswered),
                ("off-topic answered", score.answered_off_topic),
            ):
                for question, ids in items:
                    print(
                        f"  [{lang}] {kind}: {question.query!r} -> {list(ids)}"
                        f" (expected {question.expected})"
                    )
        for pair, ids in report.two_part.missed:
            print(
                f"  [{pair.lang}] two-part: {pair.query!r} -> {list(ids)}"
                f" (expected {list(pair.expected)})"
            )


async def _content_check_ms(runs: int = 2000) -> list[float]:
    """What each search adds to see an admin's edit: one read of the content version (a fresh
    SQLite database, each read in its own transaction as in an update)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await upgrade(url)
        engine = create_engine(url)
        sessions = create_sessionmaker(engine)
        timings = []
        try:
            for _ in range(runs):
                async with sessions() as session:
                    start = time.perf_counter()
                    await FaqContentRepository(session).version()
                    timings.append((time.perf_counter() - start) * 1000)
        finally:
            await engine.dispose()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="FAQ search benchmark")
    parser.add_argument("--dev-misses", action="store_true", help="list dev.yaml's failures")
    args = parser.parse_args(argv)
    kb = load_knowledge_base(KB_PATH)
    questions = load_questions(QUESTIONS_PATH)
    queries = [(q.query, q.lang) for q in questions]
    setups = [
        (f"real ({len(kb.entries)} entries)", list(kb.entries)),
        (
            f"real + {SYNTHETIC} synthetic",
            list(kb.entries) + synthetic_entries(kb.entries, SYNTHETIC, SEED),
        ),
    ]
    header = (
        f"{'index':<28} {'build ms':>8} {'kk top1':>8} {'kk top3':>8} {'ru top1':>8} "
        f"{'ru top3':>8} {'off-topic':>9} {'p50 ms':>7} {'p99 ms':>7} {'p99 best-of-5':>13} "
        f"{'p99 cpu':>8} {'p99 cold':>8}"
    )
    print(
        f"{len(questions)} eval questions, {sum(q.expected is None for q in questions)} off-topic"
    )
    print(f"load average before: {_load()} ({os.cpu_count()} CPUs)")
    print(header)
    print("-" * len(header))
    for name, entries in setups:
        start = time.perf_counter()
        index = FaqIndex.build(entries)
        build_ms = (time.perf_counter() - start) * 1000
        report = evaluate(index, questions)
        # Latency is the whole search a message gets: the catalogue, clauses included.
        catalog = _catalog(kb, entries)
        timings = latency_ms(catalog, queries)
        best = best_of_latency_ms(catalog, queries)
        cpu = cpu_latency_ms(catalog, queries)
        cold = cold_latency_ms(partial(_catalog, kb, entries), queries)
        kk, ru = report.by_lang["kk"], report.by_lang["ru"]
        print(
            f"{name:<28} {build_ms:>8.0f} {kk.top1_rate:>8.3f} {kk.top3_rate:>8.3f} "
            f"{ru.top1_rate:>8.3f} {ru.top3_rate:>8.3f} {report.off_topic_rate:>9.3f} "
            f"{percentile(timings, 50):>7.3f} {percentile(timings, 99):>7.3f} "
            f"{percentile(best, 99):>13.3f} {percentile(cpu, 99):>8.3f} "
            f"{percentile(cold, 99):>8.3f}"
        )
    # Questions that coincide with a knowledge-base phrasing measure recall of known wording;
    # the rest measure generalisation to unseen wording.
    index = FaqIndex.build(kb.entries)
    unseen = [q for q in questions if not index.is_known_phrasing(q.query)]
    report = evaluate(index, unseen)
    kk, ru = report.by_lang["kk"], report.by_lang["ru"]
    print(
        f"{'real, unseen wording only':<28} {'':>8} {kk.top1_rate:>8.3f} {kk.top3_rate:>8.3f} "
        f"{ru.top1_rate:>8.3f} {ru.top3_rate:>8.3f} {report.off_topic_rate:>9.3f}"
        f"   ({kk.total} kk + {ru.total} ru + {report.off_topic} off-topic questions)"
    )
    print("off-topic = share of off-topic questions answered confidently (lower is better)")
    print("p50/p99 over all timed runs; 'best-of-5' takes each query's fastest run (less noise)")
    print("cpu = thread CPU time (leaves out waiting for a busy CPU); cold = first run of each")
    print("query on a fresh index (no cached query words); times are FaqCatalog.search, the")
    print("whole search a message gets (the index, plus its clauses for two-part questions)")
    print(f"load average after: {_load()}; a load above the CPU count inflates wall-clock p99")
    check = asyncio.run(_content_check_ms())
    print(
        f"content version check per search (SQLite, one primary-key read): "
        f"p50 {percentile(check, 50):.3f} ms, p99 {percentile(check, 99):.3f} ms"
    )
    _print_trust(_catalog(kb), dev_misses=args.dev_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
