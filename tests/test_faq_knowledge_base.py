"""Acceptance tests for the FAQ knowledge base (locales/faq) and its loader and renderer."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from bot.services.faq.loader import (
    KnowledgeBaseError,
    entry_from_dict,
    entry_to_dict,
    load_knowledge_base,
)
from bot.services.faq.markup import BUTTON_NAMES, TELEGRAM_TEXT_LIMIT, check_html, plain_text
from bot.services.faq.models import LANGUAGES, FaqEntry, KnowledgeBase, Source
from bot.services.faq.render import format_mrp, render_answer, rendered_length

KB_PATH = Path(__file__).resolve().parents[1] / "locales" / "faq"
TODAY = date(2026, 11, 21)
MRP = {2024: 3692, 2025: 3932, 2026: 4325}
# Stand-in labels: the real ones come from the gettext catalogues (tests/faq_bot check those).
BUTTONS = {name: f"[{name}]" for name in BUTTON_NAMES}

REQUIRED_IDS = {
    "registration": [
        "ngo-legal-forms",
        "public-association-founders",
        "foundation-vs-association",
        "registration-documents",
        "registration-fee",
        "registration-where-online",
        "registration-time",
        "charter-requirements",
        "reregistration-changes",
        "branches",
        "liquidation",
    ],
    "funding": [
        "state-social-order",
        "social-order-participation",
        "grant-operator",
        "grant-types",
        "grant-application-steps",
        "grant-eligibility",
        "grant-reporting",
        "ngo-awards",
        "foreign-funding",
    ],
    "reporting": ["ngo-database", "ngo-database-deadline", "ngo-database-penalty", "ngo-taxes"],
    "community": ["civil-forum", "civil-alliance", "free-consultations"],
    "about-bot": ["bot-ask-consultant", "bot-reminders", "bot-personal-data"],
    "money": [
        "bank-account",
        "payroll-taxes-2026",
        "minimum-wage-2026",
        "vat-2026",
        "ngo-income-exemptions-2026",
        "ngo-paid-activity",
        "foreign-funding-register",
    ],
    "paperwork": ["organisation-e-signature", "organisation-seal", "statistics-reporting"],
    "laws": [
        "volunteering",
        "volunteer-register",
        "charity-law",
        "social-entrepreneurship",
        "new-ngo-law",
    ],
}


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(KB_PATH)


def _plain(text: str) -> str:
    return plain_text(text).replace("\u00a0", " ")


# --- the real knowledge base ------------------------------------------------------------------


def test_all_required_ids_present_in_their_categories(kb: KnowledgeBase) -> None:
    for category, ids in REQUIRED_IDS.items():
        found = {e.id for e in kb.entries_in(category)}
        missing = set(ids) - found
        assert not missing, f"{category}: missing {sorted(missing)}"


def test_ids_unique(kb: KnowledgeBase) -> None:
    ids = [e.id for e in kb.entries]
    assert len(ids) == len(set(ids))


def test_every_entry_has_both_languages(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        for lang in LANGUAGES:
            assert entry.question[lang].strip(), (entry.id, "question", lang)
            assert entry.answer[lang].strip(), (entry.id, "answer", lang)
            assert entry.phrasings[lang], (entry.id, "phrasings", lang)
            assert all(p.strip() for p in entry.phrasings[lang]), (entry.id, lang)
        # A Kazakh reader sees each source's title in Kazakh.
        assert all(s.title_kk for s in entry.sources), (entry.id, "sources without title_kk")


def test_every_entry_has_sources_and_date(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        assert isinstance(entry.verified_on, date), entry.id
        assert entry.verified_on <= date.today(), entry.id
        assert entry.sources, f"{entry.id}: every answer must cite a source"
        for source in entry.sources:
            assert source.title.strip(), entry.id
            assert source.url.startswith(("https://", "http://")), entry.id


def test_categories_have_titles_and_unique_order(kb: KnowledgeBase) -> None:
    assert [c.id for c in kb.categories] == list(REQUIRED_IDS)
    for category in kb.categories:
        assert all(category.title[lang] for lang in LANGUAGES)


@pytest.mark.parametrize("today", [TODAY, date(2031, 1, 1), date(2024, 6, 1)])
def test_rendered_answers_fit_telegram_and_are_valid_html(kb: KnowledgeBase, today: date) -> None:
    for entry in kb.entries:
        for lang in LANGUAGES:
            text = render_answer(entry, lang, mrp=kb.mrp, today=today, buttons=BUTTONS)
            assert rendered_length(text) <= TELEGRAM_TEXT_LIMIT, (entry.id, lang)
            assert check_html(text) == [], (entry.id, lang, check_html(text))
            assert "{mrp:" not in text and "{button:" not in text, (entry.id, lang)


def test_answers_a_consultant_sends_leave_room_for_the_signature(kb: KnowledgeBase) -> None:
    """Sent by a consultant (the desk's «📚» button) under their signature: within the smaller
    limit, still valid HTML with the sources."""
    limit = TELEGRAM_TEXT_LIMIT - 120
    for entry in kb.entries:
        for lang in LANGUAGES:
            text = render_answer(entry, lang, mrp=kb.mrp, today=TODAY, buttons=BUTTONS, limit=limit)
            assert rendered_length(text) <= limit, (entry.id, lang)
            assert check_html(text) == [], (entry.id, lang, check_html(text))


def test_registration_fee_expands_mrp(kb: KnowledgeBase) -> None:
    entry = kb.entry("registration-fee")
    ru = _plain(render_answer(entry, "ru", mrp=kb.mrp, today=TODAY, buttons=BUTTONS))
    kk = _plain(render_answer(entry, "kk", mrp=kb.mrp, today=TODAY, buttons=BUTTONS))
    assert "6,5 МРП (28 112,5 ₸, 2026)" in ru
    assert "6,5 АЕК (28 112,5 ₸, 2026 ж.)" in kk
    assert "Проверено: " in ru and "Источники:" in ru
    assert "Тексерілген күні: " in kk and "Дереккөздер:" in kk


def test_mrp_file_values(kb: KnowledgeBase) -> None:
    assert dict(kb.mrp) == MRP


# --- renderer ---------------------------------------------------------------------------------


def _entry(answer: str, **overrides: object) -> FaqEntry:
    fields: dict[str, object] = {
        "id": "sample",
        "category": "registration",
        "question": {"kk": "Сұрақ?", "ru": "Вопрос?"},
        "answer": {"kk": answer, "ru": answer},
        "phrasings": {"kk": ("сұрақ",), "ru": ("вопрос",)},
        "sources": (Source("Закон <о НКО> & приказ", "https://adilet.zan.kz/?a=1&b=2"),),
        "verified_on": date(2026, 11, 21),
    }
    fields.update(overrides)
    return FaqEntry(**fields)  # type: ignore[arg-type]


def test_format_mrp_uses_current_or_latest_year() -> None:
    assert format_mrp("6.5", "ru", mrp=MRP, today=TODAY).replace("\u00a0", " ") == (
        "6,5 МРП (28 112,5 ₸, 2026)"
    )
    later = format_mrp("2000", "kk", mrp=MRP, today=date(2028, 3, 1)).replace("\u00a0", " ")
    assert later == "2 000 АЕК (8 650 000 ₸, 2026 ж.)"
    assert format_mrp("1", "ru", mrp=MRP, today=date(2025, 5, 5)).endswith(
        "(3\u00a0932\u00a0₸, 2025)"
    )
    assert format_mrp("10", "ru", mrp={}, today=TODAY) == "10\u00a0МРП"


def test_render_escapes_sources_and_adds_date() -> None:
    text = render_answer(_entry("Ответ {mrp:1}."), "ru", mrp=MRP, today=TODAY, buttons=BUTTONS)
    assert (
        '<a href="https://adilet.zan.kz/?a=1&amp;b=2">Закон &lt;о НКО&gt; &amp; приказ</a>' in text
    )
    assert text.rstrip().endswith("<i>Проверено: 21.11.2026</i>")
    assert check_html(text) == []


def test_kazakh_readers_get_kazakh_titles_and_the_kazakh_text_of_an_act() -> None:
    law = Source(
        "Закон РК «О благотворительности»",
        "https://adilet.zan.kz/rus/docs/Z1500000402",
        "ҚР «Қайырымдылық туралы» Заңы",
    )
    portal = Source("Портал ЦПГИ", "https://cisc.kz/rus/about")
    ministry = Source("МКИ", "https://www.gov.kz/memleket/entities/mam?lang=ru", "МАМ")
    entry = _entry("Жауап.", sources=(law, portal, ministry))
    kk = render_answer(entry, "kk", mrp=MRP, today=TODAY, buttons=BUTTONS)
    ru = render_answer(entry, "ru", mrp=MRP, today=TODAY, buttons=BUTTONS)
    assert (
        '<a href="https://adilet.zan.kz/kaz/docs/Z1500000402">ҚР «Қайырымдылық туралы» Заңы</a>'
        in kk
    )
    assert '<a href="https://cisc.kz/rus/about">Портал ЦПГИ</a>' in kk  # no Kazakh title known
    assert '<a href="https://www.gov.kz/memleket/entities/mam?lang=kk">МАМ</a>' in kk
    assert (
        '<a href="https://adilet.zan.kz/rus/docs/Z1500000402">Закон РК «О благотворительности»</a>'
        in ru
    )


def test_render_names_buttons_in_bold_with_the_callers_labels() -> None:
    entry = _entry("Нажмите {button:ask_consultant}, затем {button:main_menu}.")
    labels = {**BUTTONS, "ask_consultant": "✍️ Спросить <консультанта>"}
    text = render_answer(entry, "ru", mrp=MRP, today=TODAY, buttons=labels)
    assert text.startswith(
        "Нажмите <b>✍️ Спросить &lt;консультанта&gt;</b>, затем <b>[main_menu]</b>.\n"
    )
    assert check_html(text) == []
    with pytest.raises(ValueError, match=r"no label given for \{button:main_menu\}"):
        render_answer(entry, "ru", mrp=MRP, today=TODAY, buttons={"ask_consultant": "✍️"})


def test_render_trims_overlong_answers_safely() -> None:
    long_answer = "<b>Начало</b> " + "очень длинный <i>текст</i> ответа & " * 400
    long_answer = long_answer.replace("&", "&amp;")
    entry = _entry(
        long_answer, sources=tuple(Source(f"Источник {i}", "https://x.kz") for i in range(80))
    )
    for lang in LANGUAGES:
        text = render_answer(entry, lang, mrp=MRP, today=TODAY, buttons=BUTTONS)
        assert rendered_length(text) <= TELEGRAM_TEXT_LIMIT
        assert check_html(text) == []
        assert "…" in text


def test_rendered_length_counts_displayed_text() -> None:
    assert rendered_length('<b>a</b> &amp; <a href="https://x.kz">bc</a>') == len("a & bc")
    assert rendered_length("😀") == 2  # Telegram counts UTF-16 code units


# --- loader: rejects bad files with a clear message -------------------------------------------

GOOD_ENTRY = """
  - id: sample-entry
    question: {kk: "Сұрақ?", ru: "Вопрос?"}
    answer: {kk: "Жауап {mrp:1}", ru: "Ответ <b>{mrp:1}</b>"}
    phrasings: {kk: ["сұрақ"], ru: ["вопрос"]}
    sources: [{title: "Закон", url: "https://adilet.zan.kz"}]
    verified_on: 2026-11-21
"""
HEADER = 'category: registration\norder: 1\ntitle: {kk: "Тіркеу", ru: "Регистрация"}\nentries:\n'
MRP_FILE = "values: {2026: 4325}\nsources: [{title: Закон, url: 'https://adilet.zan.kz'}]\n"


def _write_kb(tmp_path: Path, body: str, name: str = "registration.yaml") -> Path:
    (tmp_path / "mrp.yaml").write_text(MRP_FILE, encoding="utf-8")
    (tmp_path / name).write_text(body, encoding="utf-8")
    return tmp_path


def test_loader_accepts_minimal_valid_kb(tmp_path: Path) -> None:
    kb = load_knowledge_base(_write_kb(tmp_path, HEADER + GOOD_ENTRY))
    assert kb.ids == ("sample-entry",)
    assert kb.entry("sample-entry").phrasings["ru"] == ("вопрос",)
    assert kb.mrp == {2026: 4325}


def test_loader_reads_a_kazakh_source_title(tmp_path: Path) -> None:
    body = GOOD_ENTRY.replace('title: "Закон"', 'title: "Закон", title_kk: "Заң"')
    [source] = load_knowledge_base(_write_kb(tmp_path, HEADER + body)).entry("sample-entry").sources
    assert (source.title_in("kk"), source.title_in("ru")) == ("Заң", "Закон")
    assert entry_from_dict(entry_to_dict(load_knowledge_base(tmp_path).entries[0])).sources == (
        source,
    )


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        ('answer: {kk: "Жауап {mrp:1}", ru: "Ответ <b>{mrp:1}</b>"}', None),
        (
            'answer: {kk: "", ru: "Ответ"}',
            r"registration\.yaml: entry 'sample-entry': answer\.kk: ",
        ),
        ('answer: {ru: "Ответ"}', r"entry 'sample-entry': answer\.kk: must be a non-empty string"),
        ('answer: {kk: "a", ru: "<p>x</p>"}', r"answer\.ru: Telegram HTML: tag <p> is not allowed"),
        ('answer: {kk: "a", ru: "<b>x"}', r"answer\.ru: Telegram HTML: unclosed <b>"),
        ('answer: {kk: "a", ru: "1 < 2"}', r"answer\.ru: Telegram HTML: bare '<'"),
        ('answer: {kk: "a", ru: "{mpr:1}"}', r"answer\.ru: unknown placeholder \{mpr:1\}"),
        ('answer: {kk: "a", ru: "<a href=\'javascript:x\'>x</a>"}', r"link must be http"),
        ('answer: {kk: "{button:ask_consultant}", ru: "<b>{button:main_menu}</b>"}', None),
        (
            'answer: {kk: "a", ru: "{button:ask_lawyer}"}',
            r"answer\.ru: unknown button in \{button:ask_lawyer\} \(known: all_topics, ",
        ),
        ('answer: {kk: "a", ru: "{Button:help}"}', r"answer\.ru: unknown placeholder"),
    ],
)
def test_loader_rejects_bad_answers(tmp_path: Path, broken: str, expected: str | None) -> None:
    body = HEADER + GOOD_ENTRY.replace(
        'answer: {kk: "Жауап {mrp:1}", ru: "Ответ <b>{mrp:1}</b>"}', broken
    )
    path = _write_kb(tmp_path, body)
    if expected is None:
        load_knowledge_base(path)
        return
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(path)
    assert re.search(expected, str(info.value)), str(info.value)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '    sources: [{title: "Закон", url: "https://adilet.zan.kz"}]\n',
            "",
            "missing field 'sources'",
        ),
        (
            'sources: [{title: "Закон", url: "https://adilet.zan.kz"}]',
            "sources: []",
            "sources: must be a non-empty list",
        ),
        (
            'url: "https://adilet.zan.kz"',
            'url: "adilet.zan.kz"',
            r"sources\[0\]\.url: must be an http\(s\) URL",
        ),
        ("verified_on: 2026-11-21", "verified_on: yesterday", "verified_on: must be a date"),
        ("id: sample-entry", "id: Sample Entry", r"entries\[0\]\.id: must be a lowercase slug"),
        (
            'phrasings: {kk: ["сұрақ"], ru: ["вопрос"]}',
            'phrasings: {kk: [], ru: ["вопрос"]}',
            r"phrasings\.kk: must be a non-empty list",
        ),
        (
            "verified_on: 2026-11-21",
            "verified_on: 2026-11-21\n    extra: 1",
            "unknown field 'extra'",
        ),
        (
            'url: "https://adilet.zan.kz"',
            'url: "https://adilet.zan.kz", title_kk: ""',
            r"sources\[0\]\.title_kk: must be a non-empty string when given",
        ),
    ],
)
def test_loader_rejects_bad_fields(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in GOOD_ENTRY
    path = _write_kb(tmp_path, HEADER + GOOD_ENTRY.replace(old, new))
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(path)
    message = str(info.value)
    assert "registration.yaml" in message and re.search(expected, message), message


@pytest.mark.parametrize("category", ["registration", "about-bot"])
def test_loader_requires_sources_in_every_category(tmp_path: Path, category: str) -> None:
    # No category is exempt any more, the entries about the bot included.
    body = (HEADER + GOOD_ENTRY).replace("category: registration", f"category: {category}")
    body = body.replace('sources: [{title: "Закон", url: "https://adilet.zan.kz"}]', "sources: []")
    with pytest.raises(KnowledgeBaseError, match=r"sample-entry': sources: must be a non-empty"):
        load_knowledge_base(_write_kb(tmp_path, body))


def test_entry_from_dict_requires_sources(kb: KnowledgeBase) -> None:
    data = entry_to_dict(kb.entry("bot-personal-data"))
    assert data["sources"]
    with pytest.raises(KnowledgeBaseError, match="sources"):
        entry_from_dict({**data, "sources": []})


def test_loader_rejects_duplicate_ids_across_files(tmp_path: Path) -> None:
    _write_kb(tmp_path, HEADER + GOOD_ENTRY)
    other = HEADER.replace("registration", "funding").replace("order: 1", "order: 2")
    (tmp_path / "funding.yaml").write_text(other + GOOD_ENTRY, encoding="utf-8")
    with pytest.raises(
        KnowledgeBaseError,
        match=r"registration\.yaml: entry 'sample-entry': id: duplicate id \(also in funding",
    ):
        load_knowledge_base(tmp_path)


def test_loader_reports_yaml_syntax_errors_and_empty_dirs(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match="no FAQ category files"):
        load_knowledge_base(tmp_path)
    _write_kb(tmp_path, HEADER + "  - id: [unclosed\n")
    with pytest.raises(KnowledgeBaseError, match=r"registration\.yaml: cannot read YAML"):
        load_knowledge_base(tmp_path)


def test_loader_rejects_bad_mrp(tmp_path: Path) -> None:
    _write_kb(tmp_path, HEADER + GOOD_ENTRY)
    (tmp_path / "mrp.yaml").write_text("values: {2026: -5}\nsources: []\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        load_knowledge_base(tmp_path)
    assert "mrp.yaml: values" in str(info.value) and "mrp.yaml: sources" in str(info.value)


# --- DB round trip ----------------------------------------------------------------------------


def test_entry_dict_round_trip_is_json_safe(kb: KnowledgeBase) -> None:
    for entry in kb.entries:
        data = json.loads(json.dumps(entry_to_dict(entry), ensure_ascii=False))
        assert entry_from_dict(data) == entry


def test_entry_from_dict_validates(kb: KnowledgeBase) -> None:
    data = entry_to_dict(kb.entries[0])
    data["answer"]["ru"] = "<script>x</script>"
    with pytest.raises(KnowledgeBaseError, match=r"answer\.ru: Telegram HTML"):
        entry_from_dict(data)
