"""The guided create/edit dialog: one question per step, Back and Cancel at every step, then a
preview that is saved only on an explicit "Save".

FSM data: mode ("create" | "edit"), event_id (edit), page (to return to), draft (JSON values),
field (the single field being changed).
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.config import Settings
from bot.services.events.errors_text import input_error_text
from bot.services.events.model import EventInputError
from bot.services.events.service import EventNotFoundError, EventService, draft_of
from bot.services.events.timeparse import check_future
from db.repositories.users import UserDTO
from handlers.events import admin_views
from handlers.events.admin import show_admin_list
from handlers.events.callbacks import AdminEvCb, DialogCb
from handlers.events.dialog import (
    STEP_BY_NAME,
    STEP_BY_STATE,
    STEPS,
    complete_draft,
    draft_to_data,
    read_choice,
    read_text_field,
)
from handlers.events.states import EventCreate, EventEdit, EventImport
from handlers.screens import show

router = Router(name=__name__)
IN_DIALOG = StateFilter(EventCreate, EventEdit)
TEXT_STEPS = [step.state for step in STEPS if not step.buttons]


async def _ask(
    event: Message | CallbackQuery, state: FSMContext, name: str, error: str | None = None
) -> None:
    """Show the question for `name`: as the next create step, or as a single-field edit."""
    data = await state.get_data()
    step = STEP_BY_NAME[name]
    if data.get("mode") == "create" and not data.get("jump"):
        await state.set_state(step.state)
        number: int | None = STEPS.index(step) + 1
    else:
        await state.set_state(EventEdit.value)
        await state.update_data(field=name)
        number = None
    screen = admin_views.step_screen(step, number=number, error=error)
    await show(event, screen.text, screen.markup)


async def _preview(
    event: Message | CallbackQuery, state: FSMContext, settings: Settings, i18n: I18n
) -> None:
    data = await state.get_data()
    editing = data.get("mode") == "edit"
    try:
        draft = complete_draft(data["draft"])
    except EventInputError as exc:
        # e.g. a new start after the old end: ask for the end again, saying why.
        await state.update_data(jump=True)
        await _ask(event, state, "end", input_error_text(exc))
        return
    await state.set_state(EventEdit.confirm if editing else EventCreate.confirm)
    await state.update_data(jump=True)
    screen = admin_views.preview_screen(
        draft, lang=i18n.current_locale, tz=settings.tz, editing=editing
    )
    await show(event, screen.text, screen.markup)


async def _advance(
    event: Message | CallbackQuery,
    state: FSMContext,
    name: str,
    changes: dict[str, Any],
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    await state.update_data(draft={**data.get("draft", {}), **changes})
    index = STEPS.index(STEP_BY_NAME[name])
    if data.get("mode") == "create" and not data.get("jump") and index + 1 < len(STEPS):
        await _ask(event, state, STEPS[index + 1].name)
    else:
        await _preview(event, state, settings, i18n)


def _current_field(state_name: str | None, data: dict[str, Any]) -> str | None:
    if state_name == EventEdit.value.state:
        return str(data.get("field") or "") or None
    step = STEP_BY_STATE.get(state_name or "")
    return step.name if step else None


# ----------------------------------------------------------------------------- entry points


@router.callback_query(AdminEvCb.filter(F.action == "new"))
async def start_create(
    callback: CallbackQuery, callback_data: AdminEvCb, state: FSMContext
) -> None:
    await state.set_data({"mode": "create", "draft": {}, "page": callback_data.page})
    await _ask(callback, state, STEPS[0].name)


@router.callback_query(AdminEvCb.filter(F.action == "edit"))
async def start_edit(
    callback: CallbackQuery,
    callback_data: AdminEvCb,
    state: FSMContext,
    events: EventService,
) -> None:
    try:
        event = await events.get(callback_data.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    await state.set_state(EventEdit.field)
    await state.set_data(
        {
            "mode": "edit",
            "event_id": event.id,
            "page": callback_data.page,
            "draft": draft_to_data(draft_of(event)),
            "jump": True,
        }
    )
    screen = admin_views.fields_screen(editing=True)
    await show(callback, screen.text, screen.markup)


# ----------------------------------------------------------------------------- answers


@router.message(StateFilter(*TEXT_STEPS, EventEdit.value), F.text)
async def typed_answer(
    message: Message, state: FSMContext, settings: Settings, clock: Clock, i18n: I18n
) -> None:
    data = await state.get_data()
    name = _current_field(await state.get_state(), data)
    if name is None or STEP_BY_NAME[name].buttons:
        await message.answer(_("Please choose with the buttons above."))
        return
    try:
        changes = read_text_field(
            name, message.text or "", data.get("draft", {}), settings.tz, clock.now()
        )
    except EventInputError as exc:
        await _ask(message, state, name, input_error_text(exc))
        return
    await _advance(message, state, name, changes, settings, i18n)


@router.callback_query(IN_DIALOG, DialogCb.filter(F.action == "pick"))
async def picked(
    callback: CallbackQuery,
    callback_data: DialogCb,
    state: FSMContext,
    settings: Settings,
    i18n: I18n,
) -> None:
    data = await state.get_data()
    name = _current_field(await state.get_state(), data)
    if name is None or not STEP_BY_NAME[name].buttons:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    try:
        changes = read_choice(name, callback_data.value)
    except EventInputError:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    await _advance(callback, state, name, changes, settings, i18n)


@router.callback_query(IN_DIALOG, DialogCb.filter(F.action == "skip"))
async def skipped(
    callback: CallbackQuery, state: FSMContext, settings: Settings, clock: Clock, i18n: I18n
) -> None:
    data = await state.get_data()
    name = _current_field(await state.get_state(), data)
    if name is None or not STEP_BY_NAME[name].optional:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    changes = read_text_field(name, "-", data.get("draft", {}), settings.tz, clock.now())
    await _advance(callback, state, name, changes, settings, i18n)


@router.message(StateFilter(*TEXT_STEPS, EventEdit.value, EventCreate.category))
async def not_text(message: Message) -> None:
    await message.answer(_("Please send text, or use the buttons above. /cancel stops."))


# ----------------------------------------------------------------------------- navigation


@router.callback_query(IN_DIALOG, DialogCb.filter(F.action == "back"))
async def go_back(
    callback: CallbackQuery,
    state: FSMContext,
    events: EventService,
    settings: Settings,
    i18n: I18n,
) -> None:
    current = await state.get_state()
    data = await state.get_data()
    if current == EventCreate.confirm.state:
        await state.update_data(jump=False)
        await _ask(callback, state, STEPS[-1].name)
        return
    if current in (EventEdit.value.state, EventEdit.field.state):
        if data.get("mode") == "edit" and current == EventEdit.value.state:
            await state.set_state(EventEdit.field)
            screen = admin_views.fields_screen(editing=True)
            await show(callback, screen.text, screen.markup)
        else:
            await _preview(callback, state, settings, i18n)
        return
    step = STEP_BY_STATE.get(current or "")
    index = STEPS.index(step) if step else 0
    if index == 0:
        await cancel_dialog(callback, state, events, settings, i18n)
        return
    await _ask(callback, state, STEPS[index - 1].name)


@router.callback_query(IN_DIALOG, DialogCb.filter(F.action == "fields"))
async def choose_field(callback: CallbackQuery, state: FSMContext) -> None:
    data = await state.get_data()
    await state.set_state(EventEdit.field)
    screen = admin_views.fields_screen(editing=data.get("mode") == "edit")
    await show(callback, screen.text, screen.markup)


@router.callback_query(IN_DIALOG, DialogCb.filter(F.action == "field"))
async def field_chosen(callback: CallbackQuery, callback_data: DialogCb, state: FSMContext) -> None:
    if callback_data.value not in STEP_BY_NAME:
        await callback.answer(_("This button is no longer valid."), show_alert=True)
        return
    await state.update_data(jump=True)
    await _ask(callback, state, callback_data.value)


@router.callback_query(IN_DIALOG, DialogCb.filter(F.action == "preview"))
async def back_to_preview(
    callback: CallbackQuery, state: FSMContext, settings: Settings, i18n: I18n
) -> None:
    await _preview(callback, state, settings, i18n)


@router.callback_query(
    StateFilter(EventCreate, EventEdit, EventImport), DialogCb.filter(F.action == "cancel")
)
async def cancel_dialog(
    callback: CallbackQuery,
    state: FSMContext,
    events: EventService,
    settings: Settings,
    i18n: I18n,
) -> None:
    page = int((await state.get_data()).get("page", 0))
    await state.clear()
    await show_admin_list(
        callback, page, events=events, settings=settings, i18n=i18n, note=_("❌ Cancelled.")
    )


# ----------------------------------------------------------------------------- saving


@router.callback_query(
    StateFilter(EventCreate.confirm, EventEdit.confirm), DialogCb.filter(F.action == "save")
)
async def save(
    callback: CallbackQuery,
    state: FSMContext,
    events: EventService,
    settings: Settings,
    clock: Clock,
    i18n: I18n,
    db_user: UserDTO,
) -> None:
    data = await state.get_data()
    # Everything is checked before the first write, and the dialog state is cleared before it
    # too: on SQLite the FSM storage writes through another connection, which would wait for
    # this update's open write transaction.
    try:
        draft = complete_draft(data["draft"])
        event_id = int(data["event_id"]) if data.get("mode") == "edit" else None
        if event_id is not None:
            before = await events.get(event_id)
            if draft.starts_at != before.starts_at:
                check_future(draft.starts_at, clock.now(), all_day=draft.all_day)
        else:
            check_future(draft.starts_at, clock.now(), all_day=draft.all_day)
    except EventInputError as exc:
        await state.update_data(jump=True)
        await _ask(callback, state, "start", input_error_text(exc))
        return
    except (EventNotFoundError, KeyError, ValueError):
        await state.clear()
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    await state.clear()
    try:
        if event_id is not None:
            event = await events.update(event_id, draft)
        else:
            event = await events.create(draft, actor_id=db_user.id)
    except EventNotFoundError:
        await callback.answer(_("This event is no longer available."), show_alert=True)
        return
    screen = admin_views.admin_card(
        event, page=int(data.get("page", 0)), lang=i18n.current_locale, tz=settings.tz
    )
    await show(callback, _("✅ Saved.") + "\n" + screen.text, screen.markup, toast=_("✅ Saved."))
