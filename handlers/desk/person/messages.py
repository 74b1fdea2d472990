"""A Telegram message as the desk keeps it, and the quiet ✓ that says it is stored."""

from __future__ import annotations

import logging
import zlib

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message, ReactionTypeEmoji

from bot.clock import Clock
from bot.services.desk.model import Edited, Incoming

log = logging.getLogger(__name__)

# What a question may be made of; anything else (a location, a contact, a poll) is not taken.
KINDS = frozenset(
    {"text", "photo", "document", "voice", "video", "audio", "video_note", "animation", "sticker"}
)
# Telegram offers bots a fixed set of reaction emoji; ✓ is not among them, 👌 says the same.
STORED_REACTION = "👌"


def _kind(message: Message) -> str:
    kind = message.content_type
    return str(getattr(kind, "value", kind))


def is_desk_message(message: Message) -> bool:
    return _kind(message) in KINDS and not (message.text or "").startswith("/")


def incoming(message: Message, clock: Clock) -> Incoming:
    author = message.from_user.id if message.from_user else message.chat.id
    return Incoming(
        chat_id=message.chat.id,
        message_id=message.message_id,
        author_id=author,
        kind=_kind(message),
        text=message.text or message.caption,
        media_group_id=message.media_group_id,
        sent_at=clock.now(),
    )


def edited(message: Message, clock: Clock) -> Edited:
    """An ``edited_message``: the new text or caption, plain and with its formatting."""
    author = message.from_user.id if message.from_user else message.chat.id
    text = message.text or message.caption
    moment = message.edit_date or int(clock.now().timestamp())
    # Telegram's edit_date counts seconds: the text tells two edits of one second apart.
    version = f"{moment}-{zlib.crc32((text or '').encode()):08x}"
    return Edited(
        chat_id=message.chat.id,
        message_id=message.message_id,
        author_id=author,
        text=text,
        html=message.html_text if text else None,
        version=version,
    )


async def mark_stored(bot: Bot, message: Message) -> bool:
    """Put the ✓ reaction on a stored message; False when Telegram would not (the caller then
    says it in a short note). The update's transaction is committed before any Bot API call
    (bot.updates.send_guard), so the mark never runs ahead of the database."""
    try:
        await bot.set_message_reaction(
            message.chat.id, message.message_id, [ReactionTypeEmoji(emoji=STORED_REACTION)]
        )
    except TelegramAPIError as exc:
        log.info("desk: no reaction on a stored message (%s)", type(exc).__name__)
        return False
    return True
