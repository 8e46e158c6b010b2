"""What a steward does for a holder from the console. Cancel for now; a
reschedule (cancel + book in one transaction) comes with a later issue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hub.bookings import engine
from hub.bookings.models import Booking
from hub.holders.models import Steward
from hub.stewards import audit
from hub.stewards.access import require_may_act
from hub.stewards.errors import InvalidTransition
from hub.stewards.models import Escalation


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
    require_may_act(staff, escalation)
    if not escalation.live:
        raise InvalidTransition("Open the holder's live escalation to act for them.")
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
