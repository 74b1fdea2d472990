"""One claimed row → one Bot API call → a verdict the sender acts on.

The verdicts follow Telegram's errors (see shared/telegram/README.md): 429 pauses everything,
403 and "chat not found" mean the user is gone, 5xx and network trouble are worth retrying,
"message thread not found" for a row with a thread_key means its topic was deleted, any other
400 will fail again and again. An edit or topic change that changes nothing was done before
(a resend after a crash): it counts as delivered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from dataclasses import dataclass

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramConflictError,
    TelegramEntityTooLarge,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardMarkup,
    InputFile,
    ReactionTypeEmoji,
    ReplyParameters,
)
from pydantic import ValidationError

from bot.delivery.messages import Kind
from bot.delivery.threads import ThreadResolver
from db.repositories.outbox import ClaimedRow

log = logging.getLogger(__name__)

_CHAT_NOT_FOUND = "chat not found"
# How Telegram says a topic is gone: for sends, and for editing/closing the topic itself.
_THREAD_GONE = ("message thread not found", "topic_id_invalid", "topic_deleted")
_NOT_MODIFIED = ("message is not modified", "topic_not_modified")


@dataclass(frozen=True, slots=True)
class Delivered:
    # The message sent, edited, pinned or reacted to; None for a topic change.
    message_id: int | None
    file_id: str | None = None  # a document's Telegram file id, to drop the stored bytes


@dataclass(frozen=True, slots=True)
class RetryAfter:
    seconds: float


@dataclass(frozen=True, slots=True)
class Unreachable:
    reason: str


@dataclass(frozen=True, slots=True)
class Transient:
    reason: str


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


@dataclass(frozen=True, slots=True)
class BotBroken:
    """The token was revoked or another instance fights over it: no send can succeed now."""

    reason: str


@dataclass(frozen=True, slots=True)
class ThreadLost:
    """The row's forum topic is gone (deleted by hand): a new one is needed."""

    reason: str


Outcome = Delivered | RetryAfter | Unreachable | Transient | Rejected | BotBroken | ThreadLost


class _ResolverFailed(Exception):
    """The ThreadResolver raised something other than a Telegram error."""


def _markup(row: ClaimedRow) -> InlineKeyboardMarkup | None:
    if row.reply_markup is None:
        return None
    return InlineKeyboardMarkup.model_validate(row.reply_markup)


def _payload_value(row: ClaimedRow, key: str) -> object:
    if row.payload is None or key not in row.payload:
        raise ValueError(f"{row.kind} row without {key}")
    return row.payload[key]


def _acted_on(row: ClaimedRow, target: int | None) -> int:
    """The message a reaction or pin is for: a resolved target_ref, or the id it was given."""
    if target is not None:
        return target
    message_id = _payload_value(row, "message_id")
    if not isinstance(message_id, int):
        raise ValueError(f"{row.kind} row with a message_id that is not a number")
    return message_id


async def _thread(bot: Bot, row: ClaimedRow, threads: ThreadResolver | None) -> int | None:
    if row.thread_key is None:
        return None
    if threads is None:
        raise ValueError(
            f"thread_key {row.thread_key!r} needs a ThreadResolver and the sender has none"
        )
    try:
        return await threads.thread_id(bot, row.chat_id, row.thread_key)
    except TelegramAPIError:
        raise
    except Exception as exc:
        raise _ResolverFailed(f"{type(exc).__name__}: {exc}") from exc


async def _call(
    bot: Bot,
    row: ClaimedRow,
    request_timeout: float,
    target: int | None,
    threads: ThreadResolver | None,
) -> Delivered:
    if row.kind in _ACTIONS:
        return await _act(bot, row, request_timeout, target, threads)
    markup = _markup(row)
    seconds = max(1, int(request_timeout))
    silent = True if row.silent else None
    thread_id = await _thread(bot, row, threads)
    # A reply whose message is gone (deleted, or in a deleted topic) is still worth sending.
    reply = (
        ReplyParameters(message_id=target, allow_sending_without_reply=True)
        if target is not None
        else None
    )
    if row.kind == Kind.TEXT:
        message = await bot.send_message(
            row.chat_id,
            row.text or "",
            message_thread_id=thread_id,
            reply_parameters=reply,
            reply_markup=markup,
            disable_notification=silent,
            request_timeout=seconds,
        )
        return Delivered(message.message_id)
    if row.kind == Kind.COPY:
        if row.from_chat_id is None or row.source_message_id is None:
            raise ValueError("copy row without its source message")
        copied = await bot.copy_message(
            row.chat_id,
            row.from_chat_id,
            row.source_message_id,
            caption=row.text,
            message_thread_id=thread_id,
            reply_parameters=reply,
            reply_markup=markup,
            disable_notification=silent,
            request_timeout=seconds,
        )
        return Delivered(copied.message_id)
    if row.kind == Kind.DOCUMENT:
        document: InputFile | str
        if row.document_data is not None:
            document = BufferedInputFile(row.document_data, row.filename or "file")
        elif row.document_file_id is not None:
            document = row.document_file_id
        else:
            raise ValueError("document row without bytes or file id")
        message = await bot.send_document(
            row.chat_id,
            document,
            caption=row.text,
            message_thread_id=thread_id,
            reply_parameters=reply,
            reply_markup=markup,
            disable_notification=silent,
            request_timeout=seconds,
        )
        uploaded = message.document.file_id if message.document else None
        return Delivered(message.message_id, uploaded if row.document_data is not None else None)
    raise ValueError(f"unknown outbox kind {row.kind!r}")


_ACTIONS = frozenset(
    {
        Kind.EDIT_TEXT,
        Kind.EDIT_CAPTION,
        Kind.RENAME_TOPIC,
        Kind.CLOSE_TOPIC,
        Kind.REOPEN_TOPIC,
        Kind.REACTION,
        Kind.PIN,
    }
)


async def _act(
    bot: Bot,
    row: ClaimedRow,
    request_timeout: float,
    target: int | None,
    threads: ThreadResolver | None,
) -> Delivered:
    """The kinds that change a message or a topic rather than send one."""
    seconds = max(1, int(request_timeout))
    if row.kind == Kind.EDIT_TEXT:
        if target is None:
            raise ValueError("edit_text row without its target message")
        await _unless_unchanged(
            bot.edit_message_text(
                text=row.text or "",
                chat_id=row.chat_id,
                message_id=target,
                reply_markup=_markup(row),
                request_timeout=seconds,
            )
        )
        return Delivered(target)
    if row.kind == Kind.EDIT_CAPTION:
        if target is None:
            raise ValueError("edit_caption row without its target message")
        await _unless_unchanged(
            bot.edit_message_caption(
                chat_id=row.chat_id,
                message_id=target,
                caption=row.text,
                reply_markup=_markup(row),
                request_timeout=seconds,
            )
        )
        return Delivered(target)
    if row.kind == Kind.REACTION:
        message_id = _acted_on(row, target)
        emoji = str(_payload_value(row, "emoji"))
        await bot.set_message_reaction(
            row.chat_id,
            message_id,
            reaction=[ReactionTypeEmoji(emoji=emoji)],
            request_timeout=seconds,
        )
        return Delivered(message_id)
    if row.kind == Kind.PIN:
        message_id = _acted_on(row, target)
        await bot.pin_chat_message(
            row.chat_id,
            message_id,
            disable_notification=True if row.silent else None,
            request_timeout=seconds,
        )
        return Delivered(message_id)
    thread_id = await _thread(bot, row, threads)
    if thread_id is None:
        raise ValueError(f"{row.kind} row without a thread_key")
    if row.kind == Kind.RENAME_TOPIC:
        name = str(_payload_value(row, "name"))
        change = bot.edit_forum_topic(row.chat_id, thread_id, name=name, request_timeout=seconds)
    elif row.kind == Kind.CLOSE_TOPIC:
        change = bot.close_forum_topic(row.chat_id, thread_id, request_timeout=seconds)
    else:
        change = bot.reopen_forum_topic(row.chat_id, thread_id, request_timeout=seconds)
    await _unless_unchanged(change)
    return Delivered(None)


async def _unless_unchanged(call: Awaitable[object]) -> None:
    """Run an edit; "not modified" means an earlier attempt already did it."""
    try:
        await call
    except TelegramBadRequest as exc:
        if not any(text in exc.message.lower() for text in _NOT_MODIFIED):
            raise


async def deliver(
    bot: Bot,
    row: ClaimedRow,
    *,
    request_timeout: float = 30.0,
    target: int | None = None,
    threads: ThreadResolver | None = None,
) -> Outcome:
    """Send ``row``; ``target`` is the message id its target_ref resolved to."""
    try:
        return await _call(bot, row, request_timeout, target, threads)
    except _ResolverFailed as exc:
        log.error("the thread resolver failed for outbox row %s", row.id, exc_info=exc.__cause__)
        return Transient(f"thread resolver failed: {exc}")
    except TelegramRetryAfter as exc:
        return RetryAfter(float(exc.retry_after))
    except TelegramForbiddenError as exc:
        return Unreachable(exc.message)
    except TelegramMigrateToChat as exc:
        return Rejected(f"group moved to supergroup {exc.migrate_to_chat_id}")
    except TelegramBadRequest as exc:
        description = exc.message.lower()
        if _CHAT_NOT_FOUND in description:
            return Unreachable(exc.message)
        if row.thread_key is not None and any(text in description for text in _THREAD_GONE):
            return ThreadLost(exc.message)
        return Rejected(exc.message)
    except TelegramEntityTooLarge as exc:
        return Rejected(exc.message)
    except (TelegramServerError, TelegramNetworkError) as exc:
        return Transient(f"{type(exc).__name__}: {exc.message}")
    except ClientDecodeError as exc:  # a proxy's HTML error page instead of JSON
        return Transient(f"undecodable answer: {exc.message}")
    except (TelegramUnauthorizedError, TelegramConflictError) as exc:
        return BotBroken(exc.message)
    except TelegramAPIError as exc:  # 404 and codes Telegram may add
        return Rejected(f"{type(exc).__name__}: {exc.message}")
    except (ValidationError, ValueError) as exc:  # a stored row the API types refuse
        return Rejected(f"invalid message: {exc}")
