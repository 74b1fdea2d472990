"""Consultants' commands: /queue, /duty, /name, /snippets (and /snippet N to send one), /unban.

They work in private chats and in the consultants' group; the router is built per place
(`router()`), and its filter lets only staff in — anyone else's /queue is an unknown command.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _

from bot.services.desk.board import Queue
from bot.services.desk.consultants import ConsultantAdmin
from bot.services.desk.model import DeskError
from bot.services.desk.staff import StaffDeskService
from db.repositories.desk import TicketDTO
from handlers.desk.callbacks import Arg, DeskCb
from handlers.desk.staff.common import (
    IsStaff,
    StaffStates,
    command_args,
    log_refusal,
    not_command,
    refusal,
    thread_of,
)
from handlers.desk.texts import STATUS_MARK, queue_text, topic_title
from handlers.screens import Screen, button, keyboard, show

QUEUE_BUTTONS = 8
SNIPPET_TEXT_MAX = 3500


class SnipCb(CallbackData, prefix="dks"):
    """Snippet management: `list`, `add`, `del` (asks), `delyes` (snippet `id`)."""

    action: str
    id: Arg = 0


# --- where a command is about ----------------------------------------------------------------


async def ticket_here(message: Message, staff: StaffDeskService) -> TicketDTO | None:
    """The question of this topic (group) or the consultant's current question (private)."""
    assert message.from_user is not None
    if message.chat.type == "private":
        return await staff.current_of(message.from_user.id)
    thread = thread_of(message)
    return await staff.ticket_of_thread(thread) if thread is not None else None


# --- /queue ----------------------------------------------------------------------------------


def queue_screen(queue: Queue) -> Screen:
    buttons = [
        [button(_("✋ Take #{id}").format(id=t.id), DeskCb(action="take", t=t.id))]
        for t, _hours in queue.waiting[:QUEUE_BUTTONS]
    ]
    text = queue_text(queue.waiting, queue.loads)
    return Screen(text, keyboard(*buttons) if buttons else None)


async def cmd_queue(message: Message, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    try:
        queue = await desk_staff.queue(message.from_user.id)
    except DeskError as error:
        log_refusal(error, message.from_user.id, "/queue")
        await message.answer(refusal(error))
        return
    await show(message, queue_screen(queue))


# --- /mine ----------------------------------------------------------------------------------


async def cmd_mine(
    message: Message, desk_staff: StaffDeskService, consultants: ConsultantAdmin
) -> None:
    """The consultant's open questions; «👀 Open» makes one current and shows its card."""
    assert message.from_user is not None
    me = message.from_user.id
    try:
        await desk_staff.staff(me)
    except DeskError as error:
        log_refusal(error, me, "/mine")
        await message.answer(refusal(error))
        return
    held = next(
        (h.tickets for h in await consultants.holdings() if h.load.consultant.user_id == me), []
    )
    if not held:
        await message.answer(_("You have no open questions. /queue shows the waiting ones."))
        return
    lines = [_("👩‍💼 <b>Your questions</b>")]
    lines += [
        f"{STATUS_MARK.get(t.status, '')} #{t.id} · {topic_title(t.topic)} · "
        f"{html.escape(t.person_name)}"
        for t in held
    ]
    rows = [
        [button(_("👀 Open #{id}").format(id=t.id), DeskCb(action="open", t=t.id))] for t in held
    ]
    await show(message, Screen("\n".join(lines), keyboard(*rows)))


# --- /duty, /name ----------------------------------------------------------------------------


async def cmd_duty(message: Message, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    try:
        on_duty = await desk_staff.toggle_duty(message.from_user.id)
    except DeskError as error:
        log_refusal(error, message.from_user.id, "/duty")
        await message.answer(refusal(error))
        return
    await message.answer(
        _("🟢 You are on duty: new questions may be assigned to you.")
        if on_duty
        else _("⚫ You are off duty: no new questions are assigned to you. /duty turns it back on.")
    )


async def cmd_name(message: Message, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    wanted = command_args(message)
    if not wanted:
        await message.answer(
            _(
                "Write /name and the name people and colleagues should see, e.g. "
                "<code>/name Aigerim</code>."
            )
        )
        return
    try:
        name = await desk_staff.rename(message.from_user.id, wanted)
    except DeskError as error:
        log_refusal(error, message.from_user.id, "/name")
        await message.answer(refusal(error))
        return
    await message.answer(
        _("✅ People now see you as <b>{name}</b>.").format(name=html.escape(name))
    )


# --- /snippet N, /unban ----------------------------------------------------------------------


async def cmd_snippet(message: Message, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    wanted = command_args(message).lower()
    snippets = await desk_staff.snippets()
    if not snippets:
        await message.answer(_("No snippets yet: add them with /snippets."))
        return
    ticket = await ticket_here(message, desk_staff)
    if ticket is None:
        await message.answer(
            _("Use /snippet in a question's topic (or with a question of yours open).")
        )
        return
    chosen = next(
        (s for s in snippets if wanted and (str(s.id) == wanted or s.name == wanted)), None
    )
    if chosen is None:
        names = ", ".join(f"{s.id} {s.name}" for s in snippets)
        await message.answer(
            _("Which snippet? /snippet and its number or name: {names}").format(
                names=html.escape(names)
            )
        )
        return
    try:
        await desk_staff.send_snippet(ticket.id, message.from_user.id, chosen.id)
    except DeskError as error:
        log_refusal(error, message.from_user.id, "/snippet")
        await message.answer(refusal(error))
        return
    await message.answer(
        _("📋 «{name}» sent to #{id}.").format(name=html.escape(chosen.name), id=ticket.id)
    )


async def cmd_unban(message: Message, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    ticket = await ticket_here(message, desk_staff)
    if ticket is None:
        await message.answer(_("Use /unban in the question's topic."))
        return
    try:
        lifted = await desk_staff.unban(ticket.user_id, message.from_user.id)
    except DeskError as error:
        log_refusal(error, message.from_user.id, "/unban")
        await message.answer(refusal(error))
        return
    await message.answer(
        _("✅ The ban on the person of #{id} is lifted.").format(id=ticket.id)
        if lifted
        else _("The person of #{id} is not banned.").format(id=ticket.id)
    )


# --- /snippets: list, add, delete ------------------------------------------------------------


async def snippets_screen(staff: StaffDeskService) -> Screen:
    snippets = await staff.snippets()
    lines = [_("📋 <b>Snippets</b> — canned replies; the person gets their language's text.")]
    if not snippets:
        lines.append(_("No snippets yet."))
    for s in snippets:
        lines += [
            "",
            f"<b>{s.id}. {html.escape(s.name)}</b>",
            f"🇰🇿 {html.escape(s.text_kk[:200])}",
            f"🇷🇺 {html.escape(s.text_ru[:200])}",
        ]
    lines += [
        "",
        _(
            "In a question's topic: the «📋 Snippet» button on its card, or /snippet "
            "and its number."
        ),
    ]
    rows = [[button(_("➕ Add a snippet"), SnipCb(action="add"))]]
    rows += [[button(f"🗑 {s.name}", SnipCb(action="del", id=s.id))] for s in snippets]
    return Screen("\n".join(lines), keyboard(*rows))


async def cmd_snippets(message: Message, desk_staff: StaffDeskService) -> None:
    await show(message, await snippets_screen(desk_staff))


async def on_snippet_button(
    callback: CallbackQuery,
    callback_data: SnipCb,
    desk_staff: StaffDeskService,
    state: FSMContext,
) -> None:
    user_id = callback.from_user.id
    action = callback_data.action
    try:
        await desk_staff.staff(user_id)
        if action == "add":
            await state.set_state(StaffStates.snippet_name)
            await callback.answer()
            if isinstance(callback.message, Message):
                await callback.message.answer(
                    _(
                        "➕ A new snippet. Its name first (a word or two, e.g. «documents»), "
                        "or /cancel."
                    )
                )
            return
        if action == "del":
            snippet = next(
                (s for s in await desk_staff.snippets() if s.id == callback_data.id), None
            )
            if snippet is None:
                await show(callback, await snippets_screen(desk_staff))
                return
            confirm = InlineKeyboardMarkup(
                inline_keyboard=[
                    [
                        button(_("🗑 Yes, delete"), SnipCb(action="delyes", id=snippet.id)),
                        button(_("⬅️ No"), SnipCb(action="list")),
                    ]
                ]
            )
            await show(
                callback,
                Screen(
                    _("Delete the snippet «{name}»?").format(name=html.escape(snippet.name)),
                    confirm,
                ),
            )
            return
        if action == "delyes":
            removed = await desk_staff.delete_snippet(user_id, callback_data.id)
            await show(
                callback,
                await snippets_screen(desk_staff),
                toast=_("🗑 Deleted.") if removed else None,
            )
            return
        await show(callback, await snippets_screen(desk_staff))
    except DeskError as error:
        log_refusal(error, user_id, f"snippets {action[:10]}")
        await callback.answer(refusal(error), show_alert=True)


async def snippet_name(message: Message, state: FSMContext) -> None:
    name = " ".join((message.text or "").split()).lower()[:32]
    if not name:
        await message.answer(_("The name is a word or two of text."))
        return
    await state.update_data(name=name)
    await state.set_state(StaffStates.snippet_kk)
    await message.answer(_("🇰🇿 Now the text in Kazakh:"))


async def snippet_kk(message: Message, state: FSMContext) -> None:
    text = (message.text or "").strip()
    if not text:
        await message.answer(_("The snippet is text: write it in Kazakh."))
        return
    await state.update_data(kk=text[:SNIPPET_TEXT_MAX])
    await state.set_state(StaffStates.snippet_ru)
    await message.answer(_("🇷🇺 And the same in Russian:"))


async def snippet_ru(message: Message, state: FSMContext, desk_staff: StaffDeskService) -> None:
    assert message.from_user is not None
    text = (message.text or "").strip()
    if not text:
        await message.answer(_("The snippet is text: write it in Russian."))
        return
    data = await state.get_data()
    try:
        snippet = await desk_staff.save_snippet(
            message.from_user.id, str(data.get("name", "")), str(data.get("kk", "")), text
        )
    except DeskError as error:
        log_refusal(error, message.from_user.id, "snippet save")
        await state.clear()
        await message.answer(refusal(error))
        return
    await state.clear()
    await message.answer(
        _("✅ Snippet {id} «{name}» saved.").format(id=snippet.id, name=html.escape(snippet.name))
    )
    await show(message, await snippets_screen(desk_staff))


async def cmd_cancel_here(message: Message, state: FSMContext) -> None:
    await state.clear()
    await message.answer(_("❌ Cancelled."))


def commands_router(name: str) -> Router:
    """The staff commands and the snippet buttons (one instance per place they are used)."""
    router = Router(name=name)
    router.message.filter(IsStaff())
    router.callback_query.filter(IsStaff())
    router.message.register(cmd_queue, Command("queue"))
    router.message.register(cmd_mine, Command("mine"))
    router.message.register(cmd_duty, Command("duty"))
    router.message.register(cmd_name, Command("name"))
    router.message.register(cmd_snippets, Command("snippets"))
    router.message.register(cmd_snippet, Command("snippet"))
    router.message.register(cmd_unban, Command("unban"))
    router.callback_query.register(on_snippet_button, SnipCb.filter())
    return router


def snippet_steps_router(name: str) -> Router:
    """The answers while adding a snippet (commands are left to others: /cancel ends it)."""
    router = Router(name=name)
    router.message.filter(IsStaff(), not_command)
    router.message.register(snippet_name, StateFilter(StaffStates.snippet_name))
    router.message.register(snippet_kk, StateFilter(StaffStates.snippet_kk))
    router.message.register(snippet_ru, StateFilter(StaffStates.snippet_ru))
    return router
