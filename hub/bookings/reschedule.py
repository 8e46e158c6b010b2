"""Move a booking to another slot of the same provider, area and offering.

One transaction: take the new slot's capacity with the conditional UPDATE,
move the booking (conditional on its old slot, so two reschedules racing
cannot both move it), free the old slot, reseat tickets, record the move in
`details["history"]`, and move the reminders. A full new slot changes nothing.
The reference stays: it is what the holder quotes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from hub.bookings.availability import alternatives_for_full_slot
from hub.bookings.engine import CONFIRMED, SlotFull, _rowcount, get_booking
from hub.bookings.models import Booking, InventorySlot
from hub.bookings.serializers import slot_out
from hub.bookings.tickets import is_ticket_area, issue_tickets
from hub.clock import local_iso
from hub.errors import HubError, InvalidRequest, NotFound
from hub.holders.models import Holder
from hub.reminders import service as reminders
from hub.reminders.policy import DEFAULT_QUIET_HOURS, QuietHours

_ATTEMPTS = 3


class _Raced(Exception):
    """The booking moved or was cancelled between our read and our write."""


def reschedule_booking(
    session: Session,
    *,
    holder: Holder,
    reference: str,
    slot_id: int,
    idempotency_key: str,
    now: datetime,
    quiet: QuietHours = DEFAULT_QUIET_HOURS,
) -> tuple[Booking, bool]:
    """The booking and whether it moved now; the same key again returns it
    unchanged (409 `idempotency_conflict` when the key moved it elsewhere)."""
    for _ in range(_ATTEMPTS):
        booking = get_booking(session, holder=holder, reference=reference)
        if _already_done(booking, key=idempotency_key, slot_id=slot_id):
            return booking, False
        try:
            _move(session, booking=booking, slot_id=slot_id, key=idempotency_key,
                  now=now, quiet=quiet)
            session.commit()
        except _Raced:
            session.rollback()
            continue
        except BaseException:
            session.rollback()
            raise
        return booking, True
    raise HubError(409, "booking_changed", "This booking changed meanwhile. Please try again.")


def _already_done(booking: Booking, *, key: str, slot_id: int) -> bool:
    for move in (booking.details or {}).get("history", []):
        if move.get("idempotency_key") == key:
            if move.get("to_slot_id") != slot_id:
                raise HubError(
                    409, "idempotency_conflict",
                    "This Idempotency-Key was already used to move this booking elsewhere.",
                    reference=booking.reference,
                )
            return True
    return False


def _move(
    session: Session, *, booking: Booking, slot_id: int, key: str, now: datetime,
    quiet: QuietHours,
) -> None:
    old = booking.slot
    new = _check_target(session, booking=booking, slot_id=slot_id, now=now)
    taken = _rowcount(session.execute(
        update(InventorySlot)
        .where(InventorySlot.id == new.id,
               InventorySlot.booked + booking.quantity <= InventorySlot.capacity)
        .values(booked=InventorySlot.booked + booking.quantity)
        .execution_options(synchronize_session=False)
    ))
    session.expire(new, ["booked"])
    if taken != 1:
        alternatives = alternatives_for_full_slot(
            session, slot=new, offering=booking.offering, quantity=booking.quantity, now=now
        )
        raise SlotFull([slot_out(s) for s in alternatives if s.id != old.id])
    moved = _rowcount(session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.slot_id == old.id, Booking.status == CONFIRMED)
        .values(slot_id=new.id)
        .execution_options(synchronize_session=False)
    ))
    if moved != 1:
        raise _Raced()
    session.execute(
        update(InventorySlot)
        .where(InventorySlot.id == old.id)
        .values(booked=InventorySlot.booked - booking.quantity)
        .execution_options(synchronize_session=False)
    )
    session.expire(old, ["booked"])
    session.refresh(booking)
    booking.details = {
        **(booking.details or {}),
        "history": [*(booking.details or {}).get("history", []), _history_entry(
            old=old, new=new, key=key, now=now)],
    }
    if is_ticket_area(session, booking.area_code):
        issue_tickets(session, booking=booking, slot=new)
    session.flush()
    reminders.replan_for_booking(session, booking=booking, quiet=quiet, now=now)


def _check_target(
    session: Session, *, booking: Booking, slot_id: int, now: datetime
) -> InventorySlot:
    if booking.status != CONFIRMED:
        raise InvalidRequest("This booking is cancelled.", code="booking_cancelled")
    if booking.slot.starts_at <= now:
        raise InvalidRequest(
            "This appointment has already started and can no longer be moved.",
            code="slot_in_past",
        )
    new = session.get(InventorySlot, slot_id)
    if new is None:
        raise NotFound("There is no such slot.")
    if new.id == booking.slot_id:
        raise InvalidRequest("The booking is already at that time.", code="same_slot")
    if new.starts_at <= now:
        raise InvalidRequest("That time has already passed.", code="slot_in_past")
    if (
        new.provider_id != booking.provider_id
        or new.area_code != booking.area_code
        or new.offering_id not in (None, booking.offering_id)
    ):
        raise InvalidRequest(
            "A booking can only move to another time of the same service at the same place; "
            "cancel it and book the other one instead.",
            code="invalid_slot",
        )
    return new


def _history_entry(
    *, old: InventorySlot, new: InventorySlot, key: str, now: datetime
) -> dict[str, Any]:
    return {
        "action": "rescheduled",
        "at": local_iso(now),
        "from_slot_id": old.id,
        "from_starts_at": local_iso(old.starts_at),
        "to_slot_id": new.id,
        "to_starts_at": local_iso(new.starts_at),
        "idempotency_key": key,
    }
