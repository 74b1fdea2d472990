"""FAQ callback data. Prefixes are two letters: callback_data is at most 64 bytes, and entry ids
(ASCII slugs of at most 48 bytes, checked when the knowledge base is synced) must fit."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class FaqCategoryCb(CallbackData, prefix="fc"):
    """A page of one category's questions."""

    cat: str
    page: int = 0


class FaqEntryCb(CallbackData, prefix="fe"):
    """One answer, in the interface language (the format of answers already in people's chats)."""

    id: str


class FaqAnswerCb(CallbackData, prefix="fa"):
    """One answer: `lang` shows it in that language ("" = the interface's); `via` = "s" when it
    was opened from a list of suggestions, so "Back" returns there."""

    id: str
    lang: str = ""
    via: str = ""


class FaqSuggestionsCb(CallbackData, prefix="fs"):
    """Back to the last list of suggestions."""


class FaqVoteCb(CallbackData, prefix="fv"):
    """👍 (up) or 👎 under an answer."""

    id: str
    up: bool


class AskConsultantCb(CallbackData, prefix="ac"):
    """The "Ask a consultant" button; ``id`` is the answer it was pressed under, if any."""

    id: str = ""
