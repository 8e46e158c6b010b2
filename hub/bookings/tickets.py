"""Tickets (areas of kind `ticket`: movies, events): seats and a ticket code.

The hub holds the seats. They are numbered row by row (A1, A2, ... then B1),
`seats_per_row` to a row (offering or provider details, default 12), and a
booking gets the first free ones in that order. The seats are chosen after the
capacity UPDATE of the same transaction, which holds the slot's row lock (a
PostgreSQL row lock, SQLite's write lock), so two bookings for one showtime
read each other's seats and never share one.

`details["seats"]` and `details["ticket_code"]` belong to the hub, as does
`details["history"]` (reschedules): callers may not set them.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.bookings.models import Booking, InventorySlot
from hub.bookings.references import ALPHABET
from hub.catalog.models import ServiceArea

HUB_DETAIL_KEYS = frozenset({"seats", "ticket_code", "history"})
DEFAULT_SEATS_PER_ROW = 12
TICKET_KIND = "ticket"


def is_ticket_area(session: Session, area_code: str) -> bool:
    area = session.get(ServiceArea, area_code)
    return area is not None and area.kind == TICKET_KIND


def caller_details(details: dict[str, Any] | None) -> dict[str, Any]:
    """What the caller sent, without what the hub added."""
    return {k: v for k, v in (details or {}).items() if k not in HUB_DETAIL_KEYS}


def issue_tickets(session: Session, *, booking: Booking, slot: InventorySlot) -> None:
    """Give the booking its seats on `slot` (again, after a reschedule) and,
    once, a ticket code. Call after the slot's capacity was taken."""
    details = dict(booking.details or {})
    offering_details = booking.offering.details if booking.offering is not None else {}
    if (offering_details or {}).get("seated", True):
        per_row = int(
            (offering_details or {}).get("seats_per_row")
            or (slot.provider.details or {}).get("seats_per_row")
            or DEFAULT_SEATS_PER_ROW
        )
        details["seats"] = _free_seats(session, booking=booking, slot=slot, per_row=per_row)
    else:
        details.pop("seats", None)
    details.setdefault("ticket_code", new_ticket_code())
    booking.details = details
    session.flush()


def new_ticket_code() -> str:
    """What the counter scans or types: 8 characters, as `7K3M-9QXA`."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"{body[:4]}-{body[4:]}"


def seat_label(index: int, per_row: int) -> str:
    row, number = divmod(index, per_row)
    return f"{_row_name(row)}{number + 1}"


def _row_name(row: int) -> str:
    # A..Z, then AA, AB, ... for the rare hall with more than 26 rows.
    letters = string.ascii_uppercase
    name = ""
    row += 1
    while row:
        row, rest = divmod(row - 1, 26)
        name = letters[rest] + name
    return name


def _free_seats(
    session: Session, *, booking: Booking, slot: InventorySlot, per_row: int
) -> list[str]:
    taken: set[str] = set()
    others = session.scalars(
        select(Booking.details).where(
            Booking.slot_id == slot.id, Booking.status == "confirmed", Booking.id != booking.id
        )
    )
    for details in others:
        taken.update((details or {}).get("seats", []))
    seats: list[str] = []
    index = 0
    # Capacity was reserved, so enough labels are free among the first
    # capacity + taken ones; the bound only guards against bad data.
    while len(seats) < booking.quantity and index < slot.capacity + len(taken) + booking.quantity:
        label = seat_label(index, per_row)
        if label not in taken:
            seats.append(label)
        index += 1
    return seats
