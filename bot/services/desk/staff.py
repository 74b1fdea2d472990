"""Questions from the consultants' side: take, answer, hand over, close, notes, snippets.

Every action is authorised here, from the database: the actor must be a consultant (a row in
desk_consultants) or an admin (ADMIN_IDS), and actions on a question's course need its owner
(admins may always act). Callback data only says which question and which action.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from bot.delivery.messages import Category, MessageContent, OutgoingMessage
from bot.services.desk.board import Queue, QueueBoard
from bot.services.desk.model import (
    BAN_REASON_MAX,
    INTERNAL_PREFIX,
    DeskError,
    Direction,
    Edited,
    EditOutcome,
    Incoming,
    NotAllowedError,
    Status,
)
from bot.services.desk.relay import (
    CAPTIONED_KINDS,
    group_key,
    ticket_of_group_key,
    to_person,
)
from bot.services.desk.tickets import DeskBase
from db.repositories.desk import (
    BanRepository,
    ConsultantDTO,
    DraftDTO,
    DraftRepository,
    SnippetDTO,
    SnippetRepository,
    TicketDTO,
)
from db.repositories.outbox import OutboxRepository
from db.repositories.users import UserRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Staff:
    user_id: int
    name: str
    is_admin: bool
    consultant: ConsultantDTO | None


@dataclass(frozen=True, slots=True)
class TakeResult:
    ticket: TicketDTO
    won: bool
    owner_name: str | None  # who has it (the actor when they won)


@dataclass(frozen=True, slots=True)
class StaffMessage:
    ticket: TicketDTO
    relayed: bool  # False: an internal note, not sent to the person
    # The person blocked the bot (or left Telegram): the answer is kept but cannot reach them.
    unreachable: bool = False


class StaffDeskService(DeskBase):
    async def staff(self, user_id: int) -> Staff:
        consultant = await self._consultants.get(user_id)
        is_admin = user_id in self._ctx.settings.admin_ids
        if consultant is None and not is_admin:
            log.warning("a desk action by someone who is not staff was refused")
            raise NotAllowedError("not_staff")
        name = consultant.display_name if consultant else ""
        return Staff(user_id, name, is_admin, consultant)

    async def _may_steer(self, ticket: TicketDTO, actor: Staff) -> None:
        if actor.is_admin or ticket.owner_id == actor.user_id:
            return
        raise NotAllowedError("not_owner")

    # --- taking and giving -----------------------------------------------------------------

    async def take(self, ticket_id: int, actor_id: int) -> TakeResult:
        actor = await self.staff(actor_id)
        if actor.consultant is None:
            raise NotAllowedError("not_consultant")
        ticket = await self._ticket(ticket_id)
        if ticket.status == Status.CLOSED:
            raise DeskError("closed")
        won = await self._tickets.claim(ticket_id, actor_id, self.now)
        ticket = await self._ticket(ticket_id)
        if not won:
            return TakeResult(ticket, False, await self._owner_name(ticket))
        await self._redraw(ticket)
        await self._tell_staff(ticket, "taken", f"taken:{ticket.revision}", name=actor.name)
        await self._consultants.set(actor_id, current_ticket_id=ticket.id)
        if not self._ctx.workspace.is_group:
            # Private chats: the new owner gets the whole question so far.
            messages = [m for m in await self._messages.of_ticket(ticket.id) if m.direction == "in"]
            await self._send(*self._ctx.workspace.copies(ticket, messages, [actor_id]))
        return TakeResult(ticket, True, actor.name)

    async def release(self, ticket_id: int, actor_id: int) -> TicketDTO:
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        await self._may_steer(ticket, actor)
        ticket = await self._changed(ticket.id, {"owner_id": None, "status": Status.WAITING})
        await self._tell_staff(ticket, "released", f"released:{ticket.revision}", name=actor.name)
        return ticket

    async def hand_over(self, ticket_id: int, actor_id: int, to_id: int) -> TicketDTO:
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        await self._may_steer(ticket, actor)
        colleague = await self._consultants.get(to_id)
        if colleague is None:
            raise DeskError("no_such_consultant")
        ticket = await self._changed(
            ticket.id,
            {"owner_id": to_id, "status": Status.IN_PROGRESS, "claimed_at": self.now},
        )
        await self._consultants.set(to_id, current_ticket_id=ticket.id)
        await self._tell_staff(
            ticket,
            "handed_over",
            f"handed:{ticket.revision}",
            name=actor.name,
            to=colleague.display_name,
        )
        if not self._ctx.workspace.is_group:
            messages = [m for m in await self._messages.of_ticket(ticket.id) if m.direction == "in"]
            await self._send(*self._ctx.workspace.copies(ticket, messages, [to_id]))
        return ticket

    async def mark_answered(self, ticket_id: int, actor_id: int) -> TicketDTO:
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        await self._may_steer(ticket, actor)
        if ticket.status == Status.CLOSED:
            raise DeskError("closed")
        ticket = await self._changed(
            ticket.id, {"status": Status.ANSWERED, "answered_at": self.now, "waiting_since": None}
        )
        content = self._ctx.texts.to_person(ticket, "answered")
        await self._send(to_person(ticket, content, f"answered:{ticket.id}:{ticket.revision}"))
        return ticket

    async def close(self, ticket_id: int, actor_id: int) -> TicketDTO:
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        await self._may_steer(ticket, actor)
        if ticket.status == Status.CLOSED:
            return ticket
        ticket = await self._changed(
            ticket.id, {"status": Status.CLOSED, "closed_at": self.now, "waiting_since": None}
        )
        content = self._ctx.texts.to_person(ticket, "closed")
        await self._send(to_person(ticket, content, f"closed:{ticket.id}:{ticket.revision}"))
        return ticket

    async def reopen(self, ticket_id: int, actor_id: int) -> TicketDTO:
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        await self._may_steer(ticket, actor)
        status = Status.IN_PROGRESS if ticket.owner_id else Status.WAITING
        return await self._changed(
            ticket.id, {"status": status, "reopened_at": self.now, "closed_at": None}
        )

    async def ban(self, ticket_id: int, actor_id: int, reason: str) -> TicketDTO:
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        reason = " ".join(reason.split())[:BAN_REASON_MAX]
        if not reason:
            raise DeskError("ban_needs_reason")
        await BanRepository(self._session).ban(ticket.user_id, reason, actor.user_id, self.now)
        if ticket.status != Status.CLOSED:
            ticket = await self._changed(
                ticket.id, {"status": Status.CLOSED, "closed_at": self.now, "waiting_since": None}
            )
        await self._tell_staff(ticket, "banned", f"banned:{ticket.revision}", reason=reason)
        return ticket

    async def unban(self, user_id: int, actor_id: int) -> bool:
        await self.staff(actor_id)
        return await BanRepository(self._session).lift(user_id)

    # --- messages ----------------------------------------------------------------------------

    async def message(self, ticket_id: int, actor_id: int, message: Incoming) -> StaffMessage:
        """A consultant wrote in the question's topic (or replied to its copy): the owner's words
        go to the person, signed; anyone else's, and anything starting with //, stay a note."""
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        internal = (message.text or "").lstrip().startswith(INTERNAL_PREFIX)
        to_person_ok = (
            ticket.owner_id == actor.user_id and not internal and ticket.status != Status.CLOSED
        )
        direction = Direction.OUT if to_person_ok else Direction.NOTE
        stored = await self._store(ticket, message, direction)
        if stored is None or not to_person_ok:
            return StaffMessage(ticket, False)
        await self._send(*self._signed(ticket, actor, message, stored))
        now = self.now
        values: dict[str, object] = {
            "waiting_since": None,
            "owner_reminded_at": None,
            "escalated_unanswered_at": None,
        }
        if ticket.first_response_at is None:
            values["first_response_at"] = now
        ticket = await self._tickets.update(ticket.id, values)
        return StaffMessage(ticket, True, not await self.reachable(ticket))

    async def edited(self, actor_id: int, edit: Edited) -> EditOutcome:
        """A consultant corrected a message they wrote in a question: the stored text follows,
        and so does the person's copy when the message went to them (a text is edited, a
        caption too; a sticker or a round video has nothing to edit). Someone else's message,
        or a message the desk never stored, is ignored."""
        stored = await self._messages.find(edit.chat_id, edit.message_id)
        if (
            stored is None
            or stored.author_id != actor_id
            or stored.direction not in (Direction.OUT, Direction.NOTE)
        ):
            return EditOutcome.IGNORED
        actor = await self.staff(actor_id)
        ticket = await self._ticket(stored.ticket_id)
        await self._messages.set_text(stored.id, edit.text)
        if stored.direction != Direction.OUT:
            return EditOutcome.STORED
        texts, language = self._ctx.texts, ticket.language
        options: dict[str, Any] = {
            "category": Category.REPLY,
            "dedupe_key": f"desk:out-edit:{stored.id}:{edit.version}",
            "group_key": group_key(ticket.id),
        }
        copy_ref = f"desk:out:{stored.id}"
        try:
            if stored.kind == "text" and edit.text:
                body = texts.signed_text(actor.name, edit.text, language)
                relay = OutgoingMessage.edit_text(ticket.user_id, copy_ref, text=body, **options)
            elif stored.kind in CAPTIONED_KINDS:
                caption = texts.signed_caption(actor.name, edit.text, language)
                relay = OutgoingMessage.edit_caption(
                    ticket.user_id, copy_ref, caption=caption, **options
                )
            else:
                return EditOutcome.STORED
        except ValueError:
            log.info("desk: a consultant's edit is over Telegram's limits; the copy stays")
            return EditOutcome.STORED
        await self._send(relay)
        return EditOutcome.RELAYED

    async def reachable(self, ticket: TicketDTO) -> bool:
        """Whether the person can receive answers (the outbox drops rows to a blocked chat)."""
        person = await UserRepository(self._session).get(ticket.user_id)
        return person is not None and person.is_reachable

    def _signed(
        self, ticket: TicketDTO, actor: Staff, message: Incoming, stored: int
    ) -> list[OutgoingMessage]:
        texts, language = self._ctx.texts, ticket.language
        key, group = f"desk:out:{stored}", group_key(ticket.id)
        if message.kind == "text":
            body = texts.signed_text(actor.name, message.text or "", language)
            return [
                OutgoingMessage.text_message(
                    ticket.user_id, body, category=Category.REPLY, dedupe_key=key, group_key=group
                )
            ]
        copy = OutgoingMessage.copy_message(
            ticket.user_id,
            from_chat_id=message.chat_id,
            message_id=message.message_id,
            category=Category.REPLY,
            caption=None
            if message.kind == "sticker"
            else texts.signed_caption(actor.name, message.text, language),
            dedupe_key=key,
            group_key=group,
        )
        if message.kind != "sticker":
            return [copy]
        # A sticker takes no caption: the signature goes first, as its own line.
        signature = texts.signed_text(actor.name, "", language)
        return [
            OutgoingMessage.text_message(
                ticket.user_id,
                signature,
                category=Category.REPLY,
                dedupe_key=f"{key}:sig",
                group_key=group,
            ),
            copy,
        ]

    async def send_text(
        self, ticket_id: int, actor_id: int, text: str, key: str, *, html_text: str | None = None
    ) -> TicketDTO:
        """A text the bot writes for the owner (a snippet, an FAQ answer), signed, to the person.
        ``html_text``: what the person gets instead, as Telegram HTML (an FAQ answer with its
        links); ``text`` is then the plain version kept with the question. The caller leaves
        room for the signature within Telegram's 4096 characters."""
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        await self._may_steer(ticket, actor)
        texts = self._ctx.texts
        if html_text is None:
            body = texts.signed_text(actor.name, text, ticket.language)
        else:
            body = texts.signed_text(actor.name, "", ticket.language) + "\n" + html_text
        await self._send(
            OutgoingMessage.text_message(
                ticket.user_id,
                body,
                category=Category.REPLY,
                dedupe_key=f"desk:{key}:{ticket.id}",
                group_key=group_key(ticket.id),
            )
        )
        # Kept with the question like the consultant's own words (for FAQ drafts).
        await self._messages.add(
            {
                "ticket_id": ticket.id,
                "direction": Direction.OUT,
                "author_id": actor.user_id,
                "chat_id": ticket.user_id,
                "message_id": None,
                "kind": "text",
                "text": text,
                "media_group_id": None,
                "created_at": self.now,
            }
        )
        values: dict[str, object] = {"waiting_since": None}
        if ticket.first_response_at is None:
            values["first_response_at"] = self.now
        return await self._tickets.update(ticket.id, values)

    async def snippets(self) -> list[SnippetDTO]:
        return await SnippetRepository(self._session).all()

    async def send_snippet(self, ticket_id: int, actor_id: int, snippet_id: int) -> TicketDTO:
        snippet = await SnippetRepository(self._session).get(snippet_id)
        if snippet is None:
            raise DeskError("no_such_snippet")
        ticket = await self._ticket(ticket_id)
        text = snippet.text_kk if ticket.language == "kk" else snippet.text_ru
        return await self.send_text(
            ticket_id, actor_id, text, f"snippet:{snippet_id}:{self.now.timestamp()}"
        )

    async def save_snippet(
        self, actor_id: int, name: str, text_kk: str, text_ru: str
    ) -> SnippetDTO:
        await self.staff(actor_id)
        name = name.strip().lower()[:32]
        if not name or not text_kk.strip() or not text_ru.strip():
            raise DeskError("snippet_incomplete")
        return await SnippetRepository(self._session).save(
            name, text_kk.strip(), text_ru.strip(), actor_id, self.now
        )

    async def delete_snippet(self, actor_id: int, snippet_id: int) -> bool:
        await self.staff(actor_id)
        return await SnippetRepository(self._session).remove(snippet_id)

    async def save_faq_draft(self, ticket_id: int, actor_id: int) -> DraftDTO:
        """The person's question and the answers sent to them, kept for the knowledge base."""
        await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        messages = await self._messages.of_ticket(ticket.id)
        question = "\n".join(m.text for m in messages if m.direction == "in" and m.text)
        answer = "\n".join(m.text for m in messages if m.direction == "out" and m.text)
        if not question or not answer:
            raise DeskError("nothing_to_draft")
        return await DraftRepository(self._session).add(
            {
                "language": ticket.language,
                "question": question,
                "answer": answer,
                "ticket_id": ticket.id,
                "created_by": actor_id,
                "created_at": self.now,
            }
        )

    # --- where a consultant's message belongs ------------------------------------------------

    async def ticket_of_thread(self, thread_id: int) -> TicketDTO | None:
        return await self._tickets.by_thread(thread_id)

    async def ticket_of_copy(self, chat_id: int, message_id: int) -> TicketDTO | None:
        """The question whose copy (or card, or notice) this message of the bot's is."""
        sent = await OutboxRepository(self._session).find_by_message(chat_id, message_id)
        ticket_id = ticket_of_group_key(sent.group_key if sent else None)
        if ticket_id is None:
            stored = await self._messages.find(chat_id, message_id)
            ticket_id = stored.ticket_id if stored else None
        return await self._tickets.get(ticket_id) if ticket_id is not None else None

    async def ticket(self, ticket_id: int, actor_id: int) -> TicketDTO:
        """A question as staff see it (consultants and admins only)."""
        await self.staff(actor_id)
        return await self._ticket(ticket_id)

    async def card(self, ticket_id: int, actor_id: int, language: str | None) -> MessageContent:
        """The question's card with its buttons, for the consultant's private chat, in their
        `language`."""
        await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        return await self._card(
            ticket, await self._owner_name(ticket), language=language, in_private_chat=True
        )

    async def question_text(self, ticket_id: int, actor_id: int) -> str:
        """What the person wrote so far, as one text (to look for FAQ answers)."""
        await self.staff(actor_id)
        messages = await self._messages.of_ticket(ticket_id)
        return "\n".join(m.text for m in messages if m.direction == Direction.IN and m.text)

    async def choose(self, ticket_id: int, actor_id: int) -> TicketDTO:
        """Private mode: the owner makes this question the one their messages go to."""
        actor = await self.staff(actor_id)
        ticket = await self._ticket(ticket_id)
        if ticket.owner_id != actor.user_id:
            raise NotAllowedError("not_owner")
        await self._consultants.set(actor_id, current_ticket_id=ticket.id)
        return ticket

    async def current_of(self, actor_id: int) -> TicketDTO | None:
        consultant = await self._consultants.get(actor_id)
        if consultant is None or consultant.current_ticket_id is None:
            return None
        ticket = await self._tickets.get(consultant.current_ticket_id)
        return ticket if ticket is not None and ticket.owner_id == actor_id else None

    async def queue(self, actor_id: int) -> Queue:
        await self.staff(actor_id)
        return await QueueBoard(self._session, self._ctx).snapshot()

    async def toggle_duty(self, actor_id: int) -> bool:
        actor = await self.staff(actor_id)
        if actor.consultant is None:
            raise NotAllowedError("not_consultant")
        on_duty = not actor.consultant.on_duty
        await self._consultants.set(actor_id, on_duty=on_duty)
        return on_duty

    async def rename(self, actor_id: int, display_name: str) -> str:
        actor = await self.staff(actor_id)
        if actor.consultant is None:
            raise NotAllowedError("not_consultant")
        name = " ".join(display_name.split())[:64]
        if not name:
            raise DeskError("empty_name")
        await self._consultants.set(actor_id, display_name=name)
        return name
