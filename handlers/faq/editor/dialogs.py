"""The FAQ content dialog: questions without a good answer → drafts → one draft's editor."""

from __future__ import annotations

from operator import itemgetter

from aiogram import F
from aiogram.enums import ContentType
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Group, Row, ScrollingGroup, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs import Tr
from handlers.faq.editor import getters
from handlers.faq.editor import handlers as on
from handlers.faq.editor.states import FaqContent

_ID = itemgetter(0)


def _select(widget_id: str, items: str, on_click: object) -> Select[str]:
    return Select(
        Format("{item[1]}"),
        id=widget_id,
        item_id_getter=_ID,
        items=items,
        on_click=on_click,  # type: ignore[arg-type]
    )


def _back(state: object, widget_id: str = "back") -> SwitchTo:
    return SwitchTo(Tr("⬅️ Back"), id=widget_id, state=state)  # type: ignore[arg-type]


def _to_admin() -> Button:
    return Button(Tr("⬅️ Back"), id="admin", on_click=on.to_admin_menu)


def faq_content_dialog() -> Dialog:
    gaps = Window(
        Format("{text}"),
        Group(_select("gap", "gaps", on.on_gap), width=5),
        SwitchTo(Tr("📝 FAQ drafts"), id="to_drafts", state=FaqContent.drafts),
        _to_admin(),
        state=FaqContent.gaps,
        getter=getters.gaps_getter,
    )
    drafts = Window(
        Format("{text}"),
        ScrollingGroup(
            _select("draft", "drafts", on.on_pick_draft), id="drafts_pages", width=1, height=8
        ),
        Button(Tr("➕ New entry"), id="new", on_click=on.on_new),
        SwitchTo(Tr("✏️ Edit a published entry"), id="to_cats", state=FaqContent.pick_category),
        SwitchTo(Tr("❓ Questions without a good answer"), id="to_gaps", state=FaqContent.gaps),
        _to_admin(),
        state=FaqContent.drafts,
        getter=getters.drafts_getter,
    )
    pick_category = Window(
        Format("{text}"),
        Group(_select("pcat", "categories", on.on_pick_category), width=1),
        _back(FaqContent.drafts),
        state=FaqContent.pick_category,
        getter=getters.categories_getter,
    )
    pick_entry = Window(
        Format("{text}"),
        ScrollingGroup(
            _select("pentry", "entries", on.on_pick_entry), id="entries_pages", width=1, height=8
        ),
        _back(FaqContent.pick_category),
        state=FaqContent.pick_entry,
        getter=getters.entries_getter,
    )
    draft = Window(
        Format("{text}"),
        Group(_select("field", "fields", on.on_field), width=2, when=F["found"]),
        Row(
            SwitchTo(
                Tr("✅ Publish…"), id="publish", state=FaqContent.confirm_publish, when=F["found"]
            ),
            SwitchTo(
                Tr("🗑 Delete draft…"), id="delete", state=FaqContent.confirm_delete, when=F["found"]
            ),
        ),
        _back(FaqContent.drafts),
        state=FaqContent.draft,
        getter=getters.draft_getter,
    )
    edit = Window(
        Format("{text}"),
        _back(FaqContent.draft),
        MessageInput(on.on_text, content_types=ContentType.TEXT),
        MessageInput(on.on_not_text),
        state=FaqContent.edit,
        getter=getters.edit_getter,
    )
    category = Window(
        Format("{text}"),
        Group(_select("cat", "categories", on.on_category), width=1),
        _back(FaqContent.draft),
        state=FaqContent.category,
        getter=getters.categories_getter,
    )
    confirm_publish = Window(
        Format("{text}"),
        Button(
            Tr("✅ Yes, publish"), id="publish_ok", on_click=on.on_publish, when=F["can_publish"]
        ),
        _back(FaqContent.draft),
        state=FaqContent.confirm_publish,
        getter=getters.confirm_getter,
    )
    confirm_delete = Window(
        Format("{text}"),
        Button(Tr("🗑 Yes, delete"), id="delete_ok", on_click=on.on_delete, when=F["found"]),
        _back(FaqContent.draft),
        state=FaqContent.confirm_delete,
        getter=getters.delete_getter,
    )
    return Dialog(
        gaps,
        drafts,
        pick_category,
        pick_entry,
        draft,
        edit,
        category,
        confirm_publish,
        confirm_delete,
    )
