"""What the desk says (bot.services.desk.ports.DeskTexts): to consultants in the workspace's
language (DESK_LANGUAGE), to the person in theirs."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from bot.delivery.messages import Button, Keyboard, MessageContent
from bot.regions import region_name
from bot.services.desk.model import Status
from db.repositories.desk import ConsultantLoad, MessageDTO, TicketDTO
from handlers.desk.callbacks import AskCb, DeskCb

STATUS_MARK: dict[str, str] = {
    Status.WAITING: "🟡",
    Status.IN_PROGRESS: "🔵",
    Status.ANSWERED: "🟢",
    Status.CLOSED: "⚪",
}
LANGUAGE_MARK = {"kk": "ҚАЗ", "ru": "РУС"}
TOPIC_NAME_LIMIT = 128
CARD_TEXTS = 3  # the person's last texts on the card
CARD_TEXT_CHARS = 300


def topic_title(topic: str | None) -> str:
    titles = {
        "registration": _("Registration and charter changes"),
        "grants": _("Grants and state social order"),
        "reporting": _("Reporting and taxes"),
        "other": _("Other"),
    }
    return titles.get(topic or "", _("Other"))


def status_title(status: str) -> str:
    titles: dict[str, str] = {
        Status.WAITING: _("waiting"),
        Status.IN_PROGRESS: _("in progress"),
        Status.ANSWERED: _("answered"),
        Status.CLOSED: _("closed"),
    }
    return titles.get(status, status)


def waiting_line(ticket: TicketDTO, hours: float) -> str:
    """A waiting question on the queue: its mark, number, topic and how long it has waited
    (in working time: minutes under an hour)."""
    minutes = int(hours * 60)
    if minutes < 1:
        waited = _("just now")
    elif minutes < 60:
        waited = _("waiting {minutes} min").format(minutes=minutes)
    else:
        waited = _("waiting {hours} h").format(hours=f"{hours:.1f}")
    mark = "🔴" if ticket.escalated_unclaimed_at else "🟡"
    return f"{mark} #{ticket.id} · {topic_title(ticket.topic)} · {waited}"


def queue_text(waiting: Sequence[tuple[TicketDTO, float]], loads: Sequence[ConsultantLoad]) -> str:
    """The queue (waiting questions, then each consultant's load), for /queue and the board."""
    lines = [_("📋 <b>Queue</b>")]
    if not waiting:
        lines.append(_("No question is waiting."))
    lines += [waiting_line(ticket, hours) for ticket, hours in waiting]
    lines += ["", _("👩‍💼 <b>Consultants</b>")]
    for load in loads:
        duty = "🟢" if load.consultant.on_duty else "⚫"
        name = load.consultant.display_name or str(load.consultant.user_id)
        lines.append(f"{duty} {html.escape(name)} — {load.open_tickets}")
    return "\n".join(lines)


def _cb(action: str, ticket: TicketDTO, arg: int = 0) -> str:
    return DeskCb(action=action, t=ticket.id, arg=arg).pack()


class DeskTextsView:
    def __init__(self, i18n: I18n, tz: ZoneInfo, workspace_language: str) -> None:
        self._i18n = i18n
        self._tz = tz
        self._staff = workspace_language

    @contextmanager
    def _speaking(self, language: str) -> Iterator[None]:
        with self._i18n.context(), self._i18n.use_locale(language):
            yield

    def _when(self, moment: datetime | None) -> str:
        return moment.astimezone(self._tz).strftime("%d.%m %H:%M") if moment else "—"

    # --- the consultants' side ------------------------------------------------------------

    def topic_name(self, ticket: TicketDTO, owner_name: str | None) -> str:
        with self._speaking(self._staff):
            parts = [
                f"{STATUS_MARK.get(ticket.status, '⚪')} #{ticket.id}",
                LANGUAGE_MARK.get(ticket.language, ticket.language.upper()),
                topic_title(ticket.topic),
                ticket.person_name,
            ]
            if owner_name:
                parts.append(f"→ {owner_name}")
        return " · ".join(parts)[:TOPIC_NAME_LIMIT]

    def card(
        self,
        ticket: TicketDTO,
        owner_name: str | None,
        messages: Sequence[MessageDTO],
        earlier_questions: int,
        region: str | None,
        in_group: bool = True,
        *,
        language: str | None = None,
        in_private_chat: bool = False,
    ) -> MessageContent:
        """In the question's topic in the workspace's language; in a consultant's private chat
        in `language` (theirs), saying how to answer from there."""
        reader = language or self._staff
        with self._speaking(reader):
            lines = [
                _("❓ <b>Question #{id}</b> · {mark} {status}").format(
                    id=ticket.id,
                    mark=STATUS_MARK.get(ticket.status, ""),
                    status=status_title(ticket.status),
                ),
                _("👤 {name} · {language}").format(
                    name=html.escape(ticket.person_name),
                    language=LANGUAGE_MARK.get(ticket.language, ticket.language),
                ),
                _("📍 {region}").format(
                    region=html.escape(region_name(region, reader) or _("region not given"))
                ),
                _("🏷 {topic}").format(topic=topic_title(ticket.topic)),
                _("🕐 Asked {when}").format(when=self._when(ticket.submitted_at)),
            ]
            if earlier_questions:
                lines.append(_("🔁 Earlier questions: {n}").format(n=earlier_questions))
            if ticket.origin_query:
                lines.append(
                    _("🔎 Searched the FAQ for: «{query}»").format(
                        query=html.escape(ticket.origin_query)
                    )
                )
            lines.append(
                _("👩‍💼 Consultant: {name}").format(name=html.escape(owner_name))
                if owner_name
                else _("👩‍💼 No consultant yet: press «Take».")
            )
            texts = [m.text for m in messages if m.direction == "in" and m.text][-CARD_TEXTS:]
            if texts:
                lines.append("")
                lines += [f"💬 {html.escape(t[:CARD_TEXT_CHARS])}" for t in texts]
            if not in_group:
                how = _(
                    "To answer, reply to the person's message, or just write while this "
                    "question is yours and open; start with // for a note."
                )
            elif in_private_chat:
                how = _(
                    "Answers are written in the question's topic in the consultants' group; "
                    "the buttons below work here too."
                )
            else:
                how = _("Write in this topic to answer; start with // for a colleagues' note.")
            lines += ["", how]
            return MessageContent("\n".join(lines), self._card_buttons(ticket))

    def _card_buttons(self, ticket: TicketDTO) -> Keyboard:
        if ticket.status == Status.CLOSED:
            return ((Button(_("♻️ Reopen"), callback_data=_cb("reopen", ticket)),),)
        rows: list[tuple[Button, ...]] = []
        if ticket.owner_id is None:
            rows.append((Button(_("✋ Take"), callback_data=_cb("take", ticket)),))
        else:
            rows.append(
                (
                    Button(_("✅ Answered"), callback_data=_cb("answered", ticket)),
                    Button(_("↩️ Release"), callback_data=_cb("release", ticket)),
                )
            )
        rows.append(
            (
                Button(_("🔁 Hand over"), callback_data=_cb("hand", ticket)),
                Button(_("🔒 Close"), callback_data=_cb("close", ticket)),
            )
        )
        rows.append(
            (
                Button(_("📋 Snippet"), callback_data=_cb("snippets", ticket)),
                Button(_("📚 FAQ answer"), callback_data=_cb("faq", ticket)),
            )
        )
        rows.append(
            (
                Button(_("📝 Save as FAQ draft"), callback_data=_cb("draft", ticket)),
                Button(_("⛔ Ban"), callback_data=_cb("ban", ticket)),
            )
        )
        return tuple(rows)

    def new_question(self, ticket: TicketDTO, first_text: str | None) -> MessageContent:
        with self._speaking(self._staff):
            text = _("🆕 <b>#{id}</b> · {language} · {topic} · {name}").format(
                id=ticket.id,
                language=LANGUAGE_MARK.get(ticket.language, ticket.language),
                topic=topic_title(ticket.topic),
                name=html.escape(ticket.person_name),
            )
            if first_text:
                text += "\n\n" + html.escape(first_text[:CARD_TEXT_CHARS])
            buttons: list[Button] = [Button(_("👀 Open"), callback_data=_cb("open", ticket))]
            if ticket.owner_id is None:
                buttons.insert(0, Button(_("✋ Take"), callback_data=_cb("take", ticket)))
            return MessageContent(text, (tuple(buttons),))

    def internal_note_mark(self) -> str:
        return "🙈"

    def event(self, ticket: TicketDTO, event: str, **params: object) -> MessageContent:
        with self._speaking(self._staff):
            safe = {k: html.escape(str(v)) for k, v in params.items()}
            hours = float(str(params.get("hours", 0) or 0))
            texts = {
                "taken": _("✋ #{id} taken by {name}."),
                "released": _("↩️ {name} released #{id}: it waits in the queue again."),
                "handed_over": _("🔁 {name} handed #{id} over to {to}."),
                "reopened": _("♻️ #{id} reopened: the person wrote again."),
                "follow_up": _("💬 #{id}: the person wrote again after the answer."),
                "edited": _("✏️ edited: {text}"),
                "edited_blank": _("✏️ edited: the text was removed."),
                "not_solved": _(
                    "❌ #{id}: the answer did not solve it; it is back with its consultant."
                ),
                "closed_by_person": _("⚪ #{id}: the person closed it (problem solved)."),
                "rated": _("⭐ #{id} rated {stars} of 5."),
                "commented": _("💬 #{id}, the person's comment: {comment}"),
                "banned": _("⛔ The person of #{id} is banned from the desk: {reason}"),
                "undeliverable": _(
                    "📵 #{id}: the answer could not be delivered (the person blocked the bot)."
                ),
                "consultant_removed": _(
                    "↩️ #{id} is back in the queue: its consultant was removed from the desk."
                ),
                "undelivered": _(
                    "📵 #{id}: a message could not be delivered to the person ({reason})."
                ),
                "escalated_unclaimed": _(
                    "⏰ #{id} has waited {hours} working hours and no one has taken it."
                ),
                "escalated_unanswered": _(
                    "⏰ #{id} has waited {hours} working hours for its consultant's answer."
                ),
                "owner_reminder": _(
                    "⏰ #{id} waits for your answer: {hours} working hours so far."
                ),
            }
            text = texts.get(event, event).format(
                id=ticket.id, **{**safe, "hours": f"{round(hours, 1):g}"}
            )
            return MessageContent(text)

    def board(
        self, waiting: Sequence[tuple[TicketDTO, float]], loads: Sequence[ConsultantLoad]
    ) -> MessageContent:
        with self._speaking(self._staff):
            return MessageContent(queue_text(waiting, loads))

    # --- the person's side ----------------------------------------------------------------

    def signed_text(self, consultant_name: str, text: str, language: str) -> str:
        with self._speaking(language):
            head = _("👩‍💼 <b>{name}</b>, consultant:").format(name=html.escape(consultant_name))
        return f"{head}\n{html.escape(text)}" if text else head

    def signed_caption(self, consultant_name: str, caption: str | None, language: str) -> str:
        text = self.signed_text(consultant_name, caption or "", language)
        return text[:1000]

    def to_person(self, ticket: TicketDTO, event: str, **params: object) -> MessageContent:
        with self._speaking(ticket.language):
            if event == "answered":
                text = _("✅ Your question #{id} is answered. Did this solve it?").format(
                    id=ticket.id
                )
                keyboard: Keyboard = (
                    (
                        Button(
                            _("👍 Yes, solved"),
                            callback_data=AskCb(action="solved", t=ticket.id, arg=1).pack(),
                        ),
                        Button(
                            _("👎 No"),
                            callback_data=AskCb(action="solved", t=ticket.id, arg=0).pack(),
                        ),
                    ),
                )
                return MessageContent(text, keyboard)
            if event == "closed":
                return MessageContent(
                    _(
                        "⚪ Your question #{id} is closed. If something is left, write within "
                        "7 days and it opens again."
                    ).format(id=ticket.id)
                )
            return MessageContent(event)
