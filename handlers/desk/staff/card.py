"""The buttons of a question's card (and of the private-mode notifications): take, release,
hand over, mark answered, close, reopen, ban, snippets, FAQ answers, FAQ drafts.

The button says which question and which action; whether this person may do it is decided by
the desk's services from the database (bot.services.desk.staff). A forged or stale button is
refused, logged and changes nothing. Every callback is answered.
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _

from bot.config import Settings
from bot.delivery.messages import MessageContent
from bot.services.desk.consultants import ConsultantAdmin
from bot.services.desk.model import DeskError, NotAllowedError
from bot.services.desk.staff import StaffDeskService
from bot.services.faq.markup import TELEGRAM_TEXT_LIMIT
from bot.services.faq.service import FaqService
from handlers.desk.callbacks import DeskCb, TicketId
from handlers.desk.staff.common import StaffStates, log_refusal, plain_text, refusal, thread_of
from handlers.faq.views import button_labels
from handlers.screens import button, keyboard, user_language

log = logging.getLogger(__name__)

FAQ_CHOICES = 5
INT32_MAX = 2**31 - 1  # snippet ids are 32-bit in the database
# Left for the consultant's signature above an FAQ answer (a name is at most 64 characters).
SIGNATURE_ROOM = 120
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


class FaqPickCb(CallbackData, prefix="dkf"):
    """Send FAQ entry `e` (in the person's language) to question `t`."""

    t: TicketId
    e: str


def undeliverable(ticket_id: int) -> str:
    return _("📵 #{id}: the answer could not be delivered (the person blocked the bot).").format(
        id=ticket_id
    )


async def _reply(
    callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new message next to the pressed one (in the same topic of the group)."""
    message = callback.message
    if isinstance(message, Message):
        await message.answer(text, reply_markup=markup)


async def _edit(callback: CallbackQuery, text: str) -> None:
    """The picker says what was done (a picker too old to edit keeps its buttons, harmlessly:
    the action is done and answered)."""
    message = callback.message
    if isinstance(message, Message):
        with suppress(TelegramBadRequest):
            await message.edit_text(text, reply_markup=None)


def markup_of(content: MessageContent) -> InlineKeyboardMarkup | None:
    if content.keyboard is None:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton.model_validate(b.as_dict()) for b in row]
            for row in content.keyboard
        ]
    )


def topic_link(group_id: int, thread_id: int) -> str:
    """A link that opens a topic of the consultants' supergroup (for its members)."""
    return f"https://t.me/c/{str(group_id).removeprefix('-100')}/{thread_id}"


async def show_card_in_private(
    callback: CallbackQuery, ticket_id: int, staff: StaffDeskService, group_id: int | None
) -> None:
    """A press in a private chat shows the question's card there; with a consultants' group,
    with a button to the question's topic, where it is answered."""
    message = callback.message
    if not (isinstance(message, Message) and message.chat.type == "private"):
        return
    content = await staff.card(ticket_id, callback.from_user.id, user_language())
    markup = markup_of(content) or InlineKeyboardMarkup(inline_keyboard=[])
    if group_id is not None:
        ticket = await staff.ticket(ticket_id, callback.from_user.id)
        if ticket.thread_id is not None:
            go = InlineKeyboardButton(
                text=_("💬 Go to the topic of #{id}").format(id=ticket_id),
                url=topic_link(group_id, ticket.thread_id),
            )
            markup.inline_keyboard.insert(0, [go])
    await message.answer(content.text, reply_markup=markup if markup.inline_keyboard else None)


async def on_take(
    callback: CallbackQuery, data: DeskCb, staff: StaffDeskService, group_id: int | None
) -> None:
    result = await staff.take(data.t, callback.from_user.id)
    if result.won:
        await callback.answer(_("✋ #{id} is yours now.").format(id=data.t))
        await show_card_in_private(callback, data.t, staff, group_id)
    elif result.ticket.owner_id == callback.from_user.id:
        # An old «Take» of a question they hold already.
        await callback.answer(_("✋ You have already taken #{id}.").format(id=data.t))
        await show_card_in_private(callback, data.t, staff, group_id)
    else:
        name = result.owner_name or _("a colleague")
        await callback.answer(
            _("#{id} is already taken by {name}.").format(id=data.t, name=name), show_alert=True
        )


async def on_release(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    await staff.release(data.t, callback.from_user.id)
    await callback.answer(_("↩️ #{id} is back in the queue.").format(id=data.t))


async def on_answered(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    await staff.mark_answered(data.t, callback.from_user.id)
    await callback.answer(
        _("✅ #{id} marked answered: the person is asked to confirm.").format(id=data.t)
    )


async def on_close(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    await staff.close(data.t, callback.from_user.id)
    await callback.answer(_("🔒 #{id} is closed.").format(id=data.t))


async def on_reopen(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    await staff.reopen(data.t, callback.from_user.id)
    await callback.answer(_("♻️ #{id} is open again.").format(id=data.t))


async def on_hand(
    callback: CallbackQuery, data: DeskCb, staff: StaffDeskService, consultants: ConsultantAdmin
) -> None:
    await staff.ticket(data.t, callback.from_user.id)  # staff only
    colleagues = [
        h.load.consultant
        for h in await consultants.holdings()
        if h.load.consultant.user_id != callback.from_user.id
    ]
    if not colleagues:
        await callback.answer(
            _("There is no other consultant to hand it over to."), show_alert=True
        )
        return
    await callback.answer()
    rows = [
        [
            button(
                ("🟢 " if c.on_duty else "⚫ ") + (c.display_name or str(c.user_id)),
                DeskCb(action="to", t=data.t, arg=c.user_id),
            )
        ]
        for c in colleagues
    ]
    rows.append([button(_("✖️ Cancel"), DeskCb(action="dismiss", t=data.t))])
    await _reply(callback, _("🔁 Hand #{id} over to:").format(id=data.t), keyboard(*rows))


async def on_hand_to(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    await staff.hand_over(data.t, callback.from_user.id, data.arg)
    await callback.answer(_("🔁 Handed over."))
    await _edit(callback, _("🔁 #{id} handed over.").format(id=data.t))


async def on_dismiss(callback: CallbackQuery, data: DeskCb) -> None:
    await callback.answer()
    message = callback.message
    if isinstance(message, Message):
        with suppress(TelegramBadRequest):
            await message.delete()


async def on_ban(
    callback: CallbackQuery, data: DeskCb, staff: StaffDeskService, state: FSMContext
) -> None:
    await staff.ticket(data.t, callback.from_user.id)  # staff only
    await state.set_state(StaffStates.ban_reason)
    # The reason is taken from the same topic (or private chat) only: a message elsewhere is
    # not mistaken for it.
    where = thread_of(callback.message) if isinstance(callback.message, Message) else None
    await state.update_data(ban=data.t, thread=where)
    await callback.answer()
    await _reply(
        callback,
        _(
            "⛔ Ban the person of #{id} from the desk: write the reason in one message "
            "(or /cancel)."
        ).format(id=data.t),
    )


async def on_unban(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    ticket = await staff.ticket(data.t, callback.from_user.id)
    lifted = await staff.unban(ticket.user_id, callback.from_user.id)
    await callback.answer(
        _("✅ The ban is lifted.") if lifted else _("The person is not banned."), show_alert=True
    )
    if lifted:
        await _edit(callback, _("✅ The ban on the person of #{id} is lifted.").format(id=data.t))


async def on_snippets(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    await staff.ticket(data.t, callback.from_user.id)  # staff only
    snippets = await staff.snippets()
    if not snippets:
        await callback.answer(_("No snippets yet: add them with /snippets."), show_alert=True)
        return
    await callback.answer()
    rows = [[button(f"📋 {s.name}", DeskCb(action="snip", t=data.t, arg=s.id))] for s in snippets]
    rows.append([button(_("✖️ Cancel"), DeskCb(action="dismiss", t=data.t))])
    await _reply(callback, _("📋 Which snippet goes to #{id}?").format(id=data.t), keyboard(*rows))


async def on_snip(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    ticket = await staff.send_snippet(data.t, callback.from_user.id, data.arg)
    if not await staff.reachable(ticket):
        await callback.answer(undeliverable(ticket.id), show_alert=True)
        return
    await callback.answer(_("📋 Sent."))
    await _edit(callback, _("📋 A snippet was sent to #{id}.").format(id=data.t))


async def on_faq(
    callback: CallbackQuery, data: DeskCb, staff: StaffDeskService, faq: FaqService
) -> None:
    ticket = await staff.ticket(data.t, callback.from_user.id)
    text = await staff.question_text(data.t, callback.from_user.id)
    outcome = faq.catalog.search(text or ticket.origin_query or "", ticket.language)
    reply = outcome.reply
    entries = ([reply.entry] if reply.entry else []) + list(reply.others)
    rows: list[list[InlineKeyboardButton]] = []
    # The consultant chooses, so the list is in their language; the answer goes out in the
    # person's.
    reader = user_language()
    for entry in entries[:FAQ_CHOICES]:
        try:
            packed = FaqPickCb(t=data.t, e=entry.id).pack()
        except ValueError:
            continue  # an id that does not fit in a button
        title = entry.question.get(reader) or entry.question.get(ticket.language) or entry.id
        rows.append([button(f"📚 {title[:60]}", packed)])
    if not rows:
        await callback.answer(
            _("The FAQ has no answer that matches this question."), show_alert=True
        )
        return
    await callback.answer()
    rows.append([button(_("✖️ Cancel"), DeskCb(action="dismiss", t=data.t))])
    await _reply(
        callback,
        _("📚 Which FAQ answer goes to #{id}? It is sent in the person's language.").format(
            id=data.t
        ),
        keyboard(*rows),
    )


async def on_faq_pick(
    callback: CallbackQuery, callback_data: FaqPickCb, desk_staff: StaffDeskService, faq: FaqService
) -> None:
    try:
        ticket = await desk_staff.ticket(callback_data.t, callback.from_user.id)
        entry = faq.catalog.entry(callback_data.e)
        if entry is None:
            await callback.answer(_("This FAQ entry no longer exists."), show_alert=True)
            return
        # As the FAQ shows it (links, bold; the buttons it names as the person's keyboards
        # say them). Its advice to ask a consultant stays: cutting that sentence out of
        # the answer left broken fragments, and where it hedges an unconfirmed fact the
        # hedge must stay.
        with get_i18n().use_locale(ticket.language):
            labels = button_labels()
        answer = faq.catalog.render(
            entry,
            ticket.language,
            buttons=labels,
            limit=TELEGRAM_TEXT_LIMIT - SIGNATURE_ROOM,
        )
        ticket = await desk_staff.send_text(
            ticket.id,
            callback.from_user.id,
            plain_text(LINK.sub(r"\2 (\1)", answer)),
            f"faq:{entry.id}",
            html_text=answer,
        )
        reachable = await desk_staff.reachable(ticket)
    except DeskError as error:
        log_refusal(error, callback.from_user.id, "faq answer")
        await callback.answer(refusal(error), show_alert=True)
        return
    if not reachable:
        await callback.answer(undeliverable(ticket.id), show_alert=True)
        return
    await callback.answer(_("📚 Sent."))
    await _edit(callback, _("📚 An FAQ answer was sent to #{id}.").format(id=callback_data.t))


async def on_draft(callback: CallbackQuery, data: DeskCb, staff: StaffDeskService) -> None:
    draft = await staff.save_faq_draft(data.t, callback.from_user.id)
    await callback.answer(
        _("📝 Saved as FAQ draft #{n}: an admin completes and publishes it.").format(n=draft.id),
        show_alert=True,
    )


async def on_open(
    callback: CallbackQuery, data: DeskCb, staff: StaffDeskService, group_id: int | None
) -> None:
    if group_id is not None:
        # With a consultants' group, a question is answered in its topic only: what is
        # written in a private chat or in the General topic does not reach the person.
        await staff.ticket(data.t, callback.from_user.id)  # staff only
        await callback.answer(
            _("💬 Answer #{id} in its topic in the consultants' group.").format(id=data.t),
            show_alert=True,
        )
        await show_card_in_private(callback, data.t, staff, group_id)
        return
    try:
        await staff.choose(data.t, callback.from_user.id)
        toast = _("👀 Your messages now go to #{id}.").format(id=data.t)
    except NotAllowedError as error:
        if error.code != "not_owner":
            raise
        toast = _("Press «✋ Take» to answer #{id}.").format(id=data.t)
    await callback.answer(toast)
    await show_card_in_private(callback, data.t, staff, group_id)


async def on_desk_button(
    callback: CallbackQuery,
    callback_data: DeskCb,
    desk_staff: StaffDeskService,
    consultants: ConsultantAdmin,
    state: FSMContext,
    faq: FaqService,
    settings: Settings,
) -> None:
    action, data, staff = callback_data.action, callback_data, desk_staff
    group_id = settings.consultants_chat_id
    try:
        # Staff only, before anything is looked up (each action checks again what it needs).
        await staff.staff(callback.from_user.id)
        await consultants.name_from_telegram(callback.from_user.id, callback.from_user.first_name)
        if action == "snip" and data.arg > INT32_MAX:
            raise DeskError("no_such_snippet")
        if action == "take":
            await on_take(callback, data, staff, group_id)
        elif action == "release":
            await on_release(callback, data, staff)
        elif action == "answered":
            await on_answered(callback, data, staff)
        elif action == "close":
            await on_close(callback, data, staff)
        elif action == "reopen":
            await on_reopen(callback, data, staff)
        elif action == "hand":
            await on_hand(callback, data, staff, consultants)
        elif action == "to":
            await on_hand_to(callback, data, staff)
        elif action == "ban":
            await on_ban(callback, data, staff, state)
        elif action == "unban":
            await on_unban(callback, data, staff)
        elif action == "snippets":
            await on_snippets(callback, data, staff)
        elif action == "snip":
            await on_snip(callback, data, staff)
        elif action == "faq":
            await on_faq(callback, data, staff, faq)
        elif action == "draft":
            await on_draft(callback, data, staff)
        elif action == "open":
            await on_open(callback, data, staff, group_id)
        elif action == "dismiss":
            await on_dismiss(callback, data)
        else:
            log.warning("desk: unknown card action %r refused", action[:20])
            await callback.answer(_("This button is out of date."), show_alert=True)
    except DeskError as error:
        log_refusal(error, callback.from_user.id, f"card button {action[:20]}")
        await callback.answer(refusal(error), show_alert=True)


def router() -> Router:
    """Card buttons come from the consultants' group and from private chats alike."""
    router = Router(name="desk.staff.card")
    router.callback_query.register(on_desk_button, DeskCb.filter())
    router.callback_query.register(on_faq_pick, FaqPickCb.filter())
    return router
