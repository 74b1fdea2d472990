"""Importing several events from a file an admin sends: a one-window aiogram-dialog, and the
same import for a file sent outside it (any document that looks like an events file)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot, Router
from aiogram.enums import ContentType
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, Document, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Row
from aiogram_dialog.widgets.text import Format
from aiohttp import ClientError

from bot.clock import Clock
from bot.config import Settings
from bot.services.events.examples import DateExamples, date_examples
from bot.services.events.import_template import template_csv, template_xlsx
from bot.services.events.importer import MAX_FILE_BYTES, FileFormatError, file_kind
from bot.services.events.service import EventService, ImportOutcome
from db.repositories.users import UserDTO
from handlers.callbacks import MenuCb
from handlers.dialogs import Tr
from handlers.events import admin_views, formatting
from handlers.events.callbacks import AdminEvCb
from handlers.events.errors_text import file_error_text, import_report
from handlers.screens import Screen, button, keyboard, show, user_language

log = logging.getLogger(__name__)
SHOWN_CREATED = 20


class EventImport(StatesGroup):
    waiting_file = State()


# Outside the import dialog only files that are surely meant as events files are imported;
# a .txt an admin sends could be anything.
_IMPORTED_UNASKED = frozenset({"yaml", "csv", "xlsx", "xls"})


class IsEventFile(Filter):
    """A document whose name says it is an events file; anything else passes by."""

    async def __call__(self, message: Message) -> bool:
        document = message.document
        if document is None or (document.file_name or "").lower().endswith((".txt", ".tsv")):
            return False
        return file_kind(document.file_name) in _IMPORTED_UNASKED


def _examples(settings: Settings, clock: Clock) -> DateExamples:
    return date_examples(clock.now(), settings.tz)


async def _download(bot: Bot, document: Document) -> bytes:
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        raise FileFormatError("too_big", limit_kb=MAX_FILE_BYTES // 1024)
    try:
        buffer = await bot.download(document)
    except (TelegramAPIError, ClientError, TimeoutError) as exc:
        # The type only: a download error's text can quote the file URL, which holds the token.
        log.warning("could not download import file: %s", type(exc).__name__)
        raise FileFormatError("download") from None
    if buffer is None:
        raise FileFormatError("download")
    return buffer.read(MAX_FILE_BYTES + 1)


async def run_import(
    message: Message, bot: Bot, events: EventService, db_user: UserDTO
) -> ImportOutcome:
    """Raises FileFormatError when the file as a whole cannot be read."""
    document = message.document
    if document is None:
        raise FileFormatError("unknown_type")
    data = await _download(bot, document)
    return await events.import_file(document.file_name, data, actor_id=db_user.id)


def success_screen(outcome: ImportOutcome, settings: Settings) -> Screen:
    count = len(outcome.created)
    lines = [ngettext("✅ Imported {n} event:", "✅ Imported {n} events:", count).format(n=count)]
    lang = user_language()
    for event in outcome.created[:SHOWN_CREATED]:
        lines.append("• " + formatting.list_line(event, lang, settings.tz))
    if count > SHOWN_CREATED:
        lines.append(_("…and {n} more.").format(n=count - SHOWN_CREATED))
    markup = keyboard(
        [button(_("📅 Events and deadlines"), AdminEvCb(action="list"))],
        [button(_("🏠 Main menu"), MenuCb(action="main"))],
    )
    return Screen("\n".join(lines), markup)


def problem_text(
    exc_or_outcome: FileFormatError | ImportOutcome, settings: Settings, clock: Clock
) -> str:
    if isinstance(exc_or_outcome, FileFormatError):
        return file_error_text(exc_or_outcome)
    examples = _examples(settings, clock)
    return import_report(exc_or_outcome.issues, exc_or_outcome.row_label, examples)


# ----------------------------------------------------------------------------- the dialog


async def _prompt_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    settings: Settings = dialog_manager.middleware_data["settings"]
    clock: Clock = dialog_manager.middleware_data["clock"]
    text = admin_views.import_prompt(_examples(settings, clock)).text
    problem = dialog_manager.dialog_data.get("problem")
    return {"text": f"{problem}\n\n{text}" if problem else text}


async def _on_file(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    data = manager.middleware_data
    settings: Settings = data["settings"]
    try:
        outcome = await run_import(message, data["bot"], data["events"], data["db_user"])
    except FileFormatError as exc:
        manager.dialog_data["problem"] = problem_text(exc, settings, data["clock"])
        return
    if outcome.issues:
        manager.dialog_data["problem"] = problem_text(outcome, settings, data["clock"])
        return
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await show(message, success_screen(outcome, settings))


async def _on_other(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    manager.dialog_data["problem"] = _(
        "Send the events as a file (.xlsx, .csv or .yaml, as a document), or press Cancel."
    )


async def _send_template(callback: CallbackQuery, button: Button, manager: DialogManager) -> None:
    settings: Settings = manager.middleware_data["settings"]
    clock: Clock = manager.middleware_data["clock"]
    build = template_xlsx if button.widget_id == "template_xlsx" else template_csv
    template = build(clock.now(), settings.tz)
    await callback.answer()
    if callback.bot is not None:
        await callback.bot.send_document(
            callback.from_user.id, BufferedInputFile(template.data, template.filename)
        )


async def _on_cancel(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    events: EventService = manager.middleware_data["events"]
    settings: Settings = manager.middleware_data["settings"]
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    screen = admin_views.admin_list(
        await events.admin_page(0), lang=user_language(), tz=settings.tz
    )
    note = _("❌ Cancelled.")
    await show(callback, admin_views.with_note(screen, note), toast=note)


def import_dialog() -> Dialog:
    return Dialog(
        Window(
            Format("{text}"),
            Row(
                Button(Tr("📄 Template (Excel)"), id="template_xlsx", on_click=_send_template),
                Button(Tr("📄 Template (CSV)"), id="template_csv", on_click=_send_template),
            ),
            Button(Tr("✖️ Cancel"), id="cancel", on_click=_on_cancel),
            MessageInput(_on_file, content_types=ContentType.DOCUMENT),
            MessageInput(_on_other),
            state=EventImport.waiting_file,
            getter=_prompt_getter,
        )
    )


async def start_import(dialog_manager: DialogManager) -> None:
    await dialog_manager.start(EventImport.waiting_file, mode=StartMode.RESET_STACK)


# ----------------------------------------------------------------------------- outside it


async def import_sent_file(
    message: Message,
    bot: Bot,
    events: EventService,
    settings: Settings,
    clock: Clock,
    db_user: UserDTO,
) -> None:
    try:
        outcome = await run_import(message, bot, events, db_user)
    except FileFormatError as exc:
        await show(message, Screen(problem_text(exc, settings, clock)))
        return
    if outcome.issues:
        await show(message, Screen(problem_text(outcome, settings, clock)))
        return
    await show(message, success_screen(outcome, settings))


def file_router() -> Router:
    router = Router(name="events.import.file")
    router.message.register(import_sent_file, IsEventFile())
    return router


__all__ = ["file_router", "import_dialog", "start_import"]
