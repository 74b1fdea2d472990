"""What consultants write: in a question's topic of the consultants' group, or — without a
group — in their private chat, as a reply to the bot's copy of the person's message or to the
question they have open. The owner's words go to the person, signed; anyone else's, and
anything starting with //, stay an internal note (the bot marks it with 🙈).
"""

from __future__ import annotations

import html
import logging

from aiogram import F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.services.desk.consultants import ConsultantAdmin
from bot.services.desk.model import (
    INTERNAL_PREFIX,
    DeskError,
    EditOutcome,
    NotAllowedError,
    Status,
)
from bot.services.desk.staff import StaffDeskService
from db.repositories.desk import TicketDTO
from handlers.desk.callbacks import DeskCb
from handlers.desk.person.messages import edited
from handlers.desk.staff.card import undeliverable
from handlers.desk.staff.common import (
    InWorkspace,
    IsStaff,
    PrivateMode,
    StaffStates,
    content_kind,
    incoming,
    is_command,
    log_refusal,
    mark_note,
    not_command,
    refusal,
    thread_of,
)
from handlers.screens import button, keyboard

log = logging.getLogger(__name__)

# What a consultant may send the person: copied by the bot (a service message is not content).
RELAYABLE = frozenset(
    {
        "text",
        "photo",
        "document",
        "voice",
        "video",
        "video_note",
        "audio",
        "animation",
        "sticker",
        "location",
        "contact",
    }
)


async def _relay(
    message: Message,
    ticket: TicketDTO,
    staff: StaffDeskService,
    consultants: ConsultantAdmin,
    clock: Clock,
) -> None:
    assert message.from_user is not None
    await consultants.name_from_telegram(message.from_user.id, message.from_user.first_name)
    try:
        result = await staff.message(ticket.id, message.from_user.id, incoming(message, clock))
    except NotAllowedError as error:
        log_refusal(error, message.from_user.id, "message to a question")
        await message.reply(_("⛔ You are not a consultant of the desk: this was not sent."))
        return
    except DeskError as error:
        log_refusal(error, message.from_user.id, "message to a question")
        await message.reply(refusal(error))
        return
    if result.relayed:
        if result.unreachable:
            await message.reply(undeliverable(ticket.id))
        return
    await mark_note(message)
    private = message.chat.type == "private"
    internal = (message.text or "").startswith(INTERNAL_PREFIX)
    if private and not internal and result.ticket.owner_id is None:
        await message.reply(
            _(
                "🙈 Kept as a note for colleagues: only the question's consultant writes to the "
                "person. Press «✋ Take» to answer #{id}."
            ).format(id=ticket.id)
        )


# --- the consultants' group ------------------------------------------------------------------


async def on_topic_message(
    message: Message,
    desk_staff: StaffDeskService,
    consultants: ConsultantAdmin,
    clock: Clock,
) -> None:
    thread = thread_of(message)
    if thread is None or content_kind(message) not in RELAYABLE:
        return  # the General topic, or a service message: nothing for the desk
    ticket = await desk_staff.ticket_of_thread(thread)
    if ticket is None:
        return  # a topic people opened themselves
    await _relay(message, ticket, desk_staff, consultants, clock)


# --- private chats (no group) ----------------------------------------------------------------


async def on_private_message(
    message: Message,
    desk_staff: StaffDeskService,
    consultants: ConsultantAdmin,
    clock: Clock,
) -> None:
    """A consultant's message goes to the question whose copy it replies to, else to their
    current question; with neither, it is an ordinary message (a consultant is a user too)."""
    assert message.from_user is not None
    if is_command(message) or content_kind(message) not in RELAYABLE:
        raise SkipHandler
    ticket = None
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.is_bot:
        ticket = await desk_staff.ticket_of_copy(message.chat.id, replied.message_id)
    if ticket is None:
        current = await desk_staff.current_of(message.from_user.id)
        # A closed question no longer catches what they write: it is an ordinary message.
        ticket = current if current is not None and current.status != Status.CLOSED else None
    if ticket is None:
        raise SkipHandler
    await _relay(message, ticket, desk_staff, consultants, clock)


# --- corrections --------------------------------------------------------------------------


async def on_edit(message: Message, desk_staff: StaffDeskService, clock: Clock) -> None:
    """A consultant corrected a message of theirs in a question: the person's copy follows.
    In a private chat anything else is a person's edit (a consultant is a user too)."""
    if message.from_user is None:
        return
    try:
        outcome = await desk_staff.edited(message.from_user.id, edited(message, clock))
    except DeskError as error:
        log_refusal(error, message.from_user.id, "edit of a message")
        return
    if outcome == EditOutcome.IGNORED and message.chat.type == "private":
        raise SkipHandler
    log.debug("desk: a consultant's edit was %s", outcome)


# --- the reason of a ban ---------------------------------------------------------------------


async def on_ban_reason(message: Message, state: FSMContext, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    data = await state.get_data()
    if data.get("thread") != thread_of(message):
        raise SkipHandler  # written in another topic: an ordinary message there
    ticket_id = int(data.get("ban", 0))
    reason = message.text or ""
    try:
        await desk_staff.ban(ticket_id, message.from_user.id, reason)
    except DeskError as error:
        log_refusal(error, message.from_user.id, "ban")
        if error.code != "ban_needs_reason":
            await state.clear()
        await message.answer(refusal(error))
        return
    await state.clear()
    await message.answer(
        _("⛔ The person of #{id} is banned from the desk: {reason}").format(
            id=ticket_id, reason=html.escape(" ".join(reason.split()))
        ),
        reply_markup=keyboard([button(_("✅ Lift the ban"), DeskCb(action="unban", t=ticket_id))]),
    )


async def on_cancel(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("❌ Cancelled."))


def ban_reason_router(name: str) -> Router:
    router = Router(name=name)
    router.message.filter(IsStaff(), StateFilter(StaffStates.ban_reason))
    router.message.register(on_ban_reason, F.text, not_command)
    return router


def workspace_router() -> Router:
    """Messages in the consultants' group; everything else there is left alone."""
    from handlers.desk.staff.commands import commands_router, snippet_steps_router

    router = Router(name="desk.staff.workspace")
    router.message.filter(InWorkspace())
    router.edited_message.filter(InWorkspace())
    router.callback_query.filter(InWorkspace())
    router.edited_message.register(on_edit, F.from_user)
    cancel = Router(name="desk.staff.workspace.cancel")
    cancel.message.register(on_cancel, Command("cancel"), ~StateFilter(None))
    router.include_routers(
        cancel,
        ban_reason_router("desk.staff.workspace.ban"),
        snippet_steps_router("desk.staff.workspace.snippets"),
        commands_router("desk.staff.workspace.commands"),
    )
    # A router's own handlers go before its sub-routers: the topic's messages are a sub-router
    # of their own, after the steps and commands. Not a question's topic, someone else's
    # command, a service message: silence.
    topics = Router(name="desk.staff.workspace.topics")
    topics.message.register(on_topic_message, not_command)
    router.include_router(topics)
    return router


def private_router() -> Router:
    """In the private chat: the answers the staff's steps wait for, then (without a group)
    the consultant's messages to their questions. After the dialogs, before the person's
    follow-ups and the FAQ search."""
    from handlers.desk.staff.commands import snippet_steps_router

    router = Router(name="desk.staff.private")
    router.include_routers(
        ban_reason_router("desk.staff.private.ban"),
        snippet_steps_router("desk.staff.private.snippets"),
    )
    replies = Router(name="desk.staff.private.replies")
    replies.message.filter(PrivateMode(), IsStaff())
    replies.message.register(on_private_message)
    replies.edited_message.filter(PrivateMode(), IsStaff())
    replies.edited_message.register(on_edit)
    router.include_router(replies)
    return router
