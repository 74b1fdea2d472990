"""Callback data of the consultant desk; short prefixes (callback_data is at most 64 bytes).

Buttons say which question and which action, never who may do it: that is decided on the server
from the database (bot.services.desk.staff).
"""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

TicketId = Annotated[int, Field(ge=0, le=2**31 - 1)]
Arg = Annotated[int, Field(ge=0, le=2**53)]


class DeskCb(CallbackData, prefix="dk"):
    """A consultant's action on question `t`: `take`, `release`, `hand` (choose a colleague),
    `to` (hand over to consultant `arg`), `answered`, `close`, `reopen`, `ban` (asks a reason),
    `snippets` (choose one), `snip` (send snippet `arg`), `faq` (attach an FAQ answer),
    `draft` (save as FAQ draft), `open` (private mode: make it the current question)."""

    action: str
    t: TicketId
    arg: Arg = 0


class AskCb(CallbackData, prefix="aq"):
    """The person's buttons: `new` (ask), `solved` (arg 1 yes / 0 no), `stars` (arg 1–5),
    `skip` (no comment), `close` (problem solved), `write` (make `t` the current question),
    `my` (their questions), `again` (a new question after `t` was closed long ago: what they
    wrote since is its start), `search` (look their message `arg` up in the FAQ instead)."""

    action: str
    t: TicketId = 0
    arg: Arg = 0
