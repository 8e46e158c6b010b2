"""The staff API behind the console: `/api/v1/staff/...`.

Every route but login needs a staff token; each action checks in the service
layer that this person may act on this escalation, and the route commits the
change together with its audit entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.clock import local_iso
from hub.deps import NowDep, SessionDep, SettingsDep
from hub.holders.models import Steward
from hub.stewards import access, auth, service, views
from hub.stewards.deps import OfficeHoursDep, StaffDep
from hub.stewards.errors import NotFound
from hub.stewards.holder_api import router as holder_router
from hub.stewards.models import LIVE_STATUSES, STATUSES, Escalation, StewardPresence
from hub.stewards.office_hours import is_staffed, next_staffed_time
from hub.stewards.stream import router as stream_router

router = APIRouter(prefix="/api/v1/staff", tags=["staff"])
router.include_router(stream_router)
# Acting for the holder: bookings, applications, service requests.
router.include_router(holder_router)

StatusFilter = Literal["live", "all", "open", "claimed", "waiting_holder", "resolved"]


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class ReplyRequest(BaseModel):
    text: str = Field(min_length=1, max_length=service.MAX_REPLY_CHARS)


class ResolveRequest(BaseModel):
    outcome: str = Field(min_length=1, max_length=service.MAX_OUTCOME_CHARS)


class AwayRequest(BaseModel):
    away: bool


class ReassignRequest(BaseModel):
    # A steward's username, or null for the shared queue.
    steward: str | None


@router.post("/login")
def login(
    body: LoginRequest, session: SessionDep, settings: SettingsDep, now: NowDep
) -> dict[str, Any]:
    steward = auth.login(session, username=body.username, password=body.password, now=now)
    issued = auth.issue_token(settings=settings, steward=steward, now=now)
    return {"access_token": issued.token, "token_type": "bearer",
            "expires_at": local_iso(issued.expires_at), "staff": views.staff_out(steward)}


@router.get("/me")
def me(
    staff: StaffDep, session: SessionDep, now: NowDep, hours: OfficeHoursDep
) -> dict[str, Any]:
    return {"staff": views.staff_out(staff),
            "away": service.steward_is_away(session, steward_id=staff.id),
            "staffed_now": is_staffed(now, hours=hours),
            "next_staffed_at": local_iso(next_staffed_time(now, hours=hours))}


@router.get("/stewards")
def stewards(staff: StaffDep, session: SessionDep) -> dict[str, Any]:
    """Active staff with their live workload, for the supervisor's reassign menu."""
    load = {
        steward_id: count
        for steward_id, count in session.execute(
            select(Escalation.steward_id, func.count())
            .where(Escalation.status.in_(LIVE_STATUSES))
            .group_by(Escalation.steward_id)
        ).tuples()
    }
    away = set(session.scalars(select(StewardPresence.steward_id).where(StewardPresence.away)))
    people = session.scalars(select(Steward).where(Steward.active).order_by(Steward.name))
    return {"stewards": [{**(views.staff_out(s) or {}), "live_escalations": load.get(s.id, 0),
                          "away": s.id in away} for s in people]}


@router.post("/stewards/{username}/away")
def set_away(
    username: str, body: AwayRequest, staff: StaffDep, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    """Away (leave, training): new escalations of their holders go to the
    shared queue. Oneself, or anyone for a supervisor."""
    steward = session.scalars(select(Steward).where(Steward.username == username)).first()
    if steward is None:
        raise NotFound(f"No staff account named {username}.")
    service.set_away(session, steward=steward, away=body.away, staff=staff, now=now)
    session.commit()
    return {"username": steward.username, "away": body.away}


@router.get("/escalations")
def queue(
    staff: StaffDep,
    session: SessionDep,
    now: NowDep,
    status: Annotated[list[StatusFilter], Query()] = ["live"],  # noqa: B006
) -> dict[str, Any]:
    """Most urgent first, then longest waiting. `status` may repeat; `live`
    (the default) is open + claimed + waiting_holder, `all` is everything."""
    wanted: set[str] = set()
    for item in status:
        wanted |= set(LIVE_STATUSES if item == "live" else STATUSES if item == "all" else [item])
    items = access.queue(session, staff=staff, statuses=sorted(wanted))
    return {"escalations": [views.queue_item_out(e, now=now) for e in items]}


@router.get("/escalations/{escalation_id}")
def detail(escalation_id: int, staff: StaffDep, session: SessionDep, now: NowDep) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    return views.detail_out(session, escalation, staff=staff, now=now)


@router.post("/escalations/{escalation_id}/claim")
def claim(escalation_id: int, staff: StaffDep, session: SessionDep, now: NowDep) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    service.claim(session, escalation=escalation, staff=staff, now=now)
    return _committed(session, escalation, staff=staff, now=now)


@router.post("/escalations/{escalation_id}/hold")
def hold(escalation_id: int, staff: StaffDep, session: SessionDep, now: NowDep) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    service.hold(session, escalation=escalation, staff=staff, now=now)
    return _committed(session, escalation, staff=staff, now=now)


@router.post("/escalations/{escalation_id}/resolve")
def resolve(
    escalation_id: int, body: ResolveRequest, staff: StaffDep, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    service.resolve(session, escalation=escalation, staff=staff, outcome=body.outcome, now=now)
    return _committed(session, escalation, staff=staff, now=now)


@router.post("/escalations/{escalation_id}/reassign")
def reassign(
    escalation_id: int, body: ReassignRequest, staff: StaffDep, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    target = None
    if body.steward is not None:
        target = session.scalars(select(Steward).where(Steward.username == body.steward)).first()
        if target is None:
            raise NotFound(f"No staff account named {body.steward}.")
    service.reassign(session, escalation=escalation, staff=staff, to_steward=target, now=now)
    return _committed(session, escalation, staff=staff, now=now)


@router.post("/escalations/{escalation_id}/reply", status_code=201)
def reply(
    escalation_id: int, body: ReplyRequest, staff: StaffDep, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    message = service.post_steward_reply(
        session, escalation=escalation, staff=staff, text=body.text, now=now
    )
    session.commit()
    return {"message": views.message_out(message),
            "escalation": views.escalation_out(escalation, staff=staff, now=now)}


def _committed(
    session: Session, escalation: Escalation, *, staff: Steward, now: datetime
) -> dict[str, Any]:
    session.commit()
    session.refresh(escalation)
    return {"escalation": views.escalation_out(escalation, staff=staff, now=now)}
