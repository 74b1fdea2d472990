"""The event wizard as an aiogram-dialog: a window per field, a preview, and "change a field"."""

from __future__ import annotations

from operator import itemgetter

from aiogram import F
from aiogram.enums import ContentType
from aiogram_dialog import Dialog, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Group, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from handlers.dialogs import Tr
from handlers.events.wizard import getters
from handlers.events.wizard import handlers as on
from handlers.events.wizard.fields import STEPS
from handlers.events.wizard.states import EventWizard

_ID = itemgetter(0)


def _navigation(back_when: str = "can_back") -> Row:
    return Row(
        Button(Tr("⬅️ Back"), id="back", on_click=on.on_back, when=back_when),
        Button(Tr("✖️ Cancel"), id="cancel", on_click=on.on_cancel),
    )


def _choice_window(state: object, items: str, width: int) -> Window:
    return Window(
        Format("{text}"),
        Group(
            Select(
                Format("{item[1]}"),
                id=f"pick_{items}",
                item_id_getter=_ID,
                items=items,
                on_click=on.on_pick,
            ),
            width=width,
        ),
        _navigation(),
        MessageInput(on.on_not_text),
        state=state,  # type: ignore[arg-type]
        getter=getters.step_getter,
    )


def _text_window(state: object) -> Window:
    return Window(
        Format("{text}"),
        Button(Tr("⏭ Skip"), id="skip", on_click=on.on_skip, when="optional"),
        _navigation(),
        MessageInput(on.on_text, content_types=ContentType.TEXT),
        MessageInput(on.on_not_text),
        state=state,  # type: ignore[arg-type]
        getter=getters.step_getter,
    )


def _step_window(name: str, state: object) -> Window:
    if name == "category":
        return _choice_window(state, "categories", 1)
    if name == "region":
        return _choice_window(state, "regions", 2)
    return _text_window(state)


def event_wizard() -> Dialog:
    preview = Window(
        Format("{text}"),
        Button(Tr("✅ Save"), id="save", on_click=on.on_save),
        SwitchTo(Tr("✏️ Change a field"), id="to_fields", state=EventWizard.fields),
        _navigation(back_when="creating"),
        state=EventWizard.preview,
        getter=getters.preview_getter,
    )
    fields = Window(
        Format("{text}"),
        Group(
            Select(
                Format("{item[1]}"),
                id="field",
                item_id_getter=_ID,
                items="fields",
                on_click=on.on_field,
            ),
            width=2,
        ),
        Column(Button(Tr("👀 Preview"), id="preview", on_click=on.on_preview, when=F["editing"])),
        _navigation(),
        state=EventWizard.fields,
        getter=getters.fields_getter,
    )
    steps = [_step_window(step.name, step.state) for step in STEPS]
    return Dialog(*steps, preview, fields, on_start=on.on_start)
