"""The FAQ for one update: searches that are logged, votes, and reading the catalogue."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.languages import as_lang
from bot.services.faq.catalog import FaqCatalog, FaqReply
from db.repositories.faq import FaqRepository

LOGGED_QUERY_CHARS: Final = 200

# Phone numbers, IINs and card numbers say nothing about the topic; a statistics table is no place
# for them. Nine digits or more, spaces and dashes allowed between them.
_LONG_NUMBER_RE: Final = re.compile(r"\+?\d(?:[\s\-().]*\d){8,}")
_EMAIL_RE: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SPACES_RE: Final = re.compile(r"\s+")


class VoteOutcome(StrEnum):
    RECORDED = "recorded"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


def sanitize_query(text: str) -> str:
    """The query as logged: one line, long numbers and e-mails masked, length-capped."""
    text = _EMAIL_RE.sub("[email]", text)
    text = _LONG_NUMBER_RE.sub("[number]", text)
    return _SPACES_RE.sub(" ", text).strip()[:LOGGED_QUERY_CHARS]


class FaqService:
    def __init__(self, session: AsyncSession, catalog: FaqCatalog, clock: Clock) -> None:
        self._repo = FaqRepository(session)
        self._catalog = catalog
        self._clock = clock

    @property
    def catalog(self) -> FaqCatalog:
        """What is served now: categories, entries, rendering."""
        return self._catalog

    # --- search and feedback --------------------------------------------------------------

    async def ask(self, text: str, language: str | None) -> FaqReply:
        """Search a free-text question and log the search (without who asked)."""
        outcome = self._catalog.search(text, language)
        reply = outcome.reply
        await self._repo.log_search(
            query=sanitize_query(outcome.query),
            language=outcome.language,
            best_entry_id=outcome.best_entry_id,
            score=outcome.best_score,
            confident=outcome.confident,
            result_count=(1 if reply.entry else 0) + len(reply.others),
            now=self._clock.now(),
        )
        return reply

    async def vote(
        self, *, user_id: int, entry_id: str, language: str | None, helpful: bool
    ) -> VoteOutcome | None:
        """Record the user's vote on an answer (a second press replaces it); None if no entry."""
        if self._catalog.entry(entry_id) is None:
            return None
        previous = await self._repo.record_vote(
            entry_id=entry_id,
            user_id=user_id,
            language=as_lang(language),
            helpful=helpful,
            now=self._clock.now(),
        )
        if previous is None:
            return VoteOutcome.RECORDED
        return VoteOutcome.UNCHANGED if previous == helpful else VoteOutcome.CHANGED
