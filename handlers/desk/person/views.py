"""What the person asking sees: confirmations, when to expect an answer, their questions."""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from babel.dates import format_date

from bot.services.desk.model import DeskError, Expectation, Status
from bot.services.desk.opening import NextOpening, OpeningDay
from bot.services.desk.tickets import Submitted
from db.repositories.desk import TicketDTO
from handlers.callbacks import MenuCb
from handlers.desk.callbacks import AskCb
from handlers.desk.texts import STATUS_MARK, status_title, topic_title
from handlers.keyboards import main_menu_label
from handlers.screens import Screen, button, column, keyboard, user_language

SHOWN_QUESTIONS = 10
EXCERPT_CHARS = 60


def ask_label() -> str:
    return _("✍️ Ask a consultant")


def my_questions_label() -> str:
    return _("🗂 My questions")


def _weekday_phrase(moment: datetime) -> str:
    """ "on Monday, 09:00": the whole phrase per day, since both languages decline it."""
    time = moment.strftime("%H:%M")
    phrases = (
        _("on Monday at {time}"),
        _("on Tuesday at {time}"),
        _("on Wednesday at {time}"),
        _("on Thursday at {time}"),
        _("on Friday at {time}"),
        _("on Saturday at {time}"),
        _("on Sunday at {time}"),
    )
    return phrases[moment.weekday()].format(time=time)


def opening_phrase(opening: NextOpening) -> str:
    local = opening.local
    time = local.strftime("%H:%M")
    if opening.day is OpeningDay.TODAY:
        return _("today at {time}").format(time=time)
    if opening.day is OpeningDay.TOMORROW:
        return _("tomorrow at {time}").format(time=time)
    if opening.day is OpeningDay.WEEKDAY:
        return _weekday_phrase(local)
    lang = user_language()
    day = format_date(local.date(), format="d MMMM", locale=lang)
    return _("on {date} at {time}").format(date=day, time=time)


def expectation_text(expectation: Expectation) -> str:
    if expectation.opening.is_open_now:
        hours = max(1, round(expectation.usual_answer_hours))
        return ngettext(
            "🕐 Consultants usually answer within {n} hour.",
            "🕐 Consultants usually answer within {n} hours.",
            hours,
        ).format(n=hours)
    return _(
        "🌙 Consultants are not at work now. They are back {when}: your question is saved "
        "and will be answered then."
    ).format(when=opening_phrase(expectation.opening))


def off_hours_note(expectation: Expectation) -> str:
    return _("🌙 Consultants are back {when}. Your message is saved.").format(
        when=opening_phrase(expectation.opening)
    )


def submitted_screen(result: Submitted) -> Screen:
    ticket = result.ticket
    lines = [_("✅ Your question <b>#{id}</b> is sent to the consultants.").format(id=ticket.id)]
    if result.position > 0:
        lines.append(_("📋 Your place in the queue: {n}.").format(n=result.position))
    else:
        lines.append(_("👩‍💼 A consultant already has your question."))
    lines.append(expectation_text(result.expectation))
    lines.append("")
    lines.append(
        _(
            "The answer will come here, in this chat. Anything you write now, text, photos, "
            "files or voice messages, is added to this question."
        )
    )
    markup = keyboard(
        [button(my_questions_label(), AskCb(action="my"))],
        [button(main_menu_label(), MenuCb(action="main"))],
    )
    return Screen("\n".join(lines), markup)


def error_text(error: DeskError) -> str:
    if error.code == "banned":
        return _("⛔ You cannot ask consultants from this account. Contact the administrators.")
    if error.code == "too_many_open":
        limit = int(str(error.params.get("limit", 3)))
        return ngettext(
            "✋ You already have {n} open question. Wait for the answer or close it in "
            "/my, then ask a new one.",
            "✋ You already have {n} open questions. Wait for the answers or close one in "
            "/my, then ask a new one.",
            limit,
        ).format(n=limit)
    if error.code == "empty":
        return _("✍️ Write your question first: a message, a photo, a file or a voice message.")
    if error.code == "not_found":
        return _("This question is not available.")
    return _("This question is no longer being written. Press «Ask a consultant» to start again.")


def error_screen(error: DeskError) -> Screen:
    return Screen(
        error_text(error),
        keyboard(
            [button(my_questions_label(), AskCb(action="my"))],
            [button(main_menu_label(), MenuCb(action="main"))],
        ),
    )


def _line(ticket: TicketDTO) -> str:
    mark = STATUS_MARK.get(ticket.status, "⚪")
    return f"{mark} <b>#{ticket.id}</b> · {html.escape(topic_title(ticket.topic))} · " + (
        status_title(ticket.status)
    )


def my_questions_screen(tickets: Sequence[TicketDTO]) -> Screen:
    shown = [t for t in tickets if t.status != Status.DRAFT][:SHOWN_QUESTIONS]
    if not shown:
        text = _("🗂 <b>My questions</b>\n\nYou have not asked the consultants anything yet.")
        return Screen(
            text,
            keyboard(
                [button(ask_label(), AskCb(action="new"))],
                [button(main_menu_label(), MenuCb(action="main"))],
            ),
        )
    lines = [_("🗂 <b>My questions</b>"), ""]
    lines += [_line(t) for t in shown]
    lines += ["", _("Choose a question to see it or to close it.")]
    buttons = [
        button(f"{STATUS_MARK.get(t.status, '⚪')} #{t.id} · {topic_title(t.topic)}", _open(t))
        for t in shown
    ]
    return Screen(
        "\n".join(lines),
        keyboard(
            *column(buttons),
            [button(ask_label(), AskCb(action="new"))],
            [button(main_menu_label(), MenuCb(action="main"))],
        ),
    )


def _open(ticket: TicketDTO) -> AskCb:
    return AskCb(action="write", t=ticket.id)


def question_screen(ticket: TicketDTO, note: str | None = None) -> Screen:
    lines = [note, ""] if note else []
    lines += [
        _("❓ <b>Question #{id}</b>").format(id=ticket.id),
        _("🏷 {topic}").format(topic=html.escape(topic_title(ticket.topic))),
        _("Status: {mark} {status}").format(
            mark=STATUS_MARK.get(ticket.status, ""), status=status_title(ticket.status)
        ),
    ]
    if ticket.rating:
        lines.append(_("Your rating: {stars}").format(stars="⭐" * ticket.rating))
    rows = []
    if ticket.status == Status.CLOSED:
        lines += ["", _("It is closed. If something is left, write here within 7 days.")]
    else:
        lines += ["", _("What you write now is added to this question.")]
        rows.append([button(_("✅ Problem solved"), AskCb(action="close", t=ticket.id))])
    rows.append([button(_("⬅️ My questions"), AskCb(action="my"))])
    rows.append([button(main_menu_label(), MenuCb(action="main"))])
    return Screen("\n".join(lines), keyboard(*rows))


def closed_screen(ticket: TicketDTO) -> Screen:
    text = _(
        "⚪ Question #{id} is closed. Thank you! If something is left, write here within 7 days "
        "and it opens again."
    ).format(id=ticket.id)
    rate = ticket.rating is None and ticket.owner_id is not None
    return Screen(text, _rating_keyboard(ticket) if rate else menu_keyboard())


def closed_long_ago_screen(ticket: TicketDTO, search_message: int | None = None) -> Screen:
    """A message after the week in which it would have reopened the question; a text can also
    be looked up in the knowledge base (`search_message`: its id)."""
    text = _(
        "⚪ Your last question #{id} is closed, and more than 7 days have passed. To ask the "
        "consultants again, start a new question: this message will be its first one."
    ).format(id=ticket.id)
    buttons = [button(_("✍️ Ask a new question"), AskCb(action="again", t=ticket.id))]
    if search_message is not None:
        buttons.append(
            button(
                _("🔎 Search the knowledge base"),
                AskCb(action="search", t=ticket.id, arg=search_message),
            )
        )
    buttons.append(button(main_menu_label(), MenuCb(action="main")))
    return Screen(text, keyboard(*column(buttons)))


def _rating_keyboard(ticket: TicketDTO) -> InlineKeyboardMarkup:
    stars = [button(f"{n}⭐", AskCb(action="stars", t=ticket.id, arg=n)) for n in range(1, 6)]
    return keyboard(stars)


def rate_screen(ticket: TicketDTO) -> Screen:
    text = _(
        "🙌 Glad it is solved! Question #{id} is closed.\n\n"
        "How would you rate the consultant's answer? 1 star is poor, 5 is excellent."
    ).format(id=ticket.id)
    return Screen(text, _rating_keyboard(ticket))


def reopened_screen(ticket: TicketDTO) -> Screen:
    text = _(
        "↩️ Question #{id} is back with the consultant. Write here what is still unclear: "
        "everything you write goes to them."
    ).format(id=ticket.id)
    return Screen(text)


def comment_prompt(stars: int) -> Screen:
    text = _(
        "Thank you for the rating: {stars}\n\n"
        "Would you like to add a comment for the desk? Write it in one message, or press «Skip»."
    ).format(stars="⭐" * stars)
    return Screen(text, keyboard([button(_("⏭ Skip"), AskCb(action="skip"))]))


def menu_keyboard() -> InlineKeyboardMarkup:
    return keyboard([button(main_menu_label(), MenuCb(action="main"))])


def thanks_screen() -> Screen:
    return Screen(_("🙏 Thank you! Your feedback helps the consultants."), menu_keyboard())


def not_available() -> str:
    return _("This question is not available.")
