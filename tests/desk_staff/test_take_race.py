"""Two consultants press Take at the same moment: exactly one owns the question, the other is
told who — on SQLite and on PostgreSQL (where the presses really run in parallel)."""

from __future__ import annotations

import asyncio

import pytest

from handlers.desk.callbacks import DeskCb
from tests.desk_staff.conftest import AIGERIM, BOLAT, Desk


@pytest.fixture
def database_url(any_database_url: str) -> str:
    return any_database_url


async def test_two_consultants_press_take_at_once(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    bolat = await desk.consultant(BOLAT, "Болат")
    ticket = await desk.ask(await desk.person())
    topic = await desk.forum.wait_topic(f"#{ticket.id}", timeout=15)
    card = await topic.wait_for(lambda m: m.has_buttons)

    first, second = await asyncio.gather(
        aigerim.press("✋", message=card, chat=topic),
        bolat.press("✋", message=card, chat=topic),
    )
    answers = [await aigerim.wait_answer(first), await bolat.wait_answer(second)]
    owner = (await desk.until(ticket.id, lambda t: t.owner_id is not None, "an owner")).owner_id
    assert owner in (AIGERIM, BOLAT)
    loser = answers[1] if owner == AIGERIM else answers[0]
    winner_name = "Айгерим" if owner == AIGERIM else "Болат"
    assert winner_name in (loser.text or "") and loser.show_alert
    taken = [m for m in await desk.messages(ticket.id) if m.direction == "out"]
    assert taken == []
    assert (await desk.ticket(ticket.id)).owner_id == owner  # still one owner


async def test_an_old_take_of_ones_own_question(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    ticket = await desk.ask(await desk.person())
    topic = await desk.take(aigerim, ticket)
    card = await topic.wait_for(lambda m: m.has_buttons and f"#{ticket.id}" in m.text)
    # The card shows «Take» no more, but an old message with it (a notification, /queue) can.
    query = await aigerim.press_data(
        DeskCb(action="take", t=ticket.id).pack(), card.message_id, chat=topic
    )
    answer = await aigerim.wait_answer(query)
    assert answer.text == f"✋ Вы уже взяли #{ticket.id}.", answer.text
    assert (await desk.ticket(ticket.id)).owner_id == AIGERIM
