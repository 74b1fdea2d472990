"""Who gets a new question: the consultant on duty with the fewest open questions, under the
per-consultant cap; on a tie, the one who got a question longest ago (round robin)."""

from __future__ import annotations

from db.repositories.desk import ConsultantDTO, ConsultantRepository


async def pick_consultant(consultants: ConsultantRepository, cap: int) -> ConsultantDTO | None:
    loads = [load for load in await consultants.loads() if load.consultant.on_duty]
    candidates = [load for load in loads if load.open_tickets < cap]
    if not candidates:
        return None
    last_claims = await consultants.last_claims()
    best = min(
        candidates,
        key=lambda load: (
            load.open_tickets,
            last_claims.get(load.consultant.user_id, 0.0),
            load.consultant.user_id,
        ),
    )
    return best.consultant
