"""Reminders in the service API (the bot's `manage_reminders`) and for the
holder's own page. Writes commit first, then move the scheduler's jobs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from hub.auth.deps import HolderDep, service_caller
from hub.bookings import engine
from hub.clock import local_iso
from hub.deps import NowDep, SessionDep
from hub.errors import InvalidRequest
from hub.holders.profile import holder_for_conversation
from hub.reminders import service
from hub.reminders.models import SKIPPED, Reminder
from hub.reminders.policy import QuietHours

service_router = APIRouter(
    prefix="/api/v1/service", tags=["service"], dependencies=[Depends(service_caller)]
)
holder_router = APIRouter(prefix="/api/v1/me", tags=["holder"])

# From ten minutes to two weeks ahead of the appointment.
MIN_MINUTES, MAX_MINUTES = 10, 14 * 24 * 60


class TurnOff(BaseModel):
    reference: str | None = Field(default=None, max_length=16)


class ExtraReminder(BaseModel):
    minutes_before: int = Field(ge=MIN_MINUTES, le=MAX_MINUTES)


def reminder_out(reminder: Reminder) -> dict[str, Any]:
    return {
        "id": reminder.id,
        "booking_reference": reminder.reference,
        "kind": reminder.kind,
        "due_at": local_iso(reminder.due_at),
        "send_at": local_iso(reminder.send_at),
        "status": reminder.status,
        "status_reason": reminder.status_reason,
        "attempts": reminder.attempts,
        "delivered_at": local_iso(reminder.delivered_at),
    }


def quiet_hours(request: Request) -> QuietHours:
    settings = request.app.state.settings
    return QuietHours(settings.quiet_hours_start, settings.quiet_hours_end)


def sync_jobs(request: Request, ids: list[str]) -> None:
    """Move the scheduler's jobs after the rows are committed (when this
    process runs the scheduler; otherwise its next start reconciles)."""
    scheduler = getattr(request.app.state, "reminders", None)
    if scheduler is not None:
        scheduler.sync(ids)


def sync_booking_reminders(request: Request, booking_id: int) -> None:
    scheduler = getattr(request.app.state, "reminders", None)
    if scheduler is not None:
        scheduler.sync_booking(booking_id)


def sync_application_reminders(request: Request, application_id: int) -> None:
    scheduler = getattr(request.app.state, "reminders", None)
    if scheduler is not None:
        scheduler.sync_application(application_id)


@service_router.get("/conversations/{cid}/reminders")
def list_reminders(
    cid: str, session: SessionDep, reference: str | None = None
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    rows = service.list_for_holder(session, holder=holder, reference=reference)
    return {"reminders": [reminder_out(r) for r in rows]}


@service_router.post("/conversations/{cid}/reminders/off")
def turn_off_reminders(
    cid: str, body: TurnOff, session: SessionDep, request: Request
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    if body.reference is not None and not service.list_for_holder(
        session, holder=holder, reference=body.reference
    ):
        # Not theirs, or nothing to turn off: the same answer either way.
        engine.get_booking(session, holder=holder, reference=body.reference)
    ids = service.turn_off(session, holder=holder, reference=body.reference)
    session.commit()
    sync_jobs(request, ids)
    return {"turned_off": len(ids)}


@service_router.post("/conversations/{cid}/bookings/{reference}/reminders", status_code=201)
def add_reminder(
    cid: str,
    reference: str,
    body: ExtraReminder,
    session: SessionDep,
    request: Request,
    now: NowDep,
) -> dict[str, Any]:
    holder = holder_for_conversation(session, conversation_id=cid)
    booking = engine.get_booking(session, holder=holder, reference=reference)
    if booking.status != "confirmed":
        raise InvalidRequest("That booking is cancelled.", code="booking_cancelled")
    reminder = service.add_extra(
        session, booking=booking, minutes_before=body.minutes_before,
        quiet=quiet_hours(request), now=now,
    )
    if reminder.status == SKIPPED:
        session.rollback()
        raise InvalidRequest(
            "That time has already passed for this booking.", code="reminder_time_passed"
        )
    out = reminder_out(reminder)
    session.commit()
    sync_jobs(request, [reminder.id])
    return out


@holder_router.get("/reminders")
def my_reminders(holder: HolderDep, session: SessionDep) -> dict[str, Any]:
    rows = service.list_for_holder(session, holder=holder)
    return {"reminders": [reminder_out(r) for r in rows]}
