"""`Slot` and `Booking` as docs/hub-api.md shows them."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from hub.bookings.models import Booking, InventorySlot
from hub.catalog.models import ServiceArea
from hub.clock import local_iso


def slot_out(slot: InventorySlot) -> dict[str, Any]:
    offering = slot.offering
    return {
        "slot_id": slot.id,
        "provider": {"code": slot.provider.code, "name": slot.provider.name},
        "offering": None if offering is None else {"code": offering.code, "name": offering.name},
        "starts_at": local_iso(slot.starts_at),
        "ends_at": local_iso(slot.ends_at),
        "capacity": slot.capacity,
        "remaining": slot.remaining,
    }


def booking_out(session: Session, booking: Booking) -> dict[str, Any]:
    area = session.get(ServiceArea, booking.area_code)
    offering = booking.offering
    return {
        "reference": booking.reference,
        "status": booking.status,
        "area": {"code": booking.area_code, "name": area.name if area else booking.area_code},
        "provider": {
            "code": booking.provider.code,
            "name": booking.provider.name,
            "address": booking.provider.address,
        },
        "offering": None if offering is None else {"code": offering.code, "name": offering.name},
        "starts_at": local_iso(booking.slot.starts_at),
        "ends_at": local_iso(booking.slot.ends_at),
        "quantity": booking.quantity,
        "details": booking.details,
        # Tickets only: the code the counter takes and the seats the hub holds.
        "ticket": None
        if "ticket_code" not in (booking.details or {})
        else {
            "code": booking.details["ticket_code"],
            "seats": list(booking.details.get("seats", [])),
        },
        "created_at": local_iso(booking.created_at),
        "cancelled_at": local_iso(booking.cancelled_at),
    }
