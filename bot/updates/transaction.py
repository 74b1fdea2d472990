"""One transaction per update, committed through its `UpdateUnit`; redelivered updates skipped.

Outer middleware of the Dispatcher's `update` observer (first of ours):
- one person's updates are handled one at a time (bot.updates.isolation), the lock taken before
  the transaction begins;
- an update recorded as handled before is skipped (Telegram redelivers what it did not see
  confirmed, e.g. after a crash);
- the user is loaded (created on first contact); `db_user`, `role` and `session` go to handlers;
- the handler runs inside the unit; the final commit records the update if no reply did so first;
- a handler that failed is rolled back, and the update is still recorded (in a transaction of its
  own), so a redelivery does not run the failing handler again;
- with the database out of reach, the person is told to try again in a minute (a button press is
  always answered) and nothing is recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from itertools import chain
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError
from aiogram.types import Chat, TelegramObject, Update, User
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from bot.clock import Clock
from bot.config import Settings
from bot.languages import LANGUAGES
from bot.roles import effective_role
from bot.updates.isolation import KeyedLocks
from bot.updates.unit import DuplicateUpdate, UpdateUnit, current_unit
from db.models.fsm import FsmRecord
from db.repositories.updates import UpdateRepository
from db.repositories.users import UserRepository
from db.session_context import update_session

log = logging.getLogger(__name__)

# Writing "last seen" on every update would take SQLite's write lock for every click.
LAST_SEEN_GRANULARITY = timedelta(minutes=10)
# The database being out of reach, as the drivers report it.
UNAVAILABLE = (DBAPIError, OSError, TimeoutError)
LATE_WRITE_WARNING = "update %s changed %s after its reply was sent"


class UpdateTransactionMiddleware(BaseMiddleware):
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        clock: Clock,
        i18n: I18n,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._settings = settings
        self._clock = clock
        self._i18n = i18n
        self._isolation = KeyedLocks()

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        update_id = event.update_id if isinstance(event, Update) else None
        tg_user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        try:
            async with self._isolation.hold(
                (chat.id if chat else None, tg_user.id if tg_user else None)
            ):
                return await self._handle(handler, event, data, update_id, tg_user)
        except TelegramForbiddenError as exc:
            if tg_user is None:
                raise
            # They blocked the bot while it was answering (their change is saved: the unit
            # committed before the reply). Remember it; there is no one to tell.
            await self._mark_unreachable(tg_user.id, exc.message)
            return None
        except UNAVAILABLE:
            log.exception("update %s: the database is out of reach", update_id)
            await self._tell_to_retry(event, data)
            return None

    async def _handle(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
        update_id: int | None,
        tg_user: User | None,
    ) -> Any:
        async with self._sessionmaker() as session:
            _serialise_across_replicas(session, tg_user.id if tg_user else None)
            known = tg_user is not None and not tg_user.is_bot
            held: object = None  # the user's row, loaded with the check (see below)
            if update_id is not None:
                updates = UpdateRepository(session)
                if known:
                    assert tg_user is not None
                    processed, held = await updates.is_processed_loading_user(update_id, tg_user.id)
                else:
                    processed = await updates.is_processed(update_id)
                if processed:
                    log.info("update %s was handled before; skipped", update_id)
                    return UNHANDLED
            unit = UpdateUnit(session, update_id, self._clock.now())
            data["session"] = session
            if known:
                assert tg_user is not None
                db_user, created = await UserRepository(session).touch(
                    tg_user.id,
                    self._clock.now(),
                    seen_every=LAST_SEEN_GRANULARITY,
                    known_absent=update_id is not None and held is None,
                )
                data["db_user"] = db_user
                data["user_created"] = created
                data["role"] = effective_role(db_user, self._settings)
            del held  # touch() found it in the session instead of reading it again
            late_writes = _watch_late_writes(session, unit)
            unit_token = current_unit.set(unit)
            # The FSM storage joins this transaction (see db.session_context).
            session_token = update_session.set(session)
            try:
                result = await handler(event, data)
                await unit.commit()
            except DuplicateUpdate:
                await session.rollback()
                log.info("update %s was handled meanwhile elsewhere; dropped", update_id)
                return UNHANDLED
            except BaseException:
                await session.rollback()
                if not unit.recorded and update_id is not None:
                    await self._record_failed(update_id)
                raise
            finally:
                update_session.reset(session_token)
                current_unit.reset(unit_token)
            if late_writes:
                log.warning(LATE_WRITE_WARNING, update_id, ", ".join(sorted(late_writes)))
            return result

    async def _record_failed(self, update_id: int) -> None:
        """A handler that raised is not run again for a redelivery of the same update."""
        try:
            async with self._sessionmaker() as session, session.begin():
                await UpdateRepository(session).mark_processed(update_id, self._clock.now())
        except UNAVAILABLE:
            log.warning("could not record failed update %s", update_id, exc_info=True)

    async def _mark_unreachable(self, user_id: int, reason: str) -> None:
        async with self._sessionmaker() as session, session.begin():
            await UserRepository(session).mark_unreachable(user_id, reason)
        log.info("user %s blocked the bot while it was answering", user_id)

    async def _tell_to_retry(self, event: TelegramObject, data: dict[str, Any]) -> None:
        bot: Bot | None = data.get("bot")
        if not isinstance(event, Update) or bot is None:
            return
        text = self._in_both_languages(
            lambda: _("⏳ I cannot save anything right now. Please try again in a minute.")
        )
        try:
            if event.callback_query is not None:
                await event.callback_query.answer(text, show_alert=True)
            elif event.message is not None and event.message.chat.type == "private":
                await bot.send_message(event.message.chat.id, text)
        except TelegramAPIError:
            log.warning("could not tell the user to retry", exc_info=True)

    def _in_both_languages(self, text: Callable[[], str]) -> str:
        # Without the database the person's language is unknown: say it in both.
        lines = []
        for language in LANGUAGES:
            with self._i18n.context(), self._i18n.use_locale(language):
                lines.append(text())
        return "\n".join(lines)


def _serialise_across_replicas(session: AsyncSession, person: int | None) -> None:
    """PostgreSQL: each transaction of the update first takes the person's advisory lock, so
    replicas behind a load balancer handle one person's updates one at a time too (released at
    each commit; within a replica the person's lock is held throughout)."""
    if person is None or session.get_bind().dialect.name != "postgresql":
        return

    def lock(_session: Session, _transaction: object, connection: Connection) -> None:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": person})

    sa_event.listen(session.sync_session, "after_begin", lock)


def _watch_late_writes(session: AsyncSession, unit: UpdateUnit) -> set[str]:
    """Tables written after the unit's first commit (a reply went out before them): a crash in
    between would lose those writes while the update counts as handled. Dialog state is the one
    expected case (aiogram-dialog saves it after showing the window)."""
    late: set[str] = set()
    expected = {FsmRecord.__tablename__}

    def on_execute(state: ORMExecuteState) -> None:
        if unit.recorded and (state.is_insert or state.is_update or state.is_delete):
            table = getattr(getattr(state.statement, "table", None), "name", "?")
            if table not in expected:
                late.add(table)

    def after_flush(flushed: Session, _context: UOWTransaction) -> None:
        if unit.recorded:
            for obj in chain(flushed.new, flushed.dirty, flushed.deleted):
                table = getattr(obj, "__tablename__", "?")
                if table not in expected:
                    late.add(table)

    sa_event.listen(session.sync_session, "do_orm_execute", on_execute)
    sa_event.listen(session.sync_session, "after_flush", after_flush)
    return late
