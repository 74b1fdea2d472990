"""Load and strictly validate the FAQ knowledge base (``locales/faq/*.yaml``).

Every problem is collected and reported at once, each naming the file, the entry id and the field,
so a content writer can fix a file in one pass. A knowledge base that does not validate is never
half-loaded: wrong legal advice is the worst bug this bot can have.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml

from bot.services.faq.markup import (
    BUTTON_NAMES,
    MRP_PLACEHOLDER_RE,
    bad_placeholders,
    check_html,
)
from bot.services.faq.models import LANGUAGES, FaqCategory, FaqEntry, KnowledgeBase, Source

MRP_FILE: Final = "mrp.yaml"
_ID_RE: Final = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_URL_RE: Final = re.compile(r"^https?://[^\s<>\"']+$")
_CATEGORY_KEYS: Final = frozenset({"category", "order", "title", "entries"})
_ENTRY_KEYS: Final = frozenset({"id", "question", "answer", "phrasings", "sources", "verified_on"})
_SOURCE_KEYS: Final = frozenset({"title", "url"})
_MRP_KEYS: Final = frozenset({"values", "sources"})
# Every entry must cite at least one source, the ones about the bot included (they rest on the
# personal-data law and on the NGO-database rules they remind about).


class KnowledgeBaseError(ValueError):
    """The knowledge base is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        shown = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid FAQ knowledge base ({len(problems)} problem(s)):\n{shown}")


class _Problems:
    """Collects problems with their location (``file: entry 'id': field: message``)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")


def _where(file: str, entry_id: str | None = None, field: str | None = None) -> str:
    parts = [file]
    if entry_id is not None:
        parts.append(f"entry {entry_id!r}")
    if field is not None:
        parts.append(field)
    return ": ".join(parts)


def _check_keys(
    data: Mapping[str, Any],
    allowed: frozenset[str],
    where: str,
    problems: _Problems,
    optional: frozenset[str] = frozenset(),
) -> None:
    known = allowed | optional
    for key in sorted(set(data) - known, key=str):
        problems.add(where, f"unknown field {key!r} (allowed: {', '.join(sorted(known))})")
    for key in sorted(allowed - set(data)):
        problems.add(where, f"missing field {key!r}")


def _text_by_lang(value: Any, where: str, problems: _Problems) -> dict[str, str]:
    if not isinstance(value, Mapping):
        problems.add(where, f"must be a mapping with {' and '.join(LANGUAGES)}")
        return {}
    out: dict[str, str] = {}
    for key in value:
        if key not in LANGUAGES:
            problems.add(where, f"unknown language {key!r}")
    for lang in LANGUAGES:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            problems.add(f"{where}.{lang}", "must be a non-empty string")
        else:
            out[lang] = text.strip()
    return out


def _lists_by_lang(value: Any, where: str, problems: _Problems) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        problems.add(where, f"must be a mapping with {' and '.join(LANGUAGES)}")
        return {}
    out: dict[str, list[str]] = {}
    for key in value:
        if key not in LANGUAGES:
            problems.add(where, f"unknown language {key!r}")
    for lang in LANGUAGES:
        items = value.get(lang)
        if not isinstance(items, list) or not items:
            problems.add(f"{where}.{lang}", "must be a non-empty list of strings")
            continue
        good: list[str] = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                problems.add(f"{where}.{lang}[{i}]", "must be a non-empty string")
            else:
                good.append(item.strip())
        out[lang] = good
    return out


def _sources(value: Any, where: str, problems: _Problems) -> list[Source]:
    if not isinstance(value, list) or not value:
        problems.add(where, "must be a non-empty list of {title, url}")
        return []
    out: list[Source] = []
    for i, item in enumerate(value):
        here = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            problems.add(here, "must be a mapping with title and url")
            continue
        _check_keys(item, _SOURCE_KEYS, here, problems, optional=frozenset({"title_kk"}))
        title, url = item.get("title"), item.get("url")
        title_kk = item.get("title_kk")
        ok = True
        if title_kk is not None and (not isinstance(title_kk, str) or not title_kk.strip()):
            problems.add(f"{here}.title_kk", "must be a non-empty string when given")
            ok = False
        if not isinstance(title, str) or not title.strip():
            problems.add(f"{here}.title", "must be a non-empty string")
            ok = False
        if not isinstance(url, str) or not _URL_RE.match(url.strip()):
            problems.add(f"{here}.url", f"must be an http(s) URL, got {url!r}")
            ok = False
        if ok:
            assert isinstance(title, str) and isinstance(url, str)
            kk = title_kk.strip() if isinstance(title_kk, str) else None
            out.append(Source(title.strip(), url.strip(), kk))
    return out


def _date(value: Any, where: str, problems: _Problems) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    problems.add(where, f"must be a date YYYY-MM-DD, got {value!r}")
    return None


def _check_answer(text: str, where: str, problems: _Problems, mrp_known: bool) -> None:
    for problem in check_html(text):
        problems.add(where, f"Telegram HTML: {problem}")
    for placeholder, kind in bad_placeholders(text):
        if kind == "button":
            known = ", ".join(sorted(BUTTON_NAMES))
            problems.add(where, f"unknown button in {placeholder} (known: {known})")
        else:
            problems.add(
                where, f"unknown placeholder {placeholder} (known: {{mrp:AMOUNT}}, {{button:NAME}})"
            )
    if not mrp_known:
        for m in MRP_PLACEHOLDER_RE.finditer(text):
            problems.add(where, f"{m.group(0)} needs MRP values ({MRP_FILE})")


def _entry(
    raw: Any,
    category: str,
    file: str,
    index: int,
    problems: _Problems,
    *,
    mrp_known: bool = True,
) -> FaqEntry | None:
    if not isinstance(raw, Mapping):
        problems.add(_where(file, field=f"entries[{index}]"), "must be a mapping")
        return None
    before = len(problems.items)
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID_RE.match(entry_id):
        problems.add(
            _where(file, field=f"entries[{index}].id"),
            f"must be a lowercase slug like 'registration-fee', got {entry_id!r}",
        )
        entry_id = f"#{index}"
    _check_keys(raw, _ENTRY_KEYS, _where(file, entry_id), problems)
    question = _text_by_lang(raw.get("question"), _where(file, entry_id, "question"), problems)
    answer = _text_by_lang(raw.get("answer"), _where(file, entry_id, "answer"), problems)
    for lang, text in answer.items():
        _check_answer(text, _where(file, entry_id, f"answer.{lang}"), problems, mrp_known)
    phrasings = _lists_by_lang(raw.get("phrasings"), _where(file, entry_id, "phrasings"), problems)
    sources = _sources(raw.get("sources"), _where(file, entry_id, "sources"), problems)
    verified = _date(raw.get("verified_on"), _where(file, entry_id, "verified_on"), problems)
    if len(problems.items) > before or verified is None:
        return None
    return FaqEntry(
        id=entry_id,
        category=category,
        question=question,
        answer=answer,
        phrasings={lang: tuple(items) for lang, items in phrasings.items()},
        sources=tuple(sources),
        verified_on=verified,
    )


def _read_yaml(path: Path, problems: _Problems) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        problems.add(path.name, f"cannot read YAML: {exc}")
        return None


def _load_mrp(path: Path, problems: _Problems) -> tuple[dict[int, int], list[Source]]:
    data = _read_yaml(path, problems)
    if data is None:
        return {}, []
    if not isinstance(data, Mapping):
        problems.add(path.name, "must be a mapping with values and sources")
        return {}, []
    _check_keys(data, _MRP_KEYS, path.name, problems)
    values: dict[int, int] = {}
    raw_values = data.get("values")
    if not isinstance(raw_values, Mapping) or not raw_values:
        problems.add(f"{path.name}: values", "must be a mapping year: tenge")
    else:
        for year, amount in raw_values.items():
            ok_year = isinstance(year, int) and not isinstance(year, bool) and 1990 < year < 2200
            ok_amount = isinstance(amount, int) and not isinstance(amount, bool) and amount > 0
            if not (ok_year and ok_amount):
                problems.add(
                    f"{path.name}: values", f"{year!r}: {amount!r} is not year: positive tenge"
                )
            else:
                values[year] = amount
    sources = _sources(data.get("sources"), f"{path.name}: sources", problems)
    return values, sources


def _load_category(
    path: Path, problems: _Problems, mrp_known: bool
) -> tuple[FaqCategory | None, list[FaqEntry]]:
    data = _read_yaml(path, problems)
    file = path.name
    if data is None:
        if not any(p.startswith(file) for p in problems.items):
            problems.add(file, "is empty")
        return None, []
    if not isinstance(data, Mapping):
        problems.add(file, "must be a mapping with category, order, title, entries")
        return None, []
    _check_keys(data, _CATEGORY_KEYS, file, problems)
    category_id = data.get("category")
    if not isinstance(category_id, str) or not _ID_RE.match(category_id):
        problems.add(_where(file, field="category"), f"must be a slug, got {category_id!r}")
        category_id = path.stem
    order = data.get("order")
    if not isinstance(order, int) or isinstance(order, bool):
        problems.add(_where(file, field="order"), f"must be an integer, got {order!r}")
        order = 0
    title = _text_by_lang(data.get("title"), _where(file, field="title"), problems)
    raw_entries = data.get("entries")
    entries: list[FaqEntry] = []
    if not isinstance(raw_entries, list) or not raw_entries:
        problems.add(_where(file, field="entries"), "must be a non-empty list")
    else:
        for i, raw in enumerate(raw_entries):
            entry = _entry(raw, category_id, file, i, problems, mrp_known=mrp_known)
            if entry is not None:
                entries.append(entry)
    category = FaqCategory(category_id, order, title) if len(title) == len(LANGUAGES) else None
    return category, entries


def load_knowledge_base(path: Path) -> KnowledgeBase:
    """Load every ``*.yaml`` in the directory ``path`` (``mrp.yaml`` holds MRP values).

    Raises :class:`KnowledgeBaseError` listing all problems if anything is invalid.
    """
    problems = _Problems()
    if not path.is_dir():
        raise KnowledgeBaseError([f"{path}: not a directory"])
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    mrp: dict[int, int] = {}
    mrp_sources: list[Source] = []
    mrp_path = path / MRP_FILE
    if mrp_path.is_file():
        mrp, mrp_sources = _load_mrp(mrp_path, problems)
    category_files = [p for p in files if p.name != MRP_FILE]
    if not category_files:
        problems.add(str(path), "no FAQ category files (*.yaml)")
    categories: list[FaqCategory] = []
    entries: list[FaqEntry] = []
    seen_entries: dict[str, str] = {}
    seen_categories: dict[str, str] = {}
    for file in category_files:
        category, file_entries = _load_category(file, problems, mrp_known=bool(mrp))
        if category is not None:
            if category.id in seen_categories:
                problems.add(
                    _where(file.name, field="category"),
                    f"{category.id!r} already defined in {seen_categories[category.id]}",
                )
            seen_categories[category.id] = file.name
            categories.append(category)
        for entry in file_entries:
            if entry.id in seen_entries:
                problems.add(
                    _where(file.name, entry.id, "id"),
                    f"duplicate id (also in {seen_entries[entry.id]})",
                )
            seen_entries[entry.id] = file.name
            entries.append(entry)
    if problems.items:
        raise KnowledgeBaseError(problems.items)
    return KnowledgeBase(tuple(categories), tuple(entries), mrp, tuple(mrp_sources))


def entry_to_dict(entry: FaqEntry) -> dict[str, Any]:
    """A JSON-serialisable form of the entry (for storing it in the database)."""
    return {
        "id": entry.id,
        "category": entry.category,
        "question": {lang: entry.question[lang] for lang in LANGUAGES},
        "answer": {lang: entry.answer[lang] for lang in LANGUAGES},
        "phrasings": {lang: list(entry.phrasings[lang]) for lang in LANGUAGES},
        "sources": [_source_dict(s) for s in entry.sources],
        "verified_on": entry.verified_on.isoformat(),
    }


def _source_dict(source: Source) -> dict[str, str]:
    out = {"title": source.title, "url": source.url}
    if source.title_kk:
        out["title_kk"] = source.title_kk
    return out


def entry_from_dict(data: Mapping[str, Any]) -> FaqEntry:
    """Rebuild an entry from :func:`entry_to_dict` output, validating it like the loader does."""
    problems = _Problems()
    if not isinstance(data, Mapping):
        raise KnowledgeBaseError(["stored entry: must be a mapping"])
    category = data.get("category")
    if not isinstance(category, str) or not _ID_RE.match(category):
        problems.add("stored entry: category", f"must be a slug, got {category!r}")
        category = "#invalid"
    raw = {k: v for k, v in data.items() if k != "category"}
    entry = _entry(raw, category, "stored entry", 0, problems)
    if problems.items or entry is None:
        raise KnowledgeBaseError(problems.items or ["stored entry: invalid"])
    return entry
