"""Staff routes that act for the escalation's holder: cancel or move a
booking, and move an application or a service request on.

Same access as every staff action (the steward's own holders and the shared
queue, a supervisor everything) and only while the escalation is live. Each
change is committed together with its audit entry; reminder jobs move after
the commit, as in the holder's own routes.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from pydantic import BaseModel, Field

from hub.bookings.serializers import booking_out, slot_out
from hub.db import MAX_DB_INT
from hub.deps import NowDep, SessionDep
from hub.reminders.routes import quiet_hours, sync_booking_reminders
from hub.stewards import access, actions, records
from hub.stewards.deps import StaffDep

router = APIRouter(prefix="/escalations/{escalation_id}")

MAX_NOTE_CHARS = 1000


class RescheduleRequest(BaseModel):
    slot_id: int = Field(ge=1, le=MAX_DB_INT)


class StatusMove(BaseModel):
    status: str = Field(min_length=1, max_length=32)
    note: str = Field(default="", max_length=MAX_NOTE_CHARS)


OptionalIdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=128)
]


@router.post("/bookings/{reference}/cancel")
def cancel_booking(
    escalation_id: int,
    reference: str,
    staff: StaffDep,
    session: SessionDep,
    now: NowDep,
    request: Request,
) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    booking = actions.cancel_booking_for_holder(
        session, escalation=escalation, staff=staff, reference=reference, now=now
    )
    session.commit()
    # The engine cancelled the reminder rows; this drops their scheduler jobs.
    sync_booking_reminders(request, booking.id)
    return {"booking": booking_out(session, booking)}


@router.get("/bookings/{reference}/availability")
def booking_availability(
    escalation_id: int,
    reference: str,
    day: Annotated[date, Query(alias="date")],
    staff: StaffDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    """Free times the booking can move to that day (same place and service,
    room for its quantity); `alternatives` are the next free days there."""
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    found = actions.free_times_for_booking(
        session, escalation=escalation, staff=staff, reference=reference, day=day, now=now
    )
    return {
        "booking": booking_out(session, found.booking),
        "date": found.day.isoformat(),
        "slots": [slot_out(s) for s in found.slots],
        "alternatives": [slot_out(s) for s in found.alternatives],
    }


@router.post("/bookings/{reference}/reschedule")
def reschedule_booking(
    escalation_id: int,
    reference: str,
    body: RescheduleRequest,
    staff: StaffDep,
    session: SessionDep,
    now: NowDep,
    request: Request,
    idempotency_key: OptionalIdempotencyKey = None,
) -> dict[str, Any]:
    """409 `slot_full` with `alternatives` when the time was taken meanwhile.
    The console sends a key per confirmation so a double click moves once; a
    caller without one gets a fresh key (every call is a new move)."""
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    booking, moved = actions.reschedule_booking_for_holder(
        session, escalation=escalation, staff=staff, reference=reference,
        slot_id=body.slot_id, idempotency_key=idempotency_key or f"staff-{uuid.uuid4()}",
        quiet=quiet_hours(request), now=now,
    )
    if moved:
        sync_booking_reminders(request, booking.id)
    return {"booking": booking_out(session, booking), "moved": moved}


@router.post("/applications/{reference}/status")
def move_application(
    escalation_id: int,
    reference: str,
    body: StatusMove,
    staff: StaffDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    application = records.move_application_for_holder(
        session, escalation=escalation, staff=staff, reference=reference,
        to_status=body.status, note=body.note.strip(), now=now,
    )
    session.commit()
    return {"application": records.staff_application_out(session, application)}


@router.post("/service-requests/{reference}/status")
def move_service_request(
    escalation_id: int,
    reference: str,
    body: StatusMove,
    staff: StaffDep,
    session: SessionDep,
    now: NowDep,
) -> dict[str, Any]:
    escalation = access.escalation_for(session, staff=staff, escalation_id=escalation_id)
    row = records.move_request_for_holder(
        session, escalation=escalation, staff=staff, reference=reference,
        to_status=body.status, note=body.note.strip(), now=now,
    )
    session.commit()
    return {"service_request": records.staff_request_out(session, row)}
