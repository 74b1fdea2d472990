"""Shared by the consultants' handlers: who is staff, what a message is for the desk, and what
to say when the desk refuses an action."""

from __future__ import annotations

import html
import logging
import re

from aiogram.filters import Filter
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, ReactionTypeEmoji, TelegramObject
from aiogram.utils.i18n import gettext as _

from bot.clock import Clock
from bot.config import Settings
from bot.roles import Role
from bot.services.desk.model import INTERNAL_PREFIX, DeskError, Incoming, NotAllowedError

log = logging.getLogger(__name__)

# What the bot puts on a consultant's message that stayed an internal note.
NOTE_MARK = "🙈"


class StaffStates(StatesGroup):
    ban_reason = State()  # data: ban = question id
    snippet_name = State()
    snippet_kk = State()  # data: name
    snippet_ru = State()  # data: name, kk
    add_consultant = State()


class IsStaff(Filter):
    """Consultants and admins, by the role loaded from the database for this update (the desk's
    services check again on every action)."""

    async def __call__(self, event: TelegramObject, role: Role | None = None) -> bool:
        return role in (Role.CONSULTANT, Role.ADMIN)


class InWorkspace(Filter):
    """The consultants' forum supergroup (CONSULTANTS_CHAT_ID)."""

    async def __call__(self, event: TelegramObject, settings: Settings) -> bool:
        chat_id = settings.consultants_chat_id
        if chat_id is None:
            return False
        if isinstance(event, Message):
            return event.chat.id == chat_id
        if isinstance(event, CallbackQuery) and event.message is not None:
            return event.message.chat.id == chat_id
        return False


class PrivateMode(Filter):
    """No consultants' group: the desk works in the consultants' private chats."""

    async def __call__(self, event: TelegramObject, settings: Settings) -> bool:
        return settings.consultants_chat_id is None


def is_command(message: Message) -> bool:
    """A /command (a `//` note is not one)."""
    text = message.text or ""
    return text.startswith("/") and not text.startswith(INTERNAL_PREFIX)


def not_command(message: Message) -> bool:
    return not is_command(message)


def content_kind(message: Message) -> str:
    """text, photo, document, voice, …: aiogram's ContentType as its plain value."""
    kind = message.content_type
    return str(getattr(kind, "value", kind))


def incoming(message: Message, clock: Clock) -> Incoming:
    assert message.from_user is not None
    return Incoming(
        chat_id=message.chat.id,
        message_id=message.message_id,
        author_id=message.from_user.id,
        kind=content_kind(message),
        text=message.text or message.caption,
        media_group_id=message.media_group_id,
        sent_at=clock.now(),
    )


def refusal(error: DeskError) -> str:
    """What the consultant is told when the desk refuses (in their language)."""
    texts: dict[str, str] = {
        "not_staff": _("⛔ This is for the desk's consultants only."),
        "not_consultant": _("⛔ Only consultants can do this."),
        "not_owner": _("⛔ Only the question's consultant (or an admin) can do this."),
        "not_found": _("This question no longer exists."),
        "closed": _("This question is closed; reopen it first."),
        "no_such_consultant": _("This colleague is no longer a consultant."),
        "ban_needs_reason": _("A ban needs a reason: write it in a few words."),
        "no_such_snippet": _("There is no such snippet: see /snippets."),
        "snippet_incomplete": _("A snippet needs a name and both texts."),
        "nothing_to_draft": _(
            "There is nothing to save yet: the draft needs the question and an answer."
        ),
        "empty_name": _("The name cannot be empty."),
    }
    return texts.get(error.code, _("This cannot be done now."))


def log_refusal(error: DeskError, user_id: int, action: str) -> None:
    if isinstance(error, NotAllowedError):
        # No user id at INFO and above: logs are no place for personal data; the action is.
        log.warning("desk: %s refused (%s)", action, error.code)
    else:
        log.info("desk: %s not done (%s)", action, error.code)


async def mark_note(message: Message) -> None:
    """The bot's sign on a consultant's message that stayed among colleagues."""
    await message.react([ReactionTypeEmoji(emoji=NOTE_MARK)])


_TAG = re.compile(r"<[^>]+>")


def plain_text(rendered_html: str) -> str:
    """Telegram HTML to plain text (the signed reply escapes what it sends)."""
    return html.unescape(_TAG.sub("", rendered_html)).strip()


def thread_of(message: Message) -> int | None:
    """The forum topic a message was written in (None: the General topic)."""
    return message.message_thread_id if message.is_topic_message else None


def command_args(message: Message) -> str:
    text = message.text or ""
    _command, _sep, rest = text.partition(" ")
    return rest.strip()
