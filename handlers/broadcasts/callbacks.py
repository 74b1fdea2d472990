"""Callback data of broadcasts; every action is authorised again on the server (the router's
admin filter and the service's own check), never by what the data says."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class BcCb(CallbackData, prefix="bc"):
    """``action``: list, show, pause, resume, stop, stop_ok, cancel, cancel_ok, edit_draft,
    edit_all, delete_all, delete_ok, new."""

    action: str
    id: int = 0
