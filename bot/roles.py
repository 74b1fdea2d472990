"""Who may do what: admins come from ADMIN_IDS, consultants are stored in the database."""

from __future__ import annotations

from enum import StrEnum

from bot.config import Settings
from db.repositories.users import UserDTO


class Role(StrEnum):
    USER = "user"
    CONSULTANT = "consultant"
    ADMIN = "admin"


def effective_role(user: UserDTO, settings: Settings) -> Role:
    if user.id in settings.admin_ids:
        return Role.ADMIN
    try:
        return Role(user.role)
    except ValueError:
        return Role.USER
