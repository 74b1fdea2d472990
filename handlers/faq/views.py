"""FAQ screens: each returns the text and keyboard to show, in the current user's language."""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.services.faq.markup import TELEGRAM_TEXT_LIMIT, rendered_length
from bot.services.faq.models import FaqCategory, FaqEntry
from bot.services.faq.service import MAX_QUERY_CHARS, FaqService, as_lang
from handlers.faq import keyboards

PAGE_SIZE = 6
FREE_CONSULTATIONS_ID = "free-consultations"


@dataclass(frozen=True, slots=True)
class Screen:
    text: str
    markup: InlineKeyboardMarkup


def user_language() -> str:
    """The language the user reads: the one the i18n middleware chose for this update."""
    return as_lang(get_i18n().current_locale)


def page_count(total: int) -> int:
    return max(1, -(-total // PAGE_SIZE))


def clamp_page(page: int, total: int) -> int:
    """Forged or stale page numbers land on the nearest real page."""
    return min(max(page, 0), page_count(total) - 1)


def page_of(faq: FaqService, entry: FaqEntry) -> int:
    siblings = [e.id for e in faq.entries_in(entry.category)]
    return siblings.index(entry.id) // PAGE_SIZE if entry.id in siblings else 0


def categories_screen(faq: FaqService) -> Screen:
    categories = faq.categories()
    if not categories:
        text = _("📚 <b>Questions and answers</b>\n\nThe knowledge base is not available yet.")
    else:
        text = _(
            "📚 <b>Questions and answers</b>\n\nChoose a topic, or simply type your question "
            "in your own words."
        )
    return Screen(text, keyboards.categories_keyboard(categories, user_language()))


def category_screen(faq: FaqService, category: FaqCategory, page: int) -> Screen:
    lang = user_language()
    entries = faq.entries_in(category.id)
    page = clamp_page(page, len(entries))
    pages = page_count(len(entries))
    shown = entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    text = f"📚 <b>{html.escape(category.title[lang])}</b>\n\n" + _("Choose a question:")
    if pages > 1:
        text += "\n" + _("Page {page} of {pages}").format(page=page + 1, pages=pages)
    return Screen(text, keyboards.category_page_keyboard(category, shown, page, pages, lang))


def button_labels() -> dict[str, str]:
    """Labels of the buttons an answer may name (``{button:NAME}``), from the keyboards' msgids."""
    return {
        "ask_consultant": _("✍️ Ask a consultant"),
        "faq_topics": _("📚 Questions and answers"),
        "all_topics": _("📚 All topics"),
        "events": _("📅 Events and deadlines"),
        "reminders": _("🔔 Reminders"),
        "my_region": _("📍 My region"),
        "language": _("🌐 Language"),
        "help": _("ℹ️ Help"),
        "helpful": _("👍 Helpful"),
        "not_helpful": _("👎 Not helpful"),
        "main_menu": _("🏠 Main menu"),
    }


def answer_screen(faq: FaqService, entry: FaqEntry, related: Sequence[FaqEntry] = ()) -> Screen:
    lang = user_language()
    body = faq.render(entry, lang, buttons=button_labels())
    text = body
    # The question as a heading, and a pointer to the related buttons, only when they fit.
    heading = f"❓ <b>{html.escape(entry.question[lang])}</b>\n\n"
    if rendered_length(heading + body) <= TELEGRAM_TEXT_LIMIT:
        text = heading + body
    if related:
        hint = "\n\n<i>" + _("🔹 Other matching questions are below.") + "</i>"
        if rendered_length(text + hint) <= TELEGRAM_TEXT_LIMIT:
            text += hint
    markup = keyboards.answer_keyboard(entry, page_of(faq, entry), related, lang)
    return Screen(text, markup)


def suggestions_screen(suggestions: Sequence[FaqEntry]) -> Screen:
    text = _(
        "🤔 I am not sure I understood. Is your question one of these?\n\n"
        "If not, try other words or ask a consultant."
    )
    return Screen(text, keyboards.suggestions_keyboard(suggestions, user_language()))


def not_found_screen() -> Screen:
    text = _(
        "😔 I did not find an answer to this in the knowledge base.\n\n"
        "Try asking in other words, browse the topics, or ask a consultant."
    )
    return Screen(text, keyboards.suggestions_keyboard((), user_language()))


def too_long_text() -> str:
    return _(
        "Your message is too long for a search. Please ask your question briefly, in one or "
        "two sentences (up to {limit} characters)."
    ).format(limit=MAX_QUERY_CHARS)


def consultant_screen(faq: FaqService) -> Screen:
    free = faq.entry(FREE_CONSULTATIONS_ID)
    text = _(
        "✍️ <b>Ask a consultant</b>\n\n"
        "Questions to a live consultant right here in the bot are coming soon: we are "
        "setting this up now."
    )
    if free is not None:
        text += "\n\n" + _("Meanwhile, you can get a free consultation elsewhere: see how below.")
    return Screen(text, keyboards.consultant_keyboard(free, user_language()))
