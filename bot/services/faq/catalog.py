"""The FAQ catalogue: the database holds the knowledge base, memory holds its index.

One catalogue lives as long as the process (built by the composition root); per-update work that
touches the database (searches that are logged, votes) is `bot.services.faq.service.FaqService`.

At start-up the YAML knowledge base is copied into the database (upsert by id). Rows an admin has
edited (``source = admin``) are never overwritten by the YAML, and builtin rows the YAML no longer
has are retired (hidden), not deleted, so their feedback survives. The bot then serves, searches
and renders whatever the active rows hold.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from enum import StrEnum
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalogue import LOCALES_DIR
from bot.clock import Clock
from bot.languages import as_lang
from bot.services.faq.loader import (
    KnowledgeBaseError,
    entry_from_dict,
    entry_to_dict,
    load_knowledge_base,
)
from bot.services.faq.markup import TELEGRAM_TEXT_LIMIT
from bot.services.faq.models import LANGUAGES, FaqCategory, FaqEntry, KnowledgeBase, Lang
from bot.services.faq.render import render_answer
from bot.services.faq.search import FaqIndex, SearchResult
from bot.services.faq.search.analysis import analyze
from db.models.faq import SOURCE_ADMIN, SOURCE_BUILTIN
from db.repositories.faq import FaqRepository, StoredCategory, StoredEntry
from db.repositories.faq_content import FaqContentRepository

log = logging.getLogger(__name__)

KNOWLEDGE_BASE_DIR: Final = LOCALES_DIR / "faq"

# Telegram delivers up to 4096 characters. A long message is a letter: greetings, context, then
# the question somewhere. Matching the whole letter against short phrasings only adds noise, so
# a long message is searched sentence by sentence (within the first MAX_QUERY_CHARS) instead.
MAX_QUERY_CHARS: Final = 1500
SHORT_QUERY_CHARS: Final = 200
_SENTENCE_END_RE: Final = re.compile(r"(?<=[.!?…;])\s+|\n+")
# Where a short message may join two questions: punctuation between clauses and the
# conjunctions that join them ("и", "а также", "және", "әрі", "сондай-ақ").
_CLAUSE_SPLIT_RE: Final = re.compile(
    r"[,;?!.…]+\s*|\s+(?:и|а также|также|плюс|ещё|еще|және|әрі|сондай-ақ|тағы|zhane|jäne)\s+",
    re.IGNORECASE,
)
# A clause that is not a confident match on its own still points to an entry when it beats its
# runner-up by this much and the whole message ranks that entry among its first three:
# "... и какие бумаги собрать" is vague alone but clearly about documents.
CLAUSE_MIN_MARGIN: Final = 0.12
CLAUSE_CONTEXT_HITS: Final = 3
# A message of two content words ("сроки и документы") is one vague question, not two.
MIN_SPLIT_WORDS: Final = 3
# The longest entry id whose callback data ("fv:<id>:1") still fits Telegram's 64 bytes.
MAX_ENTRY_ID_BYTES: Final = 48
MAX_RELATED: Final = 3
MAX_SUGGESTIONS: Final = 5
# Index scores are the share of the query an entry matches (0..1); "погода в алматы" scores ~0.1
# against the knowledge base through incidental words, a real but vague question 0.2 or more.
SUGGEST_MIN_SCORE: Final = 0.2


class ReplyKind(StrEnum):
    ANSWER = "answer"  # one confident match: answer it
    SUGGEST = "suggest"  # weak matches: offer them
    NOT_FOUND = "not_found"  # nothing sensible


@dataclass(frozen=True, slots=True)
class FaqReply:
    kind: ReplyKind
    entry: FaqEntry | None = None
    # For an answer: other matching questions; for suggestions: the candidates, best first.
    others: tuple[FaqEntry, ...] = ()
    # For an answer to a question that asks two things ("сколько стоит регистрация и какие
    # документы нужны"): the entry that answers the other part, confidently. It is also the
    # first of ``others``, so a view that shows one answer still offers it first.
    also: FaqEntry | None = None


@dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What the search found, and what the search log keeps about it."""

    reply: FaqReply
    query: str
    language: Lang
    # The best hit even when too weak to show: near misses are what content needs.
    best_entry_id: str | None
    best_score: float | None
    confident: bool


@dataclass(frozen=True, slots=True)
class SyncReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    retired: int = 0
    admin_kept: int = 0
    categories_changed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.retired or self.categories_changed)


@dataclass(frozen=True, slots=True)
class _Snapshot:
    kb: KnowledgeBase
    index: FaqIndex


def _search_parts(text: str) -> list[str]:
    """What to search: the message itself when it is one short sentence; otherwise its
    beginning (where the question usually is) and each of its sentences."""
    whole = " ".join(text.split())
    sentences = [" ".join(s.split()) for s in _SENTENCE_END_RE.split(text)]
    sentences = [s for s in sentences if len(s.split()) >= 2]
    if len(whole) <= SHORT_QUERY_CHARS and len(sentences) <= 1:
        return [whole]
    return [whole[:SHORT_QUERY_CHARS], *sentences]


def _clauses(text: str) -> list[str]:
    """The clauses of a short message that may each ask their own question (none if it has
    only one)."""
    if len(analyze(text)) < MIN_SPLIT_WORDS:
        return []
    parts = [" ".join(p.split()) for p in _CLAUSE_SPLIT_RE.split(text)]
    parts = [p for p in parts if analyze(p)]
    return parts if len(parts) >= 2 else []


def _pointed(clause: SearchResult, context: SearchResult) -> str | None:
    """The entry a clause asks about: its confident match, or its clear favourite among the
    whole message's best matches."""
    hits = clause.results
    if not hits:
        return None
    if clause.confident:
        return hits[0].entry_id
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    in_context = any(h.entry_id == hits[0].entry_id for h in context.results[:CLAUSE_CONTEXT_HITS])
    clear = hits[0].score >= SUGGEST_MIN_SCORE and hits[0].score - runner_up >= CLAUSE_MIN_MARGIN
    return hits[0].entry_id if in_context and clear else None


def check_ids_fit(kb: KnowledgeBase) -> None:
    """Ids travel in callback data (64 bytes at most), so they must be short."""
    too_long = [e.id for e in kb.entries if len(e.id.encode()) > MAX_ENTRY_ID_BYTES]
    too_long += [c.id for c in kb.categories if len(c.id.encode()) > MAX_ENTRY_ID_BYTES]
    if too_long:
        raise KnowledgeBaseError(
            [f"id {i!r} is longer than {MAX_ENTRY_ID_BYTES} bytes" for i in too_long]
        )


class FaqCatalog:
    """Browsing, search and rendering over the knowledge base held in the database."""

    def __init__(self, kb_path: Path, *, clock: Clock, tz: tzinfo) -> None:
        self._kb_path = kb_path
        self._clock = clock
        self._tz = tz
        self._mrp: dict[int, int] = {}
        self._snapshot = self._build(KnowledgeBase((), (), {}))
        # The database's content version the served index was built from (None: not from the
        # database), and when it was last compared (monotonic seconds).
        self._version: int | None = None
        self._checked_at = float("-inf")
        self._reloading = asyncio.Lock()

    # --- loading --------------------------------------------------------------------------

    async def sync_from_files(self, session: AsyncSession) -> SyncReport | None:
        """Copy the YAML into the database and serve it; None when the YAML is invalid.

        An invalid knowledge base is logged and skipped: the bot keeps serving the last good
        content from the database rather than refusing to start.
        """
        try:
            kb = await asyncio.to_thread(load_knowledge_base, self._kb_path)
            check_ids_fit(kb)
        except KnowledgeBaseError:
            log.exception(
                "FAQ knowledge base %s is invalid; serving the stored copy", self._kb_path
            )
            await self.reload(session)
            return None
        report = await self.sync(session, kb)
        log.info("FAQ knowledge base synced: %s", report)
        return report

    async def sync(self, session: AsyncSession, kb: KnowledgeBase) -> SyncReport:
        """Upsert the builtin knowledge base by id, then reload; a second run changes nothing."""
        check_ids_fit(kb)
        now = self._clock.now()
        repo = FaqRepository(session)
        categories_changed = await self._sync_categories(repo, kb.categories, now)
        stored = {row.id: row for row in await repo.entries(active_only=False)}
        added = updated = unchanged = admin_kept = 0
        positions: dict[str, int] = {}
        for entry in kb.entries:
            position = positions[entry.category] = positions.get(entry.category, -1) + 1
            wanted = StoredEntry(
                id=entry.id,
                category=entry.category,
                position=position,
                data=entry_to_dict(entry),
                source=SOURCE_BUILTIN,
                is_active=True,
                updated_at=now,
            )
            row = stored.get(entry.id)
            if row is None:
                await repo.put_entry(wanted, now, create=True)
                added += 1
            elif row.source == SOURCE_ADMIN:
                admin_kept += 1
            elif replace(row, updated_at=now) != wanted:
                await repo.put_entry(wanted, now, create=False)
                updated += 1
            else:
                unchanged += 1
        retired = 0
        for row in stored.values():
            if row.source == SOURCE_BUILTIN and row.is_active and row.id not in kb:
                await repo.put_entry(replace(row, is_active=False), now, create=False)
                retired += 1
        self._mrp = dict(kb.mrp)
        report = SyncReport(added, updated, unchanged, retired, admin_kept, categories_changed)
        if report.changed:
            # Replicas already running serve the new rows at their next search.
            await FaqContentRepository(session).bump_version(now)
        await self.reload(session)
        return report

    @staticmethod
    async def _sync_categories(
        repo: FaqRepository, categories: Sequence[FaqCategory], now: datetime
    ) -> int:
        stored = {row.id: row for row in await repo.categories(active_only=False)}
        changed = 0
        for category in categories:
            wanted = StoredCategory(
                category.id, category.order, dict(category.title), SOURCE_BUILTIN, True
            )
            row = stored.get(category.id)
            if row is None or (row.source == SOURCE_BUILTIN and row != wanted):
                await repo.put_category(wanted, now, create=row is None)
                changed += 1
        wanted_ids = {c.id for c in categories}
        for row in stored.values():
            if row.source == SOURCE_BUILTIN and row.is_active and row.id not in wanted_ids:
                await repo.put_category(replace(row, is_active=False), now, create=False)
                changed += 1
        return changed

    async def refresh(self, session: AsyncSession, *, max_age: float = 0.0) -> bool:
        """Rebuild the index if the database's content changed since it was built (an admin
        published an edit, here or in another process); True when it was rebuilt.

        One primary-key read; ``max_age`` (seconds) skips the read when the last one was as
        recent. A catalogue serving a knowledge base without the database is left alone.
        """
        if self._version is None:
            return False
        now = time.monotonic()
        if max_age > 0 and now - self._checked_at < max_age:
            return False
        self._checked_at = now
        if self._reloading.locked():
            # Another update is rebuilding: this one is served the index as it was.
            return False
        if await FaqContentRepository(session).version() == self._version:
            return False
        async with self._reloading:
            # Another update may have rebuilt it meanwhile.
            if await FaqContentRepository(session).version() == self._version:
                return False
            await self.reload(session)
        return True

    def check_soon(self) -> None:
        """This process changed the content version: its next refresh reads it, whatever its
        ``max_age``, so the admin's next search here finds the edit (an update reading the
        version before the change commits delays that by at most ``max_age``)."""
        self._checked_at = float("-inf")

    @property
    def content_version(self) -> int | None:
        return self._version

    async def reload(self, session: AsyncSession) -> None:
        """Rebuild the served knowledge base and its index from the active database rows."""
        # Read first: rows read after it are at least as new as this version.
        version = await FaqContentRepository(session).version()
        repo = FaqRepository(session)
        categories = [
            FaqCategory(row.id, row.position, row.title)
            for row in await repo.categories()
            if all(row.title.get(lang) for lang in LANGUAGES)
        ]
        known = {c.id for c in categories}
        order = {c.id: c.order for c in categories}
        entries: list[FaqEntry] = []
        for row in await repo.entries():
            try:
                entry = entry_from_dict(row.data)
            except KnowledgeBaseError:
                log.exception("FAQ entry %r in the database is invalid; not served", row.id)
                continue
            if entry.id != row.id or entry.category not in known:
                log.error("FAQ entry %r has a mismatched id or unknown category", row.id)
                continue
            entries.append(entry)
        # Rows come ordered by category and position; a stable sort puts categories in order.
        entries.sort(key=lambda e: (order[e.category], e.category))
        kb = KnowledgeBase(tuple(categories), tuple(entries), self._mrp)
        # Building the index is CPU work; a thread keeps the event loop answering meanwhile.
        self._snapshot = await asyncio.to_thread(self._build, kb)
        self._version = version

    def serve(self, kb: KnowledgeBase) -> None:
        """Serve a knowledge base as it is, without the database (tools and tests)."""
        self._mrp = dict(kb.mrp)
        self._snapshot = self._build(kb)
        self._version = None

    @staticmethod
    def _build(kb: KnowledgeBase) -> _Snapshot:
        return _Snapshot(kb, FaqIndex.build(kb.entries))

    async def save_admin_entry(self, session: AsyncSession, entry: FaqEntry) -> None:
        """Store an admin's edit (or new entry); the YAML reload will not overwrite it."""
        if len(entry.id.encode()) > MAX_ENTRY_ID_BYTES:
            raise KnowledgeBaseError([f"entry {entry.id!r}: id too long"])
        now = self._clock.now()
        await FaqRepository(session).save_admin_entry(
            entry.id, entry.category, entry_to_dict(entry), now
        )
        await FaqContentRepository(session).bump_version(now)
        await self.reload(session)

    # --- browsing -------------------------------------------------------------------------

    @property
    def knowledge_base(self) -> KnowledgeBase:
        return self._snapshot.kb

    def categories(self) -> tuple[FaqCategory, ...]:
        return self._snapshot.kb.categories

    def category(self, category_id: str) -> FaqCategory | None:
        kb = self._snapshot.kb
        return next((c for c in kb.categories if c.id == category_id), None)

    def entries_in(self, category_id: str) -> tuple[FaqEntry, ...]:
        return self._snapshot.kb.entries_in(category_id)

    def entry(self, entry_id: str) -> FaqEntry | None:
        return self._snapshot.kb.get(entry_id)

    def render(
        self,
        entry: FaqEntry,
        language: str | None,
        *,
        buttons: Mapping[str, str],
        limit: int = TELEGRAM_TEXT_LIMIT,
    ) -> str:
        """The answer as Telegram HTML; ``buttons`` holds the labels of the buttons it may name
        (see :data:`~bot.services.faq.markup.BUTTON_NAMES`), as the caller's keyboards show them;
        ``limit`` as in :func:`~bot.services.faq.render.render_answer`."""
        today = self._clock.now().astimezone(self._tz).date()
        return render_answer(
            entry,
            as_lang(language),
            mrp=self._snapshot.kb.mrp,
            today=today,
            buttons=buttons,
            limit=limit,
        )

    # --- search ---------------------------------------------------------------------------

    def search(self, text: str, language: str | None) -> SearchOutcome:
        """Match a free-text question against the served knowledge base (no logging here)."""
        query = " ".join(text.split())[:MAX_QUERY_CHARS]
        lang = as_lang(language)
        snapshot = self._snapshot
        parts = _search_parts(text[:MAX_QUERY_CHARS])
        results = [snapshot.index.search(p, lang, limit=MAX_SUGGESTIONS + 1) for p in parts]
        # In a letter, the sentences that ask ("...?") say what it is about; the others (who
        # we are, what we want to do) are context that may match entries of their own.
        asked = [r for part, r in zip(parts, results, strict=True) if part.endswith("?")]
        if any(r.confident for r in asked):
            results = asked
        # A confident match first, then the strongest one.
        result = max(results, key=lambda r: (r.confident, r.best.score if r.best else 0.0))
        hits = [h for h in result.results if h.entry_id in snapshot.kb]
        # The index ranks anything sharing a word; below the floor a hit is noise, not a lead.
        found = [snapshot.kb.entry(h.entry_id) for h in hits if h.score >= SUGGEST_MIN_SCORE]
        confident = bool(result.confident and found and found[0].id == hits[0].entry_id)
        answered = self._confident_entries(results)
        # Clear favourites alone ("оплатить свет" · "газ онлайн") do not make a vague message
        # two questions: at least one clause must be a confident match by itself.
        sure = True
        if len(parts) == 1:
            clauses = [snapshot.index.search(c, lang, limit=3) for c in _clauses(query)]
            answered = self._entries([_pointed(c, result) for c in clauses])
            sure = any(c.confident for c in clauses)
        if len(answered) >= 2 and (found[0] in answered if confident else sure):
            # Each part is a clear question of its own: answer them in the message's order.
            # (Neither may outweigh the other in the whole message, which is then not
            # confident by itself.)
            found = [answered[0], *(e for e in found if e != answered[0])]
            confident = True
        if confident:
            also = next((e for e in answered if e != found[0]), None)
            related = [e for e in found[1:] if e != also]
            others = ([also] if also else []) + related
            reply = FaqReply(ReplyKind.ANSWER, found[0], tuple(others[:MAX_RELATED]), also)
        elif found:
            reply = FaqReply(ReplyKind.SUGGEST, None, tuple(found[:MAX_SUGGESTIONS]))
        else:
            reply = FaqReply(ReplyKind.NOT_FOUND)
        best = hits[0] if hits else None
        return SearchOutcome(
            reply=reply,
            query=query,
            language=lang,
            best_entry_id=best.entry_id if best else None,
            best_score=round(float(best.score), 4) if best else None,
            confident=confident,
        )

    def _confident_entries(self, results: Sequence[SearchResult]) -> list[FaqEntry]:
        """The distinct entries that parts of a long message match confidently, in order."""
        return self._entries([r.best.entry_id if r.best and r.confident else None for r in results])

    def _entries(self, ids: Sequence[str | None]) -> list[FaqEntry]:
        """The distinct served entries among ``ids``, in order."""
        kb = self._snapshot.kb
        out: list[FaqEntry] = []
        for entry_id in ids:
            entry = kb.get(entry_id) if entry_id else None
            if entry is not None and entry not in out:
                out.append(entry)
        return out
