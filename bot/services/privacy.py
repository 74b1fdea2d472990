"""A user's right to be forgotten, and pseudonyms that let statistics forget them too."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from db.repositories.faq import FaqRepository
from db.repositories.fsm import FsmRepository
from db.repositories.outbox import OutboxRepository
from db.repositories.secrets import SecretRepository
from db.repositories.users import UserRepository

PSEUDONYM_SECRET = "pseudonym_key"


class Pseudonyms:
    """A keyed hash of a user id: the same person always gets the same key, so their rows can
    be found and removed; without the key (kept in the database) no one can compute it."""

    def __init__(self, key: bytes) -> None:
        self._key = key

    @classmethod
    async def load(cls, session: AsyncSession) -> Pseudonyms:
        stored = await SecretRepository(session).get_or_create(
            PSEUDONYM_SECRET, secrets.token_hex(32)
        )
        return cls(bytes.fromhex(stored))

    def of(self, user_id: int) -> str:
        return hmac.new(self._key, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]


class PrivacyService:
    def __init__(self, session: AsyncSession, pseudonyms: Pseudonyms) -> None:
        self._users = UserRepository(session)
        self._outbox = OutboxRepository(session)
        self._faq = FaqRepository(session)
        self._fsm = FsmRepository(session)
        self._pseudonyms = pseudonyms

    async def forget(self, user_id: int) -> None:
        """Everything about the person goes: the user row (subscriptions, watches, reminders and
        votes with their reasons cascade), their searches, dialog states, and their messages in
        the delivery queue (anonymised, so delivery counts still add up)."""
        await self._outbox.anonymise_chat(user_id)
        await self._faq.delete_searches_of(self._pseudonyms.of(user_id))
        await self._fsm.delete_of_user(user_id)
        await self._users.delete(user_id)
