"""Dialog state rows (aiogram FSM and aiogram-dialog) of one person, for /forget."""

from __future__ import annotations

from sqlalchemy import Delete, delete, event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db.models.fsm import FsmRecord

_FORGOTTEN = "fsm_forgotten_users"


def _of_user(user_id: int) -> Delete:
    # Keys are `fsm:<chat>:<user>:<destiny>:<part>` (aiogram's DefaultKeyBuilder).
    return delete(FsmRecord).where(FsmRecord.key.like(f"fsm:%:{int(user_id)}:%"))


def _delete_forgotten(session: Session) -> None:
    for user_id in session.info.get(_FORGOTTEN, ()):
        session.execute(_of_user(user_id))


class FsmRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def delete_of_user(self, user_id: int) -> None:
        """Now, and again at every commit of this session: the dialog machinery saves its state
        after the handler has run, which would bring the rows back."""
        await self._session.execute(_of_user(user_id))
        target = self._session.sync_session
        target.info.setdefault(_FORGOTTEN, set()).add(user_id)
        if not event.contains(target, "before_commit", _delete_forgotten):
            event.listen(target, "before_commit", _delete_forgotten)
