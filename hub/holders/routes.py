"""The holder's own view (/api/v1/me) and the service API's holder views:
profile, card, children, and every record (bookings, applications, service
requests) by one reference.

The applications, service requests and catalog search routers are mounted
here, under the service API's prefix and token check, so the app factory
only includes `service_router` and `me_router`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field

from hub.applications import routes as application_routes
from hub.applications.serializers import application_out
from hub.applications.service import list_applications
from hub.auth.deps import HolderDep, service_caller
from hub.bookings.engine import list_bookings
from hub.bookings.models import Booking
from hub.bookings.serializers import booking_out
from hub.catalog import routes as catalog_routes
from hub.clock import local_date
from hub.deps import NowDep, SessionDep
from hub.holders import records
from hub.holders.models import Holder
from hub.holders.profile import (
    add_child,
    card_out,
    child_out,
    holder_for_conversation,
    profile_out,
)
from hub.reminders.routes import sync_booking_reminders
from hub.service_requests import routes as request_routes
from hub.service_requests.serializers import request_out
from hub.service_requests.service import list_requests

me_router = APIRouter(prefix="/api/v1/me", tags=["holder"])
service_router = APIRouter(
    prefix="/api/v1/service", tags=["service"], dependencies=[Depends(service_caller)]
)
LiveFilter = Annotated[str | None, Query(pattern="^live$")]


class ChildCreate(BaseModel):
    name: Annotated[str, Field(min_length=1, max_length=128)]
    birth_date: date
    school: Annotated[str, Field(max_length=256)] = ""
    grade: Annotated[str, Field(max_length=32)] = ""


# -- the holder's own view ----------------------------------------------------


@me_router.get("")
def my_profile(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    # Re-read in this session: relationships load lazily from here.
    return profile_out(session.get_one(Holder, holder.id))


@me_router.get("/card")
def my_card(holder: HolderDep, now: NowDep) -> dict[str, Any]:
    return card_out(holder, today=local_date(now))


@me_router.get("/bookings")
def my_bookings(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    bookings = list_bookings(session, holder=holder)
    return {"bookings": [booking_out(session, b) for b in bookings]}


@me_router.get("/applications")
def my_applications(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    rows = list_applications(session, holder=holder)
    return {"applications": [application_out(session, a) for a in rows]}


@me_router.get("/service-requests")
def my_requests(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    rows = list_requests(session, holder=holder)
    return {"service_requests": [request_out(session, r) for r in rows]}


@me_router.get("/records")
def my_records(
    holder: HolderDep, session: SessionDep, now: NowDep, status: LiveFilter = None
) -> dict[str, Any]:
    return {"records": records.list_records(session, holder=holder, now=now,
                                            live_only=status == "live")}


@me_router.get("/records/{reference}")
def my_record(reference: str, holder: HolderDep, session: SessionDep, now: NowDep) -> dict[str, Any]:
    row = records.find(session, holder=holder, reference=reference)
    return records.detail(session, row, now=now)


# -- the service API, acting for the holder of a conversation -----------------


@service_router.get("/conversations/{cid}/profile")
def conversation_profile(cid: str, session: SessionDep) -> dict[str, Any]:
    return profile_out(holder_for_conversation(session, conversation_id=cid))


@service_router.get("/conversations/{cid}/card")
def conversation_card(cid: str, session: SessionDep, now: NowDep) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return card_out(holder, today=local_date(now))


@service_router.get("/conversations/{cid}/children")
def conversation_children(cid: str, session: SessionDep) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return {"children": [child_out(c) for c in holder.children]}


@service_router.post("/conversations/{cid}/children", status_code=201)
def add_conversation_child(
    cid: str, body: ChildCreate, session: SessionDep, response: Response
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    try:
        child, created = add_child(session, holder=holder, name=body.name,
                                   birth_date=body.birth_date, school=body.school,
                                   grade=body.grade)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    if not created:
        response.status_code = 200
    return child_out(child)


@service_router.get("/conversations/{cid}/records")
def conversation_records(
    cid: str, session: SessionDep, now: NowDep, status: LiveFilter = None
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return {"records": records.list_records(session, holder=holder, now=now,
                                            live_only=status == "live")}


@service_router.get("/conversations/{cid}/records/{reference}")
def conversation_record(cid: str, reference: str, session: SessionDep, now: NowDep) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return records.detail(session, records.find(session, holder=holder, reference=reference),
                          now=now)


@service_router.post("/conversations/{cid}/records/{reference}/cancel")
def cancel_record(
    cid: str, reference: str, session: SessionDep, now: NowDep, request: Request
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    row = records.cancel(session, holder=holder, now=now,
                         row=records.find(session, holder=holder, reference=reference))
    if isinstance(row, Booking):
        sync_booking_reminders(request, row.id)
    return records.detail(session, row, now=now)


service_router.include_router(application_routes.router)
service_router.include_router(request_routes.router)
service_router.include_router(catalog_routes.search_router)
