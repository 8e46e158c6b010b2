"""Service API: a conversation's service requests.

Paths are relative: `hub.holders.routes` mounts this router under
/api/v1/service, behind the service token."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Response
from pydantic import BaseModel, Field

from hub.auth.deps import service_caller
from hub.deps import NowDep, SessionDep
from hub.holders.profile import holder_for_conversation
from hub.service_requests import service
from hub.service_requests.limits import Answers
from hub.service_requests.serializers import request_out

router = APIRouter(tags=["service"], dependencies=[Depends(service_caller)])

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1, max_length=128)]


class RequestCreate(BaseModel):
    area: Annotated[str, Field(min_length=1, max_length=64)]
    answers: Answers = Field(default_factory=dict)


@router.post("/conversations/{cid}/service-requests", status_code=201)
def create_request(
    cid: str,
    body: RequestCreate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    now: NowDep,
    response: Response,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    row, created = service.create_request(
        session, holder=holder, area_code=body.area, answers=body.answers,
        idempotency_key=idempotency_key, now=now,
    )
    if not created:
        response.status_code = 200
    return request_out(session, row)


@router.get("/conversations/{cid}/service-requests")
def list_requests(
    cid: str,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^live$")] = None,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    rows = service.list_requests(session, holder=holder, live_only=status == "live")
    return {"service_requests": [request_out(session, r) for r in rows]}


@router.get("/conversations/{cid}/service-requests/{reference}")
def get_request(cid: str, reference: str, session: SessionDep) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return request_out(session, service.get_request(session, holder=holder, reference=reference))


@router.post("/conversations/{cid}/service-requests/{reference}/withdraw")
def withdraw_request(
    cid: str, reference: str, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    row = service.withdraw_request(session, holder=holder, reference=reference, now=now)
    return request_out(session, row)
