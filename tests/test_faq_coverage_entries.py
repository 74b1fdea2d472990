"""The coverage entries of issue 13 (locales/faq/money.yaml, paperwork.yaml, laws.yaml) keep the
hedges their facts require: every one of them rests on at least one [check] fact in
shared/domain/ngo-kazakhstan-facts-more.md, so each says the data are as of November 2026, where
to check the current text, and links official documents in the reader's language."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.services.faq.loader import load_knowledge_base
from bot.services.faq.markup import plain_text
from bot.services.faq.models import FaqEntry, KnowledgeBase

KB_PATH = Path(__file__).resolve().parents[1] / "locales" / "faq"
COVERAGE_CATEGORIES = ("money", "paperwork", "laws")
HEDGE = {
    "ru": "Данные на ноябрь 2026 г.; действующую редакцию",
    "kk": "Мәлімет 2026 жылғы қарашадағы; қолданыстағы редакциясын",
}
HEDGE_VERB = {"ru": "провер", "kk": "тексеріңіз"}
_HREF = re.compile(r'href="([^"]+)"')
_QUOTED_QUESTION = re.compile(r"«([^«»]+?(?:\?|…))»")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(KB_PATH)


def _coverage(kb: KnowledgeBase) -> list[FaqEntry]:
    return [e for c in COVERAGE_CATEGORIES for e in kb.entries_in(c)]


def test_coverage_categories_exist_and_are_filled(kb: KnowledgeBase) -> None:
    assert len(_coverage(kb)) >= 15
    assert all(kb.entries_in(c) for c in COVERAGE_CATEGORIES)


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_every_coverage_answer_is_hedged_and_dated(kb: KnowledgeBase, lang: str) -> None:
    for entry in _coverage(kb):
        text = plain_text(entry.answer[lang])
        at = text.find(HEDGE[lang])
        assert at >= 0, (entry.id, lang, "hedge missing")
        assert HEDGE_VERB[lang] in text[at : at + 400], (entry.id, lang)
        assert entry.verified_on == date(2026, 11, 30), entry.id


@pytest.mark.parametrize("lang", ["ru", "kk"])
def test_answers_link_documents_in_the_readers_language(kb: KnowledgeBase, lang: str) -> None:
    """adilet.zan.kz links point at a document (not the home page), in /kaz/ for Kazakh
    answers and /rus/ for Russian ones; every entry links at least one official page."""
    other = {"ru": "/kaz/", "kk": "/rus/"}[lang]
    for entry in _coverage(kb):
        links = _HREF.findall(entry.answer[lang])
        assert links, (entry.id, lang, "no link in the answer")
        for url in links:
            if "adilet.zan.kz" in url:
                assert "/docs/" in url and other not in url, (entry.id, lang, url)
        for source in entry.sources:
            if "adilet.zan.kz" in source.url:
                assert "/docs/" in source.url, (entry.id, source.url)


def test_quoted_questions_name_existing_entries(kb: KnowledgeBase) -> None:
    """Answers point to other entries by quoting their question («…?»); a quote must match an
    entry's question in that language (a trailing "…" quotes its beginning)."""
    for entry in _coverage(kb):
        for lang in ("ru", "kk"):
            questions = [e.question[lang] for e in kb.entries]
            for quoted in _QUOTED_QUESTION.findall(entry.answer[lang]):
                stem = quoted.removesuffix("…")
                assert any(q == quoted or q.startswith(stem) for q in questions), (
                    entry.id,
                    lang,
                    quoted,
                )


def test_register_entry_points_to_the_notification_entry(kb: KnowledgeBase) -> None:
    register = kb.entry("foreign-funding-register")
    notification = kb.entry("foreign-funding")
    for lang in ("ru", "kk"):
        assert f"«{notification.question[lang]}»" in register.answer[lang], lang
        assert "F.017.00" in register.answer[lang] and "F.018.00" in register.answer[lang]


@pytest.mark.parametrize(
    ("entry_id", "lang", "must", "must_not"),
    [
        # The Civil Code exempts private business from the seal, not NGOs.
        ("organisation-seal", "ru", ["субъектов частного предпринимательства", "ст. 33"], []),
        ("organisation-seal", "kk", ["жеке кәсіпкерлік субъектілері", "33-баб"], []),
        ("charity-law", "ru", ["402-V"], []),
        ("charity-law", "kk", ["402-V"], []),
        ("statistics-reporting", "ru", ["единовременное", "Ежегодной статистической формы"], []),
        (
            "statistics-reporting",
            "kk",
            ["біржолғы", "жыл сайынғы статистикалық нысанды таппадық"],
            [],
        ),
        ("volunteering", "kk", ["«Волонтерлік қызмет туралы» Заң"], ["еріктілер туралы"]),
        ("new-ngo-law", "ru", ["не принят и не действует"], []),
        ("new-ngo-law", "kk", ["қабылданған жоқ және күшіне енбеген"], []),
        # Uncertain amounts in MRP only: no tenge for the VAT threshold or the income-tax band.
        ("vat-2026", "ru", ["10 000 МРП"], ["43 250 000", "40 млн"]),
        ("payroll-taxes-2026", "ru", ["8 500 МРП"], ["36 762 500", "{mrp:"]),
        ("payroll-taxes-2026", "kk", ["8 500 АЕК"], ["36 762 500", "{mrp:"]),
    ],
)
def test_key_facts_are_stated_as_the_sources_have_them(
    kb: KnowledgeBase, entry_id: str, lang: str, must: list[str], must_not: list[str]
) -> None:
    text = kb.entry(entry_id).answer[lang]
    for fragment in must:
        assert fragment in text, (entry_id, lang, fragment)
    for fragment in must_not:
        assert fragment not in text, (entry_id, lang, fragment)
