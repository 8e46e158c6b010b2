"""The booking engine: availability, atomic capacity, idempotent create, cancel.

Capacity is reserved with one conditional UPDATE in the same transaction as the
booking INSERT, so a booking exists in full or not at all and a slot is never
overbooked, whatever the number of concurrent requests. Create and cancel
commit their own transaction; the rest only read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Result, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from hub.bookings.availability import (
    Availability,
    alternatives_for_full_slot,
    availability,
    find_offering,
    require_quantity,
)
from hub.bookings.models import Booking, InventorySlot
from hub.bookings.references import new_reference, normalise_reference
from hub.bookings.serializers import slot_out
from hub.bookings.tickets import caller_details, is_ticket_area, issue_tickets
from hub.catalog.models import Offering
from hub.errors import HubError, InvalidRequest, NotFound
from hub.holders.models import Holder
from hub.reminders import service as reminders
from hub.reminders.policy import DEFAULT_QUIET_HOURS, QuietHours

__all__ = [
    "Availability",
    "SlotFull",
    "availability",
    "cancel_booking",
    "create_booking",
    "get_booking",
    "list_bookings",
]

CONFIRMED = "confirmed"
CANCELLED = "cancelled"
# A reference collides once in ~10^9; a few fresh draws make failure unthinkable.
_CREATE_ATTEMPTS = 5


class SlotFull(HubError):
    def __init__(self, alternatives: list[dict[str, Any]]) -> None:
        super().__init__(
            409,
            "slot_full",
            "That time is fully booked.",
            alternatives=alternatives,
        )


def create_booking(
    session: Session,
    *,
    holder: Holder,
    slot_id: int,
    offering_code: str | None,
    quantity: int,
    details: dict[str, Any],
    idempotency_key: str,
    now: datetime,
    quiet: QuietHours = DEFAULT_QUIET_HOURS,
) -> tuple[Booking, bool]:
    """The booking and whether it is new; the same key again returns the first
    booking made with it (or 409 when the request differs).

    Its reminders are planned in the same transaction; the caller moves the
    scheduler's jobs after the commit (`ReminderScheduler.sync_booking`)."""
    holder_id = holder.id
    for _ in range(_CREATE_ATTEMPTS):
        existing = _by_idempotency_key(session, holder_id=holder_id, key=idempotency_key)
        if existing is not None:
            _check_same_request(
                existing, slot_id=slot_id, offering_code=offering_code,
                quantity=quantity, details=details,
            )
            return existing, False
        try:
            booking = _reserve_and_insert(
                session, holder_id=holder_id, slot_id=slot_id, offering_code=offering_code,
                quantity=quantity, details=details, idempotency_key=idempotency_key, now=now,
            )
            if is_ticket_area(session, booking.area_code):
                issue_tickets(session, booking=booking, slot=booking.slot)
            reminders.plan_for_booking(session, booking=booking, quiet=quiet, now=now)
            session.commit()
        except IntegrityError:
            # The twin request with this key committed first (PostgreSQL lets
            # both reach the INSERT), or the reference collided: look again.
            session.rollback()
            continue
        except BaseException:
            session.rollback()
            raise
        return booking, True
    raise RuntimeError("could not store the booking after several attempts")


def cancel_booking(
    session: Session, *, holder: Holder, reference: str, now: datetime
) -> Booking:
    """Cancel and free the capacity; cancelling again changes nothing."""
    booking = get_booking(session, holder=holder, reference=reference)
    if booking.status == CANCELLED:
        return booking
    if booking.slot.starts_at <= now:
        raise InvalidRequest(
            "This appointment has already started and can no longer be cancelled.",
            code="slot_in_past",
        )
    # Conditional on the status, so two cancels racing free the capacity once.
    changed = _rowcount(session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == CONFIRMED)
        .values(status=CANCELLED, cancelled_at=now)
        .execution_options(synchronize_session=False)
    ))
    if changed:
        session.execute(
            update(InventorySlot)
            .where(InventorySlot.id == booking.slot_id)
            .values(booked=InventorySlot.booked - booking.quantity)
            .execution_options(synchronize_session=False)
        )
        reminders.cancel_for_booking(session, booking=booking, reason="the booking was cancelled")
    session.refresh(booking)
    session.refresh(booking.slot)
    session.commit()
    return booking


def list_bookings(
    session: Session, *, holder: Holder, status: str | None = None
) -> list[Booking]:
    """The holder's bookings, newest appointment first."""
    stmt = (
        select(Booking)
        .join(Booking.slot)
        .where(Booking.holder_id == holder.id)
        .options(
            joinedload(Booking.slot),
            joinedload(Booking.provider),
            joinedload(Booking.offering),
        )
        .order_by(InventorySlot.starts_at.desc(), Booking.id.desc())
    )
    if status is not None:
        stmt = stmt.where(Booking.status == status)
    return list(session.scalars(stmt))


def get_booking(session: Session, *, holder: Holder, reference: str) -> Booking:
    """A booking of this holder; another holder's looks exactly like none."""
    code = normalise_reference(reference)
    booking = session.scalars(
        select(Booking).where(Booking.reference == code, Booking.holder_id == holder.id)
    ).first()
    if booking is None:
        raise NotFound(f"There is no booking with the reference {code}.")
    return booking


# -- helpers -----------------------------------------------------------------


def _by_idempotency_key(session: Session, *, holder_id: int, key: str) -> Booking | None:
    return session.scalars(
        select(Booking).where(Booking.holder_id == holder_id, Booking.idempotency_key == key)
    ).first()


def _check_same_request(
    booking: Booking,
    *,
    slot_id: int,
    offering_code: str | None,
    quantity: int,
    details: dict[str, Any],
) -> None:
    booked_code = booking.offering.code if booking.offering is not None else None
    same_offering = offering_code == booked_code or (
        offering_code is None and booking.offering_id == booking.slot.offering_id
    )
    if (
        booking.slot_id != slot_id
        or booking.quantity != quantity
        or not same_offering
        or caller_details(booking.details) != details
    ):
        raise HubError(
            409,
            "idempotency_conflict",
            "This Idempotency-Key was already used for a different booking request.",
            reference=booking.reference,
        )


def _reserve_and_insert(
    session: Session,
    *,
    holder_id: int,
    slot_id: int,
    offering_code: str | None,
    quantity: int,
    details: dict[str, Any],
    idempotency_key: str,
    now: datetime,
) -> Booking:
    require_quantity(quantity)
    slot = session.get(InventorySlot, slot_id)
    if slot is None:
        raise NotFound("There is no such slot.")
    if slot.starts_at <= now:
        raise InvalidRequest("That time has already passed.", code="slot_in_past")
    offering = _offering_for_slot(session, slot=slot, offering_code=offering_code)

    reserved = _rowcount(session.execute(
        update(InventorySlot)
        .where(
            InventorySlot.id == slot.id,
            InventorySlot.booked + quantity <= InventorySlot.capacity,
        )
        .values(booked=InventorySlot.booked + quantity)
        .execution_options(synchronize_session=False)
    ))
    session.expire(slot, ["booked"])
    if reserved != 1:
        raise SlotFull(
            [slot_out(s) for s in alternatives_for_full_slot(session, slot=slot, offering=offering,
                                               quantity=quantity, now=now)]
        )

    booking = Booking(
        reference=_unused_reference(session),
        holder_id=holder_id,
        area_code=slot.area_code,
        provider_id=slot.provider_id,
        offering_id=offering.id if offering is not None else None,
        slot_id=slot.id,
        quantity=quantity,
        status=CONFIRMED,
        details=details,
        idempotency_key=idempotency_key,
        created_at=now,
    )
    session.add(booking)
    session.flush()
    return booking


def _offering_for_slot(
    session: Session, *, slot: InventorySlot, offering_code: str | None
) -> Offering | None:
    if offering_code is None:
        return slot.offering
    offering = find_offering(
        session, provider_id=slot.provider_id, area_code=slot.area_code, code=offering_code
    )
    if offering is None or (slot.offering_id is not None and slot.offering_id != offering.id):
        raise InvalidRequest(
            f"'{offering_code}' cannot be booked in this slot.", code="invalid_offering"
        )
    return offering


def _rowcount(result: Result[Any]) -> int:
    # An UPDATE's result is a CursorResult; Session.execute is typed for any statement.
    return cast(CursorResult[Any], result).rowcount


def _unused_reference(session: Session) -> str:
    for _ in range(_CREATE_ATTEMPTS):
        reference = new_reference()
        taken = session.scalar(select(Booking.id).where(Booking.reference == reference))
        if taken is None:
            return reference
    # The unique index still guards the INSERT; create_booking retries on it.
    return new_reference()
