"""Every model module, imported so `Base.metadata` knows every table (Alembic relies on it)."""

from db.models import events, faq, fsm, outbox, secrets, updates, users

__all__ = ["events", "faq", "fsm", "outbox", "secrets", "updates", "users"]
