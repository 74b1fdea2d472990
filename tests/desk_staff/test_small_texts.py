"""Small texts of the desk: /snippet without snippets, the queue's waiting time under an hour,
and the desk commands in a consultant's (and an admin's) /help."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import ADMIN_ID
from tests.desk_staff.conftest import AIGERIM, Desk

DESK_COMMANDS = ("/queue", "/mine", "/duty", "/name", "/snippets")


async def test_snippet_without_snippets_says_how_to_add_one(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    ticket = await desk.ask(await desk.person())
    notice = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=notice))
    await desk.until(ticket.id, lambda t: t.owner_id == AIGERIM, "taken")
    aigerim.mark_read()
    await aigerim.send("/snippet 1")
    reply = await aigerim.wait_for(lambda m: "/snippet" in m.text)
    assert reply.text == "Шаблонов пока нет: добавьте их через /snippets.", reply.text


async def test_the_queue_shows_minutes_under_an_hour(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    ticket = await desk.ask(await desk.person(), photo=False)
    aigerim.mark_read()
    await aigerim.send("/queue")
    board = await aigerim.wait_for(lambda m: "📋" in m.text and m.has_buttons)
    assert f"#{ticket.id}" in board.text and "только что" in board.text, board.text

    desk.clock.advance(timedelta(minutes=5))
    await aigerim.send("/queue")
    board = await aigerim.wait_for(lambda m: "📋" in m.text and "ждёт" in m.text)
    assert "ждёт 5 мин" in board.text and " ч" not in board.text.split("ждёт")[1], board.text


async def test_help_lists_the_desk_commands_for_staff(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    aigerim.mark_read()
    await aigerim.send("/help")
    shown = await aigerim.next_message()
    assert all(c in shown.text for c in DESK_COMMANDS), shown.text

    admin = await desk.running.known_user(ADMIN_ID, "Админ", "kk")
    await admin.send("/help")
    shown = await admin.next_message()
    assert all(c in shown.text for c in (*DESK_COMMANDS, "/consultants", "/admin")), shown.text

    person = await desk.person()
    await person.send("/help")
    shown = await person.next_message()
    assert not any(c in shown.text for c in DESK_COMMANDS)
