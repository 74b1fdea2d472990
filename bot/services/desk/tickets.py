"""Questions to consultants, from the person's side: write, submit, follow up, close, rate.

Everything a question says to anyone goes through the outbox in the caller's transaction, so a
message the bot acknowledged is stored before the acknowledgement, and relayed exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.delivery.messages import MessageContent, OutgoingMessage
from bot.delivery.outbox import Outbox
from bot.services.desk.assignment import pick_consultant
from bot.services.desk.hours import WorkingHours
from bot.services.desk.model import (
    COMMENT_MAX,
    FLOOD_MESSAGES,
    FLOOD_WINDOW,
    NAME_MAX,
    NEW_QUESTION_OFFER,
    REOPEN_WINDOW,
    TOPICS,
    DeskError,
    Direction,
    Edited,
    EditOutcome,
    Expectation,
    Incoming,
    Status,
    TicketNotFoundError,
)
from bot.services.desk.opening import describe_next_opening
from bot.services.desk.ports import DeskTexts
from bot.services.desk.relay import Workspace
from db.models.outbox import OutboxState
from db.repositories.desk import (
    BanRepository,
    ConsultantRepository,
    MessageDTO,
    MessageRepository,
    PersonRepository,
    TicketDTO,
    TicketRepository,
)
from db.repositories.outbox import OutboxRepository
from db.repositories.users import UserRepository

# The note for a copy Telegram cannot edit is at most this long (a message holds 4096).
EDIT_NOTE_TEXT = 3500


@dataclass(frozen=True, slots=True)
class Submitted:
    ticket: TicketDTO
    position: int  # in the queue, 1 = next; 0 when a consultant already has it
    expectation: Expectation


@dataclass(frozen=True, slots=True)
class FollowUp:
    ticket: TicketDTO
    stored: bool  # False: this very message was stored before (a redelivery)
    reopened: bool
    off_hours: Expectation | None  # say when consultants are back (at most once a day)
    flooding: bool  # too many messages this minute: the person gets a polite note


@dataclass(frozen=True, slots=True)
class DeskContext:
    """What every desk service is built from (see bot.services.registry)."""

    settings: Settings
    clock: Clock
    outbox: Outbox
    texts: DeskTexts
    hours: WorkingHours

    @property
    def workspace(self) -> Workspace:
        return Workspace(self.settings.consultants_chat_id)


class DeskBase:
    """Shared by the person's and the staff's services: loading, relaying, refreshing views."""

    def __init__(self, session: AsyncSession, context: DeskContext) -> None:
        self._session = session
        self._ctx = context
        self._tickets = TicketRepository(session)
        self._messages = MessageRepository(session)
        self._consultants = ConsultantRepository(session)

    @property
    def now(self) -> datetime:
        return self._ctx.clock.now()

    async def _ticket(self, ticket_id: int, *, for_update: bool = False) -> TicketDTO:
        ticket = await self._tickets.get(ticket_id, for_update=for_update)
        if ticket is None or ticket.status == Status.DRAFT:
            raise TicketNotFoundError(ticket_id)
        return ticket

    async def _owner_name(self, ticket: TicketDTO) -> str | None:
        if ticket.owner_id is None:
            return None
        consultant = await self._consultants.get(ticket.owner_id)
        return consultant.display_name if consultant else None

    async def _changed(self, ticket_id: int, values: dict[str, object]) -> TicketDTO:
        """Apply a change worth showing: a new revision, the card and topic name redrawn."""
        current = await self._ticket(ticket_id)
        ticket = await self._tickets.update(ticket_id, {**values, "revision": current.revision + 1})
        await self._redraw(ticket)
        return ticket

    async def _redraw(self, ticket: TicketDTO) -> None:
        workspace = self._ctx.workspace
        if not workspace.is_group:
            return
        owner = await self._owner_name(ticket)
        card = await self._card(ticket, owner)
        name = self._ctx.texts.topic_name(ticket, owner)
        await self._send(workspace.card_update(ticket, card), workspace.topic_rename(ticket, name))

    async def _card(
        self,
        ticket: TicketDTO,
        owner: str | None,
        *,
        language: str | None = None,
        in_private_chat: bool = False,
    ) -> MessageContent:
        messages = await self._messages.of_ticket(ticket.id)
        earlier = [t for t in await self._tickets.of_user(ticket.user_id) if t.id < ticket.id]
        person = await UserRepository(self._session).get(ticket.user_id)
        return self._ctx.texts.card(
            ticket,
            owner,
            messages,
            len(earlier),
            person.region if person else None,
            in_group=self._ctx.workspace.is_group,
            language=language,
            in_private_chat=in_private_chat,
        )

    async def _send(self, *messages: OutgoingMessage) -> int:
        return await self._ctx.outbox.enqueue(self._session, *messages)

    async def _staff_chats(self, ticket: TicketDTO) -> list[int]:
        """Private-chat mode: the owner, or every consultant on duty while no one owns it."""
        if ticket.owner_id is not None:
            return [ticket.owner_id]
        return [c.user_id for c in await self._consultants.all() if c.on_duty]

    async def _tell_staff(self, ticket: TicketDTO, event: str, key: str, **params: object) -> None:
        content = self._ctx.texts.event(ticket, event, **params)
        chats = [] if self._ctx.workspace.is_group else await self._staff_chats(ticket)
        await self._send(*self._ctx.workspace.notice(ticket, content, key, chats))

    async def _store(
        self, ticket: TicketDTO, message: Incoming, direction: Direction
    ) -> int | None:
        return await self._messages.add(
            {
                "ticket_id": ticket.id,
                "direction": direction,
                "author_id": message.author_id,
                "chat_id": message.chat_id,
                "message_id": message.message_id,
                "kind": message.kind,
                "text": message.text,
                "media_group_id": message.media_group_id,
                "created_at": message.sent_at,
            }
        )

    def expectation(self, moment: datetime) -> Expectation:
        return Expectation(
            describe_next_opening(self._ctx.hours, moment), self._ctx.settings.sla_answer
        )


class DeskService(DeskBase):
    """The person's side of the desk."""

    async def draft(self, user_id: int) -> TicketDTO | None:
        return await self._tickets.draft_of(user_id)

    async def start(
        self,
        user_id: int,
        *,
        language: str,
        person_name: str,
        origin_query: str | None = None,
        faq_entry_id: str | None = None,
    ) -> TicketDTO:
        """The person's draft question (one at a time; an unfinished one is kept)."""
        if await BanRepository(self._session).get(user_id) is not None:
            raise DeskError("banned")
        limit = self._ctx.settings.desk_user_max_open
        if len(await self._tickets.open_of(user_id)) >= limit:
            raise DeskError("too_many_open", limit=limit)
        draft = await self._tickets.draft_of(user_id)
        if draft is not None:
            if origin_query and not draft.origin_query:
                draft = await self._tickets.update(draft.id, {"origin_query": origin_query[:200]})
            return draft
        return await self._tickets.create(
            {
                "user_id": user_id,
                "language": language,
                "person_name": (person_name or "—")[:NAME_MAX],
                "status": Status.DRAFT,
                "origin_query": origin_query[:200] if origin_query else None,
                "faq_entry_id": faq_entry_id,
                "created_at": self.now,
            }
        )

    async def add_to_draft(self, user_id: int, message: Incoming) -> TicketDTO:
        draft = await self._tickets.draft_of(user_id)
        if draft is None:
            raise DeskError("no_draft")
        await self._store(draft, message, Direction.IN)
        return draft

    async def draft_messages(self, user_id: int) -> int:
        draft = await self._tickets.draft_of(user_id)
        return len(await self._messages.of_ticket(draft.id)) if draft else 0

    async def draft_content(self, user_id: int) -> list[MessageDTO]:
        """The messages of the person's draft (none when there is no draft)."""
        draft = await self._tickets.draft_of(user_id)
        return await self._messages.of_ticket(draft.id) if draft else []

    async def drop_draft(self, user_id: int) -> bool:
        draft = await self._tickets.draft_of(user_id)
        if draft is None:
            return False
        await self._tickets.delete(draft.id)
        return True

    async def submit(self, user_id: int, topic: str) -> Submitted:
        if topic not in TOPICS:
            raise DeskError("bad_topic")
        draft = await self._tickets.draft_of(user_id)
        if draft is None:
            raise DeskError("no_draft")
        messages = await self._messages.of_ticket(draft.id)
        if not messages:
            raise DeskError("empty")
        now = self.now
        ticket = await self._tickets.update(
            draft.id,
            {
                "topic": topic,
                "status": Status.WAITING,
                "submitted_at": now,
                "waiting_since": now,
                "last_person_message_at": messages[-1].created_at,
            },
        )
        owner = None
        if self._ctx.settings.desk_auto_assign:
            chosen = await pick_consultant(self._consultants, self._ctx.settings.desk_max_open)
            if chosen is not None and await self._tickets.claim(ticket.id, chosen.user_id, now):
                ticket = await self._ticket(ticket.id)
                owner = chosen.display_name
        await PersonRepository(self._session).set_current_ticket(user_id, ticket.id)
        workspace = self._ctx.workspace
        if workspace.is_group:
            card = await self._card(ticket, owner)
            await self._send(workspace.card(ticket, card), *workspace.copies(ticket, messages, ()))
        else:
            chats = await self._staff_chats(ticket)
            first = next((m.text for m in messages if m.text), None)
            content = self._ctx.texts.new_question(ticket, first)
            await self._send(*workspace.notice(ticket, content, "new", chats))
            if ticket.owner_id is not None:
                await self._send(*workspace.copies(ticket, messages, chats))
        position = 0 if ticket.owner_id else await self._tickets.waiting_count_until(ticket.id)
        if not self._ctx.hours.is_open(now):
            # The confirmation says when consultants are back: no second note today.
            await PersonRepository(self._session).note_off_hours(
                user_id, self._ctx.hours.local_date(now)
            )
        return Submitted(ticket, position, self.expectation(now))

    async def open_question(self, user_id: int) -> TicketDTO | None:
        """Where the person's next message goes: their current open question, else their latest
        open one, else one closed within the last week (it is then reopened)."""
        open_tickets = await self._tickets.open_of(user_id)
        current = await PersonRepository(self._session).current_ticket(user_id)
        for ticket in open_tickets:
            if ticket.id == current:
                return ticket
        if open_tickets:
            return open_tickets[-1]
        return await self._tickets.latest_closed_of(user_id, self.now - REOPEN_WINDOW)

    async def may_follow_up(self, user_id: int) -> bool:
        """False when neither `follow_up` nor `closed_long_ago` can find anything: most people
        writing have no question at all, and this answers that with one query, not six."""
        return await self._tickets.any_open_or_closed_since(user_id, self.now - NEW_QUESTION_OFFER)

    async def closed_long_ago(self, user_id: int) -> TicketDTO | None:
        """The person's question closed too long ago to reopen (but not so long ago that their
        message is surely something else), when nothing of theirs is open: a message of theirs
        then starts a new question, which they are offered."""
        if await self._tickets.open_of(user_id):
            return None
        if await self._tickets.latest_closed_of(user_id, self.now - REOPEN_WINDOW) is not None:
            return None  # a message reopens that one
        return await self._tickets.latest_closed_of(user_id, self.now - NEW_QUESTION_OFFER)

    async def follow_up(self, user_id: int, message: Incoming) -> FollowUp | None:
        """Add a message to the person's question; None when there is none to add it to."""
        ticket = await self.open_question(user_id)
        if ticket is None:
            return None
        now = self.now
        flooding = (
            await self._messages.count_in_since(user_id, now - FLOOD_WINDOW) >= FLOOD_MESSAGES
        )
        stored = await self._store(ticket, message, Direction.IN)
        if stored is None:
            return FollowUp(ticket, False, False, None, flooding)
        reopened = ticket.status == Status.CLOSED
        if reopened or ticket.status == Status.ANSWERED:
            status = Status.IN_PROGRESS if ticket.owner_id else Status.WAITING
            values: dict[str, object] = {"status": status, "waiting_since": now}
            if reopened:
                values.update(reopened_at=now, closed_at=None)
            ticket = await self._changed(ticket.id, {**values, "last_person_message_at": now})
            await self._tell_staff(ticket, "reopened" if reopened else "follow_up", f"re:{stored}")
        else:
            values = {"last_person_message_at": now}
            if ticket.waiting_since is None:
                values["waiting_since"] = now
            ticket = await self._tickets.update(ticket.id, values)
        workspace = self._ctx.workspace
        chats = [] if workspace.is_group else ([ticket.owner_id] if ticket.owner_id else [])
        messages = [m for m in await self._messages.of_ticket(ticket.id) if m.id == stored]
        await self._send(*workspace.copies(ticket, messages, chats))
        await PersonRepository(self._session).set_current_ticket(user_id, ticket.id)
        off_hours = None
        if not self._ctx.hours.is_open(now) and await PersonRepository(
            self._session
        ).note_off_hours(user_id, self._ctx.hours.local_date(now)):
            off_hours = self.expectation(now)
        return FollowUp(ticket, True, reopened, off_hours, flooding)

    async def edited(self, user_id: int, edit: Edited) -> EditOutcome:
        """The person edited a message they sent: a message of their open question is stored
        anew and its copies for the consultants follow (an edit of each copy, or a short note
        in reply where a copy cannot be edited); a draft's message is only stored; anything
        else (not in a question, another person's, a closed question) is ignored."""
        message = await self._messages.find(edit.chat_id, edit.message_id)
        if (
            message is None
            or message.direction != Direction.IN
            or message.author_id != user_id
            or edit.chat_id != user_id
        ):
            return EditOutcome.IGNORED
        ticket = await self._tickets.get(message.ticket_id)
        if ticket is None or ticket.user_id != user_id or ticket.status == Status.CLOSED:
            return EditOutcome.IGNORED
        await self._messages.set_text(message.id, edit.text)
        if ticket.status == Status.DRAFT:
            return EditOutcome.STORED
        workspace = self._ctx.workspace
        copies = await OutboxRepository(self._session).find(dedupe_prefix=f"desk:in:{message.id}:")
        gone = (OutboxState.FAILED, OutboxState.CANCELLED, OutboxState.SKIPPED)
        relays = []
        for copy in copies:
            if copy.state in gone or copy.dedupe_key is None:
                continue
            relay = workspace.copy_edit(
                ticket, message, edit.html, copy.dedupe_key, copy.chat_id, edit.version
            )
            if relay is None:
                content = self._ctx.texts.event(
                    ticket,
                    "edited" if edit.text else "edited_blank",
                    text=(edit.text or "")[:EDIT_NOTE_TEXT],
                )
                relay = workspace.edit_note(
                    ticket, message, content, copy.dedupe_key, copy.chat_id, edit.version
                )
            relays.append(relay)
        await self._send(*relays)
        if workspace.is_group:
            # The card quotes the person's latest messages: it shows the new text too.
            ticket = await self._tickets.update(ticket.id, {"revision": ticket.revision + 1})
            card = await self._card(ticket, await self._owner_name(ticket))
            await self._send(workspace.card_update(ticket, card))
        return EditOutcome.RELAYED

    async def my_questions(self, user_id: int) -> list[TicketDTO]:
        return await self._tickets.of_user(user_id)

    async def choose(self, user_id: int, ticket_id: int) -> TicketDTO:
        ticket = await self._own(user_id, ticket_id)
        await PersonRepository(self._session).set_current_ticket(user_id, ticket.id)
        return ticket

    async def close(self, user_id: int, ticket_id: int) -> TicketDTO:
        """ "Problem solved": the person closes their own question."""
        ticket = await self._own(user_id, ticket_id)
        if ticket.status == Status.CLOSED:
            return ticket
        ticket = await self._changed(
            ticket.id, {"status": Status.CLOSED, "closed_at": self.now, "waiting_since": None}
        )
        await self._tell_staff(ticket, "closed_by_person", f"closed:{ticket.revision}")
        return ticket

    async def answer_helped(self, user_id: int, ticket_id: int, helped: bool) -> TicketDTO:
        """The reply to "Did this solve it?": yes closes it; no gives it back to its owner."""
        ticket = await self._own(user_id, ticket_id)
        if ticket.status != Status.ANSWERED:
            return ticket
        now = self.now
        if helped:
            return await self._changed(
                ticket.id, {"status": Status.CLOSED, "closed_at": now, "waiting_since": None}
            )
        status = Status.IN_PROGRESS if ticket.owner_id else Status.WAITING
        ticket = await self._changed(
            ticket.id, {"status": status, "reopened_at": now, "waiting_since": now}
        )
        await self._tell_staff(ticket, "not_solved", f"notsolved:{ticket.revision}")
        return ticket

    async def rate(self, user_id: int, ticket_id: int, stars: int) -> TicketDTO:
        if not 1 <= stars <= 5:
            raise DeskError("bad_rating")
        ticket = await self._own(user_id, ticket_id)
        if ticket.status != Status.CLOSED:
            raise DeskError("not_closed")  # rated once it is over
        ticket = await self._tickets.update(ticket.id, {"rating": stars})
        await self._tell_staff(ticket, "rated", f"rated:{stars}", stars=stars)
        return ticket

    async def comment(self, user_id: int, ticket_id: int, text: str) -> TicketDTO:
        ticket = await self._own(user_id, ticket_id)
        comment = " ".join(text.split())[:COMMENT_MAX]
        ticket = await self._tickets.update(ticket.id, {"rating_comment": comment})
        await self._tell_staff(ticket, "commented", "commented", comment=comment)
        return ticket

    async def _own(self, user_id: int, ticket_id: int) -> TicketDTO:
        ticket = await self._tickets.get(ticket_id)
        if ticket is None or ticket.user_id != user_id or ticket.status == Status.DRAFT:
            # Another person's question, or a forged id: the same answer as for a missing one.
            raise TicketNotFoundError(ticket_id)
        return ticket
