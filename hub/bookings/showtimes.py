"""Showtimes and event dates: the upcoming slots of a ticket area in one call.

"2 tickets for Deep Sea tonight at Global Harbor" is one question: area,
film, cinema, day, a time window and a quantity, any of them optional.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from hub.bookings.availability import require_quantity
from hub.bookings.models import InventorySlot
from hub.bookings.tickets import TICKET_KIND
from hub.catalog.models import Offering, Provider, ServiceArea
from hub.clock import local_day_bounds
from hub.config import LOCAL_TZ
from hub.errors import InvalidRequest, NotFound

MAX_ALTERNATIVES = 3


@dataclass(frozen=True)
class Showtimes:
    slots: list[InventorySlot]
    alternatives: list[InventorySlot]


def find_showtimes(
    session: Session,
    *,
    area_code: str,
    provider_code: str | None = None,
    offering_code: str | None = None,
    day: date | None = None,
    after: time | None = None,
    before: time | None = None,
    quantity: int = 1,
    limit: int = 20,
    now: datetime,
) -> Showtimes:
    """Open slots (not started, `quantity` seats left), soonest first. With
    `day`, only that local day, between `after` and `before` (local times).
    When none match, `alternatives`: the next ones after the window, then the
    same window at other providers."""
    require_quantity(quantity)
    if day is not None and day < now.astimezone(LOCAL_TZ).date():
        raise InvalidRequest("That date has already passed.", code="date_in_past")
    _ticket_area(session, area_code)
    provider = _provider(session, area_code, provider_code) if provider_code else None
    if offering_code:
        _offering_exists(session, area_code, offering_code, provider)
    base = _open(area_code=area_code, quantity=quantity, now=now, offering_code=offering_code)
    start, end = _window(day, after, before)
    stmt = base
    if provider is not None:
        stmt = stmt.where(InventorySlot.provider_id == provider.id)
    if start is not None:
        stmt = stmt.where(InventorySlot.starts_at >= start)
    if end is not None:
        stmt = stmt.where(InventorySlot.starts_at < end)
    slots = list(session.scalars(stmt.limit(limit)))
    alternatives: list[InventorySlot] = []
    if not slots and (start is not None or end is not None):
        later = base if end is None else base.where(InventorySlot.starts_at >= end)
        if provider is not None:
            later = later.where(InventorySlot.provider_id == provider.id)
        alternatives = list(session.scalars(later.limit(MAX_ALTERNATIVES)))
        if provider is not None:
            elsewhere = base.where(InventorySlot.provider_id != provider.id)
            if start is not None:
                elsewhere = elsewhere.where(InventorySlot.starts_at >= start)
            if end is not None:
                elsewhere = elsewhere.where(InventorySlot.starts_at < end)
            alternatives += list(session.scalars(elsewhere.limit(MAX_ALTERNATIVES)))
    return Showtimes(slots=slots, alternatives=alternatives)


def _window(
    day: date | None, after: time | None, before: time | None
) -> tuple[datetime | None, datetime | None]:
    if day is None:
        if after is not None or before is not None:
            raise InvalidRequest("Give a date with a time of day.", code="invalid_request")
        return None, None
    start, end = local_day_bounds(day)
    if after is not None:
        start = datetime.combine(day, after, tzinfo=LOCAL_TZ)
    if before is not None:
        end = min(end, datetime.combine(day, before, tzinfo=LOCAL_TZ))
    return start, end


def _open(
    *, area_code: str, quantity: int, now: datetime, offering_code: str | None
) -> Select[tuple[InventorySlot]]:
    stmt = (
        select(InventorySlot)
        .where(
            InventorySlot.area_code == area_code,
            InventorySlot.starts_at > now,
            InventorySlot.capacity - InventorySlot.booked >= quantity,
        )
        .options(joinedload(InventorySlot.provider), joinedload(InventorySlot.offering))
        .order_by(InventorySlot.starts_at, InventorySlot.id)
    )
    if offering_code:
        stmt = stmt.join(Offering, InventorySlot.offering_id == Offering.id).where(
            Offering.code == offering_code
        )
    return stmt


def _ticket_area(session: Session, area_code: str) -> ServiceArea:
    area = session.get(ServiceArea, area_code)
    if area is None or not area.active:
        raise NotFound(f"There is no service area '{area_code}'.")
    if area.kind != TICKET_KIND:
        raise InvalidRequest(
            f"{area.name} has no showtimes; use availability instead.", code="invalid_area"
        )
    return area


def _provider(session: Session, area_code: str, code: str) -> Provider:
    provider = session.scalars(select(Provider).where(Provider.code == code)).first()
    if provider is None or area_code not in (provider.areas or []):
        raise NotFound(f"There is no venue '{code}' for this service.")
    return provider


def _offering_exists(
    session: Session, area_code: str, code: str, provider: Provider | None
) -> None:
    stmt = select(Offering.id).where(Offering.area_code == area_code, Offering.code == code)
    if provider is not None:
        stmt = stmt.where(Offering.provider_id == provider.id)
    if session.scalars(stmt).first() is None:
        where = f" at {provider.name}" if provider is not None else ""
        raise NotFound(f"'{code}' is not showing{where}.")
