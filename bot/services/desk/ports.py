"""What the desk says, rendered by the view (handlers/desk/texts.py) in the right language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.delivery.messages import MessageContent
from db.repositories.desk import ConsultantLoad, MessageDTO, TicketDTO


class DeskTexts(Protocol):
    # --- the consultants' side (the workspace's language) ----------------------------------
    def topic_name(self, ticket: TicketDTO, owner_name: str | None) -> str: ...

    def card(
        self,
        ticket: TicketDTO,
        owner_name: str | None,
        messages: Sequence[MessageDTO],
        earlier_questions: int,
        region: str | None,
        in_group: bool = True,  # False: private mode (no consultants' group)
        *,
        language: str | None = None,  # the reader's (None: the workspace's)
        in_private_chat: bool = False,  # shown in a consultant's private chat
    ) -> MessageContent: ...

    def new_question(self, ticket: TicketDTO, first_text: str | None) -> MessageContent: ...

    def internal_note_mark(self) -> str: ...

    def event(self, ticket: TicketDTO, event: str, **params: object) -> MessageContent: ...

    def board(
        self, waiting: Sequence[tuple[TicketDTO, float]], loads: Sequence[ConsultantLoad]
    ) -> MessageContent: ...

    # --- the person's side (their language) -----------------------------------------------
    def signed_text(self, consultant_name: str, text: str, language: str) -> str: ...

    def signed_caption(self, consultant_name: str, caption: str | None, language: str) -> str: ...

    def to_person(self, ticket: TicketDTO, event: str, **params: object) -> MessageContent: ...
