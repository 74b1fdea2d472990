"""The admin's "New event" / "Edit" wizard, on aiogram-dialog (see docs/architecture.md)."""

from handlers.events.wizard.dialogs import event_wizard
from handlers.events.wizard.handlers import start_create, start_edit

__all__ = ["event_wizard", "start_create", "start_edit"]
