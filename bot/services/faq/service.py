"""The FAQ for one update: searches that are logged, votes, and reading the catalogue."""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.languages import as_lang
from bot.services.faq.catalog import FaqCatalog, FaqReply
from bot.services.privacy import Pseudonyms
from db.repositories.faq import FaqRepository

LOGGED_QUERY_CHARS: Final = 200
REASON_CHARS: Final = 500
# A 👎 is linked to the search that led to the answer if that search was this recent.
QUERY_LINK_WINDOW: Final = timedelta(hours=6)

# Phone numbers, IINs and card numbers say nothing about the topic; a statistics table is no place
# for them. Nine digits or more, spaces and dashes allowed between them.
_LONG_NUMBER_RE: Final = re.compile(r"\+?\d(?:[\s\-().]*\d){8,}")
_EMAIL_RE: Final = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SPACES_RE: Final = re.compile(r"\s+")


class VoteOutcome(StrEnum):
    RECORDED = "recorded"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


def mask(text: str, limit: int) -> str:
    """One line, long numbers and e-mails masked, length-capped: what statistics may keep."""
    text = _EMAIL_RE.sub("[email]", text)
    text = _LONG_NUMBER_RE.sub("[number]", text)
    return _SPACES_RE.sub(" ", text).strip()[:limit]


def sanitize_query(text: str) -> str:
    """The query as logged."""
    return mask(text, LOGGED_QUERY_CHARS)


# How stale this process's index may be compared with another process's publish.
CONTENT_CHECK_SECONDS = 3.0


class FaqService:
    def __init__(
        self, session: AsyncSession, catalog: FaqCatalog, clock: Clock, pseudonyms: Pseudonyms
    ) -> None:
        self._session = session
        self._repo = FaqRepository(session)
        self._catalog = catalog
        self._clock = clock
        self._pseudonyms = pseudonyms

    @property
    def catalog(self) -> FaqCatalog:
        """What is served now: categories, entries, rendering."""
        return self._catalog

    async def refresh(self, *, max_age: float = 0.0) -> bool:
        """Serve what the database holds now if an admin published since the index was built
        (in this process or another); see :meth:`FaqCatalog.refresh`."""
        return await self._catalog.refresh(self._session, max_age=max_age)

    # --- search and feedback --------------------------------------------------------------

    async def ask(self, text: str, language: str | None, *, user_id: int | None = None) -> FaqReply:
        """Search a free-text question and log the search (under a pseudonym, never the id)."""
        # An admin's publish in another process is served within CONTENT_CHECK_SECONDS (this
        # process rebuilds at once: the editor refreshes); a read per search cost a statement.
        await self.refresh(max_age=CONTENT_CHECK_SECONDS)
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
            user_key=self._pseudonyms.of(user_id) if user_id is not None else None,
        )
        return reply

    async def vote(
        self, *, user_id: int, entry_id: str, language: str | None, helpful: bool
    ) -> VoteOutcome | None:
        """Record the user's vote on an answer (a second press replaces it); None if no entry."""
        if self._catalog.entry(entry_id) is None and not await self.refresh():
            return None
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

    async def explain_dislike(self, *, user_id: int, entry_id: str, reason: str) -> bool:
        """Keep what was missing from an answer the person marked 👎, with the search that led
        to it, for the content team; False if there is no such 👎 (any more)."""
        now = self._clock.now()
        query = await self._repo.last_query_for(
            self._pseudonyms.of(user_id), entry_id, now - QUERY_LINK_WINDOW
        )
        return await self._repo.set_vote_reason(
            entry_id=entry_id,
            user_id=user_id,
            reason=mask(reason, REASON_CHARS),
            query=query,
            now=now,
        )
