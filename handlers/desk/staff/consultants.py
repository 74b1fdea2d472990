"""/consultants (also «👩‍💼 Consultants» in /admin): who is on the desk and what each holds; add
one by user id, a forwarded message or Telegram's «choose a user» button; remove one (after a
confirmation: their questions go back to the queue). Admins only (ADMIN_IDS)."""

from __future__ import annotations

import html
import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    KeyboardButton,
    KeyboardButtonRequestUsers,
    Message,
    MessageOriginUser,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.i18n import I18n, ngettext
from aiogram.utils.i18n import gettext as _

from bot.commands import set_chat_commands
from bot.config import Settings
from bot.roles import Role
from bot.services.desk.consultants import ConsultantAdmin
from bot.services.desk.model import DeskError
from handlers.callbacks import AdminCb
from handlers.desk.callbacks import Arg
from handlers.desk.staff.common import StaffStates, not_command, refusal
from handlers.filters import admins_only
from handlers.screens import Screen, button, keyboard, show

log = logging.getLogger(__name__)

REQUEST_ID = 10  # the request_users button of this screen
MAX_PICK = 5


class ConsCb(CallbackData, prefix="dkc"):
    """`list`, `add`, `rm` (asks), `rmyes` (consultant `uid`)."""

    action: str
    uid: Arg = 0


def cancel_label() -> str:
    return _("✖️ Cancel")


async def consultants_screen(consultants: ConsultantAdmin) -> Screen:
    holdings = await consultants.holdings()
    lines = [_("👩‍💼 <b>Consultants</b>")]
    if not holdings:
        lines.append(_("No consultants yet: add the first one."))
    for holding in holdings:
        c = holding.load.consultant
        duty = "🟢" if c.on_duty else "⚫"
        held = ", ".join(f"#{t.id}" for t in holding.tickets) or _("no open questions")
        if c.display_name:
            who = f"<b>{html.escape(c.display_name)}</b> (<code>{c.user_id}</code>)"
        else:
            who = _("id {id}").format(id=f"<code>{c.user_id}</code>")
        lines.append(f"{duty} {who} — {held}")
        if not holding.reachable:
            lines.append("   ⚠️ " + _("has not started the bot yet (or blocked it): gets nothing"))
    rows = [[button(_("➕ Add a consultant"), ConsCb(action="add"))]]
    rows += [
        [
            button(
                _("🗑 Remove {name}").format(
                    name=h.load.consultant.display_name or h.load.consultant.user_id
                ),
                ConsCb(action="rm", uid=h.load.consultant.user_id),
            )
        ]
        for h in holdings
    ]
    rows.append([button(_("⬅️ Administration"), AdminCb(section="menu"))])
    return Screen("\n".join(lines), keyboard(*rows))


async def cmd_consultants(message: Message, consultants: ConsultantAdmin) -> None:
    await show(message, await consultants_screen(consultants))


async def open_consultants(callback: CallbackQuery, consultants: ConsultantAdmin) -> None:
    await show(callback, await consultants_screen(consultants))


async def on_button(
    callback: CallbackQuery,
    callback_data: ConsCb,
    consultants: ConsultantAdmin,
    state: FSMContext,
    i18n: I18n,
    settings: Settings,
) -> None:
    action, uid = callback_data.action, callback_data.uid
    if action == "add":
        await state.set_state(StaffStates.add_consultant)
        await callback.answer()
        request = KeyboardButtonRequestUsers(
            request_id=REQUEST_ID,
            user_is_bot=False,
            max_quantity=MAX_PICK,
            request_name=True,
        )
        markup = ReplyKeyboardMarkup(
            keyboard=[
                [KeyboardButton(text=_("👤 Choose in Telegram"), request_users=request)],
                [KeyboardButton(text=cancel_label())],
            ],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        if isinstance(callback.message, Message):
            await callback.message.answer(
                _(
                    "➕ Who joins the desk? Press «👤 Choose in Telegram», forward me a message "
                    "of theirs, or send their Telegram user id (digits)."
                ),
                reply_markup=markup,
            )
        return
    if action == "rm":
        consultant = await consultants.get(uid)
        if consultant is None:
            await show(callback, await consultants_screen(consultants))
            return
        held = next(
            (
                len(h.tickets)
                for h in await consultants.holdings()
                if h.load.consultant.user_id == uid
            ),
            0,
        )
        confirm = keyboard(
            [
                button(_("🗑 Yes, remove"), ConsCb(action="rmyes", uid=uid)),
                button(_("⬅️ No"), ConsCb(action="list")),
            ]
        )
        text = ngettext(
            "Remove <b>{name}</b> from the desk? They lose access at once; their {n} open "
            "question goes back to the queue.",
            "Remove <b>{name}</b> from the desk? They lose access at once; their {n} open "
            "questions go back to the queue.",
            held,
        ).format(name=html.escape(consultant.display_name or str(uid)), n=held)
        await show(callback, Screen(text, confirm))
        return
    if action == "rmyes":
        released = await consultants.remove(uid)
        toast = (
            _("Already removed.")
            if released is None
            else ngettext(
                "🗑 Removed; {n} question went back to the queue.",
                "🗑 Removed; {n} questions went back to the queue.",
                released,
            ).format(n=released)
        )
        await show(callback, await consultants_screen(consultants), toast=toast)
        if released is not None:
            role = Role.ADMIN if uid in settings.admin_ids else Role.USER
            await _menus(callback.bot, i18n, [uid], role)
        return
    await show(callback, await consultants_screen(consultants))


async def _menus(bot: Bot | None, i18n: I18n, user_ids: list[int], role: Role) -> None:
    """Their command menu shows (or no longer shows) the desk's commands. Telegram refuses
    a chat that never opened the bot: they get the menu at the next start then."""
    if bot is None:
        return
    for user_id in user_ids:
        try:
            await set_chat_commands(bot, i18n, user_id, role)
        except TelegramAPIError as error:
            log.info("command menu of a consultant not updated: %s", error.message)


async def _added(
    message: Message,
    consultants: ConsultantAdmin,
    state: FSMContext,
    people: list[tuple[int, str]],
    i18n: I18n,
) -> None:
    assert message.from_user is not None
    names = []
    try:
        for user_id, name in people:
            await consultants.add(user_id, name or None, by=message.from_user.id)
            names.append(html.escape(name or str(user_id)))
    except DeskError as error:
        await message.answer(refusal(error))
        return
    await state.clear()
    text = _("✅ Added to the desk: {names}. They are on duty.").format(names=", ".join(names))
    silent = [
        html.escape(name or str(user_id))
        for user_id, name in people
        if not await consultants.reachable(user_id)
    ]
    if silent:
        text += "\n\n⚠️ " + _(
            "{names}: has not started the bot yet, so they will get nothing from the desk "
            "until they do. Ask them to open the bot and press Start."
        ).format(names=", ".join(silent))
    await message.answer(text, reply_markup=ReplyKeyboardRemove())
    await show(message, await consultants_screen(consultants))
    await _menus(message.bot, i18n, [user_id for user_id, _name in people], Role.CONSULTANT)


async def on_users_shared(
    message: Message, consultants: ConsultantAdmin, state: FSMContext, i18n: I18n
) -> None:
    assert message.users_shared is not None
    people = [(u.user_id, u.first_name or "") for u in message.users_shared.users]
    await _added(message, consultants, state, people, i18n)


async def on_add_input(
    message: Message, consultants: ConsultantAdmin, state: FSMContext, i18n: I18n
) -> None:
    origin = message.forward_origin
    if isinstance(origin, MessageOriginUser):
        user = origin.sender_user
        if user.is_bot:
            await message.answer(_("That is a bot, not a person."))
            return
        await _added(message, consultants, state, [(user.id, user.first_name)], i18n)
        return
    if origin is not None:
        await message.answer(
            _(
                "Their account is hidden in forwards: use «👤 Choose in Telegram» or their "
                "user id instead."
            )
        )
        return
    text = (message.text or "").strip()
    if text == cancel_label():
        await state.clear()
        await message.answer(_("❌ Cancelled."), reply_markup=ReplyKeyboardRemove())
        await show(message, await consultants_screen(consultants))
        return
    if text.isdigit() and 0 < int(text) < 2**53:
        await _added(message, consultants, state, [(int(text), "")], i18n)
        return
    await message.answer(
        _(
            "I need a Telegram user id (digits), a forwarded message of theirs, or the "
            "«👤 Choose in Telegram» button. /cancel stops."
        )
    )


def navigation_router() -> Router:
    """The command and the buttons (they leave any open dialog, like the rest of /admin)."""
    router = admins_only(Router(name="desk.staff.consultants"))
    router.message.register(cmd_consultants, Command("consultants"))
    router.callback_query.register(open_consultants, AdminCb.filter(F.section == "consultants"))
    router.callback_query.register(on_button, ConsCb.filter())
    return router


def steps_router() -> Router:
    """What the admin sends while adding a consultant (commands are left to others)."""
    router = admins_only(Router(name="desk.staff.consultants.add"))
    router.message.filter(StateFilter(StaffStates.add_consultant))
    router.message.register(on_users_shared, F.users_shared)
    router.message.register(on_add_input, not_command)
    return router
