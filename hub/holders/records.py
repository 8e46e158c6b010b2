"""Everything a holder has, of every kind, in one list: bookings (TC-),
applications (AP-) and service requests (SR-) — what the bot shows for "what
do I have", finds by any reference, and cancels or withdraws in one call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hub.applications import service as applications
from hub.applications.models import Application
from hub.applications.serializers import application_out
from hub.bookings import engine as bookings
from hub.bookings.models import Booking
from hub.bookings.references import PREFIX as BOOKING_PREFIX
from hub.bookings.references import prefix_of
from hub.bookings.serializers import booking_out
from hub.catalog.models import ServiceArea
from hub.clock import local_iso
from hub.errors import NotFound
from hub.holders.models import Holder
from hub.service_requests import service as requests
from hub.service_requests.models import ServiceRequest
from hub.service_requests.serializers import request_out

Row = Booking | Application | ServiceRequest


def list_records(
    session: Session, *, holder: Holder, now: datetime, live_only: bool = False
) -> list[dict[str, Any]]:
    """Live records first, soonest `when` first; then the closed ones, most
    recent first. A booking is live while confirmed and not yet over."""
    rows: list[Row] = [
        *bookings.list_bookings(session, holder=holder),
        *applications.list_applications(session, holder=holder),
        *requests.list_requests(session, holder=holder),
    ]
    records = [summary(session, row, now=now) for row in rows]
    if live_only:
        records = [r for r in records if r["live"]]
    live = sorted((r for r in records if r["live"]), key=lambda r: r["when"])
    closed = sorted((r for r in records if not r["live"]), key=lambda r: r["when"], reverse=True)
    return live + closed


def find(session: Session, *, holder: Holder, reference: str) -> Row:
    """The holder's record with this reference, whatever its kind; a bare
    code without its prefix is looked up as every kind."""
    prefix = prefix_of(reference)
    lookups: dict[str, Callable[..., Row]] = {
        BOOKING_PREFIX: bookings.get_booking,
        applications.PREFIX: applications.get_application,
        requests.PREFIX: requests.get_request,
    }
    tried = [lookups[prefix]] if prefix else list(lookups.values())
    for lookup in tried:
        try:
            return lookup(session, holder=holder, reference=reference)
        except NotFound:
            continue
    raise NotFound(f"There is nothing with the reference {reference.strip().upper()}.")


def detail(session: Session, row: Row, *, now: datetime) -> dict[str, Any]:
    """The full shape of the record's kind, with `kind`, `title` and `live`."""
    head = summary(session, row, now=now)
    if isinstance(row, Booking):
        full = booking_out(session, row)
    elif isinstance(row, Application):
        full = application_out(session, row)
    else:
        full = request_out(session, row)
    return {**full, "kind": head["kind"], "title": head["title"], "live": head["live"]}


def cancel(session: Session, *, holder: Holder, row: Row, now: datetime) -> Row:
    """Cancel a booking, withdraw an application or a request; doing it twice
    changes nothing. The caller moves a booking's reminder jobs afterwards."""
    if isinstance(row, Booking):
        return bookings.cancel_booking(session, holder=holder, reference=row.reference, now=now)
    if isinstance(row, Application):
        return applications.withdraw_application(
            session, holder=holder, reference=row.reference, now=now)
    return requests.withdraw_request(session, holder=holder, reference=row.reference, now=now)


def summary(session: Session, row: Row, *, now: datetime) -> dict[str, Any]:
    area = session.get(ServiceArea, row.area_code)
    area_name = area.name if area else row.area_code
    provider = offering = None
    if isinstance(row, Booking):
        kind, when = "booking", row.slot.starts_at
        live = row.status == bookings.CONFIRMED and row.slot.ends_at > now
        provider, offering = row.provider, row.offering
        what = f"{offering.name} at {provider.name}" if offering else provider.name
        title = f"{area_name}: {what}"
    elif isinstance(row, Application):
        kind, when, live = "application", row.created_at, row.status in applications.LIVE
        provider, offering = row.provider, row.offering
        title = f"{area_name}: {row.child.name}, {offering.name} at {provider.name}"
    else:
        kind, when, live = "service_request", row.created_at, row.status in requests.LIVE
        title = area_name
    return {
        "kind": kind,
        "reference": row.reference,
        "title": title,
        "status": row.status,
        "live": live,
        "area": {"code": row.area_code, "name": area_name},
        "provider": None if provider is None else {"code": provider.code, "name": provider.name},
        "offering": None if offering is None else {"code": offering.code, "name": offering.name},
        "when": local_iso(when),
        "created_at": local_iso(row.created_at),
    }
