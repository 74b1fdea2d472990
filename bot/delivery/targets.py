"""``target_ref``: the message another row delivered, looked up when this row is sent.

A row that edits, reacts to, pins or replies to a message names it by the dedupe_key of the row
that sent it; the message id is known only once that row is ``sent``. Rows to one chat go out in
order, but a higher priority or a later ``not_before`` can put the referenced row behind: then
this row waits for it. When the referenced row will never have a message (failed, cancelled,
skipped, forgotten), an edit, reaction or pin fails with the reason; a reply is still sent,
without the quote, because a message must not be lost for the message it answers.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.messages import SENDING_KINDS, Kind
from bot.delivery.transport import Rejected
from db.models.outbox import OutboxState
from db.repositories.outbox import ClaimedRow, TargetRow

log = logging.getLogger(__name__)

# What each edit can change: the text of a text message (sent, edited, or a copy of one — a
# copy of a photo is refused by Telegram itself), the caption of a media message or a copy.
_EDITABLE = {
    Kind.EDIT_TEXT: frozenset({Kind.TEXT, Kind.EDIT_TEXT, Kind.COPY}),
    Kind.EDIT_CAPTION: frozenset(
        {Kind.COPY, Kind.DOCUMENT, Kind.PHOTO, Kind.VIDEO, Kind.EDIT_CAPTION}
    ),
}
_UNSENT = frozenset({OutboxState.PENDING, OutboxState.SENDING})


@dataclass(frozen=True, slots=True)
class Deferred:
    """Not sent yet, no attempt counted: back to the queue until ``until``."""

    until: datetime
    reason: str


def target_message(
    row: ClaimedRow, target: TargetRow | None, *, now: datetime, wait: timedelta
) -> int | Deferred | Rejected | None:
    """The message id ``row.target_ref`` stands for; None: send without a reply; or why the
    row cannot go (yet)."""
    ref = f"target_ref {row.target_ref!r}"
    if target is not None and target.chat_id != row.chat_id:
        return Rejected(f"{ref} is a message in another chat")
    if target is not None and target.state in _UNSENT:
        return Deferred(max(now + wait, target.not_before), f"{ref} is not sent yet")
    if target is None:
        missing = f"{ref} names no queued message (never queued, or forgotten)"
    elif target.state != OutboxState.SENT:
        missing = f"{ref} was never delivered ({target.state})"
    elif target.telegram_message_id is None:
        return Rejected(f"{ref} sent no message (it is a {target.kind})")
    elif row.kind in _EDITABLE and target.kind not in _EDITABLE[Kind(row.kind)]:
        return Rejected(f"{ref} is a {target.kind}: a {row.kind} cannot change it")
    else:
        return target.telegram_message_id
    if row.kind in SENDING_KINDS:
        log.info("outbox row %s is sent without its reply: %s", row.id, missing)
        return None
    return Rejected(missing)
