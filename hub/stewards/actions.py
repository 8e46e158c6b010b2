"""What a steward does to a holder's bookings from the console: cancel, look
for free times, reschedule. Each goes through the booking engine, so capacity
and reminders behave exactly as when the holder does it themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.bookings import engine
from hub.bookings.models import Booking, InventorySlot
from hub.bookings.reschedule import reschedule_booking
from hub.clock import local_iso
from hub.errors import InvalidRequest
from hub.holders.models import Steward
from hub.reminders.policy import QuietHours
from hub.stewards import audit
from hub.stewards.access import require_may_act
from hub.stewards.errors import InvalidTransition
from hub.stewards.models import AuditEntry, Escalation


@dataclass(frozen=True)
class FreeTimes:
    """Where a booking could move on a day: its provider's free slots of the
    same service, and (when that day has none) the next free days there."""

    booking: Booking
    day: date
    slots: list[InventorySlot]
    alternatives: list[InventorySlot]


def require_acting(staff: Steward, escalation: Escalation) -> None:
    """Acting for a holder needs their live escalation: once it is resolved
    the bot has the conversation again, and nothing should change behind it."""
    require_may_act(staff, escalation)
    if not escalation.live:
        raise InvalidTransition("Open the holder's live escalation to act for them.")


def cancel_booking_for_holder(
    session: Session,
    *,
    escalation: Escalation,
    staff: Steward,
    reference: str,
    now: datetime,
) -> Booking:
    """Cancel one of the escalation's holder's bookings through the booking
    engine (conditional UPDATEs, capacity freed in the same transaction).

    The audit entry is added first, so the engine's commit stores the
    cancellation and its record together; a refused cancel (already started,
    not this holder's) rolls both back. Cancelling twice is a no-op.
    """
    require_acting(staff, escalation)
    booking = engine.get_booking(session, holder=escalation.holder, reference=reference)
    if booking.status == engine.CANCELLED:
        return booking
    escalation.updated_at = now
    audit.record(
        session, action="cancel_booking", escalation=escalation, staff=staff, now=now,
        details={"reference": booking.reference, "quantity": booking.quantity},
    )
    return engine.cancel_booking(
        session, holder=escalation.holder, reference=booking.reference, now=now
    )


def free_times_for_booking(
    session: Session,
    *,
    escalation: Escalation,
    staff: Steward,
    reference: str,
    day: date,
    now: datetime,
) -> FreeTimes:
    """The times a booking may move to on `day`: only slots the reschedule
    would accept (same provider, area and offering, room for its quantity),
    never the one it already has."""
    require_acting(staff, escalation)
    booking = engine.get_booking(session, holder=escalation.holder, reference=reference)
    _require_movable(booking, now=now)
    found = engine.availability(
        session, area_code=booking.area_code, provider_code=booking.provider.code, day=day,
        offering_code=booking.offering.code if booking.offering is not None else None,
        quantity=booking.quantity, now=now,
    )

    def fits(slot: InventorySlot) -> bool:
        return (slot.id != booking.slot_id and slot.provider_id == booking.provider_id
                and slot.offering_id in (None, booking.offering_id))

    # Other hospitals' alternatives are dropped: a move stays at one place.
    return FreeTimes(
        booking=booking, day=found.day,
        slots=[s for s in found.slots if fits(s)],
        alternatives=[s for s in found.alternatives if fits(s)],
    )


def reschedule_booking_for_holder(
    session: Session,
    *,
    escalation: Escalation,
    staff: Steward,
    reference: str,
    slot_id: int,
    idempotency_key: str,
    quiet: QuietHours,
    now: datetime,
) -> tuple[Booking, bool]:
    """Move the booking (capacity, tickets and reminders with it) and record
    who moved it from when to when. The booking and whether it moved now.

    `reschedule_booking` commits its own transaction, so the audit entry is
    added before it and goes in the same commit; a refusal (slot full, past,
    another service) rolls both back. The same key again moves nothing and
    records nothing.
    """
    require_acting(staff, escalation)
    booking = engine.get_booking(session, holder=escalation.holder, reference=reference)
    target = session.get(InventorySlot, slot_id)
    escalation.updated_at = now
    entry = audit.record(
        session, action="reschedule_booking", escalation=escalation, staff=staff, now=now,
        details=_move_details(
            reference=booking.reference, from_slot=booking.slot, to_slot=target,
            key=idempotency_key,
        ),
    )
    booking, moved = reschedule_booking(
        session, holder=escalation.holder, reference=booking.reference, slot_id=slot_id,
        idempotency_key=idempotency_key, now=now, quiet=quiet,
    )
    if not moved:
        session.rollback()  # a replay: drop the pending entry, nothing happened
        return booking, False
    if entry not in session:
        # The engine lost a race once, rolled back (our entry with it) and
        # moved the booking on its retry: record what it did, from its history.
        _record_after_retry(session, escalation=escalation, staff=staff, booking=booking,
                            key=idempotency_key, now=now)
    return booking, True


def _require_movable(booking: Booking, *, now: datetime) -> None:
    # The same refusals the reschedule gives, before offering times for it.
    if booking.status != engine.CONFIRMED:
        raise InvalidRequest("This booking is cancelled.", code="booking_cancelled")
    if booking.slot.starts_at <= now:
        raise InvalidRequest(
            "This appointment has already started and can no longer be moved.",
            code="slot_in_past",
        )


def _move_details(
    *, reference: str, from_slot: InventorySlot, to_slot: InventorySlot | None, key: str
) -> dict[str, Any]:
    return {
        "reference": reference,
        "from_slot_id": from_slot.id,
        "from": local_iso(from_slot.starts_at),
        "to_slot_id": to_slot.id if to_slot is not None else None,
        "to": local_iso(to_slot.starts_at) if to_slot is not None else None,
        "idempotency_key": key,
    }


def _record_after_retry(
    session: Session, *, escalation: Escalation, staff: Steward, booking: Booking, key: str,
    now: datetime,
) -> AuditEntry:
    move = next(m for m in reversed(booking.details.get("history", []))
                if m.get("idempotency_key") == key)
    escalation.updated_at = now
    entry = audit.record(
        session, action="reschedule_booking", escalation=escalation, staff=staff, now=now,
        details={"reference": booking.reference, "from_slot_id": move["from_slot_id"],
                 "from": move["from_starts_at"], "to_slot_id": move["to_slot_id"],
                 "to": move["to_starts_at"], "idempotency_key": key},
    )
    session.commit()
    return entry
