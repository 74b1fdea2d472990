"""What the event wizard does with each answer and button."""

from __future__ import annotations

from typing import Any

from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import DialogManager, ShowMode, StartMode
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Select

from bot.clock import Clock
from bot.config import Settings
from bot.services.events.model import EventInputError
from bot.services.events.service import EventService, draft_of
from bot.services.events.timeparse import check_future
from db.repositories.users import UserDTO
from handlers.events import admin_views
from handlers.events.wizard.fields import (
    STEP_BY_NAME,
    STEP_BY_STATE,
    STEPS,
    complete_draft,
    draft_to_data,
    read_choice,
    read_text_field,
)
from handlers.events.wizard.getters import error_text
from handlers.events.wizard.states import EventWizard
from handlers.screens import show, user_language


def _current_step_name(manager: DialogManager) -> str:
    return STEP_BY_STATE[manager.current_context().state.state].name


async def on_start(start_data: Any, manager: DialogManager) -> None:
    manager.dialog_data.update(start_data or {})
    manager.dialog_data.setdefault("draft", {})


async def _ask(manager: DialogManager, name: str, error: str | None = None) -> None:
    manager.dialog_data["error"] = error
    await manager.switch_to(STEP_BY_NAME[name].state)


async def _preview(manager: DialogManager) -> None:
    try:
        complete_draft(manager.dialog_data["draft"])
    except EventInputError as exc:
        # e.g. a new start after the old end: ask for the end again, saying why.
        manager.dialog_data["jump"] = True
        await _ask(manager, "end", error_text(exc, manager))
        return
    manager.dialog_data["jump"] = True
    manager.dialog_data["error"] = None
    await manager.switch_to(EventWizard.preview)


async def _advance(manager: DialogManager, name: str, changes: dict[str, Any]) -> None:
    data = manager.dialog_data
    data["draft"] = {**data.get("draft", {}), **changes}
    data["error"] = None
    index = STEPS.index(STEP_BY_NAME[name])
    if data.get("mode") == "create" and not data.get("jump") and index + 1 < len(STEPS):
        await _ask(manager, STEPS[index + 1].name)
    else:
        await _preview(manager)


async def on_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    settings: Settings = manager.middleware_data["settings"]
    clock: Clock = manager.middleware_data["clock"]
    name = _current_step_name(manager)
    try:
        changes = read_text_field(
            name, message.text or "", manager.dialog_data.get("draft", {}), settings.tz, clock.now()
        )
    except EventInputError as exc:
        await _ask(manager, name, error_text(exc, manager))
        return
    await _advance(manager, name, changes)


async def on_not_text(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    manager.dialog_data["error"] = _("Please send text, or use the buttons. /cancel stops.")


async def on_pick(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, value: str
) -> None:
    name = _current_step_name(manager)
    try:
        changes = read_choice(name, value)
    except EventInputError as exc:
        await _ask(manager, name, error_text(exc, manager))
        return
    await _advance(manager, name, changes)


async def on_skip(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    settings: Settings = manager.middleware_data["settings"]
    clock: Clock = manager.middleware_data["clock"]
    name = _current_step_name(manager)
    changes = read_text_field(
        name, "-", manager.dialog_data.get("draft", {}), settings.tz, clock.now()
    )
    await _advance(manager, name, changes)


async def on_back(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    data["error"] = None
    state = manager.current_context().state
    if state == EventWizard.preview:
        data["jump"] = False
        await _ask(manager, STEPS[-1].name)
    elif state == EventWizard.fields:
        await _preview(manager)
    elif data.get("jump"):
        if data.get("mode") == "edit":
            await manager.switch_to(EventWizard.fields)
        else:
            await _preview(manager)
    else:
        index = STEPS.index(STEP_BY_STATE[state.state])
        if index == 0:
            await on_cancel(callback, button, manager)
        else:
            await _ask(manager, STEPS[index - 1].name)


async def on_field(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, name: str
) -> None:
    if name not in STEP_BY_NAME:
        return
    manager.dialog_data["jump"] = True
    await _ask(manager, name)


async def on_preview(_callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _preview(manager)


async def _close_to_list(callback: CallbackQuery, manager: DialogManager, note: str) -> None:
    events: EventService = manager.middleware_data["events"]
    settings: Settings = manager.middleware_data["settings"]
    page = int(manager.dialog_data.get("page", 0))
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    result = await events.admin_page(page)
    screen = admin_views.admin_list(result, lang=user_language(), tz=settings.tz)
    await show(callback, admin_views.with_note(screen, note), toast=note)


async def on_cancel(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    await _close_to_list(callback, manager, _("❌ Cancelled."))


async def on_save(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    events: EventService = manager.middleware_data["events"]
    settings: Settings = manager.middleware_data["settings"]
    clock: Clock = manager.middleware_data["clock"]
    db_user: UserDTO = manager.middleware_data["db_user"]
    data = manager.dialog_data
    try:
        draft = complete_draft(data["draft"])
        event_id = int(data["event_id"]) if data.get("mode") == "edit" else None
        if event_id is None or draft.starts_at != (await events.get(event_id)).starts_at:
            check_future(draft.starts_at, clock.now(), all_day=draft.all_day)
    except EventInputError as exc:
        data["jump"] = True
        await _ask(manager, "start", error_text(exc, manager))
        return
    if event_id is not None:
        event = await events.update(event_id, draft)
    else:
        event = await events.create(draft, actor_id=db_user.id)
    page = int(data.get("page", 0))
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    screen = admin_views.admin_card(event, page=page, lang=user_language(), tz=settings.tz)
    note = _("✅ Saved.")
    await show(callback, admin_views.with_note(screen, note), toast=note)


async def start_create(manager: DialogManager, page: int) -> None:

    await manager.start(
        EventWizard.category, data={"mode": "create", "page": page}, mode=StartMode.RESET_STACK
    )


async def start_edit(
    manager: DialogManager, events: EventService, event_id: int, page: int
) -> None:

    event = await events.get(event_id)
    await manager.start(
        EventWizard.fields,
        data={
            "mode": "edit",
            "event_id": event.id,
            "page": page,
            "draft": draft_to_data(draft_of(event)),
            "jump": True,
        },
        mode=StartMode.RESET_STACK,
    )
