""" "Edit everywhere": the admin sends the corrected text (or caption) of each language version;
every delivered copy is then edited through the outbox."""

from __future__ import annotations

from typing import Any

from aiogram.enums import ContentType
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button
from aiogram_dialog.widgets.text import Format

from bot.delivery.messages import MAX_CAPTION, MAX_TEXT, visible_length
from bot.services.broadcasts.content import BroadcastInputError
from bot.services.broadcasts.service import BroadcastService, BroadcastStateError
from db.repositories.broadcasts import BroadcastDTO
from db.repositories.users import UserDTO
from handlers.broadcasts import views
from handlers.dialogs import Tr


class EditEverywhere(StatesGroup):
    text = State()
    confirm = State()


def _service(manager: DialogManager) -> BroadcastService:
    service: BroadcastService = manager.middleware_data["broadcasts"]
    return service


def _admin(manager: DialogManager) -> int:
    user: UserDTO = manager.middleware_data["db_user"]
    return user.id


async def text_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    data = dialog_manager.dialog_data
    lang = data["langs"][len(data["texts"])]
    kind = data["kinds"][lang]
    what = _("text") if kind == "text" else _("caption")
    prompt = _(
        "✏️ Send the corrected {what} of the version in {language}. Every delivered copy will "
        "show it (the picture or file stays the same)."
    ).format(what=what, language=views.language_name(lang))
    problem = data.pop("problem", None)
    return {"text": f"{problem}\n\n{prompt}" if problem else prompt}


async def on_text(message: Message, _w: MessageInput, manager: DialogManager) -> None:
    data = manager.dialog_data
    lang = data["langs"][len(data["texts"])]
    limit = MAX_TEXT if data["kinds"][lang] == "text" else MAX_CAPTION
    text = message.html_text
    length = visible_length(text)
    if length > limit:
        code = "text_too_long" if limit == MAX_TEXT else "caption_too_long"
        data["problem"] = views.input_error(BroadcastInputError(code, length=length, limit=limit))
        return
    data["texts"][lang] = text
    if len(data["texts"]) == len(data["langs"]):
        await manager.switch_to(EditEverywhere.confirm)


async def on_not_text(message: Message, _w: MessageInput, manager: DialogManager) -> None:
    manager.dialog_data["problem"] = _("⚠️ Send the new text as a text message.")


async def confirm_getter(dialog_manager: DialogManager, **_kw: Any) -> dict[str, Any]:
    return {
        "text": _("✏️ Edit every delivered copy of broadcast #{id} now?").format(
            id=dialog_manager.dialog_data["id"]
        )
    }


async def on_confirm(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    data = manager.dialog_data
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    try:
        count = await _service(manager).edit_everywhere(data["id"], _admin(manager), data["texts"])
        note = _("✏️ Editing {n} copies. The progress follows below.").format(n=count)
    except BroadcastInputError as exc:
        note = views.input_error(exc)
    except BroadcastStateError:
        note = _("⚠️ This broadcast cannot be edited now.")
    await callback.answer()
    if isinstance(callback.message, Message):
        await callback.message.edit_text(note)


async def on_cancel(callback: CallbackQuery, _b: Button, manager: DialogManager) -> None:
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await callback.answer(_("❌ Cancelled."))
    if isinstance(callback.message, Message):
        await callback.message.edit_text(_("❌ Cancelled. The copies stay as they were."))


async def _on_start(start_data: Any, manager: DialogManager) -> None:
    if isinstance(start_data, dict):
        manager.dialog_data.update(start_data)


def edit_dialog() -> Dialog:
    cancel = Button(Tr("✖️ Cancel"), id="cancel", on_click=on_cancel)
    return Dialog(
        Window(
            Format("{text}"),
            cancel,
            MessageInput(on_text, content_types=ContentType.TEXT),
            MessageInput(on_not_text),
            state=EditEverywhere.text,
            getter=text_getter,
        ),
        Window(
            Format("{text}"),
            Button(Tr("✅ Yes, edit"), id="confirm", on_click=on_confirm),
            cancel,
            state=EditEverywhere.confirm,
            getter=confirm_getter,
        ),
        on_start=_on_start,
    )


async def start_edit(manager: DialogManager, broadcast: BroadcastDTO) -> None:
    langs = [broadcast.default_language] + [
        k for k in broadcast.versions if k != broadcast.default_language
    ]
    data = {
        "id": broadcast.id,
        "langs": langs,
        "kinds": {k: v.kind for k, v in broadcast.versions.items()},
        "texts": {},
    }
    await manager.start(EditEverywhere.text, data=data, mode=StartMode.RESET_STACK)
