"""Yearly reporting deadlines every NGO has, seeded at start-up and rolled to the next year.

Facts from /work/shared/domain/ngo-kazakhstan-facts.md §3. Where the sheet marks [check], the text
hedges and points to the official source. Admins may edit the texts and dates; seeding never
overwrites an existing row (found by `builtin_key`), so their edits survive restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.events.model import STATUS_ACTIVE, YEARLY
from bot.services.events.planner import ahead_until
from db.repositories.events import EventDTO, EventRepository


@dataclass(frozen=True, slots=True)
class BuiltinDeadline:
    key: str
    month: int
    day: int
    category: str
    title_kk: str
    title_ru: str
    description_kk: str
    description_ru: str
    url: str | None


BUILTIN_DEADLINES: tuple[BuiltinDeadline, ...] = (
    BuiltinDeadline(
        key="ngo-database",
        month=3,
        day=31,
        category="reporting-deadline",
        title_kk="ҮЕҰ дерекқорына мәліметтер (infonpo.gov.kz)",
        title_ru="Сведения в базу данных НПО (infonpo.gov.kz)",
        description_kk=(
            "Жыл сайын 31 наурызға дейін әрбір ҮЕҰ және шетелдік ҮЕҰ филиалы өз қызметі, "
            "құрылтайшылары, мүлкі, қаражат көздері мен оның жұмсалуы туралы мәліметтерді "
            "ҮЕҰ дерекқорына береді: infonpo.gov.kz арқылы онлайн немесе қағаз түрінде "
            "(поштамен не қолма-қол). Саяси партиялар, кәсіподақтар мен діни бірлестіктер "
            "тапсырмайды. Негізі: «Коммерциялық емес ұйымдар туралы» Заңның 41-бабының "
            "5-тармағы. Уақытында тапсырмағаны үшін әкімшілік жауапкершілік көзделген: "
            "нақты бап пен айыппұл мөлшерін adilet.zan.kz сайтынан тексеріңіз."
        ),
        description_ru=(
            "Ежегодно до 31 марта каждая НПО и филиал иностранной НПО представляет в базу "
            "данных НПО сведения о своей деятельности, учредителях, имуществе, источниках "
            "и расходовании средств: онлайн на infonpo.gov.kz или на бумаге (почтой или "
            "нарочно). Не представляют политические партии, профсоюзы и религиозные "
            "объединения. Основание: п. 5 ст. 41 Закона «О некоммерческих организациях». "
            "За непредставление предусмотрена административная ответственность: актуальную "
            "статью и размер штрафа уточните на adilet.zan.kz."
        ),
        url="https://infonpo.gov.kz",
    ),
    BuiltinDeadline(
        key="cit-declaration-100",
        month=3,
        day=31,
        category="reporting-deadline",
        title_kk="КТС декларациясы (100.00 нысаны)",
        title_ru="Декларация по КПН (форма 100.00)",
        description_kk=(
            "Корпоративтік табыс салығы бойынша декларацияны (100.00 нысаны) тапсыру мерзімі: "
            "31 наурыз (2025 жылғы жағдай бойынша). 2026 жылғы 1 қаңтардан бастап жаңа Салық "
            "кодексі қолданылады, сондықтан мерзім мен нысанды kgd.gov.kz немесе "
            "adilet.zan.kz сайтынан тексеріңіз. Мемлекеттік әлеуметтік тапсырыстан, "
            "гранттардан, мүшелік жарналардан және қайырмалдықтан түсетін кірістер бұрынғы "
            "кодекс бойынша салық салынатын кірістен алынып тасталған (289-бап); жаңа "
            "кодекстегі тәртібін тексеріңіз. Күмәніңіз болса, кеңесшіден сұраңыз."
        ),
        description_ru=(
            "Срок сдачи декларации по корпоративному подоходному налогу (форма 100.00): "
            "31 марта (по состоянию на 2025 год). С 1 января 2026 года действует новый "
            "Налоговый кодекс, поэтому срок и форму уточните на kgd.gov.kz или "
            "adilet.zan.kz. Доходы от госсоцзаказа, грантов, членских взносов и пожертвований "
            "по прежнему кодексу исключались из облагаемого дохода (ст. 289); как это "
            "устроено в новом кодексе, уточните. Если сомневаетесь, спросите консультанта."
        ),
        url="https://kgd.gov.kz",
    ),
)


def occurrence(month: int, day: int, year: int, tz: ZoneInfo) -> datetime:
    """Local midnight of the date; 29 February becomes 28 February in common years."""
    try:
        day_value = date(year, month, day)
    except ValueError:
        day_value = date(year, month, day - 1)
    return datetime.combine(day_value, time(0, 0), tz).astimezone(UTC)


def next_occurrence(month: int, day: int, now: datetime, tz: ZoneInfo) -> datetime:
    """The first all-day occurrence whose day has not ended yet."""
    year = now.astimezone(tz).year
    while True:
        start = occurrence(month, day, year, tz)
        if ahead_until(start, True, tz) > now:
            return start
        year += 1


async def seed_builtin_deadlines(session: AsyncSession, now: datetime, tz: ZoneInfo) -> int:
    """Insert the built-in deadlines that are missing; returns how many were added."""
    events = EventRepository(session)
    added = 0
    for item in BUILTIN_DEADLINES:
        if await events.get_by_builtin_key(item.key) is not None:
            continue
        await events.add(
            {
                "category": item.category,
                "title_kk": item.title_kk,
                "title_ru": item.title_ru,
                "description_kk": item.description_kk,
                "description_ru": item.description_ru,
                "starts_at": next_occurrence(item.month, item.day, now, tz),
                "all_day": True,
                "url": item.url,
                "recurrence": YEARLY,
                "builtin_key": item.key,
                "created_at": now,
                "updated_at": now,
            }
        )
        added += 1
    return added


def _shift_years(moment: datetime, years: int, tz: ZoneInfo) -> datetime:
    local = moment.astimezone(tz)
    try:
        shifted = local.replace(year=local.year + years)
    except ValueError:  # 29 February
        shifted = local.replace(year=local.year + years, day=28)
    return shifted.astimezone(UTC)


def rolled_forward(event: EventDTO, now: datetime, tz: ZoneInfo) -> dict[str, object] | None:
    """New dates for a yearly event whose occurrence is over, or None while it is not."""
    if event.recurrence != YEARLY:
        return None
    end = event.ends_at or ahead_until(event.starts_at, event.all_day, tz)
    if end > now:
        return None
    years = 0
    start, stop = event.starts_at, event.ends_at
    while end <= now:
        years += 1
        start = _shift_years(event.starts_at, years, tz)
        stop = _shift_years(event.ends_at, years, tz) if event.ends_at else None
        end = stop or ahead_until(start, event.all_day, tz)
    # A cancellation applied to one year; the next year's deadline stands again.
    return {"starts_at": start, "ends_at": stop, "status": STATUS_ACTIVE}


async def roll_recurring(session: AsyncSession, now: datetime, tz: ZoneInfo) -> int:
    events = EventRepository(session)
    rolled = 0
    for event in await events.recurring_started_before(now):
        changes = rolled_forward(event, now, tz)
        if changes is not None:
            await events.update(
                event.id, {**changes, "revision": event.revision + 1, "updated_at": now}
            )
            rolled += 1
    return rolled
