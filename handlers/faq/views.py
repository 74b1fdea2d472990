"""FAQ screens: each returns the text and keyboard to show, in the current user's language."""

from __future__ import annotations

import html
from collections.abc import Sequence

from aiogram.utils.i18n import gettext as _

from bot.languages import Lang
from bot.services.faq.catalog import FaqCatalog
from bot.services.faq.markup import TELEGRAM_TEXT_LIMIT, rendered_length
from bot.services.faq.models import FaqCategory, FaqEntry
from handlers.callbacks import MenuCb
from handlers.faq.callbacks import (
    AskConsultantCb,
    FaqAnswerCb,
    FaqCategoryCb,
    FaqEntryCb,
    FaqSuggestionsCb,
    FaqVoteCb,
)
from handlers.keyboards import back_label, main_menu_label
from handlers.screens import Page, Screen, button, column, keyboard, pager, user_language

PAGE_SIZE = 6
# Telegram shows long button labels cut off in the middle of a word; cut them ourselves.
BUTTON_TEXT_LIMIT = 60
# The other language's name, written in the language the person reads the bot in.
OTHER_LANGUAGE_BUTTON = {"kk": "🇷🇺 Орысша", "ru": "🇰🇿 На казахском"}
BACK_TO_OWN_LANGUAGE_BUTTON = {"kk": "🇰🇿 Қазақша", "ru": "🇷🇺 На русском"}


def button_text(text: str, prefix: str = "") -> str:
    text = " ".join(text.split())
    limit = BUTTON_TEXT_LIMIT - len(prefix)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return prefix + text


def ask_consultant_label() -> str:
    return _("✍️ Ask a consultant")


def all_topics_label() -> str:
    return _("📚 All topics")


def button_labels() -> dict[str, str]:
    """Labels of the buttons an answer may name (``{button:NAME}``), from the keyboards' msgids."""
    return {
        "ask_consultant": ask_consultant_label(),
        "faq_topics": _("📚 Questions and answers"),
        "all_topics": all_topics_label(),
        "events": _("📅 Events and deadlines"),
        "reminders": _("🔔 Reminders"),
        "my_region": _("📍 My region"),
        "language": _("🌐 Language"),
        "help": _("ℹ️ Help"),
        "helpful": _("👍 Helpful"),
        "not_helpful": _("👎 Not helpful"),
        "main_menu": main_menu_label(),
    }


def page_of(faq: FaqCatalog, entry: FaqEntry) -> int:
    siblings = [e.id for e in faq.entries_in(entry.category)]
    return siblings.index(entry.id) // PAGE_SIZE if entry.id in siblings else 0


def categories_screen(faq: FaqCatalog) -> Screen:
    categories = faq.categories()
    if not categories:
        text = _("📚 <b>Questions and answers</b>\n\nThe knowledge base is not available yet.")
    else:
        text = _(
            "📚 <b>Questions and answers</b>\n\nChoose a topic, or simply type your question "
            "in your own words."
        )
    lang = user_language()
    buttons = [button(button_text(c.title[lang]), FaqCategoryCb(cat=c.id)) for c in categories]
    buttons.append(button(back_label(), MenuCb(action="main")))
    return Screen(text, keyboard(*column(buttons)))


def category_screen(faq: FaqCatalog, category: FaqCategory, requested_page: int) -> Screen:
    lang = user_language()
    entries = faq.entries_in(category.id)
    page = Page.of(requested_page, len(entries), PAGE_SIZE)
    text = f"📚 <b>{html.escape(category.title[lang])}</b>\n\n" + _("Choose a question:")
    if page.count > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page.number + 1, pages=page.count)
    questions = [
        button(button_text(e.question[lang]), FaqEntryCb(id=e.id)) for e in page.slice(entries)
    ]
    nav = pager(page.number, page.count, lambda n: FaqCategoryCb(cat=category.id, page=n))
    # Only the arrows: the page number is already in the text.
    arrows = [b for b in nav if b.text in ("◀️", "▶️")]
    markup = keyboard(*column(questions), arrows, [button(back_label(), MenuCb(action="faq"))])
    return Screen(text, markup)


def answer_screen(
    faq: FaqCatalog,
    entry: FaqEntry,
    related: Sequence[FaqEntry] = (),
    *,
    shown_in: Lang | None = None,
    via_suggestions: bool = False,
    second_below: bool = False,
    unsure: bool = False,
) -> Screen:
    """The answer in `shown_in` (default: the interface language), buttons in the interface's;
    ``second_below``: the message asked two things and the next message answers the other;
    ``unsure``: the only candidate of a search that found no confident answer, shown as such."""
    ui = user_language()
    lang = shown_in or ui
    body = faq.render(entry, lang, buttons=button_labels())
    text = body
    # The question as a heading, and a pointer to the related buttons, only when they fit; the
    # doubt of an unsure answer goes first, before the heading if only one fits.
    heading = f"❓ <b>{html.escape(entry.question[lang])}</b>\n\n"
    doubt = ""
    if unsure:
        doubt = (
            "<i>"
            + _("🤔 I am not sure this is what you asked. If it is not, ask a consultant.")
            + "</i>\n\n"
        )
    for prefix in (doubt + heading, doubt, heading):
        if rendered_length(prefix + body) <= TELEGRAM_TEXT_LIMIT:
            text = prefix + body
            break
    if second_below:
        hint = "\n\n<i>" + _("🔸 You also asked another question: its answer is next.") + "</i>"
        if rendered_length(text + hint) <= TELEGRAM_TEXT_LIMIT:
            text += hint
    if related:
        hint = "\n\n<i>" + _("🔹 Other matching questions are below.") + "</i>"
        if rendered_length(text + hint) <= TELEGRAM_TEXT_LIMIT:
            text += hint
    via = "s" if via_suggestions else ""
    if lang == ui:
        target = FaqAnswerCb(id=entry.id, lang=_other(ui), via=via)
        switch = button(OTHER_LANGUAGE_BUTTON[ui], target)
    else:
        switch = button(BACK_TO_OWN_LANGUAGE_BUTTON[ui], FaqAnswerCb(id=entry.id, via=via))
    back = (
        FaqSuggestionsCb()
        if via_suggestions
        else FaqCategoryCb(cat=entry.category, page=page_of(faq, entry))
    )
    markup = keyboard(
        [
            button(_("👍 Helpful"), FaqVoteCb(id=entry.id, up=True)),
            button(_("👎 Not helpful"), FaqVoteCb(id=entry.id, up=False)),
        ],
        *column(
            button(button_text(other.question[ui], "🔹 "), FaqEntryCb(id=other.id))
            for other in related
        ),
        [switch],
        [button(ask_consultant_label(), AskConsultantCb(id=entry.id))],
        [button(back_label(), back), button(main_menu_label(), MenuCb(action="main"))],
    )
    return Screen(text, markup)


def _other(lang: Lang) -> Lang:
    return "ru" if lang == "kk" else "kk"


def _search_footer() -> list[list]:  # type: ignore[type-arg]
    return [
        [button(ask_consultant_label(), AskConsultantCb())],
        [
            button(all_topics_label(), MenuCb(action="faq")),
            button(main_menu_label(), MenuCb(action="main")),
        ],
    ]


def suggestions_screen(suggestions: Sequence[FaqEntry]) -> Screen:
    text = _(
        "🤔 I am not sure I understood. Is your question one of these?\n\n"
        "If not, try other words or ask a consultant."
    )
    lang = user_language()
    questions = [
        button(button_text(e.question[lang], "🔹 "), FaqAnswerCb(id=e.id, via="s"))
        for e in suggestions
    ]
    return Screen(text, keyboard(*column(questions), *_search_footer()))


def not_found_screen() -> Screen:
    text = _(
        "😔 I did not find an answer to this in the knowledge base.\n\n"
        "Try asking in other words, browse the topics, or ask a consultant."
    )
    return Screen(text, keyboard(*_search_footer()))
