"""The content team's loop: what the FAQ fails on, drafts, and publishing from Telegram.

Every method takes the acting person's id and checks it is an admin (``ADMIN_IDS``) before
reading or changing anything: whatever buttons a handler showed, the decision is made here.

A draft is edited as plain data (``DraftTexts``); publishing validates it as the loader validates
the YAML, stores it as an admin entry (which the YAML sync never overwrites) and bumps the
content version, so every process's index is rebuilt at its next search.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.languages import as_lang
from bot.services.faq.catalog import MAX_ENTRY_ID_BYTES, FaqCatalog
from bot.services.faq.loader import KnowledgeBaseError, entry_from_dict, entry_to_dict
from bot.services.faq.markup import bad_placeholders, check_html
from bot.services.faq.models import LANGUAGES, FaqEntry, Lang
from bot.services.faq.service import LOGGED_QUERY_CHARS, REASON_CHARS, mask
from db.repositories.faq import FaqRepository
from db.repositories.faq_content import (
    DRAFT_PUBLISHED,
    DislikeReason,
    DraftRow,
    FailedSearch,
    FaqContentRepository,
)

GAPS_WINDOW: Final = timedelta(days=30)
GAPS_LIMIT: Final = 10
DRAFTS_LIMIT: Final = 30
QUESTION_CHARS: Final = 300
ANSWER_CHARS: Final = 3500
PHRASING_CHARS: Final = 200
MAX_PHRASINGS: Final = 30
MAX_SOURCES: Final = 10
_URL_RE: Final = re.compile(r"https?://[^\s<>\"']+")
_MASK_RE: Final = re.compile(r"\[(?:email|number)\]")


class Field(StrEnum):
    QUESTION = "question"
    ANSWER = "answer"
    PHRASINGS = "phrasings"
    SOURCES = "sources"


class Origin(StrEnum):
    SEARCH = "search"
    FEEDBACK = "feedback"
    ENTRY = "entry"
    DESK = "desk"
    NEW = "new"


class EditorError(Exception):
    """Refused, with a reason the view turns into a sentence: ``not_admin``, ``no_draft``,
    ``no_entry``, ``no_search``, ``empty``, ``too_long``, ``bad_html``, ``bad_sources``,
    ``no_category``, ``incomplete`` (``missing`` names what), ``bad_placeholder`` /
    ``bad_button`` (``missing`` names the field, e.g. ``answer.kk``; ``placeholder`` is the
    one that cannot be filled in), ``invalid`` (``problems`` from the loader)."""

    def __init__(
        self,
        reason: str,
        *,
        missing: tuple[str, ...] = (),
        problems: tuple[str, ...] = (),
        placeholder: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing
        self.problems = problems
        self.placeholder = placeholder


def _check_placeholders(text: str, lang: str) -> None:
    """Refuses an answer with a placeholder that cannot be filled in (``{foo}``,
    ``{button:nope}``), naming the first one."""
    for placeholder, kind in bad_placeholders(text):
        reason = "bad_button" if kind == "button" else "bad_placeholder"
        raise EditorError(reason, missing=(f"{Field.ANSWER}.{lang}",), placeholder=placeholder)


@dataclass(frozen=True, slots=True)
class Gaps:
    searches: list[FailedSearch]
    dislikes: list[DislikeReason]


@dataclass(frozen=True, slots=True)
class DraftTexts:
    """What an admin is writing: an entry in both languages, possibly incomplete."""

    id: int
    entry_id: str | None  # the entry it edits, or None for a new one
    origin: str
    category: str | None
    question: dict[str, str] = field(default_factory=dict)
    answer: dict[str, str] = field(default_factory=dict)
    phrasings: dict[str, list[str]] = field(default_factory=dict)
    sources: list[dict[str, str]] = field(default_factory=list)
    # What the draft was started from when that is not its question: a 👎 "what was missing".
    context: str = ""

    def missing(self) -> tuple[str, ...]:
        """What still has to be written before it can be published (``question.kk``, …)."""
        out = [] if self.category else ["category"]
        for name in (Field.QUESTION, Field.ANSWER):
            texts: dict[str, str] = getattr(self, name)
            out += [f"{name}.{lang}" for lang in LANGUAGES if not texts.get(lang, "").strip()]
        if not self.sources:
            out.append("sources")
        return tuple(out)


def _texts_of(row: DraftRow, catalog: FaqCatalog) -> DraftTexts:
    data: dict[str, Any] = row.data or {}
    if row.data is None:
        # As the desk saved it: the person's question and the answers, in one language.
        lang = as_lang(row.language)
        data = {
            "question": {lang: row.question[:QUESTION_CHARS]},
            "answer": {lang: row.answer[:ANSWER_CHARS]},
        }
    category = data.get("category")
    if category is not None and catalog.category(str(category)) is None:
        category = None
    return DraftTexts(
        id=row.id,
        entry_id=row.entry_id,
        origin=row.origin or Origin.DESK,
        category=category,
        question={k: str(v) for k, v in dict(data.get("question") or {}).items()},
        answer={k: str(v) for k, v in dict(data.get("answer") or {}).items()},
        phrasings={k: [str(p) for p in v] for k, v in dict(data.get("phrasings") or {}).items()},
        sources=[dict(s) for s in data.get("sources") or []],
        context=str(data.get("context") or ""),
    )


def _data_of(texts: DraftTexts) -> dict[str, Any]:
    return {
        "category": texts.category,
        "question": texts.question,
        "answer": texts.answer,
        "phrasings": texts.phrasings,
        "sources": texts.sources,
        "context": texts.context,
    }


def parse_sources(text: str) -> list[dict[str, str]]:
    """One source a line: a title and its link (``Закон о НКО https://adilet.zan.kz/…``); a
    bare link takes its site's name as the title."""
    sources: list[dict[str, str]] = []
    for line in text.splitlines():
        line = line.strip(" \t-•—–|")
        if not line:
            continue
        match = _URL_RE.search(line)
        if match is None:
            raise EditorError("bad_sources")
        url = match.group(0).rstrip(".,;)")
        title = (line[: match.start()] + line[match.end() :]).strip(" \t-•—–|:,")
        sources.append({"title": title or (urlsplit(url).hostname or url), "url": url})
    if not sources or len(sources) > MAX_SOURCES:
        raise EditorError("bad_sources")
    return sources


def _keep_kazakh_titles(
    old: list[dict[str, str]], new: list[dict[str, str]]
) -> list[dict[str, str]]:
    """The editor shows and takes sources with their Russian titles; a source whose link stays
    keeps its Kazakh title, so Kazakh readers do not get the Russian one after an edit."""
    kazakh = {s["url"]: s["title_kk"] for s in old if s.get("title_kk") and s.get("url")}
    return [{**s, "title_kk": kazakh[s["url"]]} if s["url"] in kazakh else s for s in new]


class FaqEditor:
    def __init__(
        self, session: AsyncSession, catalog: FaqCatalog, clock: Clock, settings: Settings
    ) -> None:
        self._session = session
        self._content = FaqContentRepository(session)
        self._entries = FaqRepository(session)
        self._catalog = catalog
        self._clock = clock
        self._settings = settings

    @property
    def catalog(self) -> FaqCatalog:
        return self._catalog

    def _admin(self, actor_id: int) -> None:
        if actor_id not in self._settings.admin_ids:
            raise EditorError("not_admin")

    # --- what the FAQ failed on -------------------------------------------------------------

    async def gaps(self, actor_id: int) -> Gaps:
        """The most frequent searches without a confident answer (that still find none) and the
        👎 reasons of the last 30 days, masked again for display (the log keeps them masked)."""
        self._admin(actor_id)
        since = self._clock.now() - GAPS_WINDOW
        await self._catalog.refresh(self._session)
        searches: list[FailedSearch] = []
        for s in await self._content.failed_searches(since, GAPS_LIMIT * 3):
            # Answered by now (an entry was written for it since): no longer a gap.
            if self._catalog.search(s.query, s.language).confident:
                continue
            query = mask(s.query, LOGGED_QUERY_CHARS)
            searches.append(FailedSearch(s.last_id, query, s.language, s.count, s.last_at))
            if len(searches) == GAPS_LIMIT:
                break
        dislikes = [
            DislikeReason(
                d.entry_id,
                d.language,
                mask(d.reason, REASON_CHARS),
                mask(d.query, LOGGED_QUERY_CHARS) if d.query else None,
                d.at,
            )
            for d in await self._content.dislike_reasons(since, GAPS_LIMIT)
        ]
        return Gaps(searches, dislikes)

    async def draft_from_search(self, actor_id: int, search_id: int) -> int:
        """A new draft whose question (and first phrasing) is a search that failed."""
        self._admin(actor_id)
        found = await self._content.search(search_id)
        if found is None:
            raise EditorError("no_search")
        query, language = found
        return await self._new_draft(
            actor_id, mask(query, LOGGED_QUERY_CHARS), language, Origin.SEARCH
        )

    async def draft_from_dislike(
        self, actor_id: int, reason: str, query: str | None, language: str
    ) -> int:
        """A new draft from a 👎: its question is the search that led to the answer (or the
        reason itself), and the reason is kept beside it."""
        self._admin(actor_id)
        reason = mask(reason, REASON_CHARS)
        if query:
            return await self._new_draft(
                actor_id, mask(query, QUESTION_CHARS), language, Origin.FEEDBACK, reason
            )
        return await self._new_draft(actor_id, reason[:QUESTION_CHARS], language, Origin.FEEDBACK)

    async def new_draft(self, actor_id: int) -> int:
        self._admin(actor_id)
        return await self._new_draft(actor_id, "", "ru", Origin.NEW)

    async def _new_draft(
        self, actor_id: int, question: str, language: str, origin: Origin, context: str = ""
    ) -> int:
        lang = as_lang(language)
        data: dict[str, Any] = {"question": {lang: question} if question else {}}
        # The masks say something was there; they are no words people search with.
        phrasing = " ".join(_MASK_RE.sub(" ", question).split())[:PHRASING_CHARS]
        if phrasing:
            data["phrasings"] = {lang: [phrasing]}
        if context:
            data["context"] = context
        return await self._content.add_draft(
            language=lang,
            question=question,
            answer="",
            entry_id=None,
            data=data,
            origin=origin,
            by=actor_id,
            now=self._clock.now(),
        )

    async def draft_from_entry(self, actor_id: int, entry_id: str) -> int:
        """A draft holding an entry's texts as served now (its open draft, if it has one)."""
        self._admin(actor_id)
        await self._catalog.refresh(self._session)
        entry = self._catalog.entry(entry_id)
        if entry is None:
            raise EditorError("no_entry")
        existing = await self._content.open_draft_of_entry(entry_id)
        if existing is not None:
            return existing.id
        data = entry_to_dict(entry)
        data.pop("id", None)
        data.pop("verified_on", None)
        return await self._content.add_draft(
            language="ru",
            question=entry.question["ru"],
            answer=entry.answer["ru"],
            entry_id=entry.id,
            data=data,
            origin=Origin.ENTRY,
            by=actor_id,
            now=self._clock.now(),
        )

    # --- drafts -----------------------------------------------------------------------------

    async def drafts(self, actor_id: int) -> list[DraftTexts]:
        self._admin(actor_id)
        rows = await self._content.open_drafts(DRAFTS_LIMIT)
        return [_texts_of(row, self._catalog) for row in rows]

    async def draft(self, actor_id: int, draft_id: int) -> DraftTexts:
        self._admin(actor_id)
        row = await self._content.draft(draft_id)
        if row is None or row.status != "draft":
            raise EditorError("no_draft")
        return _texts_of(row, self._catalog)

    async def _save(self, actor_id: int, texts: DraftTexts) -> DraftTexts:
        await self._content.save_content(
            texts.id, _data_of(texts), origin=texts.origin, by=actor_id, now=self._clock.now()
        )
        return texts

    async def set_text(
        self, actor_id: int, draft_id: int, name: Field, lang: Lang, text: str
    ) -> DraftTexts:
        """Replace one field in one language; phrasings are one a line, sources (both
        languages share them) a title and a link a line."""
        texts = await self.draft(actor_id, draft_id)
        text = text.strip()
        if not text:
            raise EditorError("empty")
        if name is Field.QUESTION:
            if len(text) > QUESTION_CHARS:
                raise EditorError("too_long")
            texts.question[lang] = " ".join(text.split())
        elif name is Field.ANSWER:
            if len(text) > ANSWER_CHARS:
                raise EditorError("too_long")
            if check_html(text):
                raise EditorError("bad_html")
            _check_placeholders(text, lang)
            texts.answer[lang] = text
        elif name is Field.PHRASINGS:
            lines = [" ".join(line.split()) for line in text.splitlines()]
            lines = [line for line in lines if line]
            if len(lines) > MAX_PHRASINGS or any(len(line) > PHRASING_CHARS for line in lines):
                raise EditorError("too_long")
            texts.phrasings[lang] = lines
        else:
            texts = replace(texts, sources=_keep_kazakh_titles(texts.sources, parse_sources(text)))
        return await self._save(actor_id, texts)

    async def set_category(self, actor_id: int, draft_id: int, category_id: str) -> DraftTexts:
        texts = await self.draft(actor_id, draft_id)
        if self._catalog.category(category_id) is None:
            raise EditorError("no_category")
        return await self._save(actor_id, replace(texts, category=category_id))

    async def delete(self, actor_id: int, draft_id: int) -> bool:
        self._admin(actor_id)
        return await self._content.delete_draft(draft_id)

    # --- publishing ----------------------------------------------------------------------

    def preview(self, texts: DraftTexts) -> FaqEntry:
        """The entry the draft would publish; raises ``EditorError`` if it cannot be one."""
        missing = texts.missing()
        if missing:
            raise EditorError("incomplete", missing=missing)
        for lang in LANGUAGES:
            # Saved before it was checked, or written by the desk: said in the admin's words.
            _check_placeholders(texts.answer[lang], lang)
        data: dict[str, Any] = {
            "id": texts.entry_id or f"draft-{texts.id}",
            "category": texts.category,
            "question": texts.question,
            "answer": texts.answer,
            "sources": texts.sources,
            "phrasings": {
                # A phrasing per language is required; the question is one when none was given.
                lang: texts.phrasings.get(lang) or [texts.question[lang]]
                for lang in LANGUAGES
            },
            "verified_on": self._clock.now().date().isoformat(),
        }
        try:
            return entry_from_dict(data)
        except KnowledgeBaseError as exc:
            raise EditorError("invalid", problems=exc.problems) from None

    async def publish(self, actor_id: int, draft_id: int) -> FaqEntry:
        """Store the draft as an admin entry (a new one, or the one it edits) and tell every
        process to rebuild its index; the draft is marked published."""
        texts = await self.draft(actor_id, draft_id)
        entry = self.preview(texts)
        if texts.entry_id is None:
            entry_id = await self._free_id(f"draft-{texts.id}")
            entry = entry_from_dict({**entry_to_dict(entry), "id": entry_id})
        if len(entry.id.encode()) > MAX_ENTRY_ID_BYTES:
            raise EditorError("invalid", problems=(f"id {entry.id!r} too long",))
        now = self._clock.now()
        await self._entries.save_admin_entry(entry.id, entry.category, entry_to_dict(entry), now)
        await self._content.set_status(draft_id, DRAFT_PUBLISHED, entry.id)
        await self._content.bump_version(now)
        self._catalog.check_soon()
        return entry

    async def _free_id(self, base: str) -> str:
        candidate, n = base, 1
        while await self._content.entry_id_taken(candidate):
            n += 1
            candidate = f"{base}-{n}"
        return candidate
