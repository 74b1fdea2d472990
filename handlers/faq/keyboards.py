"""FAQ keyboards: topics, a page of questions, the buttons under an answer, search outcomes."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.services.faq.models import FaqCategory, FaqEntry
from handlers.callbacks import MenuCb
from handlers.faq.callbacks import AskConsultantCb, FaqCategoryCb, FaqEntryCb, FaqVoteCb

# Telegram shows long button labels cut off in the middle of a word; cut them ourselves.
BUTTON_TEXT_LIMIT = 60


def button_text(text: str, prefix: str = "") -> str:
    text = " ".join(text.split())
    limit = BUTTON_TEXT_LIMIT - len(prefix)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return prefix + text


def categories_keyboard(categories: Sequence[FaqCategory], lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for category in categories:
        builder.button(
            text=button_text(category.title[lang]), callback_data=FaqCategoryCb(cat=category.id)
        )
    builder.button(text=_("⬅️ Back"), callback_data=MenuCb(action="main"))
    builder.adjust(1)
    return builder.as_markup()


def category_page_keyboard(
    category: FaqCategory, entries: Sequence[FaqEntry], page: int, pages: int, lang: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for entry in entries:
        builder.row(
            InlineKeyboardButton(
                text=button_text(entry.question[lang]),
                callback_data=FaqEntryCb(id=entry.id).pack(),
            )
        )
    navigation = []
    if page > 0:
        target = FaqCategoryCb(cat=category.id, page=page - 1)
        navigation.append(InlineKeyboardButton(text="◀️", callback_data=target.pack()))
    if page + 1 < pages:
        target = FaqCategoryCb(cat=category.id, page=page + 1)
        navigation.append(InlineKeyboardButton(text="▶️", callback_data=target.pack()))
    if navigation:
        builder.row(*navigation)
    builder.row(InlineKeyboardButton(text=_("⬅️ Back"), callback_data=MenuCb(action="faq").pack()))
    return builder.as_markup()


def answer_keyboard(
    entry: FaqEntry, back_page: int, related: Sequence[FaqEntry], lang: str
) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("👍 Helpful"), callback_data=FaqVoteCb(id=entry.id, up=True))
    builder.button(text=_("👎 Not helpful"), callback_data=FaqVoteCb(id=entry.id, up=False))
    for other in related:
        builder.button(
            text=button_text(other.question[lang], "🔹 "), callback_data=FaqEntryCb(id=other.id)
        )
    builder.button(text=_("✍️ Ask a consultant"), callback_data=AskConsultantCb(id=entry.id))
    builder.button(
        text=_("⬅️ Back"), callback_data=FaqCategoryCb(cat=entry.category, page=back_page)
    )
    builder.button(text=_("🏠 Main menu"), callback_data=MenuCb(action="main"))
    builder.adjust(2, *([1] * len(related)), 1, 2)
    return builder.as_markup()


def suggestions_keyboard(suggestions: Sequence[FaqEntry], lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for entry in suggestions:
        builder.button(
            text=button_text(entry.question[lang], "🔹 "), callback_data=FaqEntryCb(id=entry.id)
        )
    builder.button(text=_("✍️ Ask a consultant"), callback_data=AskConsultantCb())
    builder.button(text=_("📚 All topics"), callback_data=MenuCb(action="faq"))
    builder.adjust(1)
    return builder.as_markup()


def consultant_keyboard(free_consultations: FaqEntry | None, lang: str) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    if free_consultations is not None:
        builder.button(
            text=button_text(free_consultations.question[lang], "🔹 "),
            callback_data=FaqEntryCb(id=free_consultations.id),
        )
    builder.button(text=_("📚 All topics"), callback_data=MenuCb(action="faq"))
    builder.button(text=_("🏠 Main menu"), callback_data=MenuCb(action="main"))
    builder.adjust(1)
    return builder.as_markup()
