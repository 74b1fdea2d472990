"""An admin sends workbooks and Excel CSVs to the real bot; the database shows what was kept."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.harness import RunningBot
from bot.sandbox.server import FakeTelegramServer
from bot.services.events.import_template import template_csv, template_xlsx
from bot.testing import FakeClock, eventually
from db.models.events import Event
from tests.conftest import ADMIN_ID
from tests.events.conftest import ALMATY

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def own_events(running: RunningBot) -> list[Event]:
    async with running.app.sessionmaker() as session:
        rows = await session.scalars(select(Event).where(Event.builtin_key.is_(None)))
        return list(rows.all())


async def test_the_xlsx_template_imports_and_a_lossy_excel_csv_is_refused(
    events_bot: RunningBot, telegram: FakeTelegramServer, fake_clock: FakeClock
) -> None:
    admin = await events_bot.known_user(ADMIN_ID, "Admin", "ru")
    template = template_xlsx(fake_clock.now(), ALMATY)
    await admin.send_document(template.filename, template.data, mime_type=XLSX_TYPE)
    await admin.wait_text("Импортировано 2 события")

    async def both() -> list[Event] | None:
        found = await own_events(events_bot)  # the commit follows the reply
        return found if len(found) == 2 else None

    events = {event.category: event for event in await eventually(both, what="the events")}
    assert events["seminar"].title_kk == "Есеп беру семинары"
    assert events["seminar"].description_kk.startswith("ҮЕҰ-ның жылдық есебін")
    assert events["reporting-deadline"].all_day

    # The CSV template saved again by Excel as plain "CSV": Windows-1251, «?» for Kazakh letters.
    csv_text = template_csv(fake_clock.now(), ALMATY).data.decode("utf-8-sig")
    renamed = csv_text.replace("Есеп беру", "Жаңа есеп").replace("по отчётности", "новый")
    lossy = renamed.encode("cp1251", errors="replace")
    await admin.send_document("events.csv", lossy, mime_type="text/csv")
    refusal = await admin.wait_for(lambda m: m.text.startswith("⚠️"))
    assert "Импортировано" not in refusal.text
    assert len(await own_events(events_bot)) == 2
