"""Importing several events from a YAML or CSV document an admin sends to the bot."""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Document, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from aiohttp import ClientError

from bot.config import Settings
from bot.services.events import formatting
from bot.services.events.errors_text import file_error_text, import_report
from bot.services.events.importer import MAX_FILE_BYTES, FileFormatError, file_kind
from bot.services.events.service import EventService
from db.repositories.users import UserDTO
from handlers.events import admin_views
from handlers.events.callbacks import AdminEvCb, DialogCb
from handlers.events.states import EventImport
from handlers.events.views import button
from handlers.screens import show

router = Router(name=__name__)
log = logging.getLogger(__name__)
SHOWN_CREATED = 20


def _is_event_file(document: Document) -> bool:
    return file_kind(document.file_name) is not None


def _retry_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(button(_("✖️ Cancel"), DialogCb(action="cancel")))
    return builder.as_markup()


def _done_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.row(button(_("📅 Events and deadlines"), AdminEvCb(action="list")))
    builder.row(button(_("⬅️ Back"), AdminEvCb(action="menu")))
    return builder.as_markup()


@router.callback_query(AdminEvCb.filter(F.action == "import"))
async def ask_for_file(callback: CallbackQuery, state: FSMContext) -> None:
    await state.set_state(EventImport.waiting_file)
    screen = admin_views.import_prompt()
    await show(callback, screen.text, screen.markup)


async def _download(bot: Bot, document: Document) -> bytes:
    if document.file_size is not None and document.file_size > MAX_FILE_BYTES:
        raise FileFormatError("too_big", limit_kb=MAX_FILE_BYTES // 1024)
    try:
        buffer = await bot.download(document)
    except (TelegramAPIError, ClientError, TimeoutError) as exc:
        log.warning("could not download import file: %s", exc)
        raise FileFormatError("download") from None
    if buffer is None:
        raise FileFormatError("download")
    return buffer.read(MAX_FILE_BYTES + 1)


# In the import state any document; otherwise only files that look like an import, so that
# documents meant for other features are left alone.
@router.message(EventImport.waiting_file, F.document)
@router.message(StateFilter(None), F.document.func(_is_event_file))
async def import_file(
    message: Message,
    state: FSMContext,
    bot: Bot,
    events: EventService,
    settings: Settings,
    i18n: I18n,
    db_user: UserDTO,
) -> None:
    document = message.document
    assert document is not None  # guaranteed by the filters
    # Cleared before the import writes: on SQLite the FSM storage uses another connection,
    # which would wait for this update's write transaction. A failed import writes nothing,
    # so the state can be set back afterwards.
    await state.clear()
    try:
        data = await _download(bot, document)
        outcome = await events.import_file(document.file_name, data, actor_id=db_user.id)
    except FileFormatError as exc:
        await state.set_state(EventImport.waiting_file)
        await message.answer(file_error_text(exc), reply_markup=_retry_keyboard())
        return
    if outcome.issues:
        await state.set_state(EventImport.waiting_file)
        await message.answer(
            import_report(outcome.issues, outcome.row_label), reply_markup=_retry_keyboard()
        )
        return
    count = len(outcome.created)
    lines = [ngettext("✅ Imported {n} event:", "✅ Imported {n} events:", count).format(n=count)]
    lang = i18n.current_locale
    for event in outcome.created[:SHOWN_CREATED]:
        lines.append("• " + html.escape(formatting.list_button_text(event, lang, settings.tz)))
    if count > SHOWN_CREATED:
        lines.append(_("…and {n} more.").format(n=count - SHOWN_CREATED))
    await message.answer("\n".join(lines), reply_markup=_done_keyboard())


@router.message(EventImport.waiting_file)
async def not_a_file(message: Message) -> None:
    await message.answer(
        _("Send the events as a .yaml or .csv file (as a document), or press Cancel."),
        reply_markup=_retry_keyboard(),
    )
