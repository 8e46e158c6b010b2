"""Who may see and act on which escalation, and the queue each person sees.

A steward works their own holders' escalations and the shared queue (NULL
assignee); a supervisor sees and may act on everything.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import ColumnElement, case, or_, select, true
from sqlalchemy.orm import Session, joinedload

from hub.holders.models import Steward
from hub.stewards.errors import Forbidden, NotFound
from hub.stewards.models import Escalation

# Most urgent first; within one priority, whoever has waited longest.
_URGENCY = case(
    {"urgent": 0, "high": 1, "normal": 2, "low": 3}, value=Escalation.priority, else_=4
)


def is_supervisor(staff: Steward) -> bool:
    return staff.role == "supervisor"


def may_act(staff: Steward, escalation: Escalation) -> bool:
    return is_supervisor(staff) or escalation.steward_id in (None, staff.id)


def visible_to(staff: Steward) -> ColumnElement[bool]:
    if is_supervisor(staff):
        return true()
    return or_(Escalation.steward_id.is_(None), Escalation.steward_id == staff.id)


def require_may_act(staff: Steward, escalation: Escalation) -> None:
    if not may_act(staff, escalation):
        raise Forbidden("This escalation belongs to another steward's holder.")


def queue(
    session: Session, *, staff: Steward, statuses: Sequence[str], limit: int = 200
) -> list[Escalation]:
    query = (
        select(Escalation)
        .options(joinedload(Escalation.holder), joinedload(Escalation.steward))
        .where(visible_to(staff), Escalation.status.in_(statuses))
        .order_by(_URGENCY, Escalation.created_at, Escalation.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def escalation_for(session: Session, *, staff: Steward, escalation_id: int) -> Escalation:
    """The escalation if this person may work on it. Another steward's
    escalation is a 403, not a 404: its id is no secret, its contents are."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise NotFound("No escalation with that id.")
    require_may_act(staff, escalation)
    return escalation
