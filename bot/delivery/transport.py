"""One claimed row → one Bot API call → a verdict the sender acts on.

The verdicts follow Telegram's errors (see shared/telegram/README.md): 429 pauses everything,
403 and "chat not found" mean the user is gone, 5xx and network trouble are worth retrying,
any other 400 will fail again and again.
"""

from __future__ import annotations

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
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, InputFile
from pydantic import ValidationError

from bot.delivery.messages import Kind
from db.repositories.outbox import ClaimedRow

_CHAT_NOT_FOUND = "chat not found"


@dataclass(frozen=True, slots=True)
class Delivered:
    message_id: int
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


Outcome = Delivered | RetryAfter | Unreachable | Transient | Rejected | BotBroken


def _markup(row: ClaimedRow) -> InlineKeyboardMarkup | None:
    if row.reply_markup is None:
        return None
    return InlineKeyboardMarkup.model_validate(row.reply_markup)


async def _call(bot: Bot, row: ClaimedRow, request_timeout: float) -> Delivered:
    markup = _markup(row)
    seconds = max(1, int(request_timeout))
    silent = True if row.silent else None
    if row.kind == Kind.TEXT:
        message = await bot.send_message(
            row.chat_id,
            row.text or "",
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
            reply_markup=markup,
            disable_notification=silent,
            request_timeout=seconds,
        )
        uploaded = message.document.file_id if message.document else None
        return Delivered(message.message_id, uploaded if row.document_data is not None else None)
    raise ValueError(f"unknown outbox kind {row.kind!r}")


async def deliver(bot: Bot, row: ClaimedRow, *, request_timeout: float = 30.0) -> Outcome:
    try:
        return await _call(bot, row, request_timeout)
    except TelegramRetryAfter as exc:
        return RetryAfter(float(exc.retry_after))
    except TelegramForbiddenError as exc:
        return Unreachable(exc.message)
    except TelegramMigrateToChat as exc:
        return Rejected(f"group moved to supergroup {exc.migrate_to_chat_id}")
    except TelegramBadRequest as exc:
        if _CHAT_NOT_FOUND in exc.message.lower():
            return Unreachable(exc.message)
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
