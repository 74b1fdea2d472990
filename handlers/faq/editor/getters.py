"""What each window of the FAQ content dialog shows, computed in the admin's language."""

from __future__ import annotations

import html
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import DialogManager

from bot.services.faq.editor import DraftTexts, EditorError, FaqEditor, Field
from bot.services.faq.markup import trim_html
from bot.services.faq.models import LANGUAGES
from db.repositories.users import UserDTO
from handlers.faq.editor.texts import (
    FLAGS,
    PREVIEW_CHARS,
    edit_prompt,
    error_text,
    field_label,
    missing_text,
    quoted,
    short,
)
from handlers.screens import user_language

Data = dict[str, Any]
# A window's text stays within Telegram's 4096 characters, whatever the drafts hold.
WINDOW_TEXT_LIMIT = 4000


def fit(text: str) -> str:
    return trim_html(text, WINDOW_TEXT_LIMIT)


FIELD_ITEMS = [
    f"{name}:{lang}"
    for name in (Field.QUESTION, Field.ANSWER, Field.PHRASINGS)
    for lang in LANGUAGES
] + [f"{Field.SOURCES}:", "category:"]


def editor_of(manager: DialogManager) -> tuple[FaqEditor, int]:
    data = manager.middleware_data
    user: UserDTO = data["db_user"]
    return data["faq_editor"], user.id


def _notes(manager: DialogManager) -> list[str]:
    """A note (what was just done) and an error, each shown once."""
    lines = []
    for key in ("note", "error"):
        value = manager.dialog_data.pop(key, None)
        if value:
            lines += [str(value), ""]
    return lines


async def gaps_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, actor = editor_of(dialog_manager)
    gaps = await editor.gaps(actor)
    lines = _notes(dialog_manager)
    lines.append(_("❓ <b>Questions without a good answer</b> · last 30 days"))
    keys: list[dict[str, Any]] = []
    lines += ["", _("<b>Searches without a confident answer</b>, most frequent first:")]
    for search in gaps.searches:
        keys.append({"kind": "search", "id": search.last_id})
        lines.append(
            f"{len(keys)}. {FLAGS.get(search.language, '')} «{quoted(search.query, 120)}» — "
            + ngettext("{n} time", "{n} times", search.count).format(n=search.count)
        )
    if not gaps.searches:
        lines.append(_("None."))
    lines += ["", _("<b>What was missing</b> (👎 with a reason):")]
    for dislike in gaps.dislikes:
        entry = editor.catalog.entry(dislike.entry_id)
        title = entry.question[user_language()] if entry is not None else dislike.entry_id
        keys.append(
            {
                "kind": "dislike",
                "reason": dislike.reason,
                "query": dislike.query,
                "lang": dislike.language,
            }
        )
        line = f"{len(keys)}. {FLAGS.get(dislike.language, '')} «{quoted(dislike.reason, 160)}»"
        line += " — " + _("under «{question}»").format(question=quoted(title, 50))
        if dislike.query:
            line += ", " + _("searched «{query}»").format(query=quoted(dislike.query, 80))
        lines.append(line)
    if not gaps.dislikes:
        lines.append(_("None."))
    if keys:
        lines += ["", _("Press a number to start a draft entry from it.")]
    dialog_manager.dialog_data["gaps"] = keys
    return {
        "text": fit("\n".join(lines)),
        "gaps": [(str(i), f"✍️ {i + 1}") for i in range(len(keys))],
    }


def _title(texts: DraftTexts) -> str:
    lang = user_language()
    other = "ru" if lang == "kk" else "kk"
    return texts.question.get(lang) or texts.question.get(other) or _("(no question yet)")


async def drafts_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, actor = editor_of(dialog_manager)
    drafts = await editor.drafts(actor)
    lines = _notes(dialog_manager)
    lines.append(_("📝 <b>FAQ drafts</b>"))
    lines.append("")
    if drafts:
        lines.append(
            _(
                "Choose a draft to edit and publish, start a new entry, or edit one that is "
                "published."
            )
        )
    else:
        lines.append(_("No drafts. Start a new entry, or edit one that is published."))
    items = []
    for texts in drafts:
        mark = "✏️" if texts.entry_id else ("✅" if not texts.missing() else "📝")
        items.append((str(texts.id), f"{mark} {short(_title(texts), 50)}"))
    return {"text": fit("\n".join(lines)), "drafts": items}


async def categories_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, _actor = editor_of(dialog_manager)
    lang = user_language()
    lines = _notes(dialog_manager)
    lines.append(_("📂 Choose a topic:"))
    items = [(c.id, c.title[lang]) for c in editor.catalog.categories()]
    return {"text": "\n".join(lines), "categories": items}


async def entries_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, _actor = editor_of(dialog_manager)
    lang = user_language()
    category = editor.catalog.category(str(dialog_manager.dialog_data.get("pick_cat", "")))
    lines = _notes(dialog_manager)
    entries = editor.catalog.entries_in(category.id) if category is not None else ()
    if category is None:
        lines.append(_("This topic is no longer in the knowledge base."))
    else:
        lines.append(
            f"📂 <b>{html.escape(category.title[lang])}</b>\n\n" + _("Choose an entry to edit:")
        )
    items = [(str(i), short(e.question[lang], 60)) for i, e in enumerate(entries)]
    return {"text": "\n".join(lines), "entries": items}


def _draft_text(texts: DraftTexts, manager: DialogManager) -> str:
    editor, _actor = editor_of(manager)
    lang = user_language()
    lines = _notes(manager)
    if texts.entry_id:
        lines.append(_("✏️ <b>Editing a published entry</b>"))
    else:
        lines.append(_("📝 <b>Draft of a new entry</b>"))
    if texts.context:
        lines.append(
            _("💡 What was missing, people said: «{reason}»").format(
                reason=quoted(texts.context, 300)
            )
        )
    category = editor.catalog.category(texts.category) if texts.category else None
    lines.append(
        field_label("category", None)
        + ": "
        + (html.escape(category.title[lang]) if category else "—")
    )
    for language in LANGUAGES:
        lines += ["", f"<b>{FLAGS[language]}</b>"]
        lines.append(
            field_label(Field.QUESTION, None)
            + ": "
            + (quoted(texts.question.get(language, ""), 200) or "—")
        )
        lines.append(
            field_label(Field.ANSWER, None)
            + ": "
            + (quoted(texts.answer.get(language, ""), PREVIEW_CHARS) or "—")
        )
        phrasings = texts.phrasings.get(language) or []
        lines.append(
            field_label(Field.PHRASINGS, None)
            + ": "
            + ("; ".join(quoted(p, 60) for p in phrasings[:8]) or "—")
            + (" …" if len(phrasings) > 8 else "")
        )
    lines.append("")
    sources = ", ".join(quoted(s.get("title", ""), 60) for s in texts.sources) or "—"
    lines.append(field_label(Field.SOURCES, None) + ": " + sources)
    missing = texts.missing()
    lines += ["", missing_text(missing) if missing else _("✅ Ready to publish.")]
    lines.append(_("Choose what to change:"))
    return "\n".join(lines)


async def draft_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, actor = editor_of(dialog_manager)
    try:
        texts = await editor.draft(actor, int(dialog_manager.dialog_data.get("draft_id", 0)))
    except EditorError as exc:
        return {"text": error_text(exc), "fields": [], "found": False}
    items = []
    for item in FIELD_ITEMS:
        name, _sep, lang = item.partition(":")
        items.append((item, field_label(name, lang or None)))
    return {"text": fit(_draft_text(texts, dialog_manager)), "fields": items, "found": True}


async def edit_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, actor = editor_of(dialog_manager)
    data = dialog_manager.dialog_data
    name, lang = str(data.get("field", "")), str(data.get("lang", ""))
    lines = _notes(dialog_manager)
    lines.append(edit_prompt(name, lang))
    try:
        texts = await editor.draft(actor, int(data.get("draft_id", 0)))
    except EditorError as exc:
        return {"text": error_text(exc)}
    if name == Field.QUESTION:
        now = quoted(texts.question.get(lang, ""), 300)
    elif name == Field.ANSWER:
        now = quoted(texts.answer.get(lang, ""), 1500)
    elif name == Field.PHRASINGS:
        now = "\n".join(html.escape(p) for p in texts.phrasings.get(lang) or [])
    else:
        now = "\n".join(
            html.escape(f"{s.get('title', '')} {s.get('url', '')}") for s in texts.sources
        )
    if now:
        lines += ["", _("Now:"), now]
    return {"text": fit("\n".join(lines))}


async def confirm_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, actor = editor_of(dialog_manager)
    lang = user_language()
    try:
        texts = await editor.draft(actor, int(dialog_manager.dialog_data.get("draft_id", 0)))
        entry = editor.preview(texts)
    except EditorError as exc:
        return {"text": error_text(exc), "can_publish": False}
    if texts.entry_id:
        head = _("Publish these changes? Everyone will see the new texts at once.")
    else:
        head = _("Publish this entry? Everyone will find it in the search and in its topic.")
    category = editor.catalog.category(entry.category)
    lines = [
        head,
        "",
        f"📂 {html.escape(category.title[lang]) if category else ''}",
    ]
    for language in LANGUAGES:
        lines.append(f"{FLAGS[language]} <b>{html.escape(entry.question[language])}</b>")
        lines.append(quoted(entry.answer[language], PREVIEW_CHARS))
    return {"text": fit("\n".join(lines)), "can_publish": True}


async def delete_getter(dialog_manager: DialogManager, **_kwargs: Any) -> Data:
    editor, actor = editor_of(dialog_manager)
    try:
        texts = await editor.draft(actor, int(dialog_manager.dialog_data.get("draft_id", 0)))
    except EditorError as exc:
        return {"text": error_text(exc), "found": False}
    text = _("Delete the draft «{question}»? The published knowledge base does not change.").format(
        question=quoted(_title(texts), 80)
    )
    return {"text": text, "found": True}
