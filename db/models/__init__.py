"""Every model module, imported so `Base.metadata` knows every table (Alembic relies on it)."""

from db.models import broadcasts, desk, events, faq, fsm, leases, outbox, secrets, updates, users

__all__ = [
    "broadcasts",
    "desk",
    "events",
    "faq",
    "fsm",
    "leases",
    "outbox",
    "secrets",
    "updates",
    "users",
]
