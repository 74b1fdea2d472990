"""The person's questions after sending: follow-ups, /my, "Problem solved", "Did this solve it?",
stars and a comment. Every action names a question by id; the service checks from the database
that it is theirs (a forged id gets "not available", nothing changes)."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Bot
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.services.desk.model import (
    FLOOD_WINDOW,
    DeskError,
    Incoming,
    Status,
    TicketNotFoundError,
)
from bot.services.desk.tickets import DeskService
from db.repositories.desk import TicketDTO
from db.repositories.users import UserDTO
from handlers.desk.callbacks import AskCb
from handlers.desk.person import views
from handlers.desk.person.messages import edited, incoming, is_desk_message, mark_stored
from handlers.desk.person.states import DeskFeedback
from handlers.screens import show

log = logging.getLogger(__name__)

FLOOD_NOTED_KEY = "desk_flood_noted"
# FSM data: what the person wrote after their last question closed too long ago to reopen, for
# "✍️ Ask a new question" to carry over (as «Ask a consultant» carries the last FAQ search).
CARRY_KEY = "desk_carry"
CARRY_MAX = 10
CARRY_TTL = 24 * 3600  # seconds: a message older than this is not carried any more
COMMENT_KEY = "desk_comment_ticket"


# ------------------------------------------------------------------------------ follow-ups


async def has_question(message: Message, desk: DeskService, db_user: UserDTO) -> bool:
    """Filter of `follow_up`: a filter, not a check in the handler, because a handler that
    raises SkipHandler costs the whole inner middleware chain (aiogram-dialog's among it) for
    every message of the many people who have no question."""
    return is_desk_message(message) and await desk.may_follow_up(db_user.id)


async def follow_up(
    message: Message,
    desk: DeskService,
    db_user: UserDTO,
    bot: Bot,
    clock: Clock,
    state: FSMContext,
) -> None:
    """While a question is open, whatever the person writes goes to it (`has_question` lets
    through only who may have one); without one, the message goes on to the FAQ search
    (SkipHandler)."""
    result = await desk.follow_up(db_user.id, incoming(message, clock))
    if result is None:
        closed = await desk.closed_long_ago(db_user.id)
        if closed is None:
            raise SkipHandler
        await offer_new_question(message, closed, state, clock)
        return
    notes: list[str] = []
    if result.reopened:
        notes.append(
            _("♻️ Your question #{id} is open again: the consultants see your message.").format(
                id=result.ticket.id
            )
        )
    if result.off_hours is not None:
        notes.append(views.off_hours_note(result.off_hours))
    if result.flooding:
        now = clock.now().timestamp()
        noted = float((await state.get_data()).get(FLOOD_NOTED_KEY, 0) or 0)
        if now - noted >= FLOOD_WINDOW.total_seconds():
            # Saved before the reply goes out (a write after it would not be committed).
            await state.update_data({FLOOD_NOTED_KEY: now})
            notes.append(
                _(
                    "🐢 You are writing very fast. Everything is saved and the consultant will "
                    "read it all; it is easier for them if you put your thoughts in fewer, "
                    "longer messages."
                )
            )
    marked = await mark_stored(bot, message)
    if not marked:
        notes.insert(0, _("✓ Added to question #{id}.").format(id=result.ticket.id))
    if notes:
        await message.answer("\n\n".join(notes))


async def follow_edit(message: Message, desk: DeskService, db_user: UserDTO, clock: Clock) -> None:
    """The person edited a message: the consultants' copy follows when it belongs to an open
    question (or a draft); any other edit is left alone, silently."""
    outcome = await desk.edited(db_user.id, edited(message, clock))
    log.debug("desk: an edited message was %s", outcome)


async def offer_new_question(
    message: Message, closed: TicketDTO, state: FSMContext, clock: Clock
) -> None:
    """A message after the week in which it would have reopened `closed`: kept in the FSM data
    and answered with "✍️ Ask a new question" (an album gets one answer)."""
    kept = incoming(message, clock)
    now = clock.now().timestamp()
    carried = _fresh((await state.get_data()).get(CARRY_KEY), now)
    album = kept.media_group_id
    same_album = album is not None and any(item.get("group") == album for item in carried)
    if len(carried) < CARRY_MAX and all(item.get("id") != kept.message_id for item in carried):
        carried.append(
            {
                "id": kept.message_id,
                "kind": kept.kind,
                "text": kept.text,
                "group": album,
                "at": now,
            }
        )
    # Saved before the reply goes out (a write after it would not be committed).
    await state.update_data({CARRY_KEY: carried})
    if not same_album:
        searchable = kept.message_id if kept.kind == "text" and kept.text else None
        await show(message, views.closed_long_ago_screen(closed, searchable))


def carried_text(data: dict[str, Any], message_id: int, clock: Clock) -> str | None:
    """The text of a kept message (None: not kept, or no text)."""
    for item in _fresh(data.get(CARRY_KEY), clock.now().timestamp()):
        if item.get("id") == message_id and item.get("text"):
            return str(item["text"])
    return None


def _fresh(carried: object, now: float) -> list[dict[str, Any]]:
    """The kept messages not older than CARRY_TTL (an offer left unanswered is forgotten)."""
    if not isinstance(carried, list):
        return []
    return [
        item
        for item in carried
        if isinstance(item, dict) and now - float(item.get("at") or 0) <= CARRY_TTL
    ]


def carried_messages(data: dict[str, Any], user_id: int, clock: Clock) -> list[Incoming]:
    """The messages `offer_new_question` kept, as the desk stores them."""
    messages = []
    for item in _fresh(data.get(CARRY_KEY), clock.now().timestamp()):
        try:
            message_id = int(item["id"])
            kind = str(item["kind"])
        except (KeyError, TypeError, ValueError):
            continue
        text = item.get("text")
        group = item.get("group")
        messages.append(
            Incoming(
                chat_id=user_id,
                message_id=message_id,
                author_id=user_id,
                kind=kind,
                text=str(text) if text else None,
                media_group_id=str(group) if group else None,
                sent_at=clock.now(),
            )
        )
    return messages


# ------------------------------------------------------------------------------ /my


async def show_my(event: Message | CallbackQuery, desk: DeskService, db_user: UserDTO) -> None:
    await show(event, views.my_questions_screen(await desk.my_questions(db_user.id)))


async def open_question(
    callback: CallbackQuery, callback_data: AskCb, desk: DeskService, db_user: UserDTO
) -> None:
    ticket = await desk.choose(db_user.id, callback_data.t)
    await show(callback, views.question_screen(ticket))


async def close_question(
    callback: CallbackQuery, callback_data: AskCb, desk: DeskService, db_user: UserDTO
) -> None:
    ticket = await desk.close(db_user.id, callback_data.t)
    await show(callback, views.closed_screen(ticket))


# ------------------------------------------------------------------ "Did this solve it?"


async def answer_helped(
    callback: CallbackQuery, callback_data: AskCb, desk: DeskService, db_user: UserDTO
) -> None:
    before = await desk.choose(db_user.id, callback_data.t)
    helped = callback_data.arg == 1
    ticket = await desk.answer_helped(db_user.id, before.id, helped)
    if before.status != Status.ANSWERED:
        # Pressed again, or the question moved on meanwhile: say where it stands.
        await show(callback, views.question_screen(ticket))
    elif helped:
        await show(callback, views.rate_screen(ticket))
    else:
        await show(callback, views.reopened_screen(ticket))


async def rate(
    callback: CallbackQuery,
    callback_data: AskCb,
    desk: DeskService,
    db_user: UserDTO,
    state: FSMContext,
) -> None:
    try:
        ticket = await desk.rate(db_user.id, callback_data.t, callback_data.arg)
    except TicketNotFoundError:
        raise
    except DeskError:
        # Not closed yet, or not a rating from 1 to 5 (a forged button).
        await callback.answer(views.not_available(), show_alert=True)
        return
    await state.set_state(DeskFeedback.comment)
    await state.update_data({COMMENT_KEY: ticket.id})
    await show(callback, views.comment_prompt(callback_data.arg))


async def comment_given(
    message: Message, desk: DeskService, db_user: UserDTO, state: FSMContext
) -> None:
    ticket_id = int((await state.get_data()).get(COMMENT_KEY, 0) or 0)
    await state.clear()
    try:
        await desk.comment(db_user.id, ticket_id, message.text or "")
    except TicketNotFoundError:
        # Gone meanwhile (e.g. /forget): nothing to attach it to.
        await message.answer(views.not_available())
        return
    await show(message, views.thanks_screen())


async def comment_not_text(message: Message) -> None:
    await message.answer(_("Please write the comment as text, or press «Skip»."))


async def comment_skipped(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await show(callback, views.thanks_screen())


# ------------------------------------------------------------------------------ refusals


async def on_not_theirs(event: ErrorEvent) -> bool:
    """A button on another person's question, a forged or a deleted one: one polite answer."""
    callback = event.update.callback_query
    if callback is None:
        return False
    log.warning("desk: refused a person's action on a question that is not theirs")
    await callback.answer(views.not_available(), show_alert=True)
    return True


__all__ = [
    "TicketNotFoundError",
    "answer_helped",
    "close_question",
    "comment_given",
    "comment_not_text",
    "comment_skipped",
    "follow_edit",
    "follow_up",
    "on_not_theirs",
    "open_question",
    "rate",
    "show_my",
]
