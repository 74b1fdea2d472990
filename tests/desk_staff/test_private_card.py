"""The card a consultant gets in their private chat is in their own language (the group's
cards stay in DESK_LANGUAGE) and says how to answer from where they are: there is no topic in
a private chat."""

from __future__ import annotations

from bot.sandbox.client import SimUser
from tests.desk_staff.conftest import AIGERIM, Desk


async def kazakh_consultant(desk: Desk) -> SimUser:
    user = await desk.running.known_user(AIGERIM, "Айгерим", "kk")
    async with desk.running.app.sessionmaker() as session, session.begin():
        await desk.running.app.services.for_session(session).consultants.add(
            AIGERIM, "Айгерим", by=None
        )
    return user


async def test_private_mode_card_in_the_consultants_language(private_desk: Desk) -> None:
    desk = private_desk
    aigerim = await kazakh_consultant(desk)
    ticket = await desk.ask(await desk.person())
    notice = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("✋", message=notice))
    card = await aigerim.wait_for(lambda m: "✅" in " ".join(m.button_texts()))
    assert f"#{ticket.id} сұрақ" in card.text, card.text
    assert "Вопрос" not in card.text and "тақырып" not in card.text
    assert "✅ Жауап берілді" in card.button_texts()


async def test_group_mode_card_in_a_private_chat(desk: Desk) -> None:
    aigerim = await kazakh_consultant(desk)
    ticket = await desk.ask(await desk.person())
    topic = await desk.take(aigerim, ticket)
    # The topic's card stays in the group's language (Russian here).
    assert "Вопрос" in topic.messages[0].text

    aigerim.mark_read()
    await aigerim.send("/mine")
    mine = await aigerim.wait_for(lambda m: f"#{ticket.id}" in m.text and m.has_buttons)
    await aigerim.wait_answer(await aigerim.press("👀", message=mine))
    card = await aigerim.wait_for(lambda m: "✅" in " ".join(m.button_texts()))
    assert f"#{ticket.id} сұрақ" in card.text and "Вопрос" not in card.text, card.text
    assert "осы тақырыпқа" not in card.text  # not «write in this topic»: this is no topic
    assert "кеңесшілер тобындағы" in card.text
