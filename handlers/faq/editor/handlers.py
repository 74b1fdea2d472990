"""What the FAQ content dialog does with each button and message.

Every change goes through ``FaqEditor``, which checks the person is an admin whatever the
callback says; the dialog keeps only ids (the draft, the picked topic) in its server-side data.
"""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Select

from bot.languages import as_lang
from bot.services.faq.editor import EditorError, Field
from handlers.admin import admin_menu
from handlers.faq.editor.getters import FIELD_ITEMS, editor_of
from handlers.faq.editor.states import FaqContent
from handlers.faq.editor.texts import error_text, quoted
from handlers.screens import show, user_language


def _draft_id(manager: DialogManager) -> int:
    return int(manager.dialog_data.get("draft_id", 0))


async def _open_draft(manager: DialogManager, draft_id: int) -> None:
    manager.dialog_data["draft_id"] = draft_id
    await manager.switch_to(FaqContent.draft)


async def on_gap(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, item: str
) -> None:
    editor, actor = editor_of(manager)
    keys: list[dict[str, Any]] = manager.dialog_data.get("gaps") or []
    index = int(item) if item.isdigit() else -1
    if not 0 <= index < len(keys):
        return
    key = keys[index]
    try:
        if key.get("kind") == "search":
            draft_id = await editor.draft_from_search(actor, int(key["id"]))
        else:
            query = key.get("query")
            draft_id = await editor.draft_from_dislike(
                actor, str(key["reason"]), str(query) if query else None, str(key["lang"])
            )
    except EditorError as exc:
        manager.dialog_data["error"] = error_text(exc)
        return
    manager.dialog_data["note"] = _("📝 A draft was started. Write the answer in both languages.")
    await _open_draft(manager, draft_id)


async def on_pick_draft(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, item: str
) -> None:
    if item.isdigit():
        await _open_draft(manager, int(item))


async def on_new(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    editor, actor = editor_of(manager)
    await _open_draft(manager, await editor.new_draft(actor))


async def on_pick_category(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, item: str
) -> None:
    manager.dialog_data["pick_cat"] = item
    await manager.switch_to(FaqContent.pick_entry)


async def on_pick_entry(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, item: str
) -> None:
    editor, actor = editor_of(manager)
    entries = editor.catalog.entries_in(str(manager.dialog_data.get("pick_cat", "")))
    index = int(item) if item.isdigit() else -1
    if not 0 <= index < len(entries):
        return
    try:
        draft_id = await editor.draft_from_entry(actor, entries[index].id)
    except EditorError as exc:
        manager.dialog_data["error"] = error_text(exc)
        return
    await _open_draft(manager, draft_id)


async def on_field(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, item: str
) -> None:
    if item not in FIELD_ITEMS:
        return
    name, _sep, lang = item.partition(":")
    if name == "category":
        await manager.switch_to(FaqContent.category)
        return
    manager.dialog_data["field"] = name
    manager.dialog_data["lang"] = lang
    await manager.switch_to(FaqContent.edit)


async def on_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    editor, actor = editor_of(manager)
    name = Field(str(manager.dialog_data.get("field")))
    lang = as_lang(str(manager.dialog_data.get("lang") or "ru"))
    # The answer keeps the admin's formatting (bold, links) as Telegram HTML.
    text = (message.html_text if name is Field.ANSWER else message.text) or ""
    try:
        await editor.set_text(actor, _draft_id(manager), name, lang, text)
    except EditorError as exc:
        manager.dialog_data["error"] = error_text(exc)
        return
    manager.dialog_data["note"] = _("✅ Saved in the draft.")
    await manager.switch_to(FaqContent.draft)


async def on_not_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    manager.dialog_data["error"] = "⚠️ " + _("Please send text, or use the buttons. /cancel stops.")


async def on_category(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, item: str
) -> None:
    editor, actor = editor_of(manager)
    try:
        await editor.set_category(actor, _draft_id(manager), item)
    except EditorError as exc:
        manager.dialog_data["error"] = error_text(exc)
        return
    manager.dialog_data["note"] = _("✅ Saved in the draft.")
    await manager.switch_to(FaqContent.draft)


async def on_publish(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    editor, actor = editor_of(manager)
    try:
        entry = await editor.publish(actor, _draft_id(manager))
    except EditorError as exc:
        manager.dialog_data["error"] = error_text(exc)
        await manager.switch_to(FaqContent.draft)
        return
    manager.dialog_data["note"] = _("✅ Published: «{question}». The search finds it now.").format(
        question=quoted(entry.question[user_language()])
    )
    manager.dialog_data.pop("draft_id", None)
    await manager.switch_to(FaqContent.drafts)


async def on_delete(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    editor, actor = editor_of(manager)
    await editor.delete(actor, _draft_id(manager))
    manager.dialog_data.pop("draft_id", None)
    manager.dialog_data["note"] = _("🗑 The draft was deleted.")
    await manager.switch_to(FaqContent.drafts)


async def to_admin_menu(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await show(callback, admin_menu())


async def start_gaps(manager: DialogManager) -> None:
    await manager.start(FaqContent.gaps, mode=StartMode.RESET_STACK)


async def start_drafts(manager: DialogManager) -> None:
    await manager.start(FaqContent.drafts, mode=StartMode.RESET_STACK)
