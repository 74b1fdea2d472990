"""An FAQ answer sent from the card's «📚» button reaches the person as the FAQ shows it —
formatted, with its sources as links — and signed."""

from __future__ import annotations

from tests.desk_staff.conftest import AIGERIM, Desk


async def test_an_faq_answer_keeps_its_links(desk: Desk) -> None:
    aigerim = await desk.consultant(AIGERIM, "Айгерим")
    person = await desk.person()  # Kazakh
    ticket = await desk.ask(
        person, "Қоғамдық бірлестікті тіркеу үшін қандай құжаттар керек?", photo=False
    )
    topic = await desk.take(aigerim, ticket)

    await aigerim.wait_answer(await aigerim.press("📚", message=topic.messages[0], chat=topic))
    picker = await topic.wait_for(lambda m: m.text.startswith("📚") and m.has_buttons)
    await aigerim.wait_answer(
        await aigerim.press(lambda b: b.text.startswith("📚"), message=picker, chat=topic)
    )
    got = await person.wait_for(lambda m: "Айгерим" in m.text and len(m.text) > 100)
    links = [e["url"] for e in got.entities if e["type"] == "text_link"]
    assert links and all(url.startswith("https://") for url in links), got.entities
    assert "Дереккөздер:" in got.text
    assert any(e["type"] == "bold" for e in got.entities)
    assert "<" not in got.text  # HTML, not escaped tags
    # Kept with the question as plain text with the addresses (for FAQ drafts).
    sent = [m.text or "" for m in await desk.messages(ticket.id) if m.direction == "out"]
    assert len(sent) == 1 and links[0] in sent[0] and "<a" not in sent[0]
