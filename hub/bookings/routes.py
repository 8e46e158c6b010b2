"""Service API: availability, showtimes and a conversation's bookings."""

from __future__ import annotations

import json
from datetime import date, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from pydantic import BaseModel, Field, field_validator

from hub.auth.deps import service_caller
from hub.bookings import engine
from hub.bookings.reschedule import reschedule_booking
from hub.bookings.serializers import booking_out, slot_out
from hub.bookings.showtimes import find_showtimes
from hub.bookings.tickets import HUB_DETAIL_KEYS
from hub.catalog.serializers import provider_out
from hub.db import MAX_DB_INT
from hub.deps import NowDep, SessionDep
from hub.holders.profile import holder_for_conversation
from hub.reminders.routes import quiet_hours, sync_booking_reminders

router = APIRouter(
    prefix="/api/v1/service", tags=["service"], dependencies=[Depends(service_caller)]
)

MAX_QUANTITY = 20
MAX_DETAILS_BYTES = 4096


class BookingCreate(BaseModel):
    slot_id: int = Field(ge=1, le=MAX_DB_INT)
    offering: str | None = Field(default=None, max_length=64)
    quantity: int = Field(default=1, ge=1, le=MAX_QUANTITY)
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("details")
    @classmethod
    def _details_small(cls, value: dict[str, Any]) -> dict[str, Any]:
        if len(json.dumps(value, ensure_ascii=False)) > MAX_DETAILS_BYTES:
            raise ValueError(f"details must be under {MAX_DETAILS_BYTES} characters of JSON")
        reserved = sorted(HUB_DETAIL_KEYS & set(value))
        if reserved:
            raise ValueError(f"details may not set {', '.join(reserved)}: the hub assigns them")
        return value


class Reschedule(BaseModel):
    slot_id: int = Field(ge=1, le=MAX_DB_INT)


IdempotencyKey = Annotated[
    str, Header(alias="Idempotency-Key", min_length=1, max_length=128)
]


@router.get("/availability")
def get_availability(
    session: SessionDep,
    now: NowDep,
    area: Annotated[str, Query(max_length=64)],
    provider: Annotated[str, Query(max_length=64)],
    day: Annotated[date, Query(alias="date")],
    offering: Annotated[str | None, Query(max_length=64)] = None,
    quantity: Annotated[int, Query(ge=1, le=MAX_QUANTITY)] = 1,
) -> dict[str, Any]:
    found = engine.availability(
        session, area_code=area, provider_code=provider, day=day,
        offering_code=offering, quantity=quantity, now=now,
    )
    return {
        "provider": provider_out(found.provider, area_code=area),
        "date": found.day.isoformat(),
        "slots": [slot_out(s) for s in found.slots],
        "alternatives": [slot_out(s) for s in found.alternatives],
    }


@router.get("/showtimes")
def get_showtimes(
    session: SessionDep,
    now: NowDep,
    area: Annotated[str, Query(max_length=64)],
    provider: Annotated[str | None, Query(max_length=64)] = None,
    offering: Annotated[str | None, Query(max_length=64)] = None,
    day: Annotated[date | None, Query(alias="date")] = None,
    after: Annotated[time | None, Query()] = None,
    before: Annotated[time | None, Query()] = None,
    quantity: Annotated[int, Query(ge=1, le=MAX_QUANTITY)] = 1,
    limit: Annotated[int, Query(ge=1, le=50)] = 20,
) -> dict[str, Any]:
    found = find_showtimes(
        session, area_code=area, provider_code=provider, offering_code=offering, day=day,
        after=after, before=before, quantity=quantity, limit=limit, now=now,
    )
    return {
        "area": area,
        "date": None if day is None else day.isoformat(),
        "quantity": quantity,
        "showtimes": [slot_out(s) for s in found.slots],
        "alternatives": [slot_out(s) for s in found.alternatives],
    }


@router.post("/conversations/{cid}/bookings", status_code=201)
def create_booking(
    cid: str,
    body: BookingCreate,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    now: NowDep,
    request: Request,
    response: Response,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    booking, created = engine.create_booking(
        session, holder=holder, slot_id=body.slot_id, offering_code=body.offering,
        quantity=body.quantity, details=body.details,
        idempotency_key=idempotency_key, now=now, quiet=quiet_hours(request),
    )
    if created:
        sync_booking_reminders(request, booking.id)
    else:
        response.status_code = 200
    return booking_out(session, booking)


@router.get("/conversations/{cid}/bookings")
def list_bookings(
    cid: str,
    session: SessionDep,
    status: Annotated[str | None, Query(pattern="^(confirmed|cancelled)$")] = None,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    bookings = engine.list_bookings(session, holder=holder, status=status)
    return {"bookings": [booking_out(session, b) for b in bookings]}


@router.get("/conversations/{cid}/bookings/{reference}")
def get_booking(cid: str, reference: str, session: SessionDep) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    return booking_out(session, engine.get_booking(session, holder=holder, reference=reference))


@router.post("/conversations/{cid}/bookings/{reference}/cancel")
def cancel_booking(
    cid: str, reference: str, session: SessionDep, now: NowDep, request: Request
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    booking = engine.cancel_booking(session, holder=holder, reference=reference, now=now)
    sync_booking_reminders(request, booking.id)
    return booking_out(session, booking)


@router.post("/conversations/{cid}/bookings/{reference}/reschedule")
def reschedule(
    cid: str,
    reference: str,
    body: Reschedule,
    idempotency_key: IdempotencyKey,
    session: SessionDep,
    now: NowDep,
    request: Request,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    booking, moved = reschedule_booking(
        session, holder=holder, reference=reference, slot_id=body.slot_id,
        idempotency_key=idempotency_key, now=now, quiet=quiet_hours(request),
    )
    if moved:
        sync_booking_reminders(request, booking.id)
    return booking_out(session, booking)
