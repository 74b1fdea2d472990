"""Answers name bot buttons through ``{button:NAME}``: the label shown is the button's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from zoneinfo import ZoneInfo

import pytest

from bot.i18n import create_i18n
from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.services.faq.catalog import KNOWLEDGE_BASE_DIR, FaqCatalog
from bot.services.faq.loader import load_knowledge_base
from bot.services.faq.markup import BUTTON_NAMES
from bot.services.faq.models import FaqEntry, Source
from bot.testing import FakeClock
from handlers.faq import views as faq_views
from handlers.faq.views import button_labels
from handlers.keyboards import main_menu_keyboard

ENTRY = FaqEntry(
    id="sample",
    category="about-bot",
    question={"kk": "Сұрақ?", "ru": "Вопрос?"},
    answer={"kk": "Жауап", "ru": "Ответ"},
    phrasings={"kk": ("сұрақ",), "ru": ("вопрос",)},
    sources=(Source("Закон", "https://adilet.zan.kz"),),
    verified_on=date(2026, 11, 30),
)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_nameable_button_has_the_label_of_a_real_button(lang: str) -> None:
    catalog = FaqCatalog(KNOWLEDGE_BASE_DIR, clock=FakeClock(), tz=ZoneInfo("Asia/Almaty"))
    catalog.serve(load_knowledge_base(KNOWLEDGE_BASE_DIR))
    i18n = create_i18n()
    with i18n.context(), i18n.use_locale(lang):
        labels = button_labels()
        shown = {
            button.text
            for markup in (
                main_menu_keyboard(),
                faq_views.answer_screen(catalog, ENTRY).markup,
                faq_views.not_found_screen().markup,
            )
            if markup is not None
            for row in markup.inline_keyboard
            for button in row
        }
    assert set(labels) == BUTTON_NAMES
    assert not set(labels.values()) - shown, sorted(set(labels.values()) - shown)
    # Translated, not the English msgid.
    assert labels["ask_consultant"] != "✍️ Ask a consultant"


@pytest.mark.parametrize(
    ("lang", "label"), [("ru", "✍️ Спросить консультанта"), ("kk", "✍️ Кеңесшіге сұрақ қою")]
)
async def test_the_consultant_answer_names_the_button_shown_under_it(
    running_bot: RunningBot, telegram: FakeTelegramServer, lang: str, label: str
) -> None:
    kb = load_knowledge_base(KNOWLEDGE_BASE_DIR)
    entry = kb.entry("bot-ask-consultant")
    user = await running_bot.known_user(6101, "Dana", lang)
    await user.send("/faq")
    topics = await user.next_message()
    await user.press(faq_views.button_text(kb.category(entry.category).title[lang]))
    await user.wait_for(lambda m: m.message_id == topics.message_id and "❓" not in m.text)
    await user.press(faq_views.button_text(entry.question[lang]))
    answer = await user.wait_for(
        lambda m: m.message_id == topics.message_id and m.text.startswith("❓")
    )
    assert label in answer.button_texts()
    assert f"<b>{label}</b>" in answer.html
    assert "{button:" not in answer.html


def test_an_unsure_answer_keeps_its_doubt_when_the_heading_no_longer_fits() -> None:
    catalog = FaqCatalog(KNOWLEDGE_BASE_DIR, clock=FakeClock(), tz=ZoneInfo("Asia/Almaty"))
    catalog.serve(load_knowledge_base(KNOWLEDGE_BASE_DIR))
    i18n = create_i18n()
    rendered = len(catalog.render(ENTRY, "ru", buttons={}))
    # Room for the doubt line but not for the question heading as well.
    long_question = "Вопрос " * 60
    filler = "ж" * (4096 - rendered - 120)
    entry = replace(
        ENTRY,
        question={**ENTRY.question, "ru": long_question},
        answer={**ENTRY.answer, "ru": ENTRY.answer["ru"] + filler},
    )
    with i18n.context(), i18n.use_locale("ru"):
        unsure = faq_views.answer_screen(catalog, entry, unsure=True).text
        sure = faq_views.answer_screen(catalog, entry).text
        short = faq_views.answer_screen(catalog, ENTRY, unsure=True).text
    assert unsure.startswith("<i>🤔 Не уверен") and long_question not in unsure
    assert not sure.startswith("<i>🤔") and long_question not in sure
    assert short.startswith("<i>🤔 Не уверен") and "❓ <b>Вопрос?</b>" in short
