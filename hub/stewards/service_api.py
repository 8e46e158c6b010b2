"""The action server's way to hand a conversation to a person:
`/api/v1/service/conversations/{cid}/escalation(s)` (service token).

The answer carries when a steward will answer (`staffed_now`,
`next_staffed_at`), so the bot can tell the holder in its own words.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field

from hub.auth.deps import service_caller
from hub.clock import local_iso
from hub.deps import NowDep, SessionDep
from hub.holders.profile import holder_for_conversation
from hub.stewards import service
from hub.stewards.deps import OfficeHoursDep
from hub.stewards.models import Escalation
from hub.stewards.office_hours import OfficeHours, is_staffed, next_staffed_time

router = APIRouter(
    prefix="/api/v1/service/conversations/{cid}",
    tags=["service"],
    dependencies=[Depends(service_caller)],
)

Reason = Literal["requested", "fallback", "judgement", "backend_failure", "complaint"]
Priority = Literal["low", "normal", "high", "urgent"]


class EscalationRequest(BaseModel):
    reason: Reason
    summary: str = Field(default="", max_length=4000)
    # Slots filled, what they wanted, the last messages: shown to the steward as is.
    context: dict[str, Any] = Field(default_factory=dict)
    priority: Priority | None = None
    area_code: str | None = Field(default=None, max_length=32)


@router.post("/escalations", status_code=201)
def open_escalation(
    cid: str,
    body: EscalationRequest,
    response: Response,
    session: SessionDep,
    now: NowDep,
    hours: OfficeHoursDep,
    idempotency_key: Annotated[str | None, Header(max_length=128)] = None,
) -> dict[str, Any]:
    """201 with a new escalation; 200 when it was added to the holder's live one
    (or the same Idempotency-Key was seen on it already: nothing changes)."""
    holder = holder_for_conversation(session, conversation_id=cid)
    live = service.live_escalation(session, holder_id=holder.id)
    if live is not None and idempotency_key and idempotency_key in live.context.get(
        "idempotency_keys", []
    ):
        response.status_code = 200
        return _out(live, appended=True, now=now, hours=hours)
    context = dict(body.context)
    opening = service.open_escalation(
        session,
        holder=holder,
        reason=body.reason,
        summary=body.summary,
        context=context,
        priority=body.priority or service.default_priority(body.reason),
        area_code=body.area_code,
        now=now,
        office_hours=hours,
    )
    if idempotency_key:
        escalation = opening.escalation
        keys = [*escalation.context.get("idempotency_keys", []), idempotency_key]
        escalation.context = {**escalation.context, "idempotency_keys": keys[-20:]}
    session.commit()
    if opening.appended:
        response.status_code = 200
    return _out(opening.escalation, appended=opening.appended, now=now, hours=hours)


@router.get("/escalation")
def current_escalation(
    cid: str, session: SessionDep, now: NowDep, hours: OfficeHoursDep
) -> dict[str, Any]:
    """The holder's live escalation, or `escalation: null`."""
    holder = holder_for_conversation(session, conversation_id=cid)
    live = service.live_escalation(session, holder_id=holder.id)
    if live is None:
        return {"escalation": None, **_staffing(now, hours)}
    return _out(live, appended=False, now=now, hours=hours)


def _out(
    escalation: Escalation, *, appended: bool, now: datetime, hours: OfficeHours
) -> dict[str, Any]:
    steward = escalation.steward
    return {
        "escalation": {
            "id": escalation.id,
            "status": escalation.status,
            "priority": escalation.priority,
            "reason": escalation.reason,
            "appended": appended,
            "steward": None if steward is None else {"name": steward.name},
            "response_due_at": local_iso(escalation.response_due_at),
        },
        **_staffing(now, hours),
    }


def _staffing(now: datetime, hours: OfficeHours) -> dict[str, Any]:
    return {"staffed_now": is_staffed(now, hours=hours),
            "next_staffed_at": local_iso(next_staffed_time(now, hours=hours))}
