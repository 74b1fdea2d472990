"""Asking a consultant: the entry (`begin`) and the ask dialog on aiogram-dialog.

write (as many messages as they like: text, photos, documents, voice, albums) → up to three FAQ
answers that may already answer it → topic → summary → send. Every message is stored in the
draft as it comes (bot.services.desk.tickets), so nothing is lost if they stop half-way or the
bot restarts; the dialog's step is in the persistent FSM storage.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from aiogram_dialog import Dialog, DialogManager, ShowMode, StartMode, Window
from aiogram_dialog.widgets.input import MessageInput
from aiogram_dialog.widgets.kbd import Button, Column, Row, Select, SwitchTo
from aiogram_dialog.widgets.text import Format

from bot.clock import Clock
from bot.services.desk.model import TOPICS, DeskError, Incoming
from bot.services.desk.tickets import DeskService
from bot.services.faq.service import FaqService
from db.repositories.users import UserDTO
from handlers.desk.person import views
from handlers.desk.person.messages import incoming, is_desk_message
from handlers.desk.person.states import AskDialog
from handlers.desk.texts import topic_title
from handlers.dialogs import Tr
from handlers.faq import views as faq_views
from handlers.screens import Screen, show, user_language

SUGGESTED = 3
SUGGESTED_FOR = "desk_suggested_for"  # FSM data: the draft FAQ answers were offered for
EXCERPT = 300


def person_name(event: Message | CallbackQuery) -> str:
    user = event.from_user
    return user.full_name if user else "—"


async def begin(
    event: Message | CallbackQuery,
    dialog_manager: DialogManager,
    desk: DeskService,
    db_user: UserDTO,
    *,
    origin_query: str | None = None,
    query_message_id: int | None = None,
    faq_entry_id: str | None = None,
    carried: Sequence[Incoming] = (),
    clock: Clock,
) -> None:
    """Open (or resume) the person's draft question and show the dialog's first window.
    `carried`: messages they wrote before asking (after a question closed long ago), added to
    the draft as its first (or next) ones."""
    try:
        await desk.start(
            db_user.id,
            language=user_language(),
            person_name=person_name(event),
            origin_query=origin_query,
            faq_entry_id=faq_entry_id or None,
        )
    except DeskError as error:
        await show(event, views.error_screen(error))
        return
    if origin_query and query_message_id and not await desk.draft_content(db_user.id):
        # "It didn't help": what they searched for is the start of the question.
        chat_id = event.chat.id if isinstance(event, Message) else db_user.id
        await desk.add_to_draft(
            db_user.id,
            incoming_text(chat_id, query_message_id, db_user.id, origin_query, clock),
        )
    for message in carried:
        await desk.add_to_draft(db_user.id, message)  # stored once, however often pressed
    if isinstance(event, CallbackQuery):
        await event.answer()
    # A new message: an answer the button was pressed under stays in view.
    await dialog_manager.start(AskDialog.write, mode=StartMode.RESET_STACK, show_mode=ShowMode.SEND)


def incoming_text(chat_id: int, message_id: int, author: int, text: str, clock: Clock) -> Incoming:
    return Incoming(chat_id, message_id, author, "text", text, None, clock.now())


# ----------------------------------------------------------------------------- getters


def _deps(manager: DialogManager) -> tuple[DeskService, UserDTO]:
    data = manager.middleware_data
    return data["desk"], data["db_user"]


async def write_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    desk, user = _deps(dialog_manager)
    messages = await desk.draft_content(user.id)
    if not messages:
        text = _(
            "✍️ <b>Your question to a consultant</b>\n\n"
            "Write it in your own words, in Kazakh or Russian. You can send several messages, "
            "photos, documents or voice messages. When you are done, press «Next».\n\n"
            "/cancel stops."
        )
    else:
        count = len(messages)
        text = ngettext(
            "✍️ <b>Your question</b>: {n} message so far.",
            "✍️ <b>Your question</b>: {n} messages so far.",
            count,
        ).format(n=count)
        first = next((m.text for m in messages if m.text), None)
        if first:
            text += "\n\n<i>" + html.escape(first[:EXCERPT]) + "</i>"
        text += "\n\n" + _("Add more if you like, or press «Next».")
    problem = dialog_manager.dialog_data.pop("problem", None)
    if problem:
        text = f"{problem}\n\n{text}"
    return {"text": text, "has_messages": bool(messages)}


async def suggest_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    faq: FaqService = dialog_manager.middleware_data["faq"]
    lang = user_language()
    entries = []
    for entry_id in dialog_manager.dialog_data.get("suggested", []):
        entry = faq.catalog.entry(entry_id)
        if entry is not None:
            entries.append((entry.id, faq_views.button_text(entry.question[lang], "🔹 ")))
    text = _(
        "🔎 Maybe the answer is already in the knowledge base? Tap a question to read it.\n\n"
        "If none fits, press «No, ask a person»."
    )
    return {"text": text, "entries": entries}


async def topic_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return {
        "text": _("🏷 What is your question about?"),
        "topics": [(topic, topic_title(topic)) for topic in TOPICS],
    }


async def summary_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    desk, user = _deps(dialog_manager)
    messages = await desk.draft_content(user.id)
    topic = str(dialog_manager.dialog_data.get("topic", "other"))
    kinds: dict[str, int] = {}
    for message in messages:
        kinds[message.kind] = kinds.get(message.kind, 0) + 1
    lines = [
        _("📝 <b>Your question</b>"),
        "",
        _("🏷 Topic: {topic}").format(topic=html.escape(topic_title(topic))),
        ngettext("✉️ {n} message", "✉️ {n} messages", len(messages)).format(n=len(messages)),
    ]
    attachments = sum(n for kind, n in kinds.items() if kind != "text")
    if attachments:
        lines.append(
            ngettext("📎 {n} attachment", "📎 {n} attachments", attachments).format(n=attachments)
        )
    texts = [m.text for m in messages if m.text]
    if texts:
        lines += ["", "<i>" + html.escape(" ".join(texts)[:EXCERPT]) + "</i>"]
    lines += ["", _("Send it to the consultants?")]
    return {"text": "\n".join(lines)}


async def drop_getter(dialog_manager: DialogManager, **_kwargs: Any) -> dict[str, Any]:
    return {"text": _("🗑 Delete this unfinished question? What you wrote will be lost.")}


# ----------------------------------------------------------------------------- handlers


async def on_message(message: Message, _widget: MessageInput, manager: DialogManager) -> None:
    desk, user = _deps(manager)
    clock: Clock = manager.middleware_data["clock"]
    if not is_desk_message(message):
        manager.dialog_data["problem"] = _(
            "I can take text, photos, documents, video and voice messages. Please send your "
            "question as one of these."
        )
        await manager.switch_to(AskDialog.write)
        return
    try:
        await desk.add_to_draft(user.id, incoming(message, clock))
    except DeskError:
        # The draft is gone (sent or deleted elsewhere): start a new one with this message.
        await desk.start(user.id, language=user_language(), person_name=person_name(message))
        await desk.add_to_draft(user.id, incoming(message, clock))
    album = message.media_group_id
    if album is not None and manager.dialog_data.get("album") == album:
        # The rest of an album: one window for all of it, its count brought up to date.
        manager.show_mode = ShowMode.EDIT
        return
    manager.dialog_data["album"] = album
    manager.show_mode = ShowMode.DELETE_AND_SEND
    await manager.switch_to(AskDialog.write)


async def on_next(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    desk, user = _deps(manager)
    messages = await desk.draft_content(user.id)
    if not messages:
        manager.dialog_data["problem"] = views.error_text(DeskError("empty"))
        return
    draft = await desk.draft(user.id)
    state: FSMContext = manager.middleware_data["state"]
    offered = (await state.get_data()).get(SUGGESTED_FOR)
    if draft is not None and offered != draft.id:
        # Once per question: after reading one of them, "Ask a consultant" goes straight on.
        await state.update_data({SUGGESTED_FOR: draft.id})
        faq: FaqService = manager.middleware_data["faq"]
        text = " ".join(m.text for m in messages if m.text)
        found: list[str] = []
        if text.strip():
            reply = faq.catalog.search(text, user_language()).reply
            candidates = ([reply.entry] if reply.entry else []) + list(reply.others)
            skip = draft.faq_entry_id
            found = [e.id for e in candidates if e.id != skip][:SUGGESTED]
        if found:
            manager.dialog_data["suggested"] = found
            await manager.switch_to(AskDialog.suggest)
            return
    await manager.switch_to(AskDialog.topic)


async def on_open_entry(
    callback: CallbackQuery, _widget: Select[str], manager: DialogManager, entry_id: str
) -> None:
    """One tap opens one answer; the draft stays, «Ask a consultant» under it goes back."""
    faq: FaqService = manager.middleware_data["faq"]
    entry = faq.catalog.entry(entry_id)
    if entry is None:
        await callback.answer(_("This question is no longer available."), show_alert=True)
        return
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await show(callback, faq_views.answer_screen(faq.catalog, entry))


async def on_topic(
    _callback: CallbackQuery, _widget: Select[str], manager: DialogManager, topic: str
) -> None:
    manager.dialog_data["topic"] = topic if topic in TOPICS else "other"
    await manager.switch_to(AskDialog.summary)


async def on_send(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    desk, user = _deps(manager)
    topic = str(manager.dialog_data.get("topic", "other"))
    try:
        result = await desk.submit(user.id, topic)
    except DeskError as error:
        if error.code == "empty":
            manager.dialog_data["problem"] = views.error_text(error)
            await manager.switch_to(AskDialog.write)
            return
        await manager.done(show_mode=ShowMode.NO_UPDATE)
        await show(callback, views.error_screen(error))
        return
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await show(callback, views.submitted_screen(result))


async def on_start_over(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    desk, user = _deps(manager)
    await desk.drop_draft(user.id)
    await desk.start(user.id, language=user_language(), person_name=person_name(callback))
    manager.dialog_data.clear()
    await manager.switch_to(AskDialog.write)


async def on_drop(callback: CallbackQuery, _button: Button, manager: DialogManager) -> None:
    desk, user = _deps(manager)
    await desk.drop_draft(user.id)
    await manager.done(show_mode=ShowMode.NO_UPDATE)
    await show(callback, Screen(_("🗑 Deleted. Nothing was sent."), views.menu_keyboard()))


# ----------------------------------------------------------------------------- windows


def ask_dialog() -> Dialog:
    cancel = SwitchTo(Tr("✖️ Cancel"), id="cancel", state=AskDialog.drop)
    write = Window(
        Format("{text}"),
        Button(Tr("➡️ Next"), id="next", on_click=on_next, when="has_messages"),
        Row(
            Button(Tr("🔄 Start over"), id="over", on_click=on_start_over, when="has_messages"),
            cancel,
        ),
        MessageInput(on_message, filter=~F.text.startswith("/")),
        state=AskDialog.write,
        getter=write_getter,
    )
    suggest = Window(
        Format("{text}"),
        Column(
            Select(
                Format("{item[1]}"),
                id="entry",
                item_id_getter=lambda item: item[0],
                items="entries",
                on_click=on_open_entry,
            )
        ),
        SwitchTo(Tr("➡️ No, ask a person"), id="person", state=AskDialog.topic),
        Row(SwitchTo(Tr("⬅️ Back"), id="back", state=AskDialog.write), cancel),
        MessageInput(on_message, filter=~F.text.startswith("/")),
        state=AskDialog.suggest,
        getter=suggest_getter,
    )
    topic = Window(
        Format("{text}"),
        Column(
            Select(
                Format("{item[1]}"),
                id="topic",
                item_id_getter=lambda item: item[0],
                items="topics",
                on_click=on_topic,
            )
        ),
        Row(SwitchTo(Tr("⬅️ Back"), id="back", state=AskDialog.write), cancel),
        MessageInput(on_message, filter=~F.text.startswith("/")),
        state=AskDialog.topic,
        getter=topic_getter,
    )
    summary = Window(
        Format("{text}"),
        Button(Tr("✅ Send"), id="send", on_click=on_send),
        Row(
            SwitchTo(Tr("✏️ Add more"), id="more", state=AskDialog.write),
            SwitchTo(Tr("🏷 Change topic"), id="retopic", state=AskDialog.topic),
        ),
        cancel,
        MessageInput(on_message, filter=~F.text.startswith("/")),
        state=AskDialog.summary,
        getter=summary_getter,
    )
    drop = Window(
        Format("{text}"),
        Row(
            Button(Tr("🗑 Yes, delete"), id="drop", on_click=on_drop),
            SwitchTo(Tr("⬅️ No, go on"), id="keep", state=AskDialog.write),
        ),
        state=AskDialog.drop,
        getter=drop_getter,
    )
    return Dialog(write, suggest, topic, summary, drop)
