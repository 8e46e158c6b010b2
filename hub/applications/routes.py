"""Service API: a conversation's applications (school places).

Paths are relative: `hub.holders.routes` mounts this router under
/api/v1/service, behind the service token."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field

from hub.applications import eligibility, service
from hub.applications.serializers import application_out
from hub.auth.deps import service_caller
from hub.clock import local_date
from hub.db import MAX_DB_INT
from hub.deps import NowDep, SessionDep
from hub.errors import InvalidRequest
from hub.holders.models import Child
from hub.holders.profile import holder_child, holder_for_conversation
from hub.reminders.routes import quiet_hours, sync_application_reminders
from hub.service_requests.limits import Answers

router = APIRouter(tags=["service"], dependencies=[Depends(service_caller)])

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)]
Code = Annotated[str, Field(min_length=1, max_length=64)]


class NewChild(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=128)]
    birth_date: date | None = None


class ApplicationCreate(BaseModel):
    area: Code = "school_enrollment"
    school: Code
    grade: Code
    child_id: int | None = Field(default=None, ge=1, le=MAX_DB_INT)
    child: NewChild | None = None
    answers: Answers = Field(default_factory=dict)


@router.get("/conversations/{cid}/applications/eligibility")
def check_eligibility(
    cid: str,
    session: SessionDep,
    now: NowDep,
    school: Annotated[str, Query(max_length=64)],
    grade: Annotated[str, Query(max_length=64)],
    area: Annotated[str, Query(max_length=64)] = "school_enrollment",
    child_id: Annotated[int | None, Query(ge=1, le=MAX_DB_INT)] = None,
    birth_date: Annotated[date | None, Query()] = None,
    start_date: Annotated[date | None, Query()] = None,
) -> dict[str, Any]:
    """Whether a child may apply, before asking the holder to confirm: a child
    of the profile (`child_id`) or one not in it yet (`birth_date`)."""
    holder = holder_for_conversation(session, conversation_id=cid)
    offering = service.place(session, area=service.application_area(session, area),
                             school=school, grade=grade)
    if child_id is not None:
        child = holder_child(session, holder=holder, child_id=child_id)
    elif birth_date is not None:
        child = Child(name="The child", birth_date=birth_date)  # not stored
    else:
        raise InvalidRequest("Give child_id or birth_date.", code="child_required")
    verdict = eligibility.judge(session, child=child, offering=offering,
                                today=local_date(now), start_date=start_date)
    problems = [{"status": p.status, **p.body()} for p in verdict.problems]
    return {
        "eligible": not problems,
        "school": {"code": offering.provider.code, "name": offering.provider.name},
        "grade": {"code": offering.code, "name": offering.name,
                  "age_min": (offering.details or {}).get("age_min"),
                  "age_max": (offering.details or {}).get("age_max")},
        "age": verdict.age,
        "on": verdict.on.isoformat(),
        "places_left": verdict.places_left,
        "problems": problems,
        "alternatives": eligibility.alternatives(session, offering=offering),
    }


@router.post("/conversations/{cid}/applications", status_code=201)
def create_application(
    cid: str,
    body: ApplicationCreate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    now: NowDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    application, created = service.create_application(
        session, holder=holder, area_code=body.area, school=body.school, grade=body.grade,
        child_id=body.child_id, child_name=body.child.name if body.child else None,
        child_birth_date=body.child.birth_date if body.child else None,
        answers=body.answers, idempotency_key=idempotency_key, now=now,
        quiet=quiet_hours(request),
    )
    if created:
        sync_application_reminders(request, application.id)
    else:
        response.status_code = 200
    return application_out(session, application)


@router.get("/conversations/{cid}/applications")
def list_applications(
    cid: str,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^live$")] = None,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    rows = service.list_applications(session, holder=holder, live_only=status == "live")
    return {"applications": [application_out(session, a) for a in rows]}


@router.get("/conversations/{cid}/applications/{reference}")
def get_application(cid: str, reference: str, session: SessionDep) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return application_out(
        session, service.get_application(session, holder=holder, reference=reference)
    )


@router.post("/conversations/{cid}/applications/{reference}/withdraw")
def withdraw_application(
    cid: str, reference: str, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    application = service.withdraw_application(
        session, holder=holder, reference=reference, now=now
    )
    return application_out(session, application)
