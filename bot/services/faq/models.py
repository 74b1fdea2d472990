"""Immutable value objects of the FAQ knowledge base.

Mappings are stored as read-only views (``MappingProxyType``) and lists as tuples, so an entry that
was validated by the loader cannot be changed afterwards by a handler or the search index.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Final, Literal

Lang = Literal["kk", "ru"]
LANGUAGES: Final[tuple[Lang, ...]] = ("kk", "ru")


def _freeze_text(value: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(value))


def _freeze_lists(value: Mapping[str, Iterable[str]]) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({lang: tuple(items) for lang, items in value.items()})


@dataclass(frozen=True, slots=True)
class Source:
    """A document an answer rests on. ``title`` is the Russian title (most official documents
    are cited by it); ``title_kk`` the Kazakh one, shown to Kazakh readers when known."""

    title: str
    url: str
    title_kk: str | None = None

    def title_in(self, lang: str) -> str:
        return self.title_kk if lang == "kk" and self.title_kk else self.title

    def url_in(self, lang: str) -> str:
        """adilet.zan.kz publishes each act in both languages under one id, gov.kz each page:
        a Kazakh reader gets the Kazakh version."""
        if lang != "kk":
            return self.url
        if self.url.startswith(_ADILET_RUS):
            return _ADILET_KAZ + self.url[len(_ADILET_RUS) :]
        if self.url.startswith(_GOV_KZ) and self.url.endswith("lang=ru"):
            return self.url.removesuffix("lang=ru") + "lang=kk"
        return self.url


_ADILET_RUS: Final = "https://adilet.zan.kz/rus/"
_ADILET_KAZ: Final = "https://adilet.zan.kz/kaz/"
_GOV_KZ: Final = "https://www.gov.kz/"


@dataclass(frozen=True, slots=True)
class FaqEntry:
    """One question with its answer in both languages.

    ``answer`` holds Telegram HTML with unexpanded placeholders such as ``{mrp:6.5}``; use
    :func:`bot.services.faq.render.render_answer` to get the text to send.
    """

    id: str
    category: str
    question: Mapping[str, str]
    answer: Mapping[str, str]
    phrasings: Mapping[str, tuple[str, ...]]
    sources: tuple[Source, ...]
    verified_on: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "question", _freeze_text(self.question))
        object.__setattr__(self, "answer", _freeze_text(self.answer))
        object.__setattr__(self, "phrasings", _freeze_lists(self.phrasings))
        object.__setattr__(self, "sources", tuple(self.sources))

    # Mapping views are not hashable; the id identifies an entry.
    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class FaqCategory:
    id: str
    order: int
    title: Mapping[str, str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "title", _freeze_text(self.title))

    def __hash__(self) -> int:
        return hash(self.id)


@dataclass(frozen=True, slots=True)
class KnowledgeBase:
    """Categories (sorted by ``order``), entries (in file order) and MRP values by year."""

    categories: tuple[FaqCategory, ...]
    entries: tuple[FaqEntry, ...]
    mrp: Mapping[int, int]
    mrp_sources: tuple[Source, ...] = ()
    _by_id: Mapping[str, FaqEntry] = field(init=False, repr=False, compare=False)
    _categories_by_id: Mapping[str, FaqCategory] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        categories = tuple(sorted(self.categories, key=lambda c: (c.order, c.id)))
        object.__setattr__(self, "categories", categories)
        object.__setattr__(self, "entries", tuple(self.entries))
        object.__setattr__(self, "mrp", MappingProxyType(dict(sorted(self.mrp.items()))))
        object.__setattr__(self, "mrp_sources", tuple(self.mrp_sources))
        object.__setattr__(self, "_by_id", MappingProxyType({e.id: e for e in self.entries}))
        object.__setattr__(
            self, "_categories_by_id", MappingProxyType({c.id: c for c in categories})
        )

    def __hash__(self) -> int:
        return hash(tuple(e.id for e in self.entries))

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def __len__(self) -> int:
        return len(self.entries)

    def entry(self, entry_id: str) -> FaqEntry:
        """The entry with this id; ``KeyError`` if there is none."""
        return self._by_id[entry_id]

    def get(self, entry_id: str) -> FaqEntry | None:
        return self._by_id.get(entry_id)

    def category(self, category_id: str) -> FaqCategory:
        """The category with this id; ``KeyError`` if there is none."""
        return self._categories_by_id[category_id]

    def entries_in(self, category_id: str) -> tuple[FaqEntry, ...]:
        """Entries of one category, in file order."""
        return tuple(e for e in self.entries if e.category == category_id)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)
